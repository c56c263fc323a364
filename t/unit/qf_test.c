/* qf_test.c - the qf reader against control files written by the real
 * sendmail 8.17 (t/data/qf) and by the session, broken and truncated
 * files, folded headers, the writer's round trip (sendmail's files and
 * the session's messages), and the mailq listing. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "lib/buf.h"
#include "tools/mailq.h"
#include "mail/qf.h"
#include "mail/queue.h"
#include "tap.h"

#define ID_DSN		"6APIV0xD011743"	/* DSN params, folded header */
#define ID_NULL		"6APIV0xE011743"	/* MAIL FROM:<> */
#define ID_DEFER	"6APIV0xF011743"	/* rewritten after a deferral */

static char datadir[4096];

static void
find_data(void)
{
	const char *src = getenv("SOCKMAIL_SRCDIR");

	snprintf(datadir, sizeof(datadir), "%s/t/data/qf",
	    src != NULL ? src : ".");
}

static int
slurp(const char *path, struct buf *out)
{
	char chunk[4096];
	size_t n;
	FILE *f = fopen(path, "rb");

	buf_reset(out);
	if (f == NULL)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(out, chunk, n);
	fclose(f);
	return 0;
}

static void
fixture(const char *id, struct buf *text)
{
	struct buf path = BUF_INIT;

	buf_printf(&path, "%s/qf%s", datadir, id);
	if (slurp(buf_str(&path), text) < 0)
		printf("# cannot read %s: %s\n", buf_str(&path),
		    strerror(errno));
	buf_free(&path);
}

/* Parse text; returns 0/-1 and leaves the error (or "") in err. */
static int
parse(const char *text, struct qf *q, struct buf *err)
{
	buf_reset(err);
	return qf_parse(text, strlen(text), q, err);
}

static void
test_dsn_fixture(void)
{
	struct buf path = BUF_INIT, err = BUF_INIT;
	struct qf q;
	const struct qrcpt *r;
	const struct qf_rextra *x;

	buf_printf(&path, "%s/qf%s", datadir, ID_DSN);
	ok(qf_read(buf_str(&path), &q, &err) == 0, "sendmail qf with DSN "
	    "parameters parses (%s)", buf_str(&err));
	is_str(q.id, ID_DSN, "id from the file name");
	is_int(q.version, 8, "version");
	is_int(q.ctime, 1795631460, "creation time");
	is_int(q.priority, 90132, "priority");
	is_int(q.attempts, 0, "no attempts yet");
	is_str(q.bodytype, "8BITMIME", "body type");
	is_str(q.flags, "8dns", "envelope flags");
	is_str(q.envid, "env+2Bid1", "ENVID kept as xtext");
	is_str(q.sender, "<alice@client.example.net>", "sender as stored");
	ok(q.status == NULL, "no status yet");
	is_str(qf_macro(&q, "_"), "root@localhost", "$_ macro");
	is_str(qf_macro(&q, "r"), "ESMTP", "$r macro");
	is_str(qf_macro(&q, "s"), "client.example.net", "$s macro");
	is_str(qf_macro(&q, "daemon_flags"), "c u", "${daemon_flags}");
	ok(qf_macro(&q, "nope") == NULL, "unknown macro");
	is_int(q.nrcpts, 3, "three recipients");
	r = &q.rcpts[0];
	x = &q.rextra[0];
	is_str(r->addr, "bob@localhost", "recipient 1, without <>");
	ok(!x->bare, "  stored with them");
	is_str(x->flags, "PNSF", "NOTIFY=SUCCESS,FAILURE flags");
	is_int(x->bits, QF_R_PRIMARY | QF_R_NOTIFY | QF_R_SUCCESS |
	    QF_R_FAILURE, "flag bits");
	is_int(r->notify, QN_SET | QN_SUCCESS | QN_FAILURE,
	    "  the session's NOTIFY bits");
	is_str(r->orcpt, "rfc822;bob+2Borig@localhost", "ORCPT from Q line");
	is_str(x->final_rcpt, "RFC822; bob@localhost", "r line");
	is_str(q.rextra[1].flags, "PFD", "default NOTIFY");
	is_int(q.rcpts[1].notify, QN_FAILURE | QN_DELAY,
	    "  no NOTIFY= given");
	ok(q.rcpts[1].orcpt == NULL, "no ORCPT on recipient 2");
	is_str(q.rextra[2].flags, "PN", "NOTIFY=NEVER");
	is_int(q.rcpts[2].notify, QN_SET, "  NOTIFY= given, nothing asked");
	is_int(q.nhdrs, 7, "seven headers");
	is_str(q.hdrs[0].cond, "P", "Return-Path condition");
	is_str(q.hdrs[0].value, " <\x81g>", "macro byte kept");
	is_str(q.hdrs[1].name, "Received", "Received header");
	ok(strstr(q.hdrs[1].value, ";\n\tWed, 25 Nov") != NULL,
	    "Received keeps its fold");
	is_str(q.hdrs[5].cond, "", "client header has empty condition");
	is_str(q.hdrs[5].name, "X-Folded", "folded header name");
	is_str(q.hdrs[5].value, " first part\n\tsecond part\n  third",
	    "folded header value exactly as received");
	is_str(q.hdrs[6].value, " Alice <alice@client.example.net>",
	    "header after the folded one");
	ok(q.terminated, "terminator seen");
	qf_free(&q);
	buf_free(&path);
	buf_free(&err);
}

