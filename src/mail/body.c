/* body.c - the message text state machine shared by DATA and BDAT. */
#include "body.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "queue.h"

static int
is_field(const char *p, size_t n)
{
	size_t i = 0;

	while (i < n && p[i] > ' ' && p[i] < 0x7f && p[i] != ':')
		i++;
	if (i == 0)
		return 0;
	while (i < n && (p[i] == ' ' || p[i] == '\t'))
		i++;		/* obsolete "Name : value" */
	return i < n && p[i] == ':';
}

static void
hdr_add(struct body *b, const char *p, size_t n, int first)
{
	const char *v;
	size_t k;

	if (b->hdrs.len + n + 5 > b->max_hdrs) {
		b->hdrbig = 1;
		return;
	}
	if (first) {
		/* Always the empty condition "??", even for a name that
		 * begins with '?' (RFC 5322 allows it): a reader takes one
		 * ?...? group as the condition and the rest as the name, so
		 * "?x?Subject" stays a name, never a mailer condition.  This
		 * is what sendmail 8.17 writes for its own clients' headers
		 * (doc/queue-format.md). */
		buf_adds(&b->hdrs, "H??");
		if (n >= 9 && strncasecmp(p, "Received:", 9) == 0)
			b->hops++;
		if (n > 11 && strncasecmp(p, "Message-Id:", 11) == 0) {
			for (v = p + 11; v < p + n && (*v == ' ' ||
			    *v == '\t'); v++)
				;
			k = (size_t)(p + n - v);
			if (k >= sizeof(b->msgid))
				k = sizeof(b->msgid) - 1;
			memcpy(b->msgid, v, k);
			b->msgid[k] = '\0';
		}
	}
	buf_add(&b->hdrs, p, n);
	buf_addc(&b->hdrs, '\n');
}

/* One line of the message, unstuffed, without its line end. */
static void
content_line(struct body *b, const char *p, size_t n)
{
	b->size += (long long)n + 1;
	if (b->max_size > 0 && b->size > b->max_size)
		b->toobig = 1;
	if (b->toobig)
		return;
	if (b->in_headers) {
		if (n == 0) {
			b->in_headers = 0;	/* the separator: not stored */
			return;
		}
		if ((p[0] == ' ' || p[0] == '\t') && b->hdr_open) {
			hdr_add(b, p, n, 0);
			return;
		}
		if (is_field(p, n)) {
			hdr_add(b, p, n, 1);
			b->hdr_open = 1;
			return;
		}
		b->in_headers = 0;	/* not a header: the body starts */
	}
	queue_df_line(b->qm, p, n);
}

/* A complete line p[0..n), without its line end.  Returns 1 at the end
 * of DATA (a lone "."); undoes dot-stuffing. */
static int
line_text(struct body *b, const char *p, size_t n)
{
	if (b->dot_mode && n > 0 && p[0] == '.') {
		if (n == 1)
			return 1;
		p++;
		n--;
	}
	content_line(b, p, n);
	return 0;
}

/* The line collected in b->line is complete. */
static int
line_done(struct body *b)
{
	int end;

	if (b->lover)
		b->toolong = 1;	/* (then llen is 998: never a lone ".") */
	end = line_text(b, b->line, b->llen);
	b->llen = 0;
	b->lover = 0;
	return end;
}

#ifndef BODY_PRESCAN		/* the fuzzers use a few octets, to cross windows */
#define BODY_PRESCAN	1024	/* octets looked at ahead of the line being fed */
#endif

/* What octets p[0..n) has: OCT_HIGH (one with the high bit set) and
 * OCT_NUL, or'ed.  64 octets a step, in the compiler's vectors (SSE2
 * here): a word a step cost 16% of all a session's instructions
 * (callgrind, 100 messages of 5 KB). */
#define OCT_HIGH	1
#define OCT_NUL		2

typedef unsigned char v16 __attribute__((vector_size(16)));
/* The same, to load from any address (unaligned, aliasing anything). */
typedef unsigned char v16u __attribute__((vector_size(16), aligned(1),
    may_alias));

static int
octets(const char *p, size_t n)
{
	v16 any = { 0 }, nul = { 0 }, w0, w1, w2, w3;
	uint64_t h[2], z[2];
	size_t i = 0;
	int r = 0;

	for (; i + 64 <= n; i += 64) {
		const v16u *q = (const v16u *)(const void *)(p + i);

		w0 = q[0];
		w1 = q[1];
		w2 = q[2];
		w3 = q[3];
		any |= w0 | w1 | w2 | w3;
		nul |= (v16)(w0 == 0) | (v16)(w1 == 0) | (v16)(w2 == 0) |
		    (v16)(w3 == 0);
	}
	for (; i + 16 <= n; i += 16) {
		w0 = *(const v16u *)(const void *)(p + i);
		any |= w0;
		nul |= (v16)(w0 == 0);
	}
	memcpy(h, &any, sizeof(h));
	memcpy(z, &nul, sizeof(z));
	if (((h[0] | h[1]) & 0x8080808080808080ULL) != 0)
		r |= OCT_HIGH;
	if ((z[0] | z[1]) != 0)
		r |= OCT_NUL;
	for (; i < n; i++) {
		if ((unsigned char)p[i] & 0x80)
			r |= OCT_HIGH;
		if (p[i] == '\0')
			r |= OCT_NUL;
	}
	return r;
}

