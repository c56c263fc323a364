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
	RCPT_TEMPFAIL,		/* a lookup failed: try again later */
	RCPT_ERROR		/* a map said "error:": the reply is in why */
};

/* Is ip (text) a loopback address: this host? */
int	policy_ip_is_loopback(const char *ip);

/* May a client at ip relay?  local: not a network peer (a pipe, a
 * terminal, a unix socket). */
int	policy_client_may_relay(const struct cf *, const char *ip, int local);

/* May a client whose confirmed host name is name relay?  Yes when the
 * name is in class w or in a class R domain (sendmail's RELAY_DOMAIN:
 * the domain and its subdomains). */
int	policy_client_name_may_relay(const struct cf *, const char *name);

/* Is domain (lower-case, "" for none, "[1.2.3.4]" literals) ours? */
int	policy_domain_is_local(const struct cf *, const char *domain);

/* Is domain in class R, or a subdomain of an entry there? */
int	policy_domain_is_relay(const struct cf *, const char *domain);

/* Does the local part name a local user or alias? 1 yes, 0 no, -1 temp. */
int	policy_local_user(const struct cf *, const char *local, struct buf *why);

/* The verdict on a recipient.  Our domains are class w, and class
 * VirtHost when a virtusertable (Kvirtuser) is declared: an address there
 * is accepted when the virtusertable has it (user@domain, user+*@domain,
 * then @domain), refused with the entry's reply for "error:" values, and
 * otherwise, in a VirtHost domain, unknown; in a class w domain the
 * passwd and aliases decide as usual. */
enum rcpt_verdict policy_rcpt(const struct cf *, const struct addr *,
	    int may_relay, struct buf *why);

#endif