static void
test_other_fixtures(void)
{
	struct buf path = BUF_INIT, err = BUF_INIT;
	struct qf q;

	buf_printf(&path, "%s/qf%s", datadir, ID_NULL);
	ok(qf_read(buf_str(&path), &q, &err) == 0, "null-sender qf parses");
	is_str(q.sender, "<>", "null sender");
	is_str(q.flags, "s", "split flag");
	ok(q.bodytype == NULL && q.envid == NULL, "no B, no Z");
	qf_free(&q);

	buf_reset(&path);
	buf_printf(&path, "%s/qf%s", datadir, ID_DEFER);
	ok(qf_read(buf_str(&path), &q, &err) == 0, "deferred qf parses");
	is_int(q.attempts, 1, "one attempt");
	is_int(q.dtime, 1795631462, "last attempt time");
	is_str(q.inode, "254/0/10958998", "I line kept");
	is_str(q.status, "Deferred: local mailer (/tmp/smt/capture.sh) "
	    "exited with EX_TEMPFAIL", "status message");
	is_int(q.nrcpts, 1, "delivered recipient is gone");
	is_str(q.rcpts[0].addr, "tempfail@localhost", "pending recipient");
	is_str(q.hdrs[3].cond, "F", "From: added by sendmail");
	qf_free(&q);
	buf_free(&path);
	buf_free(&err);
}

/* qf_format() gives back exactly what sendmail wrote. */
static void
test_roundtrip(void)
{
	static const char *ids[] = { ID_DSN, ID_NULL, ID_DEFER };
	struct buf text = BUF_INIT, out = BUF_INIT, err = BUF_INIT;
	struct qf q;
	size_t i;

	for (i = 0; i < 3; i++) {
		fixture(ids[i], &text);
		buf_reset(&out);
		if (parse(buf_str(&text), &q, &err) == 0) {
			qf_format(&out, &q);
			qf_free(&q);
		}
		is_str(buf_str(&out), buf_str(&text), "qf%s written back "
		    "byte for byte", ids[i]);
	}
	buf_free(&text);
	buf_free(&out);
	buf_free(&err);
}

/* A message as smtpd_data.c's message_end() describes it, every field
 * the session fills in set. */
static void
session_env(struct qenv *e, const struct qrcpt *rcpts, size_t n)
{
	memset(e, 0, sizeof(*e));
	e->ctime = 1795524287;
	e->sender = "alice@client.example";
	e->envid = "env+2Bid1";
	e->auth = "alice+40client.example";
	e->ret = 2;
	e->body_8bitmime = 1;
	e->has_8bit = 1;
	e->smtputf8 = 1;
	e->client_macro = "client.example [192.0.2.1]";
	e->client_addr = "192.0.2.1";
	e->proto = "ESMTPSA";
	e->helo = "client.example";
	e->daemon_name = "MSA";
	e->rcpts = rcpts;
	e->nrcpts = n;
	e->size = 1234;
	e->df_size = 1000;
}

/* Format, parse, format again: the session's text and the reader's
 * agree, byte for byte; what was read is what the session said. */
