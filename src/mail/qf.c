/* qf.c - the queue control file format, both ways (qf.h).
 *
 * A control file is read whole into memory (it holds the envelope and
 * the headers, never the body) and cut into logical lines: a physical
 * line that starts with a space or a tab continues the one before it,
 * joined with a "\n", as sendmail's reader does.  Each logical line is
 * dispatched on its first character.  See doc/queue-format.md.
 * The writer is at the end: one for sendmail's files read back and for
 * the session's messages, in sendmail's line order.
 */
#include "qf.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/file.h"

struct qfparser {
	const char	*p, *end;
	size_t		 lineno;	/* of the current logical line */
	size_t		 next_lineno;
	struct buf	 line;
	struct qf	*q;
	struct buf	*err;
	size_t		 rcap, xcap, hcap, mcap;
	int		 seen_sender;
	char		*orcpt, *final_rcpt, *status, *ctladdr;
};

static void
setstr(char **dst, const char *s, size_t n)
{
	free(*dst);
	*dst = xstrndup(s, n);
}

static int
fail(struct qfparser *ps, const char *what)
{
	buf_printf(ps->err, "line %zu: %s", ps->lineno, what);
	return -1;
}

/* Grow an array of n elements of size sz to hold one more. */
static void *
grow(void *arr, size_t n, size_t *cap, size_t sz)
{
	size_t ncap;

	if (n < *cap)
		return arr;
	ncap = *cap ? *cap * 2 : 8;
	if (ncap < *cap || ncap > SIZE_MAX / sz)
		ncap = SIZE_MAX / sz;	/* xrealloc below fails loudly */
	*cap = ncap;
	return xrealloc(arr, ncap * sz);
}

/* One physical line at ps->p: its text (without LF and one CR before
 * it) in *s and *n.  Returns 0 at the end of the input. */
static int
physline(struct qfparser *ps, const char **s, size_t *n)
{
	const char *nl;

	if (ps->p >= ps->end)
		return 0;
	*s = ps->p;
	nl = memchr(ps->p, '\n', (size_t)(ps->end - ps->p));
	if (nl == NULL) {
		*n = (size_t)(ps->end - ps->p);
		ps->p = ps->end;
	} else {
		*n = (size_t)(nl - ps->p);
		ps->p = nl + 1;
	}
	if (*n > 0 && (*s)[*n - 1] == '\r')
		(*n)--;
	ps->next_lineno++;
	return 1;
}

/* The next logical line into ps->line: 1, 0 at the end, -1 on error. */
static int
logline(struct qfparser *ps)
{
	const char *s;
	size_t n, i;

	buf_reset(&ps->line);
	ps->lineno = ps->next_lineno + 1;
	if (!physline(ps, &s, &n))
		return 0;
	if (n > 0 && (s[0] == ' ' || s[0] == '\t'))
		return fail(ps, "continuation line without a line before it");
	buf_add(&ps->line, s, n);
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t')) {
		physline(ps, &s, &n);
		buf_addc(&ps->line, '\n');
		buf_add(&ps->line, s, n);
	}
	if (memchr(buf_str(&ps->line), '\0', ps->line.len) != NULL)
		return fail(ps, "NUL byte in control file");
	/* Read the line as the writer writes it (put_value()): a CR, and
	 * outside a header the LF of a continuation, are spaces.  What is
	 * read, written back and read again is then the same. */
	for (i = 0; i < ps->line.len; i++)
		if (ps->line.s[i] == '\r' ||
		    (ps->line.s[i] == '\n' && ps->line.s[0] != 'H'))
			ps->line.s[i] = ' ';
	return 1;
}

static int
parse_long(struct qfparser *ps, const char *s, long *out)
{
	char *ep;
	long v;

	if (*s == '\0' || (*s != '-' && (*s < '0' || *s > '9')))
		return fail(ps, "bad number");
	errno = 0;
	v = strtol(s, &ep, 10);
	if (errno != 0 || *ep != '\0')
		return fail(ps, "bad number");
	*out = v;
	return 0;
}

