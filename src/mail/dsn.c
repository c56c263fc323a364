/* dsn.c - delivery status notifications: which recipients a report
 * names, its three parts, and a boundary that the included text cannot
 * contain.  See dsn.h and doc/dsn.md. */
#include "dsn.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/date.h"
#include "qf.h"
#include "smtpcmd.h"

#define DSN_CHUNK	65536		/* df read and fd write unit */
#define DSN_XSCRIPT_MAX	(64 * 1024)	/* transcript octets kept */
#define DSN_BOUNDARY_MAX 70		/* RFC 2046 */

enum dsn_kind { K_FAILURE, K_DELAY, K_RECEIPT, K_POSTMASTER };

/* Where the text goes: a buffer, or an fd through a buffer. */
struct sink {
	struct buf	*out;
	int		 fd;
	struct buf	 tmp;
	int		 err;		/* errno of a failed write */
};

static int
sink_flush(struct sink *s)
{
	size_t off = 0;
	ssize_t n;

	while (s->err == 0 && off < s->tmp.len) {
		n = write(s->fd, s->tmp.s + off, s->tmp.len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			s->err = n < 0 ? errno : EIO;
		else
			off += (size_t)n;
	}
	buf_reset(&s->tmp);
	return s->err == 0 ? 0 : -1;
}

static void
put(struct sink *s, const void *p, size_t n)
{
	if (s->fd < 0) {
		buf_add(s->out, p, n);
		return;
	}
	buf_add(&s->tmp, p, n);
	if (s->tmp.len >= DSN_CHUNK)
		(void)sink_flush(s);
}

#define puts_(s, str)	put((s), (str), strlen(str))

/* Append s[0..n), at most max octets of it, as one line of 7-bit text:
 * CR, LF and every other control become a space (an address or a
 * server's reply must not end a header field or start a part), 8-bit
 * octets a '?' (the report's fields are US-ASCII, RFC 3464 2.1.1). */
static void
cleann(struct buf *out, const char *s, size_t n, size_t max)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (i == max) {
			buf_adds(out, "...");
			return;
		}
		if (c < 0x20 || c == 0x7f)
			c = ' ';
		else if (c >= 0x80)
			c = '?';
		buf_addc(out, c);
	}
}

static void
clean(struct buf *out, const char *s, size_t max)
{
	if (s != NULL)
		cleann(out, s, strlen(s), max);
}

/* pre, then v[0..n) (or v) cleaned, then the line end. */
static void
line_n(struct buf *out, const char *pre, const char *v, size_t n)
{
	buf_adds(out, pre);
	cleann(out, v, n, DSN_FIELD_MAX);
	buf_addc(out, '\n');
}

static void
text_line(struct buf *out, const char *pre, const char *v)
{
	line_n(out, pre, v != NULL ? v : "", v != NULL ? strlen(v) : 0);
}

/* "Name: value\n" with the value cleaned. */
static void
field(struct buf *out, const char *name, const char *pre, const char *v)
{
	buf_adds(out, name);
	buf_adds(out, ": ");
	text_line(out, pre, v);
}

static void
date_field(struct buf *out, const char *name, time_t t)
{
	char d[DATE_RFC5322_MAX];

	date_rfc5322(d, sizeof(d), t);
	buf_printf(out, "%s: %s\n", name, d);
}

static int
null_sender(const struct qf *q)
{
	return q->sender == NULL || q->sender[0] == '\0' ||
	    strcmp(q->sender, "<>") == 0;
}

int
dsn_wanted(const struct dsn_msg *m, const struct dsn_rcpt *r)
{
	unsigned n = r->notify;

	if (m->postmaster != NULL)
		return r->action == DSN_FAILED;
	if ((n & QN_SET) && (n & (QN_SUCCESS | QN_FAILURE | QN_DELAY)) == 0)
		return 0;			/* NOTIFY=NEVER */
	if (r->action == DSN_FAILED || r->action == DSN_DELAYED)
		return !(n & QN_SET) ||
		    (n & (r->action == DSN_FAILED ? QN_FAILURE : QN_DELAY));
	return (n & QN_SET) && (n & QN_SUCCESS);	/* SUCCESS only if asked */
}

int
dsn_due(const struct dsn_msg *m)
{
	size_t i;

	if (m->postmaster == NULL && null_sender(m->qf))
		return 0;			/* never a bounce to <> */
	for (i = 0; i < m->nrcpts; i++)
		if (dsn_wanted(m, &m->rcpts[i]))
			return 1;
	return 0;
}

