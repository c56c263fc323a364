/* addr.c - RFC 5321 paths (4.1.2): "<@a,@b:local@domain>", bare
 * addresses, address literals, and the properties the relay policy needs.
 *
 * The input comes from the network.  Every scan stops at the first octet
 * that does not belong, so it never passes the terminating NUL; nothing is
 * copied into *a before its length has been checked; nothing is allocated.
 */
#include "addr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "lib/ascii.h"

#define ADDR_MAX_LABEL	63	/* RFC 1035 2.3.4 */
#define ADDR_MAX_LIT	64	/* "IPv6:" and the longest IPv6 text, with room */

struct pctx {
	const char	*p;	/* cursor */
	int		 flags;	/* ADDR_* */
	int		 utf8;	/* an octet >= 0x80 was accepted */
	const char	*why;	/* reason of the first failure */
};

static int
fail(struct pctx *c, const char *why)
{
	c->why = why;
	return -1;
}

static int
is_letdig(int ch)
{
	return is_alpha(ch) || is_digit(ch);
}

/* RFC 5322 atext, ASCII part. */
static int
is_atext(int ch)
{
	return is_letdig(ch) ||
	    (ch != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", ch) != NULL);
}

/* Length of the well-formed UTF-8 sequence (RFC 3629 4) at s, or 0.
 * Overlong forms, surrogates, code points above U+10FFFF and the C1
 * controls U+0080..U+009F are refused.  A byte is read only after the one
 * before it proved to be a lead or continuation byte, never past a NUL. */
static size_t
utf8_len(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned char lo = 0x80, hi = 0xbf;
	size_t i, n;

	if (u[0] < 0xc2 || u[0] > 0xf4)
		return 0;
	if (u[0] < 0xe0) {
		n = 2;
		if (u[0] == 0xc2)
			lo = 0xa0;
	} else if (u[0] < 0xf0) {
		n = 3;
		if (u[0] == 0xe0)
			lo = 0xa0;
		else if (u[0] == 0xed)
			hi = 0x9f;
	} else {
		n = 4;
		if (u[0] == 0xf0)
			lo = 0x90;
		else if (u[0] == 0xf4)
			hi = 0x8f;
	}
	if (u[1] < lo || u[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (u[i] < 0x80 || u[i] > 0xbf)
			return 0;
	return n;
}

/* An octet >= 0x80 at the cursor: step over its UTF-8 sequence if
 * SMTPUTF8 was given (RFC 6531 3.3). */
static int
take_utf8(struct pctx *c)
{
	size_t n;

	if (!(c->flags & ADDR_ALLOW_UTF8))
		return fail(c, "non-ASCII address without SMTPUTF8");
	if ((n = utf8_len(c->p)) == 0)
		return fail(c, "invalid UTF-8 in address");
	c->p += n;
	c->utf8 = 1;
	return 0;
}

/* Dot-string = Atom *("." Atom): no leading, trailing or double dot. */
static int
scan_dot_string(struct pctx *c)
{
	const char *start = c->p, *atom;

	for (;;) {
		atom = c->p;
		for (;;) {
			if ((unsigned char)*c->p >= 0x80) {
				if (take_utf8(c) == -1)
					return -1;
			} else if (is_atext(*c->p))
				c->p++;
			else
				break;
		}
		if (c->p == atom) {
			if (*c->p == '.' || atom != start)
				return fail(c, "misplaced dot in local part");
			if (*c->p == '\0')
				return fail(c, "missing address");
			return fail(c, "invalid character in local part");
		}
		if (*c->p != '.')
			return 0;
		c->p++;
	}
}

/* Quoted-string = DQUOTE *(qtextSMTP / quoted-pairSMTP) DQUOTE, not
 * empty: an empty local part would alias nobody in particular. */
static int
scan_quoted(struct pctx *c)
{
	const char *start = ++c->p;
	unsigned char ch;

	while ((ch = (unsigned char)*c->p) != '"') {
		if (ch == '\0')
			return fail(c, "unbalanced quotes");
		if (ch >= 0x80) {
			if (take_utf8(c) == -1)
				return -1;
			continue;
		}
		if (ch == '\\') {
			ch = (unsigned char)c->p[1];
			if (ch == '\0')
				return fail(c, "unbalanced quotes");
			if (ch < 0x20 || ch > 0x7e)
				return fail(c, "invalid quoted pair in local part");
			c->p += 2;
			continue;
		}
		if (ch < 0x20 || ch == 0x7f)
			return fail(c, "control character in local part");
		c->p++;
	}
	if (c->p == start)
		return fail(c, "empty local part");
	c->p++;
	return 0;
}

/* sub-domain = Let-dig [Ldh-str]; U-labels with SMTPUTF8. */
static int
scan_label(struct pctx *c)
{
	const char *l = c->p;
	int u8 = 0;

	for (;;) {
		if ((unsigned char)*c->p >= 0x80) {
			if (take_utf8(c) == -1)
				return -1;
			u8 = 1;
		} else if (is_letdig(*c->p) || *c->p == '-')
			c->p++;
		else
			break;
	}
	if (c->p == l)
		return fail(c, "empty label in domain");
	if (*l == '-' || c->p[-1] == '-')
		return fail(c, "domain label begins or ends with a hyphen");
	/* A U-label's limit is on its A-label form, which we do not compute. */
	if (!u8 && c->p - l > ADDR_MAX_LABEL)
		return fail(c, "domain label too long");
	return 0;
}

/* Labels separated by dots, one trailing dot allowed; *endp is set to
 * the end of the name without that dot. */
static int
scan_domain(struct pctx *c, const char **endp)
{
	unsigned char ch;

	for (;;) {
		if (scan_label(c) == -1)
			return -1;
		*endp = c->p;
		if (*c->p != '.')
			return 0;
		ch = (unsigned char)*++c->p;
		if (ch == '.')
			return fail(c, "empty label in domain");
		if (!is_letdig(ch) && ch != '-' && ch < 0x80)
			return 0;
	}
}

/* Snum "." Snum "." Snum "." Snum, each 0..255 in decimal.  Leading
 * zeros are refused: inet_aton() would read "010" as octal 8. */
static int
is_ipv4(const char *s)
{
	int part, digits, v;

	for (part = 0; part < 4; part++) {
		if (part > 0 && *s++ != '.')
			return 0;
		v = 0;
		for (digits = 0; is_digit(*s); digits++, s++) {
			if (digits == 3)
				return 0;
			v = v * 10 + (*s - '0');
		}
		if (digits == 0 || v > 255 || (digits > 1 && s[-digits] == '0'))
			return 0;
	}
	return *s == '\0';
}

static int
has_ipv6_tag(const char *s)
{
	return lower(s[0]) == 'i' && lower(s[1]) == 'p' &&
	    lower(s[2]) == 'v' && s[3] == '6' && s[4] == ':';
}

/* address-literal at the cursor ('['): IPv4 or "IPv6:"; other tags are
 * refused.  The stored form keeps the brackets, spells the tag "IPv6:"
 * and writes hex digits in lower case. */
static int
scan_literal(struct pctx *c, char *out, size_t outsz)
{
	char lit[ADDR_MAX_LIT];
	struct in6_addr in6;
	const char *s = c->p + 1, *e;
	size_t i, n;

	for (e = s; *e != ']'; e++) {
		if (*e == '\0' || *e == '[')
			return fail(c, "unbalanced square brackets");
		if ((unsigned char)*e <= 0x20 || (unsigned char)*e >= 0x7f ||
		    *e == '\\')
			return fail(c, "invalid address literal");
	}
	n = (size_t)(e - s);
	if (n == 0 || n >= sizeof(lit) || n + 3 > outsz)
		return fail(c, "invalid address literal");
	memcpy(lit, s, n);
	lit[n] = '\0';
	if (has_ipv6_tag(lit)) {
		if (inet_pton(AF_INET6, lit + 5, &in6) != 1)
			return fail(c, "invalid IPv6 address literal");
		memcpy(lit, "IPv6", 4);
		for (i = 5; i < n; i++)
			lit[i] = (char)lower(lit[i]);
	} else if (!is_ipv4(lit))
		return fail(c, strchr(lit, ':') != NULL ?
		    "unsupported address literal" :
		    "invalid IPv4 address literal");
	out[0] = '[';
	memcpy(out + 1, lit, n);
	out[n + 1] = ']';
	out[n + 2] = '\0';
	c->p = e + 1;
	return 0;
}

/* A-d-l = At-domain *( "," At-domain ) ":", kept as written without the
 * colon.  RFC 5321 allows no address literals here. */
static int
parse_route(struct pctx *c, struct addr *a)
{
	const char *r = c->p, *e;
	size_t n;

	for (;;) {
		if (*c->p != '@')
			return fail(c, "invalid source route");
		if (*++c->p == '[')
			return fail(c, "address literal in source route");
		if (scan_domain(c, &e) == -1)
			return -1;
		if (*c->p == ':')
			break;
		if (*c->p != ',')
			return fail(c, "invalid source route");
		c->p++;
	}
	n = (size_t)(c->p - r);
	if (n > ADDR_MAX_PATH)
		return fail(c, "path too long");
	memcpy(a->route, r, n);
	a->route[n] = '\0';
	c->p++;
	return 0;
}

static int
parse_local(struct pctx *c, struct addr *a)
{
	const char *l = c->p;
	size_t n;

	if (*c->p == '"') {
		if (scan_quoted(c) == -1)
			return -1;
		a->quoted = 1;
	} else if (scan_dot_string(c) == -1)
		return -1;
	n = (size_t)(c->p - l);
	if (n > ADDR_MAX_LOCAL)
		return fail(c, "local part too long");
	memcpy(a->local, l, n);
	a->local[n] = '\0';
	return 0;
}

/* The part after '@': an address literal or a domain name. */
static int
parse_domain(struct pctx *c, struct addr *a)
{
	const char *d = c->p, *e;
	size_t i, n;

	if (*d == '[') {
		if (scan_literal(c, a->domain, sizeof(a->domain)) == -1)
			return -1;
		a->ip_literal = 1;
		return 0;
	}
	if (!is_letdig(*d) && *d != '-' && *d != '.' &&
	    (unsigned char)*d < 0x80)
		return fail(c, "missing domain after @");
	if (scan_domain(c, &e) == -1)
		return -1;
	n = (size_t)(e - d);
	if (n > ADDR_MAX_DOMAIN)
		return fail(c, "domain too long");
	for (i = 0; i < n; i++)
		a->domain[i] = (char)lower(d[i]);
	a->domain[n] = '\0';
	return 0;
}

/* What lies between the brackets (or is the whole bare address). */
static int
parse_body(struct pctx *c, struct addr *a, int br)
{
	if (br && *c->p == '>') {
		if (!(c->flags & ADDR_ALLOW_NULL))
			return fail(c, "null path not allowed here");
		a->null = 1;
		return 0;
	}
	if (br && (*c->p == '\0' || *c->p == '<'))
		return fail(c, "unbalanced angle brackets");
	if (!br) {
		if (*c->p == '\0')
			return fail(c, "missing address");
		if (c->flags & ADDR_NEED_BRACKETS)
			return fail(c, "missing angle brackets");
		if (*c->p == '>')
			return fail(c, "unbalanced angle brackets");
	}
	if (*c->p == '@' && parse_route(c, a) == -1)
		return -1;
	if (parse_local(c, a) == -1)
		return -1;
	if (*c->p != '@') {
		if (a->route[0] != '\0')
			return fail(c, "source route without a domain");
		return 0;
	}
	c->p++;
	return parse_domain(c, a);
}

/* After the mailbox: '>' then a space or the end, or for a bare address
 * a space or the end. */
static int
parse_end(struct pctx *c, const struct addr *a, int br)
{
	char ch = *c->p;

	if (br && ch == '>') {
		ch = *++c->p;
		if (ch == '\0' || ch == ' ')
			return 0;
		return fail(c, ch == '>' ? "unbalanced angle brackets" :
		    "junk after address");
	}
	if (!br && (ch == '\0' || ch == ' '))
		return 0;
	if (ch == '\0' || ch == '<' || ch == '>')
		return fail(c, "unbalanced angle brackets");
	if (ch == '@')
		return fail(c, "more than one @ in address");
	if ((unsigned char)ch < 0x20 || ch == 0x7f)
		return fail(c, "control character in address");
	return fail(c, a->domain[0] != '\0' ? "invalid character in domain" :
	    "invalid character in local part");
}

int
addr_parse_path(const char *s, struct addr *a, const char **rest,
    int flags, const char **why)
{
	struct pctx c;
	const char *start;
	size_t len;
	int br;

	memset(a, 0, sizeof(*a));
	while (*s == ' ' || *s == '\t')
		s++;
	start = s;
	br = (*s == '<');
	c.p = s + br;
	c.flags = flags;
	c.utf8 = 0;
	c.why = NULL;
	if (parse_body(&c, a, br) == -1 || parse_end(&c, a, br) == -1)
		goto bad;
	/* 4.5.3.1.3 counts the brackets; a bare address is counted as if
	 * it had them, so both forms have the same limit. */
	len = (size_t)(c.p - start) + (br ? 0 : 2);
	if (len > ADDR_MAX_PATH) {
		c.why = "path too long";
		goto bad;
	}
	a->utf8 = c.utf8;
	if (rest != NULL)
		*rest = c.p;
	return 0;
bad:
	memset(a, 0, sizeof(*a));
	if (why != NULL)
		*why = c.why;
	return -1;
}

/* On truncation out is left empty rather than holding a different,
 * shorter address. */
void
addr_format(const struct addr *a, char *out, size_t outsz)
{
	size_t ll, dl;

	if (outsz == 0)
		return;
	out[0] = '\0';
	if (a->null)
		return;
	ll = strnlen(a->local, sizeof(a->local));
	dl = strnlen(a->domain, sizeof(a->domain));
	if (ll == sizeof(a->local) || dl == sizeof(a->domain) ||
	    ll + (dl > 0 ? 1 + dl : 0) >= outsz)
		return;
	memcpy(out, a->local, ll);
	if (dl > 0) {
		out[ll] = '@';
		memcpy(out + ll + 1, a->domain, dl);
		ll += 1 + dl;
	}
	out[ll] = '\0';
}

int
addr_unquote_local(const struct addr *a, char *out, size_t outsz)
{
	const char *s = a->local;
	size_t i, n, o = 0;

	if (outsz == 0)
		return -1;
	out[0] = '\0';
	n = strnlen(s, sizeof(a->local));
	if (n == sizeof(a->local))
		return -1;
	if (!a->quoted) {
		if (n >= outsz)
			return -1;
		memcpy(out, s, n + 1);
		return 0;
	}
	if (n < 2 || s[0] != '"' || s[n - 1] != '"')
		return -1;
	for (i = 1; i < n - 1; i++) {
		/* A backslash before the closing quote escapes it: malformed. */
		if ((s[i] == '\\' && ++i == n - 1) || o + 1 >= outsz) {
			out[0] = '\0';
			return -1;
		}
		out[o++] = s[i];
	}
	out[o] = '\0';
	return 0;
}

int
addr_has_routing(const struct addr *a)
{
	char lp[sizeof(a->local)];

	if (a->route[0] != '\0')
		return 1;
	if (addr_unquote_local(a, lp, sizeof(lp)) == -1)
		return 1;	/* cannot tell: assume the worst */
	return strpbrk(lp, "%!@") != NULL;
}

int
addr_valid_domain(const char *s)
{
	struct pctx c;
	char lit[ADDR_MAX_PATH + 1];
	const char *e;

	if (s == NULL)
		return 0;
	c.p = s;
	c.flags = 0;
	c.utf8 = 0;
	c.why = NULL;
	if (*s == '[')
		return scan_literal(&c, lit, sizeof(lit)) == 0 && *c.p == '\0';
	if (scan_domain(&c, &e) == -1)
		return 0;
	return *c.p == '\0' && e - s <= ADDR_MAX_DOMAIN;
}
