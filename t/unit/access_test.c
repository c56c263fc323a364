/* access_test.c - the access map's values (access_value), makemap's text
 * parser (makemap_parse), and the lookups of access_connect/from/to/cert
 * on a map built from text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "mail/access.h"
#include "mail/addr.h"
#include "lib/buf.h"
#include "mail/cf.h"
#include "lib/gdbm_dl.h"
#include "lib/log.h"
#include "tools/makemap.h"
#include "mail/map.h"
#include "tap.h"

#define BAD_ENTRY	"451 4.3.0 Temporary system failure (bad access map entry)"

static const char *
act_name(enum access_act a)
{
	switch (a) {
	case ACC_NONE: return "NONE";
	case ACC_OK: return "OK";
	case ACC_RELAY: return "RELAY";
	case ACC_REJECT: return "REJECT";
	case ACC_DISCARD: return "DISCARD";
	case ACC_TEMP: return "TEMP";
	}
	return "?";
}

/* access_value(v, what) gives act and reply. */
static void
value(const char *v, const char *what, enum access_act act, const char *reply)
{
	struct access r;

	memset(&r, 'X', sizeof(r));	/* the reply must be set, not left */
	r.reply[sizeof(r.reply) - 1] = '\0';
	access_value(v, what, &r);
	is_str(act_name(r.act), act_name(act), "\"%s\": %s", vis(v),
	    act_name(act));
	is_str(r.reply, reply, "\"%s\": reply \"%s\"", vis(v), reply);
}

/* Every octet of s printable ASCII. */
static int
printable(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return 0;
	return 1;
}

