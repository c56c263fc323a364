/* smtpcmd_test.c - verbs, ESMTP parameters, xtext and BDAT against
 * tables of good and bad command lines. */
#include <stdio.h>
#include <string.h>

#include "mail/addr.h"
#include "lib/buf.h"
#include "mail/smtpcmd.h"
#include "tap.h"

struct vcase {
	const char	*line;
	enum smtp_verb	 verb;
	const char	*arg;
};

static const struct vcase vcases[] = {
	{ "HELO mx.example", V_HELO, "mx.example" },
	{ "helo mx.example", V_HELO, "mx.example" },
	{ "EhLo mx.example", V_EHLO, "mx.example" },
	{ "EHLO", V_EHLO, "" },
	{ "EHLO ", V_EHLO, "" },
	{ "EHLO  x", V_EHLO, " x" },
	{ "MAIL FROM:<a@b>", V_MAIL, "<a@b>" },
	{ "mail from:<a@b> SIZE=1", V_MAIL, "<a@b> SIZE=1" },
	{ "MAIL FROM: <a@b>", V_MAIL, "<a@b>" },
	{ "MAIL FROM:   <a@b>", V_MAIL, "<a@b>" },
	{ "MAIL  FROM:<a@b>", V_MAIL, "<a@b>" },
	{ "MAIL FROM:<>", V_MAIL, "<>" },
	{ "MAIL FROM:a@b", V_MAIL, "a@b" },
	{ "MAIL FROM:", V_MAIL, "" },
	{ "MAIL FROM :<a@b>", V_MAIL, "" },
	{ "MAIL FROM<a@b>", V_MAIL, "" },
	{ "MAIL TO:<a@b>", V_MAIL, "" },
	{ "MAIL <a@b>", V_MAIL, "" },
	{ "MAIL", V_MAIL, "" },
	{ "MAIL ", V_MAIL, "" },
	{ "MAILFROM:<a@b>", V_UNKNOWN, "" },
	{ "RCPT TO:<a@b>", V_RCPT, "<a@b>" },
	{ "Rcpt To: <a@b> NOTIFY=NEVER", V_RCPT, "<a@b> NOTIFY=NEVER" },
	{ "RCPT TO:<postmaster>", V_RCPT, "<postmaster>" },
	{ "RCPT", V_RCPT, "" },
	{ "RCPT FROM:<a@b>", V_RCPT, "" },
	{ "RCPT TO :<a@b>", V_RCPT, "" },
	{ "DATA", V_DATA, "" },
	{ "DATA x", V_DATA, "x" },
	{ "BDAT 100 LAST", V_BDAT, "100 LAST" },
	{ "RSET", V_RSET, "" },
	{ "NOOP hello", V_NOOP, "hello" },
	{ "QUIT", V_QUIT, "" },
	{ "VRFY user", V_VRFY, "user" },
	{ "EXPN list", V_EXPN, "list" },
	{ "HELP", V_HELP, "" },
	{ "STARTTLS", V_STARTTLS, "" },
	{ "starttls", V_STARTTLS, "" },
	{ "AUTH PLAIN AGZvbwBiYXI=", V_AUTH, "PLAIN AGZvbwBiYXI=" },
	{ "ETRN #queue", V_ETRN, "#queue" },
	{ "VERB", V_VERB, "" },
	{ "TURN", V_TURN, "" },
	{ "GET / HTTP/1.1", V_HTTP, "/ HTTP/1.1" },
	{ "get /", V_HTTP, "/" },
	{ "POST /cgi HTTP/1.0", V_HTTP, "/cgi HTTP/1.0" },
	{ "CONNECT mx.example:25 HTTP/1.0", V_HTTP, "mx.example:25 HTTP/1.0" },
	{ "USER root", V_HTTP, "root" },
	{ "GET", V_HTTP, "" },
	{ "XYZZY", V_UNKNOWN, "" },
	{ "XYZZY plugh", V_UNKNOWN, "plugh" },
	{ "", V_UNKNOWN, "" },
	{ " HELO x", V_UNKNOWN, "HELO x" },
	{ "HELO\tx", V_UNKNOWN, "" },
	{ "HELOx", V_UNKNOWN, "" },
	{ "HEL", V_UNKNOWN, "" },
	{ "STARTTLSX", V_UNKNOWN, "" },
	{ "DATA\x80", V_UNKNOWN, "" },
	{ "X-EXT foo", V_UNKNOWN, "foo" },
	{ "MAIL:FROM:<a@b>", V_UNKNOWN, "" },
	{ "\xc4\xb0HLO x", V_UNKNOWN, "x" },
};