static int
parse_version(struct qfparser *ps, const char *v)
{
	long n;

	if (parse_long(ps, v, &n) < 0)
		return -1;
	if (n < 1 || n > QF_VERSION) {
		buf_printf(ps->err, "line %zu: unsupported queue file "
		    "version %ld", ps->lineno, n);
		return -1;
	}
	ps->q->version = (int)n;
	return 0;
}

static int
parse_macro(struct qfparser *ps, const char *v)
{
	struct qf *q = ps->q;
	struct qf_macro *m;
	const char *name, *val, *close;
	size_t nlen;

	if (v[0] == '{') {
		close = strchr(v, '}');
		if (close == NULL || close == v + 1 ||
		    memchr(v, '\n', (size_t)(close - v)) != NULL)
			return fail(ps, "bad macro name");
		name = v + 1;
		nlen = (size_t)(close - name);
		val = close + 1;
	} else if (v[0] == '\0' || v[0] == '\n') {
		return fail(ps, "macro line without a name");
	} else {
		name = v;
		nlen = 1;
		val = v + 1;
	}
	q->macros = grow(q->macros, q->nmacros, &ps->mcap, sizeof(*m));
	m = &q->macros[q->nmacros++];
	m->name = xstrndup(name, nlen);
	m->value = xstrdup(val);
	return 0;
}

static unsigned
rcpt_bits(const char *f, size_t n)
{
	unsigned bits = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		switch (f[i]) {
		case 'P': bits |= QF_R_PRIMARY; break;
		case 'N': bits |= QF_R_NOTIFY; break;
		case 'S': bits |= QF_R_SUCCESS; break;
		case 'F': bits |= QF_R_FAILURE; break;
		case 'D': bits |= QF_R_DELAY; break;
		case 'B': bits |= QF_R_BCC; break;
		case 'A': bits |= QF_R_ALIAS; break;
		default: break;		/* sendmail ignores the others */
		}
	}
	return bits;
}

/* The session's NOTIFY bits from the R flags (QF_R_*). */
static unsigned
notify_of(unsigned bits)
{
	return ((bits & QF_R_NOTIFY) ? QN_SET : 0) |
	    ((bits & QF_R_SUCCESS) ? QN_SUCCESS : 0) |
	    ((bits & QF_R_FAILURE) ? QN_FAILURE : 0) |
	    ((bits & QF_R_DELAY) ? QN_DELAY : 0);
}

static int
parse_rcpt(struct qfparser *ps, const char *v)
{
	struct qf *q = ps->q;
	struct qrcpt *r;
	struct qf_rextra *x;
	const char *colon, *a;
	size_t alen;

	colon = strchr(v, ':');
	if (colon == NULL)
		return fail(ps, "recipient line without ':'");
	if (colon[1] == '\0')
		return fail(ps, "empty recipient");
	q->rcpts = grow(q->rcpts, q->nrcpts, &ps->rcap, sizeof(*r));
	q->rextra = grow(q->rextra, q->nrcpts, &ps->xcap, sizeof(*x));
	r = &q->rcpts[q->nrcpts];
	x = &q->rextra[q->nrcpts++];
	memset(r, 0, sizeof(*r));
	memset(x, 0, sizeof(*x));
	x->flags = xstrndup(v, (size_t)(colon - v));
	x->bits = rcpt_bits(v, (size_t)(colon - v));
	a = colon + 1;
	alen = strlen(a);
	if (a[0] == '<' && alen >= 2 && a[alen - 1] == '>') {
		a++;			/* the mailbox, as the session has it */
		alen -= 2;
	} else
		x->bare = 1;
	r->addr = xstrndup(a, alen);
	r->notify = notify_of(x->bits);
	r->orcpt = ps->orcpt;
	x->final_rcpt = ps->final_rcpt;
	x->status = ps->status;
	ps->orcpt = ps->final_rcpt = ps->status = NULL;
	if (ps->ctladdr != NULL)
		x->ctladdr = xstrdup(ps->ctladdr);
	return 0;
}