static void
test_values(void)
{
	struct access r;
	char big[2000];
	const char *w = "<a@b.example>... ";

	value("OK", w, ACC_OK, "");
	value("ok", w, ACC_OK, "");
	value("Ok", w, ACC_OK, "");
	value(" \tOK", w, ACC_OK, "");
	value("OK ", w, ACC_OK, "");
	value("OK some comment", w, ACC_OK, "");
	value("RELAY", w, ACC_RELAY, "");
	value("relay", "", ACC_RELAY, "");
	value("DISCARD", w, ACC_DISCARD, "");
	value("discard", w, ACC_DISCARD, "");
	value("SKIP", w, ACC_NONE, "");
	value("Skip", w, ACC_NONE, "");
	value("REJECT", w, ACC_REJECT, "550 5.7.1 <a@b.example>... Access denied");
	value("reject", "", ACC_REJECT, "550 5.7.1 Access denied");
	value("REJECT\t", "", ACC_REJECT, "550 5.7.1 Access denied");

	/* ERROR: */
	value("ERROR:5.7.1:550 Go away", w, ACC_REJECT, "550 5.7.1 Go away");
	value("ERROR:5.7.2:554 Not you", w, ACC_REJECT, "554 5.7.2 Not you");
	value("ERROR:550 No dsn", w, ACC_REJECT, "550 5.7.1 No dsn");
	value("ERROR:450 Later", w, ACC_REJECT, "450 4.7.1 Later");
	value("ERROR:4.2.0:451 Try later", w, ACC_REJECT, "451 4.2.0 Try later");
	value("ERROR:5.1.10:553 Three digits", w, ACC_REJECT,
	    "553 5.1.10 Three digits");
	value("ERROR:5.100.100:553 Big", w, ACC_REJECT, "553 5.100.100 Big");
	value("ERROR:\"553 Quoted text\"", w, ACC_REJECT,
	    "553 5.7.1 Quoted text");
	value("ERROR:553 Trailing quote\"", w, ACC_REJECT,
	    "553 5.7.1 Trailing quote");
	value("ERROR:\"553\"", w, ACC_REJECT, "553 5.7.1 Access denied");
	value("ERROR:553", w, ACC_REJECT, "553 5.7.1 Access denied");
	value("ERROR:553 ", w, ACC_REJECT, "553 5.7.1 Access denied");
	value("ERROR:550     Many blanks", w, ACC_REJECT,
	    "550 5.7.1 Many blanks");
	value("error:5.7.1:550 lower case", w, ACC_REJECT,
	    "550 5.7.1 lower case");
	value("  ERROR:550 after blanks", w, ACC_REJECT,
	    "550 5.7.1 after blanks");
	value("ERROR:550 a%sb%n", w, ACC_REJECT, "550 5.7.1 a%sb%n");
	/* bad ones: a temporary failure, never a reply the map did not mean */
	value("ERROR:4.7.1:550 class mismatch", w, ACC_TEMP, BAD_ENTRY);
	value("ERROR:5.7.1:450 class mismatch", w, ACC_TEMP, BAD_ENTRY);
	value("ERROR:2.0.0:250 ok?", w, ACC_TEMP, BAD_ENTRY);
	value("ERROR:200 fine?", w, ACC_TEMP, BAD_ENTRY);
	value("ERROR:250", w, ACC_TEMP, BAD_ENTRY);
	value("ERROR:354 go on", w, ACC_TEMP, BAD_ENTRY);
	value("ERROR:600 too big", w, ACC_TEMP, BAD_ENTRY);
	value("ERROR:abc", w, ACC_TEMP, BAD_ENTRY);
	value("ERROR:55 short", w, ACC_TEMP, BAD_ENTRY);
	value("ERROR:5500 long", w, ACC_TEMP, BAD_ENTRY);
	value("ERROR:550x glued", w, ACC_TEMP, BAD_ENTRY);
	value("ERROR:550\ttab", w, ACC_TEMP, BAD_ENTRY);
	value("ERROR:", w, ACC_TEMP, BAD_ENTRY);
	value("ERROR:5.7:550 two parts", w, ACC_TEMP, BAD_ENTRY);
	value("ERROR:5.7.1.1:550 four parts", w, ACC_TEMP, BAD_ENTRY);
	value("ERROR:55.7.1:550 two-digit class", w, ACC_TEMP, BAD_ENTRY);
	value("ERROR:5.1000.1:550 four-digit subject", w, ACC_TEMP, BAD_ENTRY);
	value("ERROR:5..1:550 empty", w, ACC_TEMP, BAD_ENTRY);
	value("ERROR:.7.1:550 empty class", w, ACC_TEMP, BAD_ENTRY);
	value("ERROR:5.7.1:\"550 quoted after dsn\"", w, ACC_TEMP, BAD_ENTRY);
	value("ERROR:5.7.1.:550 trailing dot", w, ACC_TEMP, BAD_ENTRY);
	value("ERROR 550 no colon", w, ACC_TEMP, BAD_ENTRY);
	value("ERROR", w, ACC_TEMP, BAD_ENTRY);
	/* junk */
	value("", w, ACC_TEMP, BAD_ENTRY);
	value("   ", w, ACC_TEMP, BAD_ENTRY);
	value("MAYBE", w, ACC_TEMP, BAD_ENTRY);
	value("OKAY", w, ACC_TEMP, BAD_ENTRY);
	value("REJECTED", w, ACC_TEMP, BAD_ENTRY);
	value("RELAYS", w, ACC_TEMP, BAD_ENTRY);
	value("OK:x", w, ACC_TEMP, BAD_ENTRY);
	value("550 5.7.1 bare reply", w, ACC_TEMP, BAD_ENTRY);

	/* control bytes in the text are replaced, the reply stays one line */
	value("ERROR:550 a\tb\001c\rd\ne\177f", w, ACC_REJECT,
	    "550 5.7.1 a?b?c?d?e?f");
	access_value("ERROR:550 caf\303\251 8bit", w, &r);
	ok(r.act == ACC_REJECT && printable(r.reply) &&
	    strncmp(r.reply, "550 5.7.1 caf", 13) == 0 &&
	    strcmp(r.reply + strlen(r.reply) - 5, " 8bit") == 0,
	    "8-bit octets in the text: a printable ASCII reply (%s)",
	    vis(r.reply));

	/* a long text is capped */
	memset(big, 'x', sizeof(big));
	memcpy(big, "ERROR:5.7.1:550 ", 16);
	big[sizeof(big) - 1] = '\0';
	access_value(big, w, &r);
	ok(r.act == ACC_REJECT, "a 2000-octet ERROR: REJECT");
	ok(strlen(r.reply) < ACCESS_REPLY_MAX && strlen(r.reply) <= 10 + 400,
	    "a 2000-octet ERROR: the reply is capped (%zu octets)",
	    strlen(r.reply));
	ok(strncmp(r.reply, "550 5.7.1 xxxx", 14) == 0 &&
	    strspn(r.reply + 10, "x") == strlen(r.reply) - 10,
	    "a 2000-octet ERROR: the capped reply is the text's start");
	big[1500] = '"';
	big[1501] = '\0';
	access_value(big, w, &r);
	ok(r.act == ACC_REJECT && strchr(r.reply, '"') == NULL,
	    "a long text ending in a quote: no quote in the capped reply");

	/* a long "what" (REJECT) stays within the reply */
	memset(big, 'w', sizeof(big));
	big[sizeof(big) - 1] = '\0';
	access_value("REJECT", big, &r);
	ok(r.act == ACC_REJECT && strlen(r.reply) < ACCESS_REPLY_MAX &&
	    strncmp(r.reply, "550 5.7.1 www", 13) == 0,
	    "REJECT with a 2000-octet what: the reply is truncated, not overrun");

	/* the reply of an earlier call does not linger */
	access_value("REJECT", "", &r);
	access_value("OK", "", &r);
	is_str(r.reply, "", "OK after REJECT: the reply is emptied");
}