const char *
dsn_return_to(const struct dsn_msg *m, struct buf *out)
{
	const char *s = m->qf->sender != NULL ? m->qf->sender : "";
	size_t n = strlen(s);

	buf_reset(out);
	if (m->postmaster != NULL) {
		clean(out, m->postmaster, DSN_FIELD_MAX);
		return buf_str(out);
	}
	if (n >= 2 && s[0] == '<' && s[n - 1] == '>') {
		s++;
		n -= 2;
	}
	cleann(out, s, n, DSN_FIELD_MAX);
	return buf_str(out);
}

static enum dsn_kind
kind_of(const struct dsn_msg *m)
{
	int delay = 0;
	size_t i;

	if (m->postmaster != NULL)
		return K_POSTMASTER;
	for (i = 0; i < m->nrcpts; i++) {
		if (!dsn_wanted(m, &m->rcpts[i]))
			continue;
		if (m->rcpts[i].action == DSN_FAILED)
			return K_FAILURE;
		if (m->rcpts[i].action == DSN_DELAYED)
			delay = 1;
	}
	return delay ? K_DELAY : K_RECEIPT;
}

/* sendmail's pintvl(): "4 hours", "1 day, 12 hours", "0 seconds". */
static void
interval(struct buf *out, long secs)
{
	static const struct { const char *name; long len; } u[] = {
		{ "day", 86400 }, { "hour", 3600 }, { "minute", 60 },
		{ "second", 1 }
	};
	const char *sep = "";
	size_t i;
	long v;

	for (i = 0; i < sizeof(u) / sizeof(u[0]); i++) {
		if (secs <= 0 || (v = secs / u[i].len) == 0)
			continue;
		secs %= u[i].len;
		buf_printf(out, "%s%ld %s%s", sep, v, u[i].name,
		    v == 1 ? "" : "s");
		sep = ", ";
	}
	if (*sep == '\0')
		buf_adds(out, "0 seconds");
}

/* Length of a "type;" prefix at s (an atom, then ';'), or 0. */
static size_t
type_len(const char *s)
{
	size_t i;

	for (i = 0; i < 64; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == ';')
			return i > 0 ? i + 1 : 0;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-'))
			return 0;
	}
	return 0;
}

/* The diagnostic without its type: "550 5.1.1 ... User unknown". */
static const char *
diag_text(const char *d)
{
	if (d == NULL)
		return NULL;
	d += type_len(d);
	while (*d == ' ' || *d == '\t')
		d++;
	return d;
}

/* r's status if it is one (RFC 3463: class.subject.detail), else the
 * action's generic one. */
static const char *
status_of(const struct dsn_rcpt *r)
{
	const char *s = r->status;
	int part, digits;

	if (s != NULL && (s[0] == '2' || s[0] == '4' || s[0] == '5') &&
	    s[1] == '.') {
		for (part = 0, s += 2; part < 2; part++, s++) {
			for (digits = 0; *s >= '0' && *s <= '9'; s++)
				digits++;
			if (digits == 0 || digits > 3 ||
			    *s != (part == 0 ? '.' : '\0'))
				break;
		}
		if (part == 2)
			return r->status;
	}
	return r->action == DSN_FAILED ? "5.0.0" :
	    r->action == DSN_DELAYED ? "4.0.0" : "2.0.0";
}

static const char *const action_name[] = {
	[DSN_FAILED] = "failed", [DSN_DELAYED] = "delayed",
	[DSN_DELIVERED] = "delivered", [DSN_RELAYED] = "relayed",
	[DSN_EXPANDED] = "expanded"
};

/* "type;xtext" (RFC 3461 4.2) as RFC 3464 2.3.1 shows it, "type;addr";
 * nothing for a value that is not one. */
static void
orcpt_field(struct buf *out, const char *orcpt)
{
	char dec[DSN_FIELD_MAX + 1];
	size_t tl;

	if (orcpt == NULL || (tl = type_len(orcpt)) == 0 ||
	    smtpcmd_xtext_decode(orcpt + tl, dec, sizeof(dec)) <= 0)
		return;
	buf_adds(out, "Original-Recipient: ");
	cleann(out, orcpt, tl, tl);
	text_line(out, "", dec);
}

static void
rcpt_block(const struct dsn_msg *m, const struct dsn_rcpt *r,
    struct buf *out)
{
	size_t tl, n;

