/* dsn_test.c - delivery status notifications: a bounce for two failed
 * recipients checked field by field, RET=HDRS, NOTIFY=NEVER and
 * SUCCESS, a delay warning, CR/LF in envelope text, a boundary planted
 * in the original, the <> sender and its postmaster copy, and output to
 * an fd.  "dsn_test print KIND" writes one report to stdout for
 * t/72-dsn.t, which reads it with Python's email parser. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/buf.h"
#include "mail/dsn.h"
#include "mail/qf.h"
#include "tap.h"

#define T0	1700000000		/* Tue, 14 Nov 2023 22:13:20 +0000 */
#define NOW	(T0 + 4 * 3600 + 5)

static const char *qf_text =
    "V8\nT1700000000\nK0\nN0\nP90000\nFd\n"
    "$_client.example.net [192.0.2.7]\n$rESMTP\n"
    "S<alice@example.org>\nZenv+2B42\n"
    "Qrfc822;bob+2Bx@example.com\nRPFD:<bob@example.com>\n"
    "RPFD:<carol@example.com>\n"
    "H??Subject: lunch\nH??From: Alice <alice@example.org>\n.\n";

static const char *hdrs =
    "Received: from client.example.net\n\tby mx.test.example; x\n"
    "Subject: lunch\nFrom: Alice <alice@example.org>\n"
    "To: bob@example.com, carol@example.com\n";

static struct dsn_rcpt rc[] = {
	{ "bob@example.com", "rfc822;bob+2Bx@example.com", 0, DSN_FAILED,
	  "5.1.1", "smtp; 550 5.1.1 <bob@example.com>... User unknown",
	  "mx.example.com.", T0 + 60, 0 },
	{ "carol@example.com", NULL, 0, DSN_FAILED, "5.2.2",
	  "smtp; 552 5.2.2 Mailbox full", NULL, 0, 0 },
	{ "dave@example.com", NULL, 0, DSN_DELIVERED, NULL, NULL, NULL, 0,
	  0 },
};

static struct qf q;

static int
body_file(const char *text, size_t len)
{
	char path[] = "/tmp/dsn_test.XXXXXX";
	int fd = mkstemp(path);

	if (fd < 0)
		return -1;
	unlink(path);
	if (write(fd, text, len) != (ssize_t)len) {
		close(fd);
		return -1;
	}
	return fd;
}

static void
sample(struct dsn_msg *m, int fd)
{
	memset(m, 0, sizeof(*m));
	m->qf = &q;
	m->qid = "3ALnKD0x012345";
	m->headers = hdrs;
	m->hlen = strlen(hdrs);
	m->body_fd = fd;
	m->reporting_mta = "mx.test.example";
	m->new_id = "3ALnKD0y012346";
	m->now = NOW;
	m->rcpts = rc;
	m->nrcpts = 3;
}

/* The boundary of a report (from its Content-Type), into b. */
static void
boundary_of(const char *t, char *b, size_t n)
{
	const char *p = strstr(t, "boundary=\""), *e;

	b[0] = '\0';
	if (p == NULL || (e = strchr(p += 10, '"')) == NULL ||
	    (size_t)(e - p) >= n)
		return;
	memcpy(b, p, (size_t)(e - p));
	b[e - p] = '\0';
}

/* Part i (0-based) of report t, its header and body, into out. */
static void
part(const char *t, int i, struct buf *out)
{
	char b[128], delim[140];
	const char *p, *e;

	buf_reset(out);
	boundary_of(t, b, sizeof(b));
	snprintf(delim, sizeof(delim), "\n--%s", b);
	for (p = t; i-- >= 0; p += strlen(delim) + 1)
		if ((p = strstr(p, delim)) == NULL)
			return;
	if ((e = strstr(p, delim)) != NULL)
		buf_add(out, p, (size_t)(e - p));
}

static int
starts(const char *t, const char *s)
{
	return strncmp(t, s, strlen(s)) == 0;
}