static void
test_verbs(void)
{
	char line[256];
	char *arg;
	enum smtp_verb v;
	size_t i;

	for (i = 0; i < sizeof(vcases) / sizeof(vcases[0]); i++) {
		snprintf(line, sizeof(line), "%s", vcases[i].line);
		arg = NULL;
		v = smtpcmd_verb(line, &arg);
		ok(v == vcases[i].verb && arg != NULL &&
		    arg >= line && arg <= line + strlen(line) &&
		    strcmp(arg, vcases[i].arg) == 0,
		    "verb %zu: '%s' -> %s '%s'", i, vis(vcases[i].line),
		    smtpcmd_name(vcases[i].verb), vcases[i].arg);
		if (v != vcases[i].verb || arg == NULL ||
		    strcmp(arg, vcases[i].arg) != 0)
			printf("#   got %s '%s'\n", smtpcmd_name(v),
			    arg ? arg : "(null)");
	}
}

static void
test_names(void)
{
	char line[32];
	char *arg;
	int v;

	for (v = V_HELO; v <= V_TURN; v++) {
		snprintf(line, sizeof(line), "%s", smtpcmd_name(v));
		is_int(smtpcmd_verb(line, &arg), v, "name %s reads back",
		    smtpcmd_name(v));
	}
	is_str(smtpcmd_name(V_UNKNOWN), "UNKNOWN", "name of V_UNKNOWN");
	is_str(smtpcmd_name(V_HTTP), "HTTP", "name of V_HTTP");
	is_str(smtpcmd_name((enum smtp_verb)999), "UNKNOWN",
	    "name of an out-of-range verb");
	is_str(smtpcmd_name((enum smtp_verb)-1), "UNKNOWN",
	    "name of a negative verb");
}

struct pcase {
	const char	*in;
	int		 max;
	int		 rc;
	const char	*want;	/* parameters joined by one space, or why */
};

#define P16 " B=2 C=3 D=4 E=5 F=6 G=7 H=8 I=9 J=10 K=11 L=12 M=13 N=14 " \
	"O=15 P=16 Q=17"
#define P17 " A=1" P16

static const struct pcase pcases[] = {
	{ "", 16, 0, "" },
	{ "   ", 16, 0, "" },
	{ " SIZE=100", 16, 1, "SIZE=100" },
	{ "SIZE=100", 16, 1, "SIZE=100" },
	{ " SIZE=100 BODY=8BITMIME", 16, 2, "SIZE=100 BODY=8BITMIME" },
	{ "  SIZE=100   BODY=7BIT  ", 16, 2, "SIZE=100 BODY=7BIT" },
	{ " SMTPUTF8", 16, 1, "SMTPUTF8" },
	{ " SMTPUTF8 SIZE=1", 16, 2, "SMTPUTF8 SIZE=1" },
	{ " RET=HDRS ENVID=QQ314159", 16, 2, "RET=HDRS ENVID=QQ314159" },
	{ " NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;user+40example.com", 16, 2,
	    "NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;user+40example.com" },
	{ " X-Foo-1=bar", 16, 1, "X-Foo-1=bar" },
	{ " 1X=2", 16, 1, "1X=2" },
	{ " X-=~!<>", 16, 1, "X-=~!<>" },
	{ " ENVID=\xc3\xbc", 16, 1, "ENVID=\xc3\xbc" },
	{ " SIZE=1", 1, 1, "SIZE=1" },
	{ P16, 16, 16,
	    "B=2 C=3 D=4 E=5 F=6 G=7 H=8 I=9 J=10 K=11 L=12 M=13 N=14 O=15 "
	    "P=16 Q=17" },
	{ P17, 16, -1, "too many parameters" },
	{ " A", 0, -1, "too many parameters" },
	{ " =x", 16, -1, "empty parameter keyword" },
	{ " =", 16, -1, "empty parameter keyword" },
	{ " -X=1", 16, -1, "invalid parameter keyword" },
	{ " SI_ZE=1", 16, -1, "invalid parameter keyword" },
	{ " SIZE:1", 16, -1, "invalid parameter keyword" },
	{ " SIZE\t=1", 16, -1, "invalid parameter keyword" },
	{ "\tSIZE=1", 16, -1, "invalid parameter keyword" },
	{ " S\xc3\xbcZE=1", 16, -1, "invalid parameter keyword" },
	{ " SIZE=", 16, -1, "empty parameter value" },
	{ " SIZE= BODY=7BIT", 16, -1, "empty parameter value" },
	{ " SIZE==1", 16, -1, "invalid character in parameter value" },
	{ " SIZE=1=2", 16, -1, "invalid character in parameter value" },
	{ " SIZE=1\t", 16, -1, "invalid character in parameter value" },
	{ " SIZE=\x01", 16, -1, "invalid character in parameter value" },
	{ " SIZE=a\x7f", 16, -1, "invalid character in parameter value" },
	{ " SIZE=1\r", 16, -1, "invalid character in parameter value" },
	{ " BODY=8BITMIME <x@y>", 16, -1, "invalid parameter keyword" },
};

