/* addr_test.c - addr_parse_path() and friends against tables of good and
 * bad paths, the classic relay tricks first among them. */
#include <stdio.h>
#include <string.h>

#include "mail/addr.h"
#include "tap.h"

/* Expected flags of a good path. */
#define NUL	0x01	/* null path */
#define QUO	0x02	/* quoted local part */
#define LIT	0x04	/* address literal */
#define U8	0x08	/* utf8 */
#define RTE	0x10	/* addr_has_routing() */

#define AN	ADDR_ALLOW_NULL
#define AU	ADDR_ALLOW_UTF8
#define AB	ADDR_NEED_BRACKETS

struct good {
	const char	*in;
	int		 flags;
	const char	*local, *domain, *route;
	int		 bits;
	const char	*rest;
};

static const struct good goods[] = {
	{ "<user@example.com>", 0, "user", "example.com", "", 0, "" },
	{ "<User.Name+tag@Example.COM>", 0, "User.Name+tag", "example.com",
	    "", 0, "" },
	{ "user@example.com", 0, "user", "example.com", "", 0, "" },
	{ "user@example.com SIZE=100", 0, "user", "example.com", "", 0,
	    " SIZE=100" },
	{ "<user@example.com> SIZE=100 BODY=8BITMIME", 0, "user",
	    "example.com", "", 0, " SIZE=100 BODY=8BITMIME" },
	{ "<user@example.com> ", 0, "user", "example.com", "", 0, " " },
	{ "   <user@example.com>", 0, "user", "example.com", "", 0, "" },
	{ "\t<user@example.com>", 0, "user", "example.com", "", 0, "" },
	{ "<user@example.com>", AB, "user", "example.com", "", 0, "" },
	{ "<user@example.com>", AN | AU | AB, "user", "example.com", "", 0,
	    "" },
	{ "<>", AN, "", "", "", NUL, "" },
	{ "<> SIZE=10", AN, "", "", "", NUL, " SIZE=10" },
	{ "<>", AN | AB, "", "", "", NUL, "" },
	/* postmaster style: no domain */
	{ "<postmaster>", 0, "postmaster", "", "", 0, "" },
	{ "<Postmaster>", 0, "Postmaster", "", "", 0, "" },
	{ "root", 0, "root", "", "", 0, "" },
	{ "<\"postmaster\">", 0, "\"postmaster\"", "", "", QUO, "" },
	/* relay tricks: must parse, and be flagged */
	{ "<user%other.example@localhost>", 0, "user%other.example",
	    "localhost", "", RTE, "" },
	{ "<other.example!user@localhost>", 0, "other.example!user",
	    "localhost", "", RTE, "" },
	{ "<\"user@other.example\"@localhost>", 0, "\"user@other.example\"",
	    "localhost", "", QUO | RTE, "" },
	{ "<\"user%x\"@localhost>", 0, "\"user%x\"", "localhost", "",
	    QUO | RTE, "" },
	{ "<@localhost:user@other.example>", 0, "user", "other.example",
	    "@localhost", RTE, "" },
	{ "<@a,@b:user@c>", 0, "user", "c", "@a,@b", RTE, "" },
	{ "@a,@b:user@c SIZE=1", 0, "user", "c", "@a,@b", RTE, " SIZE=1" },
	{ "<@A.Example.,@b:user@C>", 0, "user", "c", "@A.Example.,@b", RTE,
	    "" },
	{ "<@relay.example:user@[10.0.0.1]>", 0, "user", "[10.0.0.1]",
	    "@relay.example", LIT | RTE, "" },
	{ "<host!user>", 0, "host!user", "", "", RTE, "" },
	{ "<\"user@other.example\">", 0, "\"user@other.example\"", "", "",
	    QUO | RTE, "" },
	{ "<\"a\\@b\"@localhost>", 0, "\"a\\@b\"", "localhost", "",
	    QUO | RTE, "" },
	/* address literals */
	{ "<user@[1.2.3.4]>", 0, "user", "[1.2.3.4]", "", LIT, "" },
	{ "<user@[0.0.0.0]>", 0, "user", "[0.0.0.0]", "", LIT, "" },
	{ "<user@[255.255.255.255]>", 0, "user", "[255.255.255.255]", "",
	    LIT, "" },
	{ "<user@[IPv6:::1]>", 0, "user", "[IPv6:::1]", "", LIT, "" },
	{ "<user@[ipv6:2001:DB8::1]>", 0, "user", "[IPv6:2001:db8::1]", "",
	    LIT, "" },
	{ "<user@[IPV6:::ffff:192.0.2.1]>", 0, "user",
	    "[IPv6:::ffff:192.0.2.1]", "", LIT, "" },
	{ "<user@[IPv6:2001:db8:0:0:0:0:0:1]>", 0, "user",
	    "[IPv6:2001:db8:0:0:0:0:0:1]", "", LIT, "" },
	/* domains */
	{ "<user@OTHER.Example.>", 0, "user", "other.example", "", 0, "" },
	{ "<user@example.com.>", 0, "user", "example.com", "", 0, "" },
	{ "user@example.com. SIZE=1", 0, "user", "example.com", "", 0,
	    " SIZE=1" },
	{ "<user@xn--bcher-kva.example>", 0, "user", "xn--bcher-kva.example",
	    "", 0, "" },
	{ "<user@a-b.c--d.example>", 0, "user", "a-b.c--d.example", "", 0,
	    "" },
	{ "<user@123.example>", 0, "user", "123.example", "", 0, "" },
	{ "<user@1.2.3.4>", 0, "user", "1.2.3.4", "", 0, "" },
	{ "<a@b>", 0, "a", "b", "", 0, "" },
	/* local parts */
	{ "<!#$&'*+-/=?^_`{|}~@example.com>", 0, "!#$&'*+-/=?^_`{|}~",
	    "example.com", "", RTE, "" },
	{ "<a/b=c@example.com>", 0, "a/b=c", "example.com", "", 0, "" },
	{ "<\"john doe\"@example.com>", 0, "\"john doe\"", "example.com", "",
	    QUO, "" },
	{ "<\"a\\\"b\"@example.com>", 0, "\"a\\\"b\"", "example.com", "",
	    QUO, "" },
	{ "<\"\\\\\"@example.com>", 0, "\"\\\\\"", "example.com", "", QUO,
	    "" },
	{ "<\"a.\"@example.com>", 0, "\"a.\"", "example.com", "", QUO, "" },
	{ "\"a b\"@example.com SIZE=1", 0, "\"a b\"", "example.com", "",
	    QUO, " SIZE=1" },
	/* SMTPUTF8 */
	{ "<\xce\xb4\xce\xbf\xce\xba@\xcf\x80\xce\xb1.example>", AU,
	    "\xce\xb4\xce\xbf\xce\xba", "\xcf\x80\xce\xb1.example", "", U8,
	    "" },
	{ "<user@b\303\274cher.EXAMPLE>", AU, "user",
	    "b\303\274cher.example", "", U8, "" },
	{ "<\"\xc3\xbc x\"@example.com>", AU, "\"\xc3\xbc x\"", "example.com",
	    "", QUO | U8, "" },
	{ "<\xf0\x9f\x93\xa7@example.com>", AU, "\xf0\x9f\x93\xa7",
	    "example.com", "", U8, "" },
	{ "<user@example.com>", AU, "user", "example.com", "", 0, "" },
};