static int
ends(const struct buf *b, const char *s)
{
	size_t n = strlen(s);

	return b->len >= n && memcmp(b->s + b->len - n, s, n) == 0;
}

/* Is there a line in t that starts with s? */
static int
has_line(const char *t, const char *s)
{
	size_t n = strlen(s);

	for (; t != NULL && *t != '\0'; t = strchr(t, '\n'), t = t ? t + 1 : t)
		if (strncmp(t, s, n) == 0)
			return 1;
	return 0;
}

static void
test_bounce(int fd)
{
	struct buf out = BUF_INIT, err = BUF_INIT, p = BUF_INIT;
	struct dsn_msg m;
	char b[128];

	sample(&m, fd);
	ok(dsn_due(&m), "two failures: a report is due");
	ok(dsn_wanted(&m, &rc[0]) && !dsn_wanted(&m, &rc[2]),
	    "no NOTIFY: failures reported, a delivery not");
	is_str(dsn_return_to(&m, &p), "alice@example.org",
	    "goes back to the envelope sender");
	is_int(dsn_build(&m, &out, &err), 0, "built: %s", buf_str(&err));
	boundary_of(buf_str(&out), b, sizeof(b));
	is_str(b, "3ALnKD0y012346.1700014405/mx.test.example",
	    "sendmail's boundary: new id, time, $j");
	ok(starts(buf_str(&out), "Date: Wed, 15 Nov 2023 02:13:25 +0000\n"
	    "From: Mail Delivery Subsystem <MAILER-DAEMON@mx.test.example>\n"
	    "Message-Id: <202311150213.3ALnKD0y012346@mx.test.example>\n"
	    "To: <alice@example.org>\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/report; report-type=delivery-status;\n"
	    "\tboundary=\"3ALnKD0y012346.1700014405/mx.test.example\"\n"
	    "Subject: Returned mail: see transcript for details\n"
	    "Auto-Submitted: auto-replied\n\n"
	    "This is a MIME-encapsulated message\n\n--"),
	    "the report's header, in sendmail's order");
	part(buf_str(&out), 0, &p);
	is_str(buf_str(&p), "\n"
	    "The original message was received at Tue, 14 Nov 2023 "
	    "22:13:20 +0000\nfrom client.example.net [192.0.2.7]\n\n"
	    "   ----- The following addresses had permanent fatal errors "
	    "-----\n<bob@example.com>\n"
	    "    (reason: 550 5.1.1 <bob@example.com>... User unknown)\n"
	    "<carol@example.com>\n    (reason: 552 5.2.2 Mailbox full)\n\n"
	    "   ----- Transcript of session follows -----\n"
	    "550 5.1.1 <bob@example.com>... User unknown\n"
	    "552 5.2.2 Mailbox full\n", "part 1: the human text");
	part(buf_str(&out), 1, &p);
	is_str(buf_str(&p), "Content-Type: message/delivery-status\n\n"
	    "Original-Envelope-Id: env+42\n"
	    "Reporting-MTA: dns; mx.test.example\n"
	    "Received-From-MTA: dns; client.example.net\n"
	    "Arrival-Date: Tue, 14 Nov 2023 22:13:20 +0000\n\n"
	    "Original-Recipient: rfc822;bob+x@example.com\n"
	    "Final-Recipient: rfc822; bob@example.com\n"
	    "Action: failed\nStatus: 5.1.1\nRemote-MTA: dns; mx.example.com\n"
	    "Diagnostic-Code: smtp; 550 5.1.1 <bob@example.com>... "
	    "User unknown\n"
	    "Last-Attempt-Date: Tue, 14 Nov 2023 22:14:20 +0000\n\n"
	    "Final-Recipient: rfc822; carol@example.com\n"
	    "Action: failed\nStatus: 5.2.2\n"
	    "Diagnostic-Code: smtp; 552 5.2.2 Mailbox full\n"
	    "Last-Attempt-Date: Wed, 15 Nov 2023 02:13:25 +0000\n",
	    "part 2: per-message and per-recipient fields");
	part(buf_str(&out), 2, &p);
	ok(starts(buf_str(&p), "Content-Type: message/rfc822\n\nReceived: "
	    "from client"), "part 3: message/rfc822");
	ok(strstr(buf_str(&p), "carol@example.com\n\nHello Bob,\n"
	    "see you at noon.\n") != NULL, "the whole original goes back");
	ok(ends(&out, "see you at noon.\n\n--3ALnKD0y012346."
	    "1700014405/mx.test.example--\n"), "the closing delimiter ends it");
	buf_reset(&p);
	dsn_log_text(&m, &p);
	is_str(buf_str(&p), "3ALnKD0y012346: DSN: Returned mail: see "
	    "transcript for details", "sendmail's DSN log line");
	m.message = "User unknown";
	buf_reset(&p);
	dsn_log_text(&m, &p);
	is_str(buf_str(&p), "3ALnKD0y012346: DSN: User unknown",
	    "the log line with the reason");
	buf_free(&out);
	buf_free(&err);
	buf_free(&p);
}

