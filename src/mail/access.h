/* access.h - the access map (sendmail's FEATURE(access_db)).
 *
 * Declared in the config as "Kaccess <class> [-o] /etc/mail/access" and
 * built with makemap(8); keys are "Connect:", "From:" or "To:" plus an IP
 * address (or a prefix of one), a domain (matching its subdomains too),
 * "user@domain" or "user@"; untagged keys apply to all three.  Values:
 * OK, RELAY, REJECT, DISCARD, SKIP and ERROR:[d.s.n:]code text.  For
 * Connect:, the client's host name (when it resolves back to its address)
 * and its parent domains are looked up first, then its IP address and
 * the address's prefixes, as sendmail does; the first entry found
 * decides.
 */
#ifndef SOCKMAIL_ACCESS_H
#define SOCKMAIL_ACCESS_H

struct cf;
struct addr;

enum access_act {
	ACC_NONE,	/* no entry (or SKIP): the built-in policy decides */
	ACC_OK,		/* accept, no further access checks */
	ACC_RELAY,	/* Connect: may relay; To: may be relayed to */
	ACC_REJECT,	/* refuse with the reply in .reply */
	ACC_DISCARD,	/* accept the message and throw it away */
	ACC_TEMP	/* lookup failed or bad entry: 4xx, see .reply */
};

#define ACCESS_REPLY_MAX	512

struct access {
	enum access_act	 act;
	char		 reply[ACCESS_REPLY_MAX];  /* "550 5.7.1 text" */
	char		 key[300];	/* the key that matched, for logs */
};

/* The checks.  addr is what the client gave (NULL-path = the null
 * sender, looked up as "<>").  what names the address in a default
 * REJECT reply ("<a@b>... Access denied"); NULL for Connect.  name is the
 * client's confirmed host name, or NULL. */
enum access_act access_connect(const struct cf *, const char *ip,
	    const char *name, struct access *);
enum access_act access_from(const struct cf *, const struct addr *,
	    struct access *);
enum access_act access_to(const struct cf *, const struct addr *,
	    struct access *);

/* A client whose certificate verified (${verify} OK) may relay when
 * "CERTISSUER:<issuer>" is RELAY, or is SUBJECT and
 * "CERTSUBJECT:<subject>" is RELAY (sendmail's RelayTLS).  issuer and
 * subject are ${cert_issuer} and ${cert_subject}: xtext, as the keys
 * are written, and compared exactly, case kept (a map built by makemap
 * -f; a folded entry is logged and ignored); one not starting with '/'
 * (none, or too long) matches nothing.  ACC_RELAY (r->key is the
 * entry), ACC_NONE, or ACC_TEMP when the map could not be read. */
enum access_act access_cert(const struct cf *, const char *issuer,
	    const char *subject, struct access *);

/* Parse a map value into r (exposed for the unit tests and the fuzzer).
 * what: text put before "Access denied" in a REJECT reply, or "". */
void	access_value(const char *value, const char *what, struct access *r);

/* The part after "ERROR:" (access) or "error:" (virtusertable):
 * "[d.s.n:]code text" or "\"code text\"".  r->act becomes ACC_REJECT with
 * the reply, or ACC_TEMP for a malformed one (the code must be 4xx or 5xx
 * and a d.s.n of its class; without one the d.s.n is x.7.1). */
void	access_error(const char *s, struct access *r);

#endif