static void
test_session_roundtrip(void)
{
	static const struct qrcpt rcpts[] = {
		{ "bob@example.org", "rfc822;bob+2Borig@example.org",
		    QN_SET | QN_SUCCESS | QN_FAILURE },
		{ "carol@example.org", NULL, 0 },
		{ "dave@example.org", NULL, QN_SET },
		{ "erin@example.org", "rfc822;erin@example.org",
		    QN_SET | QN_DELAY },
	};
	struct buf hdrs = BUF_INIT, text = BUF_INIT, again = BUF_INIT,
	    err = BUF_INIT;
	struct qenv e;
	struct qf q;
	size_t i, same = 0;

	buf_adds(&hdrs, "H??Received: from client.example\n\tby mx; "
	    "Wed, 25 Nov 2026 12:44:47 +0000\nH??Subject: t\n"
	    "H??X-Folded: first\n\tsecond\n");
	session_env(&e, rcpts, 4);
	queue_format_qf(&text, &e, &hdrs);
	ok(parse(buf_str(&text), &q, &err) == 0, "the session's qf parses "
	    "(%s)", buf_str(&err));
	is_str(q.sender, "<alice@client.example>", "  sender");
	is_int(q.ctime, 1795524287, "  creation time");
	is_int(q.priority, 1234 + 4 * 30000, "  priority");
	is_str(q.flags, "8dn", "  flags: 8-bit, RET=HDRS");
	is_str(q.bodytype, "8BITMIME", "  body type");
	is_str(q.envid, "env+2Bid1", "  ENVID");
	is_str(q.auth, "alice+40client.example", "  AUTH=");
	is_str(qf_macro(&q, "_"), "client.example [192.0.2.1]", "  $_");
	is_str(qf_macro(&q, "client_addr"), "192.0.2.1", "  ${client_addr}");
	is_str(qf_macro(&q, "r"), "ESMTPSA", "  $r");
	is_str(qf_macro(&q, "s"), "client.example", "  $s");
	is_str(qf_macro(&q, "daemon_name"), "MSA", "  ${daemon_name}");
	is_str(qf_macro(&q, "sockmail_dfsize"), "1000", "  the df size");
	is_int(q.nrcpts, 4, "  four recipients");
	for (i = 0; i < q.nrcpts && i < 4; i++)
		if (strcmp(q.rcpts[i].addr, rcpts[i].addr) == 0 &&
		    q.rcpts[i].notify == (rcpts[i].notify & QN_SET ?
		    rcpts[i].notify : (QN_FAILURE | QN_DELAY)) &&
		    (rcpts[i].orcpt == NULL ? q.rcpts[i].orcpt == NULL :
		    q.rcpts[i].orcpt != NULL &&
		    strcmp(q.rcpts[i].orcpt, rcpts[i].orcpt) == 0))
			same++;
	is_int(same, 4, "  each with its address, NOTIFY and ORCPT");
	is_int(q.nhdrs, 3, "  three headers");
	is_str(q.hdrs[2].value, " first\n\tsecond", "  the fold kept");
	qf_format(&again, &q);
	qf_free(&q);
	is_str(buf_str(&again), buf_str(&text), "  formatted again: the "
	    "same bytes");

	/* The fewest fields: <>, no DSN, no BODY=, a local submission. */
	memset(&e, 0, sizeof(e));
	e.sender = "";
	e.client_macro = "root@localhost";
	e.client_addr = "";
	e.proto = "SMTP";
	e.rcpts = rcpts + 1;
	e.nrcpts = 1;
	buf_reset(&text);
	buf_reset(&again);
	buf_reset(&hdrs);
	buf_adds(&hdrs, "H??Subject: x\n");
	queue_format_qf(&text, &e, &hdrs);
	is_str(buf_str(&text), "V8\nT0\nK0\nN0\nP30000\n$_root@localhost\n"
	    "$rSMTP\n${sockmail_dfsize}0\nS<>\nRPFD:<carol@example.org>\n"
	    "H??Subject: x\n.\n", "a bare message: the text");
	if (parse(buf_str(&text), &q, &err) == 0) {
		qf_format(&again, &q);
		qf_free(&q);
	}
	is_str(buf_str(&again), buf_str(&text), "  read and written back");
	buf_free(&hdrs);
	buf_free(&text);
	buf_free(&again);
	buf_free(&err);
}

/* A control file a session wrote (sockmail -bs, t/data/qf has only
 * sendmail's): DSN parameters, a NOTIFY=NEVER, a folded header. */