static int
parse_header(struct qfparser *ps, const char *v)
{
	struct qf *q = ps->q;
	struct qf_header *h;
	const char *cond = NULL, *colon;
	size_t clen = 0;

	if (*v == '?') {
		const char *qm = strchr(v + 1, '?');

		if (qm == NULL)
			return fail(ps, "header condition without closing '?'");
		cond = v + 1;
		clen = (size_t)(qm - cond);
		v = qm + 1;
	}
	colon = strchr(v, ':');
	if (colon == NULL || colon == v ||
	    memchr(v, '\n', (size_t)(colon - v)) != NULL)
		return fail(ps, "header line without a field name");
	q->hdrs = grow(q->hdrs, q->nhdrs, &ps->hcap, sizeof(*h));
	h = &q->hdrs[q->nhdrs++];
	h->cond = cond != NULL ? xstrndup(cond, clen) : NULL;
	h->name = xstrndup(v, (size_t)(colon - v));
	h->value = xstrdup(colon + 1);
	return 0;
}

static int
parse_bodytype(struct qfparser *ps, const char *v)
{
	if (strcasecmp(v, "7BIT") != 0 && strcasecmp(v, "8BITMIME") != 0)
		return fail(ps, "bad body type");
	setstr(&ps->q->bodytype, v, strlen(v));
	return 0;
}

static int
parse_time(struct qfparser *ps, const char *v, time_t *t)
{
	long n;

	if (parse_long(ps, v, &n) < 0)
		return -1;
	*t = (time_t)n;
	return 0;
}

/* Envelope lines other than R, H and $. */
static int
parse_envelope(struct qfparser *ps, int c, const char *v)
{
	struct qf *q = ps->q;
	size_t n = strlen(v);

	switch (c) {
	case 'T':
		q->has_ctime = 1;
		return parse_time(ps, v, &q->ctime);
	case 'K':
		return parse_time(ps, v, &q->dtime);
	case 'N':
		return parse_long(ps, v, &q->attempts);
	case 'P':
		return parse_long(ps, v, &q->priority);
	case 'B':
		return parse_bodytype(ps, v);
	case 'F':
		if (strncmp(v, "rom ", 4) == 0)
			return fail(ps, "bogus \"From \" line");
		setstr(&q->flags, v, n);
		return 0;
	case 'S':
		setstr(&q->sender, v, n);
		ps->seen_sender = 1;
		return 0;
	case 'M':
		setstr(ps->seen_sender ? &ps->status : &q->status, v, n);
		return 0;
	case 'C':
		free(ps->ctladdr);
		ps->ctladdr = n > 0 ? xstrndup(v, n) : NULL;
		return 0;
	case 'Q': setstr(&ps->orcpt, v, n); return 0;
	case 'r': setstr(&ps->final_rcpt, v, n); return 0;
	case 'Z': setstr(&q->envid, v, n); return 0;
	case 'A': setstr(&q->auth, v, n); return 0;
	case 'q': setstr(&q->quarantine, v, n); return 0;
	case 'd': setstr(&q->dfdir, v, n); return 0;
	case 'I': setstr(&q->inode, v, n); return 0;
	case '!': setstr(&q->deliver_by, v, n); return 0;
	case 'D': case 'E': case 'L':	/* obsolete; sendmail ignores them */
		return 0;
	}
	return fail(ps, "unrecognized line");
}

static int
parse_line(struct qfparser *ps)
{
	const char *l = buf_str(&ps->line);
	int c = (unsigned char)l[0];

	if (ps->q->terminated)
		return fail(ps, "data after the end of the control file");
	if (ps->q->version == 0 && c != 'V')
		return fail(ps, "control file does not start with a "
		    "version line");
	switch (c) {
	case 'V':
		return parse_version(ps, l + 1);
	case '$':
		return parse_macro(ps, l + 1);
	case 'R':
		return parse_rcpt(ps, l + 1);
	case 'H':
		return parse_header(ps, l + 1);
	case '.':
		if (l[1] != '\0')
			return fail(ps, "unrecognized line");
		ps->q->terminated = 1;
		return 0;
	case '\0':
		return fail(ps, "empty line");
	}
	return parse_envelope(ps, c, l + 1);
}