/* --- makemap_parse ---------------------------------------------------- */

/* Collects "LINE:key=value\n"; a key "stop" stops the parse, a key
 * "refuse" is a bad line reported by the callback. */
static int
collect(void *arg, const char *key, const char *val, unsigned line,
    struct buf *err)
{
	if (strcmp(key, "stop") == 0)
		return -1;
	if (strcmp(key, "refuse") == 0) {
		buf_printf(err, "cb: line %u: refused\n", line);
		return 1;
	}
	buf_printf(arg, "%u:%s=%s\n", line, key, val);
	return 0;
}

static int
parse_n(const char *text, size_t len, int flags, int delim, int comment,
    struct buf *got, struct buf *err)
{
	buf_reset(got);
	buf_reset(err);
	return makemap_parse("m", text, len, flags, delim, comment, collect,
	    got, err);
}

static int
parse(const char *text, int flags, int delim, int comment, struct buf *got,
    struct buf *err)
{
	return parse_n(text, strlen(text), flags, delim, comment, got, err);
}

static void
test_parse(void)
{
	struct buf got = BUF_INIT, err = BUF_INIT;
	int n;

	n = parse("# comment\n"
	    "\n"
	    "Connect:192.0.2.7\tREJECT\n"
	    "   From:Spammer@Example.COM   ERROR:5.7.1:550 Go Away  \n"
	    " \t \n"
	    "To:x.example\t \tRELAY\n"
	    "a b c d\n"
	    "last OK", 0, 0, '#', &got, &err);
	is_int(n, 0, "clean text: no bad lines");
	is_str(buf_str(&got),
	    "3:connect:192.0.2.7=REJECT\n"
	    "4:from:spammer@example.com=ERROR:5.7.1:550 Go Away  \n"
	    "6:to:x.example=RELAY\n"
	    "7:a=b c d\n"
	    "8:last=OK\n",
	    "keys folded, leading blanks and blanks after the key skipped, "
	    "values kept as written, line numbers count every line");
	is_str(buf_str(&err), "", "clean text: no error text");

	parse("Mixed.Case Value\n", MM_NOFOLD, 0, '#', &got, &err);
	is_str(buf_str(&got), "1:Mixed.Case=Value\n", "MM_NOFOLD keeps the key's case");
	parse("K\xc3\x89Y v\n", 0, 0, '#', &got, &err);
	is_str(buf_str(&got), "1:k\xc3\x89y=v\n",
	    "folding touches ASCII letters only");

	n = parse("a\r\nB c\r\n\r\nd  e f \r\n#x\r\n", 0, 0, '#', &got, &err);
	is_int(n, 1, "CRLF text: one bad line (a, no value)");
	is_str(buf_str(&got), "2:b=c\n4:d=e f \n", "CRLF: the CR is not part of the value");
	is_str(buf_str(&err), "m: line 1: no value for key a\n", "CRLF: the bad line named");
	/* a CR elsewhere than before the LF: refused or dropped, but never
	 * in a key or a value */
	parse("k v\r\r\na\rb c\nd e\rf\n", 0, 0, '#', &got, &err);
	ok(strchr(buf_str(&got), '\r') == NULL,
	    "no CR reaches a key or a value (got \"%s\")", vis(buf_str(&got)));
	parse("\r\n\r\nk v", 0, 0, '#', &got, &err);
	is_str(buf_str(&got), "3:k=v\n", "lines of a lone CR are blank");

	/* comments */
	n = parse("#a b\n;c d\n # e f\n", 0, 0, ';', &got, &err);
	is_int(n, 0, "comment ';': no bad lines");
	is_str(buf_str(&got), "1:#a=b\n3:#=e f\n",
	    "comment ';': ';' lines skipped, '#' lines and an indented '#' are entries");
	parse("#a b\n # e f\n", 0, 0, '#', &got, &err);
	is_str(buf_str(&got), "2:#=e f\n",
	    "a comment starts in the first column only");

	/* delimiter */
	n = parse("key one:value: two \n:empty\nnodelim\n Lead:x\nk:\n",
	    0, ':', '#', &got, &err);
	is_int(n, 3, "delimiter ':': three bad lines");
	is_str(buf_str(&got), "1:key one=value: two \n4: lead=x\n",
	    "delimiter ':': the key ends at the first ':', blanks kept in key and value");
	is_str(buf_str(&err),
	    "m: line 2: empty key\n"
	    "m: line 3: no value for key nodelim\n"
	    "m: line 5: no value for key k\n",
	    "delimiter ':': errors with line numbers");
	n = parse("k:\n", MM_EMPTY_OK, ':', '#', &got, &err);
	is_int(n, 0, "delimiter and MM_EMPTY_OK: k: is fine");
	is_str(buf_str(&got), "1:k=\n", "delimiter and MM_EMPTY_OK: empty value");

	/* empty values */
	n = parse("a\nb   \nc\t\nd v\n", 0, 0, '#', &got, &err);
	is_int(n, 3, "keys without a value: three bad lines");
	is_str(buf_str(&got), "4:d=v\n", "keys without a value: only the good line");
	is_str(buf_str(&err),
	    "m: line 1: no value for key a\n"
	    "m: line 2: no value for key b\n"
	    "m: line 3: no value for key c\n",
	    "keys without a value: each named");
	n = parse("a\nb   \nc\t\nd v\n", MM_EMPTY_OK, 0, '#', &got, &err);
	is_int(n, 0, "MM_EMPTY_OK: no bad lines");
	is_str(buf_str(&got), "1:a=\n2:b=\n3:c=\n4:d=v\n",
	    "MM_EMPTY_OK: empty values stored");

	/* NUL */
	n = parse_n("a 1\nb\0x 2\nc 3\n", 14, 0, 0, '#', &got, &err);
	is_int(n, 1, "a NUL byte: one bad line");
	is_str(buf_str(&got), "1:a=1\n3:c=3\n", "a NUL byte: the other lines kept");
	is_str(buf_str(&err), "m: line 2: NUL byte\n", "a NUL byte: reported");
	n = parse_n("a 1\0", 4, 0, 0, '#', &got, &err);
	is_int(n, 1, "a NUL byte at the end of the last line: bad");
	is_str(buf_str(&got), "", "a NUL byte at the end: not stored as 1");

	/* the length given, not the NUL, ends the text */
	n = parse_n("a 1\nb 2\n", 5, 0, 0, '#', &got, &err);
	is_int(n, 1, "text cut by len: 'b' has no value");
	is_str(buf_str(&got), "1:a=1\n", "text cut by len: the rest unread");

	/* long lines: 4096 octets are fine (without the CR LF), 4097 not */
	{
		struct buf t = BUF_INIT;
		size_t i;

		buf_adds(&t, "k1 ");
		for (i = 0; i < 4093; i++)
			buf_addc(&t, 'v');
		buf_adds(&t, "\nk2 ");
		for (i = 0; i < 4094; i++)
			buf_addc(&t, 'w');
		buf_adds(&t, "\nk3 ");
		for (i = 0; i < 4093; i++)
			buf_addc(&t, 'x');
		buf_adds(&t, "\r\nk4 y\n");
		n = parse_n(t.s, t.len, 0, 0, '#', &got, &err);
		is_int(n, 1, "long lines: one bad line");
		ok(strncmp(buf_str(&got), "1:k1=vvv", 8) == 0 &&
		    strstr(buf_str(&got), "v\n3:k3=xxx") != NULL &&
		    strlen(buf_str(&got)) == 2 * (5 + 4093 + 1) + 7,
		    "long lines: lines of 4096 octets, with LF or CR LF, are fine");
		ok(strstr(buf_str(&got), "4:k4=y\n") != NULL,
		    "long lines: the line after them is fine");
		is_str(buf_str(&err), "m: line 2: longer than 4096 octets\n",
		    "long lines: 4097 octets refused with the line number");
		buf_free(&t);
	}

	/* the callback */
	n = parse("a 1\nrefuse 2\nb 3\nrefuse 4\n", 0, 0, '#', &got, &err);
	is_int(n, 2, "lines the callback refuses are counted");
	is_str(buf_str(&err), "cb: line 2: refused\ncb: line 4: refused\n",
	    "the callback's messages are kept");
	n = parse("a 1\nstop 2\nb 3\n", 0, 0, '#', &got, &err);
	is_int(n, -1, "a callback returning -1 stops the parse: -1");
	is_str(buf_str(&got), "1:a=1\n", "nothing after the stop");

	n = parse("", 0, 0, '#', &got, &err);
	is_int(n, 0, "empty text: 0");
	is_str(buf_str(&got), "", "empty text: no entries");
	n = parse("\n\n\n", 0, 0, '#', &got, &err);
	is_int(n, 0, "newlines only: 0");

	n = parse("x\ny\n  \nz\n", 0, 0, '#', &got, &err);
	is_int(n, 3, "the return value is the number of bad lines");
	buf_free(&got);
	buf_free(&err);
}