struct bad {
	const char	*in;
	int		 flags;
	const char	*why;
};

static const struct bad bads[] = {
	/* relay tricks that must not parse */
	{ "<user@other.example@localhost>", 0, "more than one @ in address" },
	{ "user@other.example@localhost", 0, "more than one @ in address" },
	{ "<user\\@x@localhost>", 0, "invalid character in local part" },
	{ "<@a:user>", 0, "source route without a domain" },
	{ "<@[1.2.3.4]:user@c>", 0, "address literal in source route" },
	{ "<@a;@b:user@c>", 0, "invalid source route" },
	{ "<@a,b:user@c>", 0, "invalid source route" },
	{ "<@example.com>", 0, "invalid source route" },
	{ "<@>", 0, "empty label in domain" },
	{ "<@a,@b:>", 0, "invalid character in local part" },
	/* null path and brackets */
	{ "<>", 0, "null path not allowed here" },
	{ "<>", AB, "null path not allowed here" },
	{ "", AN, "missing address" },
	{ "   ", AN, "missing address" },
	{ "<", AN, "unbalanced angle brackets" },
	{ "<user@example.com", 0, "unbalanced angle brackets" },
	{ "user@example.com>", 0, "unbalanced angle brackets" },
	{ ">", 0, "unbalanced angle brackets" },
	{ "<<user@example.com>>", 0, "unbalanced angle brackets" },
	{ "<user@example.com>>", 0, "unbalanced angle brackets" },
	{ "<user<@example.com>", 0, "unbalanced angle brackets" },
	{ "<user@example.com>x", 0, "junk after address" },
	{ "<>x", AN, "junk after address" },
	{ "< user@example.com>", 0, "invalid character in local part" },
	{ "<user@example.com >", 0, "invalid character in domain" },
	{ "user@example.com", AB, "missing angle brackets" },
	{ "postmaster", AB, "missing angle brackets" },
	/* domains */
	{ "<user@>", 0, "missing domain after @" },
	{ "<user@ >", 0, "missing domain after @" },
	{ "<user@localhost..>", 0, "empty label in domain" },
	{ "<user@.example.com>", 0, "empty label in domain" },
	{ "<user@example..com>", 0, "empty label in domain" },
	{ "<user@-bad-.example>", 0,
	    "domain label begins or ends with a hyphen" },
	{ "<user@bad-.example>", 0,
	    "domain label begins or ends with a hyphen" },
	{ "<user@a.-b.example>", 0,
	    "domain label begins or ends with a hyphen" },
	{ "<user@exa_mple.com>", 0, "invalid character in domain" },
	{ "<user@exa mple.com>", 0, "invalid character in domain" },
	{ "<user@exa\x01mple.com>", 0, "control character in address" },
	{ "<user@example.com\r\n>", 0, "control character in address" },
	{ "<user@example.com.>.", 0, "junk after address" },
	/* address literals */
	{ "<user@[1.2.3.4>", 0, "unbalanced square brackets" },
	{ "<user@[1.2.[3.4]>", 0, "unbalanced square brackets" },
	{ "<user@[]>", 0, "invalid address literal" },
	{ "<user@[1.2.3.4 ]>", 0, "invalid address literal" },
	{ "<user@[1.2.3.256]>", 0, "invalid IPv4 address literal" },
	{ "<user@[01.2.3.4]>", 0, "invalid IPv4 address literal" },
	{ "<user@[1.2.3]>", 0, "invalid IPv4 address literal" },
	{ "<user@[1.2.3.4.5]>", 0, "invalid IPv4 address literal" },
	{ "<user@[1234.2.3.4]>", 0, "invalid IPv4 address literal" },
	{ "<user@[localhost]>", 0, "invalid IPv4 address literal" },
	{ "<user@[IPv6:::g]>", 0, "invalid IPv6 address literal" },
	{ "<user@[IPv6:1.2.3.4]>", 0, "invalid IPv6 address literal" },
	{ "<user@[IPv6:fe80::1%eth0]>", 0, "invalid IPv6 address literal" },
	{ "<user@[::1]>", 0, "unsupported address literal" },
	{ "<user@[x-tag:foo]>", 0, "unsupported address literal" },
	{ "<user@[1.2.3.4]x>", 0, "invalid character in domain" },
	{ "<user@[1.2.3.4].example>", 0, "invalid character in domain" },
	/* local parts */
	{ "<.user@example.com>", 0, "misplaced dot in local part" },
	{ "<user.@example.com>", 0, "misplaced dot in local part" },
	{ "<us..er@example.com>", 0, "misplaced dot in local part" },
	{ "<a/../../etc@example.com>", 0, "misplaced dot in local part" },
	{ "<user name@example.com>", 0, "invalid character in local part" },
	{ "<us(er)@example.com>", 0, "invalid character in local part" },
	{ "<us\x01er@example.com>", 0, "control character in address" },
	{ "<\"user@example.com>", 0, "unbalanced quotes" },
	{ "<\"user\\", 0, "unbalanced quotes" },
	{ "<\"\"@example.com>", 0, "empty local part" },
	{ "<\"a\tb\"@example.com>", 0, "control character in local part" },
	{ "<\"a\\\x01\"@example.com>", 0, "invalid quoted pair in local part" },
	{ "<\"a\".b@example.com>", 0, "invalid character in local part" },
	/* 8-bit */
	{ "<\xc3\xbc@example.com>", 0, "non-ASCII address without SMTPUTF8" },
	{ "<user@b\303\274cher.example>", AN | AB,
	    "non-ASCII address without SMTPUTF8" },
	{ "<\"\xc3\xbc\"@example.com>", 0,
	    "non-ASCII address without SMTPUTF8" },
	{ "<\xc0\xae@example.com>", AU, "invalid UTF-8 in address" },
	{ "<\xe0\x80\xae@example.com>", AU, "invalid UTF-8 in address" },
	{ "<user@\xed\xa0\x80.example>", AU, "invalid UTF-8 in address" },
	{ "<\xc2\x85@example.com>", AU, "invalid UTF-8 in address" },
	{ "<\xf4\x90\x80\x80@example.com>", AU, "invalid UTF-8 in address" },
	{ "<\xc3@example.com>", AU, "invalid UTF-8 in address" },
	{ "<\xff@example.com>", AU, "invalid UTF-8 in address" },
	{ "<\"\xc3\"@example.com>", AU, "invalid UTF-8 in address" },
};