static void
join(const struct smtp_param *p, int n, char *out, size_t outsz)
{
	size_t o = 0;
	int i;

	out[0] = '\0';
	for (i = 0; i < n; i++)
		o += (size_t)snprintf(out + o, outsz - o, "%s%s%s%s",
		    i ? " " : "", p[i].key, p[i].value ? "=" : "",
		    p[i].value ? p[i].value : "");
}

static void
test_params(void)
{
	struct smtp_param p[SMTP_MAX_PARAMS + 4];
	char line[512], got[512];
	const char *why;
	size_t i;
	int n;

	for (i = 0; i < sizeof(pcases) / sizeof(pcases[0]); i++) {
		snprintf(line, sizeof(line), "%s", pcases[i].in);
		why = NULL;
		n = smtpcmd_params(line, p, pcases[i].max, &why);
		if (n >= 0)
			join(p, n, got, sizeof(got));
		else
			snprintf(got, sizeof(got), "%s", why ? why : "(null)");
		ok(n == pcases[i].rc && strcmp(got, pcases[i].want) == 0,
		    "params %zu: '%s' -> %d %s", i, vis(pcases[i].in),
		    pcases[i].rc, vis(pcases[i].want));
		if (n != pcases[i].rc || strcmp(got, pcases[i].want) != 0)
			printf("#   got %d '%s'\n", n, vis(got));
	}
	snprintf(line, sizeof(line), " A B");
	is_int(smtpcmd_params(line, p, 1, NULL), -1, "why may be NULL");
}

struct xcase {
	const char	*in;
	size_t		 outsz;
	const char	*want;	/* NULL: -1 */
};

static const struct xcase xcases[] = {
	{ "abc", 64, "abc" },
	{ "", 64, "" },
	{ "a+2Bb", 64, "a+b" },
	{ "+3D", 64, "=" },
	{ "+20", 64, " " },
	{ "+7E+41", 64, "~A" },
	{ "rfc822;user+40example.com", 64, "rfc822;user@example.com" },
	{ "QQ314159", 64, "QQ314159" },
	{ "!~", 64, "!~" },
	{ "+2b", 64, NULL },
	{ "+2", 64, NULL },
	{ "+", 64, NULL },
	{ "a+", 64, NULL },
	{ "+G0", 64, NULL },
	{ "+0G", 64, NULL },
	{ "a=b", 64, NULL },
	{ "a+b", 64, NULL },
	{ "a b", 64, NULL },
	{ "+00", 64, NULL },
	{ "+0D+0A", 64, NULL },
	{ "+09", 64, NULL },
	{ "+7F", 64, NULL },
	{ "+80", 64, NULL },
	{ "+FF", 64, NULL },
	{ "\xc3\xbc", 64, NULL },
	{ "a\x7f", 64, NULL },
	{ "abc", 4, "abc" },
	{ "abc", 3, NULL },
	{ "abc", 0, NULL },
	{ "", 1, "" },
	{ "a+2B", 3, "a+" },
	{ "a+2B", 2, NULL },
};