	buf_addc(out, '\n');
	orcpt_field(out, r->orcpt);
	field(out, "Final-Recipient", "rfc822; ", r->addr);
	buf_printf(out, "Action: %s\nStatus: %s\n", action_name[r->action],
	    status_of(r));
	if (r->remote_mta != NULL && r->remote_mta[0] != '\0') {
		n = strlen(r->remote_mta);
		if (r->remote_mta[n - 1] == '.')
			n--;		/* the root's dot, as sendmail */
		line_n(out, "Remote-MTA: dns; ", r->remote_mta, n);
	}
	if (r->diag != NULL && r->diag[0] != '\0') {
		tl = type_len(r->diag);
		buf_adds(out, "Diagnostic-Code: ");
		if (tl > 0)
			cleann(out, r->diag, tl, tl);
		else
			buf_adds(out, "smtp;");
		text_line(out, " ", diag_text(r->diag));
	}
	date_field(out, "Last-Attempt-Date",
	    r->last_attempt != 0 ? r->last_attempt : m->now);
	if (r->action == DSN_DELAYED && r->retry_until != 0)
		date_field(out, "Will-Retry-Until", r->retry_until);
}

/* The host the message came from: Received-From-MTA, or NULL.  $_ is
 * "host [addr]" or "[addr]" for a network client, "user@host" for one
 * that ran sendmail: that one came from no MTA. */
static void
received_from(const struct dsn_msg *m, struct buf *out)
{
	const char *v = m->received_from, *sp;
	size_t n;

	if (v == NULL && (v = qf_macro(m->qf, "_")) != NULL) {
		n = (sp = strchr(v, ' ')) != NULL ? (size_t)(sp - v) : strlen(v);
		if (memchr(v, '@', n) != NULL)
			return;
	} else
		n = v != NULL ? strlen(v) : 0;
	if (n > 0)
		line_n(out, "Received-From-MTA: dns; ", v, n);
}

/* Part 2, message/delivery-status (RFC 3464 2.2, 2.3). */
static void
part_status(const struct dsn_msg *m, struct buf *out)
{
	const struct qf *q = m->qf;
	char dec[DSN_FIELD_MAX + 1];
	size_t i;

	if (q->envid != NULL)		/* shown as it is if not xtext */
		field(out, "Original-Envelope-Id", "",
		    smtpcmd_xtext_decode(q->envid, dec, sizeof(dec)) >= 0 ?
		    dec : q->envid);
	field(out, "Reporting-MTA", "dns; ", m->reporting_mta);
	received_from(m, out);
	date_field(out, "Arrival-Date", q->has_ctime ? q->ctime : m->now);
	for (i = 0; i < m->nrcpts; i++)
		if (dsn_wanted(m, &m->rcpts[i]))
			rcpt_block(m, &m->rcpts[i], out);
}

/* One of sendmail's address lists in the human part: the wanted
 * recipients whose action is in the class (failed, delayed, or one of
 * the successful three). */
static void
human_list(const struct dsn_msg *m, struct buf *out, enum dsn_action cls,
    const char *title)
{
	static const char *const how[] = {
		[DSN_DELIVERED] = "successfully delivered to mailbox",
		[DSN_RELAYED] = "relayed to non-DSN-aware mailer",
		[DSN_EXPANDED] = "expanded by alias",
	};
	const struct dsn_rcpt *r;
	int first = 1;
	size_t i;

	for (i = 0; i < m->nrcpts; i++) {
		r = &m->rcpts[i];
		if (!dsn_wanted(m, r) || (cls < DSN_DELIVERED ?
		    r->action != cls : r->action < DSN_DELIVERED))
			continue;
		if (first)
			buf_printf(out, "   ----- The following addresses "
			    "had %s -----\n", title);
		first = 0;
		buf_addc(out, '<');
		clean(out, r->addr, DSN_FIELD_MAX);
		buf_addc(out, '>');
		if (cls >= DSN_DELIVERED)
			buf_printf(out, "  (%s)", how[r->action]);
		else if (r->diag != NULL && r->diag[0] != '\0') {
			buf_adds(out, "\n    (reason: ");
			clean(out, diag_text(r->diag), DSN_FIELD_MAX);
			buf_addc(out, ')');
		}
		buf_addc(out, '\n');
	}
	if (!first)
		buf_addc(out, '\n');
}

static long
warn_after(const struct dsn_msg *m)
{
	if (m->warn_after > 0)
		return m->warn_after;
	return m->qf->has_ctime ? (long)(m->now - m->qf->ctime) : 0;
}