static const char session_qf[] =
    "V8\nT1796686446\nK0\nN0\nP60245\nB8BITMIME\nF8dn\n$_local@localhost\n"
    "$rESMTP\n${sockmail_dfsize}8\n$sclient.example\nS<alice@client.example>\n"
    "Zenv+2Bid1\nQrfc822;bob+2Borig@localhost\nRPNSF:<postmaster@localhost>\n"
    "RPN:<Postmaster@mx.test.example>\n"
    "H??Received: from client.example (local@localhost)\n"
    "\tby mx.test.example (sockmail) with ESMTP id 6B7NY6iX011647; "
    "Mon, 07 Dec 2026 23:34:06 +0000\n"
    "H??Subject: session fixture\n"
    "H??From: Alice <alice@client.example>\n"
    "H??X-Folded: first\n\tsecond\n.\n";

static void
test_session_file(void)
{
	struct buf out = BUF_INIT, err = BUF_INIT;
	struct qf q;

	ok(parse(session_qf, &q, &err) == 0, "a qf the session wrote parses "
	    "(%s)", buf_str(&err));
	is_int(q.nrcpts, 2, "  two recipients");
	is_str(q.rcpts[0].orcpt, "rfc822;bob+2Borig@localhost", "  ORCPT");
	is_int(q.rcpts[1].notify, QN_SET, "  NOTIFY=NEVER");
	qf_format(&out, &q);
	qf_free(&q);
	is_str(buf_str(&out), session_qf, "  written back byte for byte");
	buf_free(&out);
	buf_free(&err);
}

/* Every prefix of a real qf shorter than "...\n." is refused. */
static void
test_truncated(void)
{
	struct buf text = BUF_INIT, err = BUF_INIT;
	struct qf q;
	size_t len, bad = 0;

	fixture(ID_DSN, &text);
	for (len = 0; len + 1 < text.len; len++) {
		buf_reset(&err);
		if (qf_parse(text.s, len, &q, &err) == 0) {
			qf_free(&q);
			bad++;
			printf("# prefix of %zu bytes accepted\n", len);
		}
	}
	ok(bad == 0 && text.len > 100, "all %zu shorter prefixes refused",
	    text.len - 1);
	ok(qf_parse(text.s, text.len - 1, &q, &err) == 0,
	    "missing newline after the final '.' is fine");
	qf_free(&q);
	buf_reset(&err);
	ok(qf_parse(text.s, text.len - 2, &q, &err) < 0, "cut before the .");
	is_str(buf_str(&err), "truncated control file", "error message");
	buf_free(&text);
	buf_free(&err);
}

struct bad {
	const char *text, *err;
};

static const struct bad bads[] = {
	{ "", "empty control file" },
	{ "T1\nS<a@b>\n.\n",
	    "line 1: control file does not start with a version line" },
	{ "V9\nS<a@b>\n.\n", "line 1: unsupported queue file version 9" },
	{ "V0\nS<a@b>\n.\n", "line 1: unsupported queue file version 0" },
	{ "Vx\nS<a@b>\n.\n", "line 1: bad number" },
	{ "V8\nS<a@b>\nRPFD:<b@c>\n", "truncated control file" },
	{ "V8\nS<a@b>\n.\nRPFD:<b@c>\n",
	    "line 4: data after the end of the control file" },
	{ "V8\nS<a@b>\n.\n\n",
	    "line 4: data after the end of the control file" },
	{ "V8\nXfoo\nS<a@b>\n.\n", "line 2: unrecognized line" },
	{ "V8\n\nS<a@b>\n.\n", "line 2: empty line" },
	{ "V8\nS<a@b>\nBFOO\n.\n", "line 3: bad body type" },
	{ "V8\nS<a@b>\nRPFD<b@c>\n.\n", "line 3: recipient line without ':'" },
	{ "V8\nS<a@b>\nRPFD:\n.\n", "line 3: empty recipient" },
	{ "V8\nS<a@b>\nH??Subject\n.\n",
	    "line 3: header line without a field name" },
	{ "V8\nS<a@b>\nH?PSubject: x\n.\n",
	    "line 3: header condition without closing '?'" },
	{ "V8\nS<a@b>\nT12x\n.\n", "line 3: bad number" },
	{ "V8\nS<a@b>\nP\n.\n", "line 3: bad number" },
	{ "V8\nS<a@b>\n${daemon_flags\n.\n", "line 3: bad macro name" },
	{ "V8\nS<a@b>\n$\n.\n", "line 3: macro line without a name" },
	{ "V8\nFrom evil Mon Jan  1\nS<a@b>\n.\n",
	    "line 2: bogus \"From \" line" },
	{ "V8\nRPFD:<b@c>\n.\n", "no sender (S line) in control file" },
	{ " V8\nS<a@b>\n.\n",
	    "line 1: continuation line without a line before it" },
	{ "V8\nS<a@b>\n.x\n", "line 3: unrecognized line" },
};

