/* smtpcmd.h - SMTP command line parsing (RFC 5321 4.1, with the ESMTP
 * parameters of SIZE, BODY, SMTPUTF8, RET, ENVID, NOTIFY, ORCPT).
 * Pure functions: no I/O, no allocation but the caller's buf; fuzzed by fuzz/fuzz_cmd.c.
 */
#ifndef SOCKMAIL_SMTPCMD_H
#define SOCKMAIL_SMTPCMD_H

#include <stddef.h>

struct buf;

#define SMTP_LINE_MAX	1000	/* octets, CRLF included (RFC 5321 4.5.3.1.4/6) */
/* An AUTH command or response line, CRLF included (RFC 4954 4). */
#define SMTP_AUTH_LINE_MAX 12288
#define SMTP_MAX_PARAMS	16

enum smtp_verb {
	V_UNKNOWN = 0, V_HELO, V_EHLO, V_MAIL, V_RCPT, V_DATA, V_BDAT, V_RSET,
	V_NOOP, V_QUIT, V_VRFY, V_EXPN, V_HELP, V_STARTTLS, V_AUTH, V_ETRN,
	V_VERB, V_TURN, V_HTTP	/* "GET "/"POST " from web proxies: drop at once */
};

struct smtp_param {
	const char *key;	/* points into the parsed line, NUL-terminated */
	const char *value;	/* NULL when the parameter has no "=" */
};

/* Split a command line (CRLF already removed, NUL-terminated, writable:
 * the parser cuts it into pieces in place).  *arg points to the text after
 * the verb and one space ("" if none). */
enum smtp_verb smtpcmd_verb(char *line, char **arg);

/* After the path of MAIL/RCPT: parse " KEY=VALUE KEY" into p[], in place.
 * Returns the count, or -1 on bad syntax (why set), e.g. too many
 * parameters, an empty key, a key with characters outside esmtp-keyword. */
int	smtpcmd_params(char *s, struct smtp_param *p, int max, const char **why);

/* Decode RFC 3461 xtext ("+2B" -> "+") into out and return the decoded
 * length; -1 if malformed, too long, or decoding to a byte outside
 * 0x20-0x7e.  With out == NULL it only checks. */
int	smtpcmd_xtext_decode(const char *in, char *out, size_t outsz);

/* An ORCPT value (RFC 3461 4.2): "addr-type;xtext" where addr-type is an
 * atom (rfc822, utf-8, ...) and the rest valid xtext, at most
 * SMTP_ORCPT_MAX octets.  1 if it is, 0 if not: nothing else may reach
 * the queue file's Q line. */
#define SMTP_ORCPT_MAX	500
int	smtpcmd_orcpt_ok(const char *v);

/* Append s as xtext: '+', '=' and octets outside 0x21-0x7e as "+XX". */
void	smtpcmd_xtext_encode(const char *s, struct buf *out);

/* "BDAT <size> [LAST]": 0 and *size, *last on success, -1 on bad syntax. */
int	smtpcmd_bdat(const char *arg, unsigned long long *size, int *last);

const char *smtpcmd_name(enum smtp_verb);

#endif