/* --- lookups on a real map ------------------------------------------------ */

static char dir[] = "/tmp/access_test.XXXXXX";

struct fillarg {
	const char *text;
	int	 flags;		/* makemap's: MM_NOFOLD for -f */
};

static int
store(void *arg, const char *key, const char *val, unsigned line,
    struct buf *err)
{
	struct buf msg = BUF_INIT;
	int r;

	(void)line;
	r = gdbm_dl_store(arg, key, strlen(key), val, strlen(val), &msg);
	if (r < 0)
		buf_printf(err, "%s\n", buf_str(&msg));
	buf_free(&msg);
	return r < 0 ? -1 : 0;
}

static int
fill(void *arg, struct gdbm_map *m, struct buf *err)
{
	struct fillarg *f = arg;

	return makemap_parse("t", f->text, strlen(f->text), f->flags, 0, '#', store,
	    m, err) == 0 ? EX_OK : EX_DATAERR;
}

static const char map_text[] =
    "Connect:192.0.2.7 REJECT\n"
    "Connect:198.51.100 RELAY\n"
    "Connect:IPv6:2001:db8:0:1 RELAY\n"
    "Connect:IPv6:2001:db8::9 ERROR:4.7.0:421 six\n"
    "Connect:Bad.Host.Example REJECT\n"
    "Connect:trusted.example RELAY\n"
    "Connect:skipme.trusted.example SKIP\n"
    "203.0.113 DISCARD\n"
    "From:Spammer@Example.COM ERROR:5.7.1:550 No\n"
    "From:spam.example REJECT\n"
    "From:good@spam.example OK\n"
    "From:baduser@ REJECT\n"
    "From:fine.example OK\n"
    "From:<> REJECT\n"
    "From:skip.spam.example SKIP\n"
    "From:bogus.example MAYBE\n"
    "To:partner.example RELAY\n"
    "To:skip.partner.example SKIP\n"
    "untagged.example DISCARD\n"
    "To:tagged.example RELAY\n"
    "tagged.example REJECT\n"
    "CERTISSUER:/C=US/O=CA+20One/CN=CA+20One RELAY\n"
    "CERTISSUER:/CN=Sub+20CA SUBJECT\n"
    "CERTSUBJECT:/CN=client.example RELAY\n"
    "CERTSUBJECT:/CN=rejected.example REJECT\n"
    "CERTISSUER:/CN=Reject+20CA REJECT\n"
    "/CN=Untagged+20CA RELAY\n";