static void
test_bad(void)
{
	struct buf err = BUF_INIT;
	struct qf q;
	size_t i;

	for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		ok(parse(bads[i].text, &q, &err) < 0, "bad qf %zu refused", i);
		is_str(buf_str(&err), bads[i].err, "  with the right message");
	}
	buf_reset(&err);
	ok(qf_parse("V8\nS<a\0b>\n.\n", 12, &q, &err) < 0 &&
	    strcmp(buf_str(&err), "line 2: NUL byte in control file") == 0,
	    "NUL byte refused (%s)", buf_str(&err));
	buf_free(&err);
}

static void
test_tolerated(void)
{
	struct buf err = BUF_INIT, out = BUF_INIT;
	struct qf q;

	ok(parse("V8\r\nT5\r\nS<a@b>\r\nRPFD:<b@c>\r\nH??X: y\r\n\tz\r\n.\r\n",
	    &q, &err) == 0, "CRLF line ends (%s)", buf_str(&err));
	is_str(q.hdrs[0].value, " y\n\tz", "  fold without CRs");
	is_str(q.rcpts[0].addr, "b@c", "  recipient without CR");
	qf_free(&q);
	ok(parse("V8\nS<a@b>\nRPXYZ:b@c\nDold\nEold\nLold\nHSubject:x\n.",
	    &q, &err) == 0, "obsolete lines, odd flags, no brackets, no "
	    "newline at the end (%s)", buf_str(&err));
	is_str(q.rextra[0].flags, "PXYZ", "  unknown flags kept");
	is_int(q.rextra[0].bits, QF_R_PRIMARY, "  and ignored");
	ok(q.rextra[0].bare && strcmp(q.rcpts[0].addr, "b@c") == 0,
	    "  an address without <> is kept as it is");
	ok(q.hdrs[0].cond == NULL, "  header without condition");
	ok(!q.has_ctime && q.dtime == 0 && q.priority == 0, "  no T/K/P");
	qf_free(&q);
	ok(parse("V8\nMold status\nS<a@b>\nC:root\nMrcpt status\nQrfc822;x\n"
	    "RPFD:<b@c>\nC\nRPFD:<d@e>\n.\n", &q, &err) == 0,
	    "status and controlling user lines");
	is_str(q.status, "old status", "  envelope status before S");
	is_str(q.rextra[0].status, "rcpt status", "  recipient status");
	is_str(q.rextra[0].ctladdr, ":root", "  controlling user");
	ok(q.rextra[1].ctladdr == NULL && q.rcpts[1].orcpt == NULL &&
	    q.rextra[1].status == NULL, "  reset for the next recipient");
	qf_format(&out, &q);
	is_str(buf_str(&out), "V8\nK0\nN0\nP0\nMold status\nS<a@b>\n"
	    "Mrcpt status\nC:root\nQrfc822;x\nRPFD:<b@c>\nC\nRPFD:<d@e>\n.\n",
	    "  written back in sendmail's order");
	qf_free(&q);
	buf_free(&err);
	buf_free(&out);
}

/* A struct built by hand: newlines in envelope values never reach the
 * file; header folds do. */