static int
check_good(const struct good *g)
{
	struct addr a;
	const char *rest = NULL, *why = NULL;
	int bits, rc;

	rc = addr_parse_path(g->in, &a, &rest, g->flags, &why);
	if (rc != 0) {
		printf("# parse failed: %s\n", why ? why : "(null)");
		return 0;
	}
	bits = (a.null ? NUL : 0) | (a.quoted ? QUO : 0) |
	    (a.ip_literal ? LIT : 0) | (a.utf8 ? U8 : 0) |
	    (addr_has_routing(&a) ? RTE : 0);
	if (strcmp(a.local, g->local) != 0 || strcmp(a.domain, g->domain) ||
	    strcmp(a.route, g->route) != 0 || bits != g->bits ||
	    rest == NULL || strcmp(rest, g->rest) != 0) {
		printf("# got local '%s' domain '%s' route '%s' bits %#x "
		    "rest '%s'\n", a.local, a.domain, a.route, bits,
		    rest ? rest : "(null)");
		return 0;
	}
	return 1;
}

static void
test_tables(void)
{
	struct addr a;
	const char *why, *rest;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(goods) / sizeof(goods[0]); i++)
		ok(check_good(&goods[i]), "good %zu: %s (flags %d)", i,
		    vis(goods[i].in), goods[i].flags);
	for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		why = NULL;
		rest = NULL;
		memset(&a, 'x', sizeof(a));
		rc = addr_parse_path(bads[i].in, &a, &rest, bads[i].flags,
		    &why);
		ok(rc == -1 && why != NULL && strcmp(why, bads[i].why) == 0 &&
		    rest == NULL && a.local[0] == '\0' && a.null == 0,
		    "bad %zu: %s -> %s", i, vis(bads[i].in), bads[i].why);
		if (why == NULL || strcmp(why, bads[i].why) != 0)
			printf("#   rc %d why '%s'\n", rc, why ? why : "(null)");
	}
}