static enum access_act
from(const struct cf *cf, const char *path, struct access *r)
{
	struct addr a;
	const char *rest, *why;

	if (addr_parse_path(path, &a, &rest, ADDR_ALLOW_NULL, &why) < 0) {
		printf("# cannot parse %s: %s\n", path, why);
		r->act = ACC_NONE;
		snprintf(r->reply, sizeof(r->reply), "(cannot parse)");
		return r->act;
	}
	return access_from(cf, &a, r);
}

static enum access_act
to(const struct cf *cf, const char *path, struct access *r)
{
	struct addr a;
	const char *rest, *why;

	if (addr_parse_path(path, &a, &rest, 0, &why) < 0) {
		printf("# cannot parse %s: %s\n", path, why);
		r->act = ACC_NONE;
		snprintf(r->reply, sizeof(r->reply), "(cannot parse)");
		return r->act;
	}
	return access_to(cf, &a, r);
}

static void
test_lookups(void)
{
	struct buf err = BUF_INIT, path = BUF_INIT, cftext = BUF_INIT;
	struct fillarg f = { map_text, 0 }, fx = { map_text, MM_NOFOLD };
	struct cf cf, cfx, cfmiss, cfopt;
	struct access r;

	if (mkdtemp(dir) == NULL) {
		ok(0, "mkdtemp");
		return;
	}
	buf_printf(&path, "%s/access.db", dir);
	is_int(map_build(path.s, 0644, (gid_t)-1, fill, &f, &err), EX_OK,
	    "map_build: the access map");
	if (err.len)
		printf("# %s", buf_str(&err));

	cf_defaults(&cf);
	buf_printf(&cftext, "Kaccess hash %s/access\n", dir);
	is_int(cf_parse(&cf, "t.cf", cftext.s, cftext.len, &err), 0,
	    "a cf declaring Kaccess");

#define C(ip, wact, wreply) do {						\
	access_connect(&cf, ip, NULL, &r);				\
	is_str(act_name(r.act), act_name(wact), "Connect %s: %s", ip,	\
	    act_name(wact));						\
	is_str(r.reply, wreply, "Connect %s: reply", ip);		\
} while (0)
	C("192.0.2.7", ACC_REJECT, "550 5.7.1 Access denied");
	C("192.0.2.70", ACC_NONE, "");
	C("192.0.2", ACC_NONE, "");
	C("198.51.100.7", ACC_RELAY, "");
	C("198.51.10.7", ACC_NONE, "");
	C("198.51.1000.7", ACC_NONE, "");
	C("203.0.113.9", ACC_DISCARD, "");
	C("::ffff:192.0.2.7", ACC_REJECT, "550 5.7.1 Access denied");
	C("::FFFF:198.51.100.7", ACC_RELAY, "");
	C("2001:db8:0:1::7", ACC_RELAY, "");
	C("2001:db8:0:1:1:2:3:4", ACC_RELAY, "");
	C("2001:db8:0:2::7", ACC_NONE, "");
	C("2001:db8::9", ACC_REJECT, "421 4.7.0 six");
	C("2001:DB8::9", ACC_REJECT, "421 4.7.0 six");
	C("2001:db8::99", ACC_NONE, "");
	C("", ACC_NONE, "");
	access_connect(&cf, "192.0.2.7", NULL, &r);
	ok(strcasecmp(r.key, "connect:192.0.2.7") == 0,
	    "the key that matched is reported (%s)", r.key);

	/* By the client's host name and its parent domains, before the
	 * address; the first entry found decides. */
