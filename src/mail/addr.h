/* addr.h - RFC 5321 paths (MAIL FROM / RCPT TO arguments) and the
 * address properties the relay policy needs.
 */
#ifndef SOCKMAIL_ADDR_H
#define SOCKMAIL_ADDR_H

#include <stddef.h>

#define ADDR_MAX_LOCAL	64	/* RFC 5321 4.5.3.1.1 */
#define ADDR_MAX_DOMAIN	255	/* RFC 5321 4.5.3.1.2 */
#define ADDR_MAX_PATH	256	/* RFC 5321 4.5.3.1.3 */

struct addr {
	char	 local[ADDR_MAX_PATH + 1];   /* local part exactly as written, quotes kept */
	char	 domain[ADDR_MAX_PATH + 1];  /* domain lower-cased, one trailing dot
					      * removed; "" if none; IP literal with brackets */
	char	 route[ADDR_MAX_PATH + 1];   /* source route "@a,@b" as written, or "" */
	int	 null;		/* the null path <> */
	int	 quoted;	/* local part is a quoted-string */
	int	 ip_literal;	/* domain is [IPv4] or [IPv6:...] */
	int	 utf8;		/* contains octets >= 0x80 */
};

/* Flags for addr_parse_path(). */
#define ADDR_ALLOW_NULL	0x01	/* <> is acceptable (MAIL FROM) */
#define ADDR_ALLOW_UTF8	0x02	/* SMTPUTF8 given: UTF-8 allowed (RFC 6531) */
#define ADDR_NEED_BRACKETS 0x04	/* require <...> (strict RFC 5321); else a bare
				 * address is accepted as sendmail does */

/* Parse a path at the start of s (after "MAIL FROM:" / "RCPT TO:", leading
 * spaces allowed).  On success returns 0, fills *a, and sets *rest to the
 * first byte after the path (the ESMTP parameters, spaces not skipped).
 * On failure returns -1 and sets *why to a static English reason suitable
 * for a 501/553 reply ("unbalanced angle brackets", "local part too long", ...).
 * s must be NUL-terminated. */
int	addr_parse_path(const char *s, struct addr *a, const char **rest,
	    int flags, const char **why);

/* "local@domain" (or "local" if no domain; "" for the null path). */
void	addr_format(const struct addr *a, char *out, size_t outsz);

/* Local part holds a routing operator that could make a local MTA
 * forward the mail elsewhere: '%', '!', or '@' (possible only quoted),
 * or the path had a source route.  Such an address, for a local domain,
 * is a classic relay trick. */
int	addr_has_routing(const struct addr *a);

/* The local part with quoting removed (backslash pairs undone), into out;
 * -1 if it does not fit. */
int	addr_unquote_local(const struct addr *a, char *out, size_t outsz);

/* Is s a syntactically valid domain (dot-atom of LDH labels, or an
 * address literal)? */
int	addr_valid_domain(const char *s);

#endif