static void
parser_done(struct qfparser *ps)
{
	buf_free(&ps->line);
	free(ps->orcpt);
	free(ps->final_rcpt);
	free(ps->status);
	free(ps->ctladdr);
}

int
qf_parse(const char *text, size_t len, struct qf *q, struct buf *err)
{
	struct qfparser ps;
	int r;

	memset(q, 0, sizeof(*q));
	memset(&ps, 0, sizeof(ps));
	ps.p = text;
	ps.end = text + len;
	ps.q = q;
	ps.err = err;
	if (len == 0) {
		buf_adds(err, "empty control file");
		return -1;
	}
	while ((r = logline(&ps)) > 0)
		if ((r = parse_line(&ps)) < 0)
			break;
	if (r == 0 && !q->terminated) {
		buf_adds(err, "truncated control file");
		r = -1;
	} else if (r == 0 && !ps.seen_sender) {
		buf_adds(err, "no sender (S line) in control file");
		r = -1;
	}
	parser_done(&ps);
	if (r < 0) {
		qf_free(q);
		return -1;
	}
	if (q->flags == NULL)
		q->flags = xstrdup("");
	return 0;
}

static const char *
id_of(const char *name)
{
	const char *b = strrchr(name, '/');

	b = b != NULL ? b + 1 : name;
	if (strchr("qQhtTdx", b[0]) != NULL && b[0] != '\0' && b[1] == 'f' &&
	    b[2] != '\0')
		return b + 2;
	return b;
}

int
qf_read_fd(int fd, const char *name, struct qf *q, struct buf *err)
{
	struct buf text = BUF_INIT, e = BUF_INIT;
	int r = -1, fe;

	memset(q, 0, sizeof(*q));
	fe = file_read_fd(fd, name, QF_MAXSIZE, FILE_REG | FILE_START, &text,
	    NULL, &e);
	if (fe == EFBIG)
		buf_printf(err, "%s: control file too large", name);
	else if (fe != 0)
		buf_add(err, e.s, e.len);
	else if (qf_parse(text.s, text.len, q, &e) == 0) {
		q->id = xstrdup(id_of(name));
		r = 0;
	} else
		buf_printf(err, "%s: %s", name, buf_str(&e));
	buf_free(&text);
	buf_free(&e);
	return r;
}

int
qf_read(const char *path, struct qf *q, struct buf *err)
{
	int fd, r;

	memset(q, 0, sizeof(*q));
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		buf_printf(err, "%s: %s", path, strerror(errno));
		return -1;
	}
	r = qf_read_fd(fd, path, q, err);
	close(fd);
	return r;
}

void
qf_free(struct qf *q)
{
	size_t i;

	for (i = 0; i < q->nmacros; i++) {
		free(q->macros[i].name);
		free(q->macros[i].value);
	}
	for (i = 0; i < q->nrcpts; i++) {
		free(q->rcpts[i].addr);
		free(q->rcpts[i].orcpt);
		if (q->rextra != NULL) {
			free(q->rextra[i].flags);
			free(q->rextra[i].final_rcpt);
			free(q->rextra[i].status);
			free(q->rextra[i].ctladdr);
		}
	}
	for (i = 0; i < q->nhdrs; i++) {
		free(q->hdrs[i].cond);
		free(q->hdrs[i].name);
		free(q->hdrs[i].value);
	}
	free(q->macros);
	free(q->rcpts);
	free(q->rextra);
	free(q->hdrs);
	free(q->id);
	free(q->dfdir);
	free(q->inode);
	free(q->bodytype);
	free(q->quarantine);
	free(q->status);
	free(q->flags);
	free(q->sender);
	free(q->envid);
	free(q->auth);
	free(q->deliver_by);
	memset(q, 0, sizeof(*q));
}