/* The caller's transcript, one cleaned line per line, or the reasons;
 * a delay report ends with sendmail's two lines about the timeouts. */
static void
transcript(const struct dsn_msg *m, enum dsn_kind kind, struct buf *out)
{
	const char *p = m->transcript, *nl;
	size_t i, start = out->len;
	time_t until = 0;

	buf_adds(out, "   ----- Transcript of session follows -----\n");
	for (; p != NULL && *p != '\0'; p = nl != NULL ? nl + 1 : "") {
		nl = strchr(p, '\n');
		line_n(out, "", p, nl != NULL ? (size_t)(nl - p) : strlen(p));
		if (out->len - start > DSN_XSCRIPT_MAX) {
			buf_adds(out, "...\n");
			break;
		}
	}
	for (i = 0; m->transcript == NULL && i < m->nrcpts; i++) {
		const struct dsn_rcpt *r = &m->rcpts[i];

		if (dsn_wanted(m, r) && r->action <= DSN_DELAYED &&
		    r->diag != NULL && r->diag[0] != '\0')
			text_line(out, "", diag_text(r->diag));
	}
	if (kind != K_DELAY)
		return;
	buf_adds(out, "Warning: message still undelivered after ");
	interval(out, warn_after(m));
	buf_addc(out, '\n');
	for (i = 0; i < m->nrcpts && until == 0; i++)
		if (m->rcpts[i].action == DSN_DELAYED)
			until = m->rcpts[i].retry_until;	/* the first */
	if (until != 0 && m->qf->has_ctime) {
		buf_adds(out, "Will keep trying until message is ");
		interval(out, (long)(until - m->qf->ctime));
		buf_adds(out, " old\n");
	}
}

/* Part 1, for people, in sendmail's words. */
static void
part_human(const struct dsn_msg *m, enum dsn_kind kind, struct buf *out)
{
	const struct qf *q = m->qf;
	const char *from = qf_macro(q, "_");
	char d[DATE_RFC5322_MAX];

	if (kind == K_DELAY)
		buf_adds(out,
		    "    **********************************************\n"
		    "    **      THIS IS A WARNING MESSAGE ONLY      **\n"
		    "    **  YOU DO NOT NEED TO RESEND YOUR MESSAGE  **\n"
		    "    **********************************************\n\n");
	date_rfc5322(d, sizeof(d), q->has_ctime ? q->ctime : m->now);
	buf_printf(out, "The original message was received at %s\n", d);
	if (from != NULL)
		text_line(out, "from ", from);
	if (kind == K_POSTMASTER) {
		if (m->qid != NULL)
			text_line(out, "with id ", m->qid);
		text_line(out, "with envelope sender ",
		    q->sender != NULL ? q->sender : "<>");
	}
	buf_addc(out, '\n');
	human_list(m, out, DSN_FAILED, "permanent fatal errors");
	human_list(m, out, DSN_DELAYED, "transient non-fatal errors");
	human_list(m, out, DSN_DELIVERED, "successful delivery notifications");
	if (kind != K_RECEIPT)
		transcript(m, kind, out);
}

static const char *
subject(const struct dsn_msg *m, enum dsn_kind kind, struct buf *out)
{
	static const char *const subj[] = {
		[K_FAILURE] = "Returned mail: see transcript for details",
		[K_DELAY] = "Warning: could not send message for past ",
		[K_RECEIPT] = "Return receipt",
		[K_POSTMASTER] = "Postmaster notify: see transcript for details"
	};

	buf_adds(out, subj[kind]);
	if (kind == K_DELAY)
		interval(out, warn_after(m));
	return buf_str(out);
}

static int
has_8bit(const struct qf *q)
{
	return (q->flags != NULL && strchr(q->flags, '8') != NULL) ||
	    (q->bodytype != NULL && strcmp(q->bodytype, "8BITMIME") == 0);
}

static void
top_headers(const struct dsn_msg *m, enum dsn_kind kind, const char *bnd,
    struct buf *out)
{
	const char *j = m->reporting_mta != NULL ? m->reporting_mta :
	    "localhost";
	struct buf to = BUF_INIT;
	struct tm tm;