static void
test_hdrs_and_limit(int fd)
{
	struct buf out = BUF_INIT, err = BUF_INIT, p = BUF_INIT;
	struct qf q2 = q;
	struct dsn_msg m;

	sample(&m, fd);
	m.qf = &q2;
	q2.flags = "dn";		/* RET=HDRS */
	is_int(dsn_build(&m, &out, &err), 0, "RET=HDRS built");
	part(buf_str(&out), 2, &p);
	ok(starts(buf_str(&p), "Content-Type: text/rfc822-headers\n\n"
	    "Received: "), "RET=HDRS: text/rfc822-headers");
	ok(ends(&p, "carol@example.com\n") &&
	    strstr(buf_str(&out), "Hello Bob") == NULL,
	    "RET=HDRS: the headers, no body");
	q2.flags = "d";
	buf_reset(&out);
	m.max_return = 100;
	is_int(dsn_build(&m, &out, &err), 0, "over the limit: built");
	part(buf_str(&out), 2, &p);
	ok(starts(buf_str(&p), "Content-Type: text/rfc822-headers\n") &&
	    strstr(buf_str(&out), "Hello Bob") == NULL,
	    "an original over max_return goes back as headers only");
	buf_reset(&out);
	m.max_return = 100000;
	dsn_build(&m, &out, &err);
	ok(strstr(buf_str(&out), "Hello Bob") != NULL,
	    "under the limit: the body goes back");
	buf_free(&out);
	buf_free(&err);
	buf_free(&p);
}