/* "<" local "@" domain ">" with the given sizes. */
static int
parse_sized(size_t llen, size_t dlen, int bare, const char **why)
{
	char in[1024], *p = in;
	struct addr a;
	const char *rest;
	size_t i;

	if (!bare)
		*p++ = '<';
	memset(p, 'l', llen);
	p += llen;
	*p++ = '@';
	for (i = 0; i < dlen; i++)	/* labels of 50: "ddd...d." */
		*p++ = (i % 51 == 50 && i + 1 < dlen) ? '.' : 'd';
	if (!bare)
		*p++ = '>';
	*p = '\0';
	*why = NULL;
	return addr_parse_path(in, &a, &rest, 0, why);
}

static void
test_sizes(void)
{
	char in[1024];
	struct addr a;
	const char *why, *rest;
	size_t i;

	is_int(parse_sized(64, 10, 0, &why), 0, "local part of 64");
	is_int(parse_sized(65, 10, 0, &why), -1, "local part of 65");
	is_str(why, "local part too long", "... local part too long");
	is_int(parse_sized(64, 189, 0, &why), 0, "path of 256");
	is_int(parse_sized(64, 190, 0, &why), -1, "path of 257");
	is_str(why, "path too long", "... path too long");
	is_int(parse_sized(64, 189, 1, &why), 0, "bare path of 254+2");
	is_int(parse_sized(64, 190, 1, &why), -1, "bare path of 255+2");
	is_str(why, "path too long", "... path too long");
	is_int(parse_sized(1, 256, 0, &why), -1, "domain of 256");
	is_str(why, "domain too long", "... domain too long");
	is_int(parse_sized(300, 10, 0, &why), -1, "local part of 300");
	is_str(why, "local part too long", "... local part too long");

	snprintf(in, sizeof(in), "<u@%.63s.example>", "dddddddddddddddddddd"
	    "ddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd");
	is_int(addr_parse_path(in, &a, &rest, 0, &why), 0, "label of 63");
	snprintf(in, sizeof(in), "<u@%.64s.example>", "dddddddddddddddddddd"
	    "ddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd");
	is_int(addr_parse_path(in, &a, &rest, 0, &why), -1, "label of 64");
	is_str(why, "domain label too long", "... domain label too long");

	strcpy(in, "<");
	for (i = 0; i < 60; i++)
		strcat(in, "@abc,");
	strcat(in, "@a:u@b>");
	is_int(addr_parse_path(in, &a, &rest, 0, &why), -1, "long route");
	is_str(why, "path too long", "... path too long");
}