	date_field(out, "Date", m->now);
	buf_adds(out, "From: Mail Delivery Subsystem <MAILER-DAEMON@");
	clean(out, j, DSN_FIELD_MAX);
	buf_adds(out, ">\n");
	localtime_r(&m->now, &tm);
	buf_printf(out, "Message-Id: <%04d%02d%02d%02d%02d.",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min);
	clean(out, m->new_id, DSN_FIELD_MAX);
	buf_addc(out, '@');
	clean(out, j, DSN_FIELD_MAX);
	buf_adds(out, ">\n");
	dsn_return_to(m, &to);
	buf_printf(out, strchr(buf_str(&to), '@') != NULL ? "To: <%s>\n" :
	    "To: %s\n", buf_str(&to));
	buf_printf(out, "MIME-Version: 1.0\nContent-Type: multipart/report; "
	    "report-type=delivery-status;\n\tboundary=\"%s\"\n", bnd);
	if (has_8bit(m->qf))
		buf_adds(out, "Content-Transfer-Encoding: 8bit\n");
	buf_reset(&to);
	buf_printf(out, "Subject: %s\n", subject(m, kind, &to));
	/* RFC 3834 5: a response that no vacation program or list answers
	 * (sendmail writes "auto-generated (failure)"; both stop loops) */
	buf_adds(out, "Auto-Submitted: auto-replied\n");
	buf_free(&to);
}

/* Does needle occur in the df?  1, 0, or -1 with errno set.  Read in pieces, keeping the tail of each so that an
 * occurrence across two reads is found. */
static int
df_holds(int fd, const char *needle)
{
	size_t nl = strlen(needle), keep = 0, have;
	unsigned long long off = 0;
	char *b = xmalloc(DSN_CHUNK + nl);
	ssize_t n;
	int found = 0;

	while (!found) {
		n = pread(fd, b + keep, DSN_CHUNK, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			found = n < 0 ? -1 : 0;
			break;
		}
		off += (unsigned long long)n;
		have = keep + (size_t)n;
		found = memmem(b, have, needle, nl) != NULL;
		keep = have < nl - 1 ? have : nl - 1;
		memmove(b, b + have - keep, keep);
	}
	free(b);
	return found;
}

static int
df_copy(int fd, struct sink *s)
{
	char *b = xmalloc(DSN_CHUNK);
	off_t off = 0;
	ssize_t n;

	while ((n = pread(fd, b, DSN_CHUNK, off)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		put(s, b, (size_t)n);
		off += n;
	}
	free(b);
	return n < 0 ? -1 : 0;
}

/* sendmail's boundary, "<new id>.<time>/<$j>", cut to leave room for a
 * random tail, in characters RFC 2046 allows. */
static void
boundary_base(const struct dsn_msg *m, struct buf *out)
{
	size_t i;

	buf_printf(out, "%s.%lld/%s", m->new_id != NULL ? m->new_id : "",
	    (long long)m->now,
	    m->reporting_mta != NULL ? m->reporting_mta : "localhost");
	if (out->len > DSN_BOUNDARY_MAX - 17) {
		out->len = DSN_BOUNDARY_MAX - 17;
		out->s[out->len] = '\0';
	}
	for (i = 0; i < out->len; i++) {
		unsigned char c = (unsigned char)out->s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '-' ||
		    c == '/' || c == '_'))
			out->s[i] = '_';
	}
}

/* A boundary that occurs in none of the parts, the original's headers
 * and (when it goes back) body.  The first try is sendmail's; should the
 * original contain it, whoever wrote it could predict it, so the next
 * tries add random octets.  0, or -1 (a df read error). */
static int
pick_boundary(const struct dsn_msg *m, const struct buf *parts,
    int body, struct buf *bnd)
{
	unsigned char rnd[8];
	size_t base, i;
	int tries, hit;

	boundary_base(m, bnd);
	base = bnd->len;
	for (tries = 0; tries < 16; tries++) {
		if (tries > 0) {
			if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
				memset(rnd, tries * 37, sizeof(rnd));
			bnd->len = base;
			buf_addc(bnd, '/');
			for (i = 0; i < sizeof(rnd); i++)
				buf_printf(bnd, "%02x", rnd[i]);
		}
		hit = memmem(parts->s, parts->len, bnd->s, bnd->len) != NULL ||
		    (m->hlen > 0 && memmem(m->headers, m->hlen, bnd->s,
		    bnd->len) != NULL);
		if (!hit && body)
			hit = df_holds(m->body_fd, bnd->s);
		if (hit < 0)
			return -1;
		if (!hit)
			return 0;
	}
	errno = EEXIST;
	return -1;
}

/* Does the body go back?  Not for RET=HDRS (the F line's 'n'), a return
 * receipt (sendmail's RTSF_NO_BODY), an original over max_return, or
 * when there is no df. */