static void
test_notify(int fd)
{
	struct buf out = BUF_INIT, err = BUF_INIT, p = BUF_INIT;
	struct dsn_rcpt r[3];
	struct dsn_msg m;

	sample(&m, fd);
	memcpy(r, rc, sizeof(r));
	m.rcpts = r;
	r[0].notify = QN_SET;			/* NOTIFY=NEVER */
	r[1].notify = QN_SET | QN_SUCCESS;	/* failure not asked for */
	ok(!dsn_wanted(&m, &r[0]) && !dsn_wanted(&m, &r[1]) &&
	    !dsn_due(&m), "NOTIFY=NEVER and NOTIFY=SUCCESS failures: none due");
	is_int(dsn_build(&m, &out, &err), -1, "no report built");
	ok(strstr(buf_str(&err), "send none") != NULL && out.len == 0,
	    "the reason: %s", buf_str(&err));
	r[1].notify = QN_SET | QN_FAILURE;
	buf_reset(&err);
	is_int(dsn_build(&m, &out, &err), 0, "NOTIFY=FAILURE: reported");
	part(buf_str(&out), 0, &p);
	ok(strstr(buf_str(&p), "bob@example.com") == NULL, "not in part 1");
	part(buf_str(&out), 1, &p);
	ok(strstr(buf_str(&p), "bob@example.com") == NULL &&
	    strstr(buf_str(&p), "Final-Recipient: rfc822; carol@") != NULL,
	    "the NOTIFY=NEVER recipient is not in it");
	/* a return receipt */
	r[1].action = DSN_DELIVERED;
	r[1].notify = QN_SET | QN_SUCCESS;
	r[1].status = NULL;
	r[1].diag = NULL;
	buf_reset(&out);
	is_int(dsn_build(&m, &out, &err), 0, "NOTIFY=SUCCESS: a receipt");
	part(buf_str(&out), 1, &p);
	ok(strstr(buf_str(&p), "Final-Recipient: rfc822; carol@example.com\n"
	    "Action: delivered\nStatus: 2.0.0\n") != NULL &&
	    strstr(buf_str(&p), "dave") == NULL,
	    "Action: delivered, the generic 2.0.0");
	ok(has_line(buf_str(&out), "Subject: Return receipt") &&
	    strstr(buf_str(&out), "<carol@example.com>  (successfully "
	    "delivered to mailbox)\n") != NULL, "sendmail's receipt wording");
	part(buf_str(&out), 2, &p);
	ok(starts(buf_str(&p), "Content-Type: text/rfc822-headers\n"),
	    "a receipt returns the headers only");
	buf_free(&out);
	buf_free(&err);
	buf_free(&p);
}

static void
test_delay(int fd)
{
	struct buf out = BUF_INIT, err = BUF_INIT, p = BUF_INIT;
	struct dsn_rcpt r[1];
	struct dsn_msg m;

	sample(&m, fd);
	r[0] = rc[1];
	r[0].action = DSN_DELAYED;
	r[0].status = "4.4.1";
	r[0].diag = "smtp; 421 4.4.1 try later";
	r[0].remote_mta = "mx.example.com";
	r[0].retry_until = T0 + 5 * 86400;
	m.rcpts = r;
	m.nrcpts = 1;
	m.warn_after = 4 * 3600;
	is_int(dsn_build(&m, &out, &err), 0, "delay report built");
	ok(has_line(buf_str(&out), "Subject: Warning: could not send message "
	    "for past 4 hours\n"), "sendmail's warning Subject");
	part(buf_str(&out), 0, &p);
	ok(strstr(buf_str(&p), "THIS IS A WARNING MESSAGE ONLY") != NULL &&
	    strstr(buf_str(&p), "transient non-fatal errors -----\n"
	    "<carol@example.com>\n    (reason: 421 4.4.1 try later)\n") &&
	    strstr(buf_str(&p), "Warning: message still undelivered after "
	    "4 hours\nWill keep trying until message is 5 days old\n"),
	    "the warning's human text");
	part(buf_str(&out), 1, &p);
	ok(strstr(buf_str(&p), "Action: delayed\nStatus: 4.4.1\n"
	    "Remote-MTA: dns; mx.example.com\n"
	    "Diagnostic-Code: smtp; 421 4.4.1 try later\n"
	    "Last-Attempt-Date: Wed, 15 Nov 2023 02:13:25 +0000\n"
	    "Will-Retry-Until: Sun, 19 Nov 2023 22:13:20 +0000\n") != NULL,
	    "Action: delayed with Will-Retry-Until");
	buf_reset(&p);
	dsn_log_text(&m, &p);
	is_str(buf_str(&p), "3ALnKD0y012346: sender notify: Warning: could "
	    "not send message for past 4 hours", "the delay's log line");
	r[0].notify = QN_SET | QN_FAILURE;
	ok(!dsn_due(&m), "NOTIFY=FAILURE: no delay report");
	r[0].notify = QN_SET | QN_DELAY;
	ok(dsn_due(&m), "NOTIFY=DELAY: a delay report");
	m.warn_after = 0;
	buf_reset(&out);
	dsn_build(&m, &out, &err);
	ok(has_line(buf_str(&out), "Subject: Warning: could not send message "
	    "for past 4 hours, 5 seconds\n"), "no queuewarn: the age");
	buf_free(&out);
	buf_free(&err);
	buf_free(&p);
}