static void
test_format(void)
{
	struct addr a;
	const char *why, *rest;
	char out[600];

	addr_parse_path("<user@Example.COM.>", &a, &rest, 0, &why);
	addr_format(&a, out, sizeof(out));
	is_str(out, "user@example.com", "format local@domain");
	addr_format(&a, out, 17);
	is_str(out, "user@example.com", "format into an exact buffer");
	addr_format(&a, out, 16);
	is_str(out, "", "format truncated gives \"\"");
	addr_parse_path("<postmaster>", &a, &rest, 0, &why);
	addr_format(&a, out, sizeof(out));
	is_str(out, "postmaster", "format without domain");
	addr_parse_path("<>", &a, &rest, ADDR_ALLOW_NULL, &why);
	strcpy(out, "x");
	addr_format(&a, out, sizeof(out));
	is_str(out, "", "format null path");
	addr_parse_path("<@a,@b:\"x y\"@[IPv6:::1]>", &a, &rest, 0, &why);
	addr_format(&a, out, sizeof(out));
	is_str(out, "\"x y\"@[IPv6:::1]", "format drops the route");
}

struct unq {
	const char	*in;
	const char	*want;	/* NULL: -1 expected */
	size_t		 outsz;
};

static const struct unq unqs[] = {
	{ "<\"a\\\"b\"@x>", "a\"b", 64 },
	{ "<\"john doe\"@x>", "john doe", 64 },
	{ "<\"\\\\\\\\\"@x>", "\\\\", 64 },
	{ "<\"\\a\\b\"@x>", "ab", 64 },
	{ "<\"user@other.example\"@localhost>", "user@other.example", 64 },
	{ "<plain.user@x>", "plain.user", 64 },
	{ "<plain.user@x>", "plain.user", 11 },
	{ "<plain.user@x>", NULL, 10 },
	{ "<\"john doe\"@x>", "john doe", 9 },
	{ "<\"john doe\"@x>", NULL, 8 },
	{ "<\"john doe\"@x>", NULL, 0 },
};