static void
test_format_sanitizes(void)
{
	struct buf out = BUF_INIT, err = BUF_INIT;
	struct qf q, q2;
	struct qrcpt r = { "b@c>\nRbad:<x@y", NULL, 0 };
	struct qf_rextra x = { "PFD", 0, 0, NULL, NULL, NULL };
	struct qf_header h = { "", "Subject", " a\n\tb\nHevil: c\r" };

	memset(&q, 0, sizeof(q));
	q.version = 8;
	q.sender = "<a@b>\n.";
	q.rcpts = &r;
	q.rextra = &x;
	q.nrcpts = 1;
	q.hdrs = &h;
	q.nhdrs = 1;
	qf_format(&out, &q);
	is_str(buf_str(&out), "V8\nK0\nN0\nP0\nS<a@b> .\n"
	    "RPFD:<b@c> Rbad:<x@y>\nH??Subject: a\n\tb Hevil: c \n.\n",
	    "newlines in values cannot make new lines");
	ok(parse(buf_str(&out), &q2, &err) == 0 && q2.nrcpts == 1 &&
	    q2.nhdrs == 1, "and the result parses as one of each");
	qf_free(&q2);
	buf_free(&out);
	buf_free(&err);
}

static void
test_read_errors(void)
{
	struct buf err = BUF_INIT;
	struct qf q;

	ok(qf_read("/nonexistent/qfX", &q, &err) < 0 &&
	    strcmp(buf_str(&err), "/nonexistent/qfX: No such file or "
	    "directory") == 0, "missing file (%s)", buf_str(&err));
	buf_reset(&err);
	ok(qf_read(datadir, &q, &err) < 0 &&
	    strstr(buf_str(&err), "not a regular file") != NULL,
	    "a directory is refused (%s)", buf_str(&err));
	buf_free(&err);
}


/* Copy the fixture files into dir (or dir/qf and dir/df). */
static void
copy_fixtures(const char *dir, int subdirs)
{
	static const char *ids[] = { ID_DSN, ID_NULL, ID_DEFER };
	struct buf from = BUF_INIT, to = BUF_INIT, text = BUF_INIT;
	size_t i, k;
	FILE *f;

	for (i = 0; i < 3; i++) {
		for (k = 0; k < 2; k++) {
			const char *kind = k == 0 ? "qf" : "df";

			buf_reset(&from);
			buf_reset(&to);
			buf_printf(&from, "%s/%s%s", datadir, kind, ids[i]);
			buf_printf(&to, "%s/%s%s%s", dir, subdirs ? kind : "",
			    subdirs ? "/" : "", kind);
			buf_printf(&to, "%s", ids[i]);
			if (slurp(buf_str(&from), &text) < 0 ||
			    (f = fopen(buf_str(&to), "wb")) == NULL) {
				printf("# cannot copy %s\n", buf_str(&from));
				continue;
			}
			fwrite(text.s, 1, text.len, f);
			fclose(f);
		}
	}
	buf_free(&from);
	buf_free(&to);
	buf_free(&text);
}

/* Run mailq_main on dir; its output into out, its code returned. */
static int
run_mailq(const char *dir, struct buf *out)
{
	char *mem = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&mem, &len);
	int rc;

	rc = mailq_main(dir, f);
	fclose(f);
	buf_reset(out);
	buf_add(out, mem, len);
	free(mem);
	return rc;
}

static void
expected_listing(const char *dir, struct buf *want)
{
	struct buf path = BUF_INIT, exp = BUF_INIT;

	buf_printf(&path, "%s/mailq.expected", datadir);
	slurp(buf_str(&path), &exp);
	buf_reset(want);
	buf_printf(want, "\t\t%s (3 requests)\n%s", dir, buf_str(&exp));
	buf_free(&path);
	buf_free(&exp);
}

static void
rm_rf(const char *dir)
{
	struct buf cmd = BUF_INIT;

	buf_printf(&cmd, "rm -rf '%s'", dir);
	if (system(buf_str(&cmd)) != 0)
		printf("# cannot remove %s\n", dir);
	buf_free(&cmd);
}

static void
test_mailq_fixtures(void)
{
	char dir[] = "/tmp/qf_test.XXXXXX";
	struct buf out = BUF_INIT, want = BUF_INIT, p = BUF_INIT;
	int fd;

	if (mkdtemp(dir) == NULL) {
		ok(0, "mkdtemp: %s", strerror(errno));
		return;
	}
	copy_fixtures(dir, 0);
	expected_listing(dir, &want);
	is_int(run_mailq(dir, &out), EX_OK, "mailq exit code");
	is_str(buf_str(&out), buf_str(&want), "listing identical to "
	    "sendmail -bp's");

	buf_printf(&p, "%s/qf%s", dir, ID_DSN);
	fd = open(buf_str(&p), O_RDONLY);
	ok(fd >= 0 && flock(fd, LOCK_EX) == 0, "lock one qf");
	run_mailq(dir, &out);
	ok(strstr(buf_str(&out), "\n" ID_DSN "*      32 ") != NULL,
	    "locked message marked with '*'");
	close(fd);

	buf_reset(&p);
	buf_printf(&p, "%s/df%s", dir, ID_NULL);
	unlink(buf_str(&p));
	run_mailq(dir, &out);
	ok(strstr(buf_str(&out), "\n" ID_NULL "       -1 ") != NULL,
	    "missing df shown as size -1");
	rm_rf(dir);
	buf_free(&out);
	buf_free(&want);
	buf_free(&p);
}

