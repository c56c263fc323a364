/* smtpcmd.c - SMTP command line parsing: the verb (RFC 5321 4.1.1),
 * ESMTP parameters (4.1.2), xtext (RFC 3461 4) and BDAT (RFC 3030 2).
 *
 * The line comes from the network, already cut at CRLF and NUL-terminated.
 * Every scan stops at the first octet that does not belong, so none reads
 * past the NUL; nothing is allocated (the xtext encoder appends to the
 * caller's buf).
 */
#include "smtpcmd.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "lib/ascii.h"
#include "lib/buf.h"

#define BDAT_MAX	((unsigned long long)INT64_MAX)	/* fits an off_t */

static const struct {
	const char	*word;
	enum smtp_verb	 verb;
} verbs[] = {
	{ "HELO", V_HELO },
	{ "EHLO", V_EHLO },
	{ "MAIL", V_MAIL },
	{ "RCPT", V_RCPT },
	{ "DATA", V_DATA },
	{ "BDAT", V_BDAT },
	{ "RSET", V_RSET },
	{ "NOOP", V_NOOP },
	{ "QUIT", V_QUIT },
	{ "VRFY", V_VRFY },
	{ "EXPN", V_EXPN },
	{ "HELP", V_HELP },
	{ "STARTTLS", V_STARTTLS },
	{ "AUTH", V_AUTH },
	{ "ETRN", V_ETRN },
	{ "VERB", V_VERB },
	{ "TURN", V_TURN },
	/* Other protocols spoken at port 25 by proxies and scanners. */
	{ "GET", V_HTTP },
	{ "POST", V_HTTP },
	{ "CONNECT", V_HTTP },
	{ "USER", V_HTTP },
};

static const char *const names[] = {
	[V_UNKNOWN] = "UNKNOWN", [V_HELO] = "HELO", [V_EHLO] = "EHLO",
	[V_MAIL] = "MAIL", [V_RCPT] = "RCPT", [V_DATA] = "DATA",
	[V_BDAT] = "BDAT", [V_RSET] = "RSET", [V_NOOP] = "NOOP",
	[V_QUIT] = "QUIT", [V_VRFY] = "VRFY", [V_EXPN] = "EXPN",
	[V_HELP] = "HELP", [V_STARTTLS] = "STARTTLS", [V_AUTH] = "AUTH",
	[V_ETRN] = "ETRN", [V_VERB] = "VERB", [V_TURN] = "TURN",
	[V_HTTP] = "HTTP",
};

/* Does s begin with word (upper case), ignoring case?  Stops at the first
 * difference, so never reads past the end of s. */
static int
prefix_ci(const char *s, const char *word)
{
	for (; *word != '\0'; s++, word++)
		if (upper((unsigned char)*s) != *word)
			return 0;
	return 1;
}

static enum smtp_verb
lookup(const char *w, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strlen(verbs[i].word) == n && prefix_ci(w, verbs[i].word))
			return verbs[i].verb;
	return V_UNKNOWN;
}

/* After "MAIL" or "RCPT": spaces, the keyword ("FROM:" / "TO:"), spaces.
 * Without the keyword the argument is "" so that the session answers 501. */
static char *
path_arg(char *p, const char *kw)
{
	char *q = p;

	while (*q == ' ')
		q++;
	if (q == p || !prefix_ci(q, kw))
		return p + strlen(p);
	q += strlen(kw);
	while (*q == ' ')
		q++;
	return q;
}

enum smtp_verb
smtpcmd_verb(char *line, char **arg)
{
	enum smtp_verb v = V_UNKNOWN;
	char *p = line;

	while (is_alpha((unsigned char)*p))
		p++;
	if (*p == ' ' || *p == '\0')
		v = lookup(line, (size_t)(p - line));
	if (v == V_MAIL)
		*arg = path_arg(p, "FROM:");
	else if (v == V_RCPT)
		*arg = path_arg(p, "TO:");
	else if (v != V_UNKNOWN)
		*arg = *p == ' ' ? p + 1 : p;
	else if ((p = strchr(line, ' ')) != NULL)
		*arg = p + 1;
	else
		*arg = line + strlen(line);
	return v;
}

/* esmtp-value = 1*(%d33-60 / %d62-126), and UTF-8 octets for SMTPUTF8
 * (RFC 6531 3.3), which the session vets. */
static int
is_value_char(int ch)
{
	return (ch >= 33 && ch <= 126 && ch != '=') || ch >= 0x80;
}

/* One "keyword[=value]" at *sp, cut in place; *sp moves past it and the
 * space after it. */