const char *
qf_macro(const struct qf *q, const char *name)
{
	size_t i;

	for (i = q->nmacros; i-- > 0; )
		if (strcmp(q->macros[i].name, name) == 0)
			return q->macros[i].value;
	return NULL;
}

/* The writer below is the only one: a session's messages go through it
 * too (qf_format_env()), once per message, so it is written with
 * buf_add*, not printf. */

/* Append s; CR always, and LF unless it starts a fold (a LF followed
 * by a blank, allowed only in header values), become spaces. */
static void
put_value(struct buf *out, const char *s, int folds)
{
	size_t n;

	for (;;) {
		n = strcspn(s, "\r\n");
		buf_add(out, s, n);
		s += n;
		if (*s == '\0')
			return;
		if (*s == '\n' && folds && (s[1] == ' ' || s[1] == '\t'))
			buf_addc(out, '\n');
		else
			buf_addc(out, ' ');
		s++;
	}
}

static void
put_line(struct buf *out, const char *prefix, const char *value)
{
	if (value == NULL)
		return;
	buf_adds(out, prefix);
	put_value(out, value, 0);
	buf_addc(out, '\n');
}

static void
put_num(struct buf *out, const char *prefix, long long v)
{
	buf_adds(out, prefix);
	if (v < 0) {
		buf_addc(out, '-');
		buf_addu(out, -(unsigned long long)v);
	} else
		buf_addu(out, (unsigned long long)v);
	buf_addc(out, '\n');
}

static void
format_envelope(struct buf *out, const struct qf *q)
{
	size_t i;

	put_num(out, "V", q->version > 0 ? q->version : QF_VERSION);
	if (q->has_ctime)
		put_num(out, "T", (long long)q->ctime);
	put_num(out, "K", (long long)q->dtime);
	put_num(out, "N", q->attempts);
	put_num(out, "P", q->priority);
	put_line(out, "d", q->dfdir);
	put_line(out, "I", q->inode);
	put_line(out, "B", q->bodytype);
	put_line(out, "q", q->quarantine);
	put_line(out, "M", q->status);
	if (q->flags != NULL && q->flags[0] != '\0')
		put_line(out, "F", q->flags);
	for (i = 0; i < q->nmacros; i++) {
		const struct qf_macro *m = &q->macros[i];

		buf_addc(out, '$');
		if (strlen(m->name) == 1)
			buf_adds(out, m->name);
		else {
			buf_addc(out, '{');
			buf_adds(out, m->name);
			buf_addc(out, '}');
		}
		put_value(out, m->value, 0);
		buf_addc(out, '\n');
	}
	put_line(out, "S", q->sender != NULL ? q->sender : "<>");
	put_line(out, "Z", q->envid);
	put_line(out, "A", q->auth);
	put_line(out, "!", q->deliver_by);
}

/* The R flags of a recipient the session describes (no stored ones). */
static void
notify_flags(struct buf *out, unsigned notify)
{
	buf_addc(out, 'P');
	if (notify & QN_SET) {
		buf_addc(out, 'N');
		if (notify & QN_SUCCESS)
			buf_addc(out, 'S');
		if (notify & QN_FAILURE)
			buf_addc(out, 'F');
		if (notify & QN_DELAY)
			buf_addc(out, 'D');
	} else
		buf_adds(out, "FD");	/* the RFC 3461 default */
}

static void
put_addr(struct buf *out, const struct qrcpt *r, const struct qf_rextra *x)
{
	if (x != NULL && x->bare) {
		put_value(out, r->addr, 0);
		return;
	}
	buf_addc(out, '<');
	put_value(out, r->addr, 0);
	buf_addc(out, '>');
}

void
qf_rcpt_addr(struct buf *out, const struct qf *q, size_t i)
{
	put_addr(out, &q->rcpts[i], q->rextra != NULL ? &q->rextra[i] : NULL);
}