static int
has_high(const char *p, size_t n)
{
	return (octets(p, n) & OCT_HIGH) != 0;
}

/* Note NUL and 8-bit octets in a piece of a line.  The feed has already
 * looked at its whole chunk, so lines of a clean chunk skip this. */
static void
scan_text(struct body *b, const char *p, size_t n)
{
	if (b->chunk_nul && b->nul != 2 && (b->in_headers || !b->nul) &&
	    memchr(p, '\0', n) != NULL)
		b->nul = b->in_headers ? 2 : 1;
	if (b->chunk_high && !b->has8bit && has_high(p, n))
		b->has8bit = 1;
}

/* Ordinary text (no CR or LF) of the current line. */
static void
add_text(struct body *b, const char *p, size_t n)
{
	size_t room;

	if (n == 0)
		return;
	scan_text(b, p, n);
	/* 1000 octets with CRLF: 998 of text (RFC 5321 4.5.3.1.6). */
	room = SMTP_LINE_MAX - 2 - b->llen;
	if (n > room) {
		b->lover = 1;
		n = room;
	}
	memcpy(b->line + b->llen, p, n);
	b->llen += n;
}

/* Feed raw octets.  Returns how many were used; *end is set when the
 * DATA terminator was seen.  In DATA a bare CR/LF stops at once.  Lines
 * are found with memchr(), not byte by byte: this loop is most of a
 * session's work per message. */
size_t
body_feed(struct body *b, const char *p, size_t n,
    int *end)
{
	const char *q, *lf, *cr;
	size_t i = 0, seg, seen = 0, upto;
	int k;

	b->chunk_nul = b->chunk_high = 0;
	while (i < n) {
		if (b->cr) {
			b->cr = 0;
			if (p[i] == '\n') {
				i++;
				if (line_done(b)) {
					*end = 1;
					return i;
				}
				continue;
			}
			b->bare = 1;	/* a CR not followed by LF */
			if (b->dot_mode)
				return i;
			add_text(b, "\r", 1);
			continue;
		}
		q = p + i;
		lf = memchr(q, '\n', n - i);
		seg = lf != NULL ? (size_t)(lf - q) : n - i;
		/* Look for NUL and 8-bit octets a window ahead, not in the
		 * whole chunk: a pipelining client's chunk holds the next
		 * messages too, which would be looked at again for each. */
		if (i + seg >= seen) {
			upto = i + seg + BODY_PRESCAN;
			if (upto > n)
				upto = n;
			k = octets(p + seen, upto - seen);
			if (k & OCT_NUL)
				b->chunk_nul = 1;
			if ((k & OCT_HIGH) && !b->has8bit)
				b->chunk_high = 1;
			seen = upto;
		}
		cr = memchr(q, '\r', seg);
		if (cr != NULL && lf != NULL && cr + 1 == lf && b->llen == 0 &&
		    seg - 1 <= SMTP_LINE_MAX - 2) {
			/* The usual case: a whole CRLF line in the buffer,
			 * used where it lies. */
			scan_text(b, q, seg - 1);
			i += seg + 1;
			if (line_text(b, q, seg - 1)) {
				*end = 1;
				return i;
			}
			continue;
		}
		if (cr != NULL) {
			add_text(b, q, (size_t)(cr - q));
			i += (size_t)(cr - q) + 1;
			b->cr = 1;
			continue;
		}
		add_text(b, q, seg);
		i += seg;
		if (lf == NULL)
			break;
		i++;
		if (!b->lf_ok) {
			b->bare = 1;	/* LF without CR from a network peer */
			if (b->dot_mode)
				return i;
		}
		if (line_done(b)) {
			*end = 1;
			return i;
		}
	}
	return n;
}


void
body_init(struct body *b, struct qmsg *qm, long long max_size, int dot_mode,
    int lf_ok)
{
	memset(b, 0, offsetof(struct body, line));
	b->qm = qm;
	b->max_size = max_size;
	b->dot_mode = dot_mode;
	b->lf_ok = lf_ok;
	b->in_headers = 1;
	b->max_hdrs = BODY_DEFAULT_HEADERS;
}

void
body_end(struct body *b)
{
	if (b->cr) {
		b->bare = 1;	/* a CR at the very end */
		b->cr = 0;
	}
	if (b->llen > 0 || b->lover)
		line_done(b);
}

void
body_free(struct body *b)
{
	buf_free(&b->hdrs);
}