static int
param_one(char **sp, struct smtp_param *pp, const char **why)
{
	char *s = *sp, *k = s, *v = NULL;

	if (!is_alpha((unsigned char)*s) && !is_digit((unsigned char)*s)) {
		*why = *s == '=' ? "empty parameter keyword" :
		    "invalid parameter keyword";
		return -1;
	}
	while (is_alpha((unsigned char)*s) || is_digit((unsigned char)*s) ||
	    *s == '-')
		s++;
	if (*s == '=') {
		*s++ = '\0';
		v = s;
		while (is_value_char((unsigned char)*s))
			s++;
		if (s == v && (*s == ' ' || *s == '\0')) {
			*why = "empty parameter value";
			return -1;
		}
	}
	if (*s == ' ')
		*s++ = '\0';
	else if (*s != '\0') {
		*why = v != NULL ? "invalid character in parameter value" :
		    "invalid parameter keyword";
		return -1;
	}
	pp->key = k;
	pp->value = v;
	*sp = s;
	return 0;
}

int
smtpcmd_params(char *s, struct smtp_param *p, int max, const char **why)
{
	const char *dummy;
	int n = 0;

	if (why == NULL)
		why = &dummy;
	for (;;) {
		while (*s == ' ')
			s++;
		if (*s == '\0')
			return n;
		if (n >= max) {
			*why = "too many parameters";
			return -1;
		}
		if (param_one(&s, &p[n], why) == -1)
			return -1;
		n++;
	}
}

static int
hexval(int ch)
{
	if (is_digit(ch))
		return ch - '0';
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* xtext = *( xchar / hexchar ).  The decoded text must be printable
 * US-ASCII (RFC 3461 4.2 and 5.4 require it of ORCPT and ENVID): a
 * decoded NUL, CR or LF would end up in a DSN's header.  Returns the
 * decoded length; with out NULL the text is only checked. */
int
smtpcmd_xtext_decode(const char *in, char *out, size_t outsz)
{
	size_t o = 0;
	int ch, hi, lo;

	if (out != NULL) {
		if (outsz == 0)
			return -1;
		out[0] = '\0';
	}
	for (; *in != '\0'; in++, o++) {
		ch = (unsigned char)*in;
		if (ch == '+') {
			if ((hi = hexval((unsigned char)in[1])) < 0 ||
			    (lo = hexval((unsigned char)in[2])) < 0)
				goto bad;
			ch = hi * 16 + lo;
			in += 2;
			if (ch < 0x20 || ch > 0x7e)
				goto bad;
		} else if (ch < 33 || ch > 126 || ch == '=')
			goto bad;
		if (o >= INT_MAX || (out != NULL && o + 1 >= outsz))
			goto bad;
		if (out != NULL)
			out[o] = (char)ch;
	}
	if (out != NULL)
		out[o] = '\0';
	return (int)o;
bad:
	if (out != NULL)
		out[0] = '\0';
	return -1;
}

/* RFC 5322 atext. */
static int
atext(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != '\0' &&
	    strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

int
smtpcmd_orcpt_ok(const char *v)
{
	const char *semi = strchr(v, ';'), *p;

	if (semi == NULL || semi == v || strlen(v) > SMTP_ORCPT_MAX)
		return 0;
	for (p = v; p < semi; p++)
		if (!atext((unsigned char)*p))
			return 0;
	return semi[1] != '\0' && smtpcmd_xtext_decode(semi + 1, NULL, 0) >= 0;
}

void
smtpcmd_xtext_encode(const char *s, struct buf *out)
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned char c;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if (c < 0x21 || c > 0x7e || c == '+' || c == '=') {
			buf_addc(out, '+');
			buf_addc(out, hex[c >> 4]);
			buf_addc(out, hex[c & 15]);
		} else
			buf_addc(out, (char)c);
	}
}

int
smtpcmd_bdat(const char *arg, unsigned long long *size, int *last)
{
	unsigned long long v = 0;
	unsigned d;
	const char *p = arg;

	if (!is_digit((unsigned char)*p))
		return -1;
	for (; is_digit((unsigned char)*p); p++) {
		d = (unsigned)(*p - '0');
		if (v > (BDAT_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	if (*p == ' ') {
		if (!prefix_ci(p + 1, "LAST") || p[5] != '\0')
			return -1;
		*last = 1;
	} else if (*p == '\0')
		*last = 0;
	else
		return -1;
	*size = v;
	return 0;
}

const char *
smtpcmd_name(enum smtp_verb v)
{
	if ((unsigned)v >= sizeof(names) / sizeof(names[0]) ||
	    names[v] == NULL)
		return "UNKNOWN";
	return names[v];
}