#define CN(ip, name, wact, wreply) do {					\
	access_connect(&cf, ip, name, &r);				\
	is_str(act_name(r.act), act_name(wact), "Connect %s (%s): %s",	\
	    ip, name, act_name(wact));					\
	is_str(r.reply, wreply, "Connect %s (%s): reply", ip, name);	\
} while (0)
	CN("192.0.2.99", "bad.host.example", ACC_REJECT,
	    "550 5.7.1 Access denied");
	CN("192.0.2.99", "BAD.HOST.EXAMPLE", ACC_REJECT,
	    "550 5.7.1 Access denied");
	CN("192.0.2.99", "good.host.example", ACC_NONE, "");
	CN("192.0.2.99", "a.b.trusted.example", ACC_RELAY, "");
	CN("192.0.2.99", "trusted.example", ACC_RELAY, "");
	CN("192.0.2.99", "untrusted.example", ACC_NONE, "");
	CN("192.0.2.99", "x.skipme.trusted.example", ACC_NONE, "");
	/* SKIP ends the search by name, not the one by address */
	CN("203.0.113.1", "x.skipme.trusted.example", ACC_DISCARD, "");
	CN("203.0.113.1", "good.host.example", ACC_DISCARD, "");
	CN("192.0.2.7", "a.trusted.example", ACC_RELAY, "");
	CN("198.51.100.7", "bad.host.example", ACC_REJECT,
	    "550 5.7.1 Access denied");
	CN("198.51.100.7", "", ACC_RELAY, "");