static void
test_mailq_subdirs(void)
{
	char dir[] = "/tmp/qf_test.XXXXXX";
	struct buf out = BUF_INIT, want = BUF_INIT, p = BUF_INIT;

	if (mkdtemp(dir) == NULL) {
		ok(0, "mkdtemp: %s", strerror(errno));
		return;
	}
	buf_printf(&p, "%s/qf", dir);
	mkdir(buf_str(&p), 0700);
	buf_reset(&p);
	buf_printf(&p, "%s/df", dir);
	mkdir(buf_str(&p), 0700);
	copy_fixtures(dir, 1);
	expected_listing(dir, &want);
	run_mailq(dir, &out);
	is_str(buf_str(&out), buf_str(&want), "qf/ and df/ subdirectories");
	rm_rf(dir);
	buf_free(&out);
	buf_free(&want);
	buf_free(&p);
}

static void
put_file(const char *dir, const char *name, const char *text)
{
	struct buf p = BUF_INIT;
	FILE *f;

	buf_printf(&p, "%s/%s", dir, name);
	if ((f = fopen(buf_str(&p), "w")) != NULL) {
		fputs(text, f);
		fclose(f);
	}
	buf_free(&p);
}

static void
test_mailq_empty(void)
{
	char dir[] = "/tmp/qf_test.XXXXXX";
	struct buf out = BUF_INIT, want = BUF_INIT;

	if (mkdtemp(dir) == NULL) {
		ok(0, "mkdtemp: %s", strerror(errno));
		return;
	}
	buf_printf(&want, "%s is empty\n\t\tTotal requests: 0\n", dir);
	is_int(run_mailq(dir, &out), EX_OK, "empty queue: exit code");
	is_str(buf_str(&out), buf_str(&want), "empty queue listing");
	put_file(dir, "tfAAAAAAAA000001", "V8\nS<a@b>\nRPFD:<c@d>\n.\n");
	put_file(dir, "dfAAAAAAAA000001", "body\n");
	put_file(dir, "qfAAAAAAAA000002", "V8\nS<a@b>\nRPFD:<c@d>\n");
	put_file(dir, "QfAAAAAAAA000003", "V8\nS<a@b>\nRPFD:<c@d>\n.\n");
	printf("# a message about a truncated qfAAAAAAAA000002 is expected "
	    "on stderr\n");
	fflush(stdout);
	run_mailq(dir, &out);
	is_str(buf_str(&out), buf_str(&want), "tf, lost and broken files "
	    "are not listed");
	put_file(dir, "qfAAAAAAAA000004", "V8\nP5\nS<a\\b\001c@d>\n"
	    "RPFD:<0123456789012345678901234567890123456789@d>\n.\n");
	run_mailq(dir, &out);
	ok(strstr(buf_str(&out), "AAAAAAAA000004       -1 Thu Jan  1 00:00 "
	    "<a\\\\b\\001c@d>\n\t\t\t\t\t <0123456789012345678901234567890123456"
	    " (no control file)\n") != NULL, "escapes, truncation, no T line");
	rm_rf(dir);
	is_int(run_mailq("/nonexistent/mqueue", &out), EX_NOINPUT,
	    "missing queue directory");
	buf_free(&out);
	buf_free(&want);
}

static void
test_mailq(void)
{
	test_mailq_fixtures();
	test_mailq_subdirs();
	test_mailq_empty();
}

int
main(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	find_data();
	test_dsn_fixture();
	test_other_fixtures();
	test_roundtrip();
	test_session_roundtrip();
	test_session_file();
	test_truncated();
	test_bad();
	test_tolerated();
	test_format_sanitizes();
	test_read_errors();
	test_mailq();
	return done_testing();
}