static void
test_xtext(void)
{
	char out[64];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(xcases) / sizeof(xcases[0]); i++) {
		strcpy(out, "junk");
		rc = smtpcmd_xtext_decode(xcases[i].in, out, xcases[i].outsz);
		if (xcases[i].want == NULL)
			ok(rc == -1 && (xcases[i].outsz == 0 || out[0] == '\0'),
			    "xtext %zu: '%s' into %zu -> -1", i,
			    vis(xcases[i].in), xcases[i].outsz);
		else
			ok(rc == (int)strlen(xcases[i].want) &&
			    strcmp(out, xcases[i].want) == 0,
			    "xtext %zu: '%s' into %zu -> '%s'", i,
			    vis(xcases[i].in), xcases[i].outsz, xcases[i].want);
		/* Checking only (out NULL) agrees, whatever the size. */
		rc = smtpcmd_xtext_decode(xcases[i].in, NULL, 0);
		if (xcases[i].want == NULL && xcases[i].outsz == 64)
			is_int(rc, -1, "xtext %zu: check only -> -1", i);
		else if (xcases[i].want != NULL)
			is_int(rc, (int)strlen(xcases[i].want),
			    "xtext %zu: check only -> %zu", i,
			    strlen(xcases[i].want));
	}
}

/* The encoder's output decodes back to its input (RFC 4954 AUTH=). */
static void
test_xtext_encode(void)
{
	static const char *const in[] = { "user", "a+b=c", "user@realm",
	    "sp ace", "\x7f\x01", "" };
	static const char *const want[] = { "user", "a+2Bb+3Dc", "user@realm",
	    "sp+20ace", "+7F+01", "" };
	struct buf b = BUF_INIT;
	char out[64];
	size_t i;

	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		buf_reset(&b);
		smtpcmd_xtext_encode(in[i], &b);
		is_str(buf_str(&b), want[i], "xtext encode %zu -> '%s'", i,
		    want[i]);
		if (in[i][0] >= 0x20 && in[i][0] < 0x7f)
			ok(smtpcmd_xtext_decode(buf_str(&b), out,
			    sizeof(out)) >= 0 && strcmp(out, in[i]) == 0,
			    "xtext encode %zu decodes back", i);
	}
	buf_free(&b);
}

struct bcase {
	const char		*arg;
	int			 rc;
	unsigned long long	 size;
	int			 last;
};

static const struct bcase bcases[] = {
	{ "0", 0, 0, 0 },
	{ "0 LAST", 0, 0, 1 },
	{ "123", 0, 123, 0 },
	{ "123 LAST", 0, 123, 1 },
	{ "123 last", 0, 123, 1 },
	{ "123 LaSt", 0, 123, 1 },
	{ "9223372036854775807", 0, 9223372036854775807ULL, 0 },
	{ "9223372036854775807 LAST", 0, 9223372036854775807ULL, 1 },
	{ "0000000000000000000000000001", 0, 1, 0 },
	{ "9223372036854775808", -1, 0, 0 },
	{ "9223372036854775810", -1, 0, 0 },
	{ "18446744073709551615", -1, 0, 0 },
	{ "18446744073709551616", -1, 0, 0 },
	{ "99999999999999999999999", -1, 0, 0 },
	{ "", -1, 0, 0 },
	{ " 123", -1, 0, 0 },
	{ "123 ", -1, 0, 0 },
	{ "123  LAST", -1, 0, 0 },
	{ "123 LAST ", -1, 0, 0 },
	{ "123 LASTX", -1, 0, 0 },
	{ "123 LAS", -1, 0, 0 },
	{ "123 FIRST", -1, 0, 0 },
	{ "-1", -1, 0, 0 },
	{ "+1", -1, 0, 0 },
	{ "12a", -1, 0, 0 },
	{ "0x10", -1, 0, 0 },
	{ "123\tLAST", -1, 0, 0 },
	{ "LAST", -1, 0, 0 },
	{ "1 2", -1, 0, 0 },
	{ "\xd9\xa1", -1, 0, 0 },
};