static void
format_rcpts(struct buf *out, const struct qf *q)
{
	const char *ctl = NULL;
	size_t i;

	for (i = 0; i < q->nrcpts; i++) {
		const struct qrcpt *r = &q->rcpts[i];
		const struct qf_rextra *x = q->rextra != NULL ?
		    &q->rextra[i] : NULL;

		if (x != NULL) {
			put_line(out, "M", x->status);
			if (x->ctladdr == NULL && ctl != NULL)
				buf_adds(out, "C\n");
			else if (x->ctladdr != NULL &&
			    (ctl == NULL || strcmp(ctl, x->ctladdr) != 0))
				put_line(out, "C", x->ctladdr);
			ctl = x->ctladdr;
		}
		put_line(out, "Q", r->orcpt);
		if (x != NULL)
			put_line(out, "r", x->final_rcpt);
		buf_addc(out, 'R');
		if (x != NULL && x->flags != NULL)
			put_value(out, x->flags, 0);
		else
			notify_flags(out, r->notify);
		buf_addc(out, ':');
		put_addr(out, r, x);
		buf_addc(out, '\n');
	}
}

void
qf_format(struct buf *out, const struct qf *q)
{
	size_t i;

	format_envelope(out, q);
	format_rcpts(out, q);
	for (i = 0; i < q->nhdrs; i++) {
		const struct qf_header *h = &q->hdrs[i];

		buf_addc(out, 'H');
		if (h->cond != NULL) {
			buf_addc(out, '?');
			put_value(out, h->cond, 0);
			buf_addc(out, '?');
		}
		put_value(out, h->name, 0);
		buf_addc(out, ':');
		put_value(out, h->value, 1);
		buf_addc(out, '\n');
	}
	if (q->hlines != NULL)
		buf_add(out, q->hlines->s, q->hlines->len);
	buf_adds(out, ".\n");
}

/* One macro of a session's message, if it has a value. */
static void
env_macro(struct qf *q, const char *name, const char *value)
{
	struct qf_macro *m = &q->macros[q->nmacros];

	if (value == NULL)
		return;
	/* qf_format() only reads: the strings are e's, lent, not copied
	 * (struct qf's are char * because qf_parse() owns and frees them). */
	m->name = (char *)name;
	m->value = (char *)value;
	q->nmacros++;
}

void
qf_format_env(struct buf *out, const struct qenv *e, const struct buf *hdrs)
{
	struct qf_macro macros[6];
	struct qf q;
	struct buf sender = BUF_INIT;
	char flags[4], dfsize[24];
	size_t nf = 0, i = sizeof(dfsize);
	unsigned long long v = e->df_size;

	memset(&q, 0, sizeof(q));
	q.version = QF_VERSION;
	q.has_ctime = 1;
	q.ctime = e->ctime;
	q.priority = (long)(e->size + 30000LL * (long long)e->nrcpts);
	q.bodytype = e->body_8bitmime ? "8BITMIME" : NULL;
	if (e->has_8bit)
		flags[nf++] = '8';
	if (e->ret)
		flags[nf++] = 'd';
	if (e->ret == 2)
		flags[nf++] = 'n';
	flags[nf] = '\0';
	q.flags = flags;
	dfsize[--i] = '\0';
	do
		dfsize[--i] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	q.macros = macros;
	env_macro(&q, "_", e->client_macro);
	if (e->client_addr != NULL && e->client_addr[0] != '\0')
		env_macro(&q, "client_addr", e->client_addr);
	env_macro(&q, "r", e->proto);
	env_macro(&q, "sockmail_dfsize", dfsize + i);
	if (e->helo != NULL && e->helo[0] != '\0')
		env_macro(&q, "s", e->helo);
	env_macro(&q, "daemon_name", e->daemon_name);
	buf_addc(&sender, '<');
	buf_adds(&sender, e->sender);
	buf_addc(&sender, '>');
	q.sender = sender.s;
	q.envid = (char *)e->envid;
	q.auth = (char *)e->auth;
	q.rcpts = (struct qrcpt *)e->rcpts;
	q.nrcpts = e->nrcpts;
	q.hlines = hdrs;
	qf_format(out, &q);
	buf_free(&sender);
}