/* Longest line of t. */
static size_t
longest(const char *t)
{
	size_t max = 0, n;
	const char *nl;

	for (; *t != '\0'; t = nl != NULL ? nl + 1 : t + n) {
		nl = strchr(t, '\n');
		n = nl != NULL ? (size_t)(nl - t) : strlen(t);
		if (n > max)
			max = n;
	}
	return max;
}

static void
test_injection(int fd)
{
	struct buf out = BUF_INIT, err = BUF_INIT, p = BUF_INIT;
	char longdiag[3000];
	struct dsn_rcpt r[2];
	struct qf q2 = q;
	struct dsn_msg m;

	sample(&m, fd);
	q2.sender = "<alice@example.org\r\nBcc: eve@example.net>";
	q2.envid = "e+0A1";			/* xtext of a LF: malformed */
	m.qf = &q2;
	memcpy(r, rc, sizeof(r));
	r[0].addr = "bob@example.com\r\nX-Injected: to";
	r[0].orcpt = "rfc822;bob+0D+0Ax@example.com";
	r[0].diag = "smtp; 550 bad\r\nX-Injected: diag\n\n--x\n\xe9t\xe9";
	r[0].remote_mta = "mx.example.com\nX-Injected: mta";
	memset(longdiag, 'a', sizeof(longdiag) - 1);
	longdiag[sizeof(longdiag) - 1] = '\0';
	memcpy(longdiag, "smtp; 550 ", 10);
	r[1].diag = longdiag;
	m.rcpts = r;
	m.nrcpts = 2;
	/* its LFs end lines (of part 1's body), its CRs do not */
	m.transcript = "<<< 550 bad\rX-Injected: transcript\n>>> QUIT\n";
	is_int(dsn_build(&m, &out, &err), 0, "hostile envelope: built");
	ok(!has_line(buf_str(&out), "X-Injected") &&
	    !has_line(buf_str(&out), "Bcc:"),
	    "no CR/LF in envelope text starts a line");
	ok(strchr(buf_str(&out), '\r') == NULL, "no CR anywhere");
	ok(has_line(buf_str(&out), "To: <alice@example.org  Bcc: "
	    "eve@example.net>\n"), "the sender's CR LF became spaces");
	part(buf_str(&out), 1, &p);
	ok(has_line(buf_str(&p), "Diagnostic-Code: smtp; 550 bad  X-Injected: "
	    "diag  --x ?t?\n"), "the diagnostic: one 7-bit line");
	ok(has_line(buf_str(&p), "Final-Recipient: rfc822; bob@example.com  "
	    "X-Injected: to\n") && has_line(buf_str(&p), "Remote-MTA: dns; "
	    "mx.example.com X-Injected: mta\n"), "address and MTA on one line");
	ok(!has_line(buf_str(&p), "Original-Recipient:"),
	    "an ORCPT that decodes to CR LF is left out");
	ok(has_line(buf_str(&p), "Original-Envelope-Id: e+0A1\n"),
	    "a malformed ENVID is shown as it is");
	ok(longest(buf_str(&p)) <= 40 + DSN_FIELD_MAX &&
	    strstr(buf_str(&p), "aaa...\n") != NULL,
	    "a long diagnostic is cut (longest line %zu)",
	    longest(buf_str(&p)));
	part(buf_str(&out), 0, &p);
	ok(has_line(buf_str(&p), "<<< 550 bad X-Injected: transcript\n") &&
	    has_line(buf_str(&p), ">>> QUIT\n"),
	    "the transcript: its lines, each made one line");
	buf_free(&out);
	buf_free(&err);
	buf_free(&p);
}