static void
test_bdat(void)
{
	unsigned long long size;
	size_t i;
	int last, rc;

	for (i = 0; i < sizeof(bcases) / sizeof(bcases[0]); i++) {
		size = 4242;
		last = 42;
		rc = smtpcmd_bdat(bcases[i].arg, &size, &last);
		if (bcases[i].rc == 0)
			ok(rc == 0 && size == bcases[i].size &&
			    last == bcases[i].last, "bdat %zu: '%s' -> %llu%s",
			    i, vis(bcases[i].arg), bcases[i].size,
			    bcases[i].last ? " LAST" : "");
		else
			ok(rc == -1 && size == 4242 && last == 42,
			    "bdat %zu: '%s' -> -1, outputs untouched", i,
			    vis(bcases[i].arg));
	}
}

/* A whole MAIL line through verb, path and parameters, as the session
 * will do it. */
static void
test_mail_line(void)
{
	char line[] = "MAIL FROM:<User@Example.COM> SIZE=1000 BODY=8BITMIME "
	    "ENVID=QQ+2B1";
	struct smtp_param p[SMTP_MAX_PARAMS];
	struct addr a;
	const char *rest, *why;
	char *arg, env[32];
	int n;

	is_int(smtpcmd_verb(line, &arg), V_MAIL, "MAIL line: verb");
	is_int(addr_parse_path(arg, &a, &rest, ADDR_ALLOW_NULL, &why), 0,
	    "MAIL line: path");
	is_str(a.domain, "example.com", "MAIL line: domain");
	n = smtpcmd_params(line + (rest - line), p, SMTP_MAX_PARAMS, &why);
	is_int(n, 3, "MAIL line: 3 parameters");
	is_str(p[2].key, "ENVID", "MAIL line: third key");
	is_int(smtpcmd_xtext_decode(p[2].value, env, sizeof(env)), 4,
	    "MAIL line: ENVID decodes");
	is_str(env, "QQ+1", "MAIL line: ENVID value");
}

static void
test_orcpt(void)
{
	char big[SMTP_ORCPT_MAX + 2];

	ok(smtpcmd_orcpt_ok("rfc822;bob@example.com"), "ORCPT rfc822;addr");
	ok(smtpcmd_orcpt_ok("rfc822;b+2Bc@example.com"), "ORCPT with xtext (+2B)");
	ok(!smtpcmd_orcpt_ok("rfc822"), "ORCPT without ';' refused");
	ok(!smtpcmd_orcpt_ok(";bob@example.com"), "ORCPT empty addr-type refused");
	ok(!smtpcmd_orcpt_ok("rfc822;"), "ORCPT empty address refused");
	ok(!smtpcmd_orcpt_ok("rfc\xe9" "822;bob@example.com"),
	    "ORCPT 8-bit octet in the addr-type refused");
	ok(!smtpcmd_orcpt_ok("rfc 822;bob@example.com"),
	    "ORCPT space in the addr-type refused");
	ok(!smtpcmd_orcpt_ok("rfc(822);bob@example.com"),
	    "ORCPT specials in the addr-type refused");
	ok(!smtpcmd_orcpt_ok("rfc822;b\xe9" "b@example.com"),
	    "ORCPT 8-bit octet in the address refused");
	ok(!smtpcmd_orcpt_ok("rfc822;a+0Ab@example.com"),
	    "ORCPT xtext decoding to a control refused");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "rfc822;", 7);
	ok(!smtpcmd_orcpt_ok(big), "ORCPT over %d octets refused",
	    SMTP_ORCPT_MAX);
	big[SMTP_ORCPT_MAX] = '\0';
	ok(smtpcmd_orcpt_ok(big), "ORCPT of %d octets taken", SMTP_ORCPT_MAX);
}

int
main(void)
{
	test_orcpt();
	test_verbs();
	test_names();
	test_params();
	test_xtext();
	test_xtext_encode();
	test_bdat();
	test_mail_line();
	return done_testing();
}