#define F(p, wact, wreply) do {						\
	from(&cf, p, &r);						\
	is_str(act_name(r.act), act_name(wact), "From %s: %s", p,	\
	    act_name(wact));						\
	is_str(r.reply, wreply, "From %s: reply", p);			\
} while (0)
	F("<Spammer@Example.COM>", ACC_REJECT, "550 5.7.1 No");
	F("<SPAMMER@example.com>", ACC_REJECT, "550 5.7.1 No");
	F("<other@example.com>", ACC_NONE, "");
	F("<x@spam.example>", ACC_REJECT, "550 5.7.1 <x@spam.example>... Access denied");
	F("<x@a.b.Spam.Example.>", ACC_REJECT,
	    "550 5.7.1 <x@a.b.spam.example>... Access denied");
	F("<x@notspam.example>", ACC_NONE, "");
	F("<good@spam.example>", ACC_OK, "");
	F("<x@skip.spam.example>", ACC_NONE, "");
	F("<x@sub.skip.spam.example>", ACC_NONE, "");
	F("<baduser@elsewhere.example>", ACC_REJECT,
	    "550 5.7.1 <baduser@elsewhere.example>... Access denied");
	F("<BadUser@fine.example>", ACC_OK, "");
	F("<baduser>", ACC_REJECT, "550 5.7.1 <baduser>... Access denied");
	F("<>", ACC_REJECT, "550 5.7.1 <>... Access denied");
	F("<x@bogus.example>", ACC_TEMP, BAD_ENTRY);
	F("<x@untagged.example>", ACC_DISCARD, "");
	F("<x@tagged.example>", ACC_REJECT,
	    "550 5.7.1 <x@tagged.example>... Access denied");
	F("<x@partner.example>", ACC_NONE, "");

#define TO(p, wact, wreply) do {						\
	to(&cf, p, &r);							\
	is_str(act_name(r.act), act_name(wact), "To %s: %s", p,		\
	    act_name(wact));						\
	is_str(r.reply, wreply, "To %s: reply", p);			\
} while (0)
	TO("<x@partner.example>", ACC_RELAY, "");
	TO("<x@Sub.Partner.Example>", ACC_RELAY, "");
	TO("<x@notpartner.example>", ACC_NONE, "");
	TO("<x@skip.partner.example>", ACC_NONE, "");
	TO("<x@a.skip.partner.example>", ACC_NONE, "");
	TO("<x@tagged.example>", ACC_RELAY, "");
	TO("<x@untagged.example>", ACC_DISCARD, "");
	TO("<x@spam.example>", ACC_NONE, "");
	TO("<baduser@x.example>", ACC_NONE, "");

	/* The same map built with makemap -f (keys keep their case):
	 * certificate names are compared exactly, and the other keys are
	 * found with their tags as written. */
	buf_reset(&path);
	buf_printf(&path, "%s/exact.db", dir);
	is_int(map_build(path.s, 0644, (gid_t)-1, fill, &fx, &err), EX_OK,
	    "map_build: the access map, keys not folded");
	cf_defaults(&cfx);
	buf_reset(&cftext);
	buf_printf(&cftext, "Kaccess hash %s/exact\n", dir);
	is_int(cf_parse(&cfx, "x.cf", cftext.s, cftext.len, &err), 0,
	    "a cf declaring Kaccess, keys not folded");
	access_connect(&cfx, "192.0.2.7", NULL, &r);
	is_str(r.key, "Connect:192.0.2.7", "-f map: Connect: found as written");
	is_str(act_name(to(&cfx, "<x@partner.example>", &r)), "RELAY",
	    "-f map: To:partner.example RELAY");