/* The original holds sendmail's boundary, in its headers or body, also
 * across the 64 KB pieces the df is read in. */
static void
test_boundary(void)
{
	static const char *base = "3ALnKD0y012346.1700014405/mx.test.example";
	struct buf out = BUF_INIT, err = BUF_INIT, body = BUF_INIT;
	char b[128];
	struct dsn_msg m;
	int fd;

	buf_printf(&body, "Hi,\n--%s\nContent-Type: text/plain\n\nfake\n"
	    "--%s--\n", base, base);
	fd = body_file(body.s, body.len);
	sample(&m, fd);
	is_int(dsn_build(&m, &out, &err), 0, "boundary in the body: built");
	boundary_of(buf_str(&out), b, sizeof(b));
	ok(strncmp(b, base, strlen(base)) == 0 && strlen(b) > strlen(base) &&
	    strlen(b) <= 70, "a longer, random boundary: %s", b);
	ok(strstr(body.s, b) == NULL && strstr(buf_str(&out), body.s) != NULL,
	    "it is not in the original, which goes back whole");
	close(fd);
	buf_reset(&body);
	while (body.len < 65536 - 10)
		buf_adds(&body, "0123456789abcdef\n");
	body.len = 65536 - 10;
	buf_printf(&body, "--%s\nend\n", base);
	fd = body_file(body.s, body.len);
	m.body_fd = fd;
	buf_reset(&out);
	dsn_build(&m, &out, &err);
	boundary_of(buf_str(&out), b, sizeof(b));
	ok(strcmp(b, base) != 0 && strstr(body.s, b) == NULL,
	    "found across two reads of the df");
	close(fd);
	m.body_fd = -1;
	buf_reset(&body);
	buf_printf(&body, "%sX-Trap: %s\n", hdrs, base);
	m.headers = body.s;
	m.hlen = body.len;
	buf_reset(&out);
	dsn_build(&m, &out, &err);
	boundary_of(buf_str(&out), b, sizeof(b));
	ok(strcmp(b, base) != 0, "in the headers: another boundary");
	buf_free(&out);
	buf_free(&err);
	buf_free(&body);
}

static void
test_null_sender(int fd)
{
	struct buf out = BUF_INIT, err = BUF_INIT, p = BUF_INIT;
	struct dsn_rcpt r[2];
	struct qf q2 = q;
	struct dsn_msg m;

	sample(&m, fd);
	q2.sender = "<>";
	m.qf = &q2;
	memcpy(r, rc, sizeof(r));
	m.rcpts = r;
	m.nrcpts = 2;
	ok(!dsn_due(&m), "sender <>: no report due");
	is_int(dsn_build(&m, &out, &err), -1, "and none built");
	m.postmaster = "postmaster@mx.test.example";
	r[1].notify = QN_SET;		/* NEVER: a postmaster copy still */
	ok(dsn_due(&m), "with a DoubleBounceAddress: due");
	is_str(dsn_return_to(&m, &p), "postmaster@mx.test.example",
	    "goes to the postmaster");
	is_int(dsn_build(&m, &out, &err), 0, "the postmaster copy built");
	ok(has_line(buf_str(&out), "To: <postmaster@mx.test.example>\n") &&
	    has_line(buf_str(&out), "Subject: Postmaster notify: see "
	    "transcript for details\n"), "To: and Subject: of a double bounce");
	part(buf_str(&out), 0, &p);
	ok(has_line(buf_str(&p), "with id 3ALnKD0x012345\n") &&
	    has_line(buf_str(&p), "with envelope sender <>\n"),
	    "it shows the message's id and sender");
	part(buf_str(&out), 1, &p);
	ok(strstr(buf_str(&p), "Final-Recipient: rfc822; bob@") != NULL &&
	    strstr(buf_str(&p), "Final-Recipient: rfc822; carol@") != NULL,
	    "every failure is in it");
	buf_reset(&p);
	dsn_log_text(&m, &p);
	is_str(buf_str(&p), "3ALnKD0y012346: postmaster notify: Postmaster "
	    "notify: see transcript for details", "its log line");
	q2.sender = "";
	m.postmaster = NULL;
	ok(!dsn_due(&m), "an empty sender is <> too");
	buf_free(&out);
	buf_free(&err);
	buf_free(&p);
}