static int
return_body(const struct dsn_msg *m, enum dsn_kind kind, int *body)
{
	struct stat st;

	*body = 0;
	if (m->body_fd < 0 || kind == K_RECEIPT ||
	    (m->qf->flags != NULL && strchr(m->qf->flags, 'n') != NULL))
		return 0;
	if (fstat(m->body_fd, &st) < 0)
		return -1;
	if (m->max_return > 0 &&
	    (unsigned long long)st.st_size + m->hlen > m->max_return)
		return 0;
	*body = 1;
	return 0;
}

/* Part 3 after its delimiter: the original, or its headers. */
static int
part_original(const struct dsn_msg *m, int body, struct sink *s)
{
	puts_(s, body ? "Content-Type: message/rfc822\n" :
	    "Content-Type: text/rfc822-headers\n");
	if (has_8bit(m->qf))
		puts_(s, "Content-Transfer-Encoding: 8bit\n");
	puts_(s, "\n");
	put(s, m->headers, m->hlen);
	if (m->hlen > 0 && m->headers[m->hlen - 1] != '\n')
		puts_(s, "\n");
	if (!body)
		return 0;
	puts_(s, "\n");
	return df_copy(m->body_fd, s);
}

/* A delimiter line, "\n--boundary" and tail (RFC 2046 5.1.1: the line
 * end before it is the delimiter's). */
static void
delim(struct sink *s, const struct buf *bnd, const char *tail)
{
	puts_(s, "\n--");
	put(s, bnd->s, bnd->len);
	puts_(s, tail);
}

static int
emit(const struct dsn_msg *m, struct sink *s, struct buf *err)
{
	struct buf parts = BUF_INIT, bnd = BUF_INIT, hdr = BUF_INIT;
	enum dsn_kind kind;
	size_t split;
	int body, rc = -1;

	if (!dsn_due(m)) {
		buf_adds(err, "no delivery status notification is due (the "
		    "sender is <> or no recipient asked for one): send none");
		return -1;
	}
	kind = kind_of(m);
	part_human(m, kind, &parts);
	split = parts.len;
	part_status(m, &parts);
	if (return_body(m, kind, &body) < 0 ||
	    pick_boundary(m, &parts, body, &bnd) < 0)
		goto out;
	top_headers(m, kind, buf_str(&bnd), &hdr);
	put(s, hdr.s, hdr.len);
	puts_(s, "\nThis is a MIME-encapsulated message\n");
	delim(s, &bnd, "\n\n");
	put(s, parts.s, split);
	delim(s, &bnd, "\nContent-Type: message/delivery-status\n\n");
	put(s, parts.s + split, parts.len - split);
	delim(s, &bnd, "\n");
	if (part_original(m, body, s) < 0)
		goto out;
	delim(s, &bnd, "--\n");
	rc = 0;
out:
	if (rc < 0)
		buf_printf(err, "cannot read the message's df for its "
		    "report: %s; check the queue's file system",
		    strerror(errno));
	buf_free(&parts);
	buf_free(&bnd);
	buf_free(&hdr);
	return rc;
}

int
dsn_build(const struct dsn_msg *m, struct buf *out, struct buf *err)
{
	struct sink s = { out, -1, BUF_INIT, 0 };
	size_t len = out->len;

	if (emit(m, &s, err) == 0)
		return 0;
	if (out->s != NULL)		/* nothing half-built is left */
		out->s[out->len = len] = '\0';
	return -1;
}

int
dsn_write(const struct dsn_msg *m, int fd, struct buf *err)
{
	struct sink s = { NULL, fd, BUF_INIT, 0 };
	int rc;

	rc = emit(m, &s, err);
	if (sink_flush(&s) < 0 && rc == 0) {
		buf_printf(err, "cannot write the report: %s; check the "
		    "queue's file system", strerror(s.err));
		rc = -1;
	}
	buf_free(&s.tmp);
	return rc;
}

void
dsn_log_text(const struct dsn_msg *m, struct buf *out)
{
	enum dsn_kind kind = kind_of(m);
	struct buf subj = BUF_INIT;

	subject(m, kind, &subj);
	clean(out, m->new_id, DSN_FIELD_MAX);
	buf_printf(out, ": %s: ", kind == K_DELAY ? "sender notify" :
	    kind == K_POSTMASTER ? "postmaster notify" : "DSN");
	clean(out, kind != K_DELAY && m->message != NULL ? m->message :
	    buf_str(&subj), DSN_FIELD_MAX);
	buf_free(&subj);
}
