/* policy.h - who may relay, which recipients are local and known.
 *
 * The relay decision uses only the address of the connected socket
 * (getpeername), never anything the client says.
 */
#ifndef SOCKMAIL_POLICY_H
#define SOCKMAIL_POLICY_H

struct cf;
struct addr;
struct buf;

enum rcpt_verdict {
	RCPT_OK_LOCAL,		/* local recipient, known */
	RCPT_OK_RELAY,		/* remote recipient, relaying allowed */
	RCPT_UNKNOWN,		/* local domain, no such user */
	RCPT_DENIED,		/* relaying denied */
	RCPT_TEMPFAIL		/* a lookup failed: try again later */
};

/* May a client at ip relay?  local: not a network peer (a pipe, a
 * terminal, a unix socket). */
int	policy_client_may_relay(const struct cf *, const char *ip, int local);

/* Is domain (lower-case, "" for none, "[1.2.3.4]" literals) ours? */
int	policy_domain_is_local(const struct cf *, const char *domain);

/* Is domain in class R, or a subdomain of an entry there? */
int	policy_domain_is_relay(const struct cf *, const char *domain);

/* Does the local part name a local user or alias? 1 yes, 0 no, -1 temp. */
int	policy_local_user(const struct cf *, const char *local, struct buf *why);

enum rcpt_verdict policy_rcpt(const struct cf *, const struct addr *,
	    int may_relay, struct buf *why);

#endif