static void
test_unquote(void)
{
	struct addr a;
	const char *why, *rest;
	char out[64];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(unqs) / sizeof(unqs[0]); i++) {
		if (addr_parse_path(unqs[i].in, &a, &rest, 0, &why) != 0) {
			ok(0, "unquote %zu: %s parses", i, unqs[i].in);
			continue;
		}
		strcpy(out, "junk");
		rc = addr_unquote_local(&a, out, unqs[i].outsz);
		if (unqs[i].want == NULL)
			ok(rc == -1 && (unqs[i].outsz == 0 || out[0] == '\0'),
			    "unquote %zu: %s into %zu -> -1", i, unqs[i].in,
			    unqs[i].outsz);
		else
			ok(rc == 0 && strcmp(out, unqs[i].want) == 0,
			    "unquote %zu: %s -> %s", i, unqs[i].in,
			    unqs[i].want);
	}

	/* Structs the parser never makes: fail, and count as routing. */
	memset(&a, 0, sizeof(a));
	a.quoted = 1;
	strcpy(a.local, "\"a\\\"");
	is_int(addr_unquote_local(&a, out, sizeof(out)), -1,
	    "unquote: backslash before the closing quote");
	is_int(addr_has_routing(&a), 1, "... counts as routing");
	strcpy(a.local, "abc");
	is_int(addr_unquote_local(&a, out, sizeof(out)), -1,
	    "unquote: quoted flag without quotes");
	memset(a.local, 'a', sizeof(a.local));
	a.quoted = 0;
	is_int(addr_unquote_local(&a, out, sizeof(out)), -1,
	    "unquote: unterminated local");
	is_int(addr_has_routing(&a), 1, "... counts as routing");
	memset(&a, 0, sizeof(a));
	strcpy(a.local, "user");
	is_int(addr_has_routing(&a), 0, "plain local: no routing");
	strcpy(a.route, "@x");
	is_int(addr_has_routing(&a), 1, "route: routing");
}

static const char *const good_domains[] = {
	"example.com", "EXAMPLE.com", "example.com.", "localhost", "a",
	"xn--bcher-kva.example", "1.2.3.4", "a-b.example", "[1.2.3.4]",
	"[IPv6:::1]", "[ipv6:2001:db8::1]",
};

static const char *const bad_domains[] = {
	"", ".", "example..com", "example.com..", ".example.com",
	"-a.example", "a-.example", "a_b.example", "exa mple", "[1.2.3.4",
	"[1.2.3.4]x", "[1.2.3.4].", "b\303\274cher.example",
	"user@example.com", "[::1]", "[IPv6:x]", "a.example\n", "[]",
};

static void
test_valid_domain(void)
{
	char big[300];
	size_t i;

	for (i = 0; i < sizeof(good_domains) / sizeof(good_domains[0]); i++)
		is_int(addr_valid_domain(good_domains[i]), 1, "valid: %s",
		    vis(good_domains[i]));
	for (i = 0; i < sizeof(bad_domains) / sizeof(bad_domains[0]); i++)
		is_int(addr_valid_domain(bad_domains[i]), 0, "invalid: %s",
		    vis(bad_domains[i]));
	is_int(addr_valid_domain(NULL), 0, "invalid: NULL");
	/* 4 labels of 63 and 3 dots: 255 */
	memset(big, 'd', 255);
	big[63] = big[127] = big[191] = '.';
	big[255] = '\0';
	is_int(addr_valid_domain(big), 1, "valid: 255 octets");
	/* 63.63.63.62.1: 256 */
	big[254] = '.';
	big[255] = 'd';
	big[256] = '\0';
	is_int(addr_valid_domain(big), 0, "invalid: 256 octets");
	memset(big, 'd', 64);
	big[64] = '\0';
	is_int(addr_valid_domain(big), 0, "invalid: label of 64");
}

int
main(void)
{
	test_tables();
	test_sizes();
	test_format();
	test_unquote();
	test_valid_domain();
	return done_testing();
}