static void
test_write(int fd)
{
	struct buf a = BUF_INIT, b = BUF_INIT, err = BUF_INIT;
	struct dsn_msg m;
	char chunk[4096];
	ssize_t n;
	int out;

	sample(&m, fd);
	dsn_build(&m, &a, &err);
	out = body_file("", 0);
	is_int(dsn_write(&m, out, &err), 0, "written to an fd");
	lseek(out, 0, SEEK_SET);
	while ((n = read(out, chunk, sizeof(chunk))) > 0)
		buf_add(&b, chunk, (size_t)n);
	ok(a.len == b.len && memcmp(a.s, b.s, a.len) == 0,
	    "the same text as dsn_build (%zu octets)", b.len);
	close(out);
	is_int(dsn_write(&m, -2 + 1 + 99, &err), -1, "a bad fd: -1");
	ok(strstr(buf_str(&err), "check the queue") != NULL,
	    "with the fix: %s", buf_str(&err));
	buf_free(&a);
	buf_free(&b);
	buf_free(&err);
}

/* "print failure|hdrs|delay|collide|postmaster": one report on stdout. */
static int
print(const char *kind, int fd)
{
	static const char *base = "--3ALnKD0y012346.1700014405/mx.test.example";
	struct buf out = BUF_INIT, err = BUF_INIT, body = BUF_INIT;
	struct dsn_rcpt r[3];
	struct qf q2 = q;
	struct dsn_msg m;

	sample(&m, fd);
	memcpy(r, rc, sizeof(r));
	m.rcpts = r;
	m.qf = &q2;
	if (strcmp(kind, "hdrs") == 0)
		q2.flags = "dn";
	else if (strcmp(kind, "delay") == 0) {
		r[0].action = r[1].action = DSN_DELAYED;
		r[0].status = r[1].status = "4.4.1";
		r[0].retry_until = r[1].retry_until = T0 + 5 * 86400;
		m.warn_after = 4 * 3600;
	} else if (strcmp(kind, "collide") == 0) {
		buf_printf(&body, "x\n%s\n\nfake\n%s--\n", base, base);
		m.body_fd = body_file(body.s, body.len);
	} else if (strcmp(kind, "postmaster") == 0) {
		q2.sender = "<>";
		m.postmaster = "postmaster@mx.test.example";
	}
	if (dsn_build(&m, &out, &err) < 0) {
		fprintf(stderr, "dsn_test: %s\n", buf_str(&err));
		return 1;
	}
	fwrite(out.s, 1, out.len, stdout);
	buf_free(&out);
	buf_free(&body);
	return 0;
}

int
main(int argc, char **argv)
{
	static const char body[] = "Hello Bob,\nsee you at noon.\n";
	struct buf err = BUF_INIT;
	int fd;

	setenv("TZ", "UTC", 1);
	tzset();
	if (qf_parse(qf_text, strlen(qf_text), &q, &err) < 0) {
		printf("Bail out! sample qf: %s\n", buf_str(&err));
		return 1;
	}
	if ((fd = body_file(body, sizeof(body) - 1)) < 0) {
		printf("Bail out! cannot make a df in /tmp\n");
		return 1;
	}
	if (argc == 3 && strcmp(argv[1], "print") == 0)
		return print(argv[2], fd);
	test_bounce(fd);
	test_hdrs_and_limit(fd);
	test_notify(fd);
	test_delay(fd);
	test_injection(fd);
	test_boundary();
	test_null_sender(fd);
	test_write(fd);
	close(fd);
	qf_free(&q);
	buf_free(&err);
	return done_testing();
}