#define CERT(c, iss, subj, wact, wkey) do {				\
	access_cert(c, iss, subj, &r);					\
	is_str(act_name(r.act), act_name(wact), "cert %s %s %s: %s", #c,	\
	    iss, subj, act_name(wact));					\
	is_str(r.key, wkey, "cert %s %s %s: key", #c, iss, subj);	\
} while (0)
	CERT(&cfx, "/C=US/O=CA+20One/CN=CA+20One", "/CN=x", ACC_RELAY,
	    "CERTISSUER:/C=US/O=CA+20One/CN=CA+20One");
	CERT(&cfx, "/c=US/o=ca+20ONE/CN=CA+20One", "", ACC_NONE, "");
	CERT(&cfx, "/C=US/O=CA+20One", "/CN=x", ACC_NONE, "");
	CERT(&cfx, "/CN=Sub+20CA", "/CN=client.example", ACC_RELAY,
	    "CERTSUBJECT:/CN=client.example");
	CERT(&cfx, "/CN=Sub+20CA", "/CN=Client.example", ACC_NONE, "");
	CERT(&cfx, "/CN=SUB+20CA", "/CN=client.example", ACC_NONE, "");
	CERT(&cfx, "/CN=Sub+20CA", "/CN=other.example", ACC_NONE, "");
	CERT(&cfx, "/CN=Sub+20CA", "/CN=rejected.example", ACC_NONE, "");
	CERT(&cfx, "/CN=Sub+20CA", "", ACC_NONE, "");
	CERT(&cfx, "/CN=Sub+20CA", "BadCertificateTooLong", ACC_NONE, "");
	CERT(&cfx, "BadCertificateTooLong", "/CN=client.example", ACC_NONE,
	    "");
	CERT(&cfx, "/CN=Reject+20CA", "/CN=client.example", ACC_NONE, "");
	CERT(&cfx, "/CN=Untagged+20CA", "/CN=client.example", ACC_NONE, "");
	CERT(&cfx, "", "/CN=client.example", ACC_NONE, "");
	/* Folded to lower case, an entry cannot tell "/CN=Sub+20CA" from
	 * "/cn=SUB+20ca": it counts for neither. */
	CERT(&cf, "/C=US/O=CA+20One/CN=CA+20One", "/CN=x", ACC_NONE, "");
	CERT(&cf, "/c=us/o=ca+20one/cn=ca+20one", "/CN=x", ACC_NONE, "");
	CERT(&cf, "/CN=Sub+20CA", "/CN=client.example", ACC_NONE, "");

	/* a declared map whose file is missing; optional or not */
	cf_defaults(&cfmiss);
	buf_reset(&cftext);
	buf_printf(&cftext, "Kaccess hash %s/missing\n", dir);
	cf_parse(&cfmiss, "m.cf", cftext.s, cftext.len, &err);
	access_connect(&cfmiss, "192.0.2.7", NULL, &r);
	is_str(act_name(r.act), "TEMP", "a missing map (no -o): TEMP");
	is_str(r.reply, "451 4.3.0 Temporary system failure (access map "
	    "unavailable)", "a missing map (no -o): the reply says so");
	access_cert(&cfmiss, "/CN=Sub+20CA", "/CN=client.example", &r);
	is_str(act_name(r.act), "TEMP", "a missing map: CERTISSUER: TEMP");
	cf_defaults(&cfopt);
	buf_reset(&cftext);
	buf_printf(&cftext, "Kaccess hash -o %s/missing\n", dir);
	cf_parse(&cfopt, "o.cf", cftext.s, cftext.len, &err);
	access_connect(&cfopt, "192.0.2.7", NULL, &r);
	is_str(act_name(r.act), "NONE", "a missing map with -o: no entry");
	map_close_all();

	unlink(path.s);
	buf_reset(&path);
	buf_printf(&path, "%s/access.db", dir);
	unlink(path.s);
	rmdir(dir);
	cf_free(&cf);
	cf_free(&cfx);
	cf_free(&cfmiss);
	cf_free(&cfopt);
	buf_free(&err);
	buf_free(&path);
	buf_free(&cftext);
}

int
main(void)
{
	log_init("access_test", 0);
	test_values();
	test_parse();
	test_lookups();
	return done_testing();
}
