/* qrun_book.c - the bookkeeper: the runner's process inside the queue,
 * running as RunAsUser, which owns every file there (doc/qrun.md).
 *
 * For each qf, in name order: take sendmail's lock (flock LOCK_EX|
 * LOCK_NB; a locked message belongs to a session still committing it or
 * to another runner, and is skipped), make sure the name still names the
 * file we locked (another runner may have finished or rewritten it since
 * we opened it), check the file and parse it (qf.c: any content is
 * hostile), open and check the df, and ask root to deliver each pending
 * recipient.  A recipient is taken out of the qf only after root said it
 * was delivered (mbox_deliver() fsync()ed), and the qf is rewritten
 * after every such success, so that a crash at any point delivers at
 * most the recipient in flight twice and loses none.
 */
#include "qrun_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/log.h"
#include "mail/cf.h"
#include "mail/qf.h"
#include "mail/queue.h"

#define QR_MAXMSGS	100000		/* qf names taken per run */

struct msg {
	const struct cf	*cf;
	int		 dirfd, sock;
	const char	*id;
	int		 lockfd, dffd;
	struct qf	 q;
	unsigned char	*done;
	char		**status;
	size_t		 left;
	time_t		 start;
};

static int
id_ok(const char *id)
{
	size_t i, n = strlen(id);

	if (n == 0 || n > QR_IDMAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!((id[i] >= '0' && id[i] <= '9') ||
		    (id[i] >= 'A' && id[i] <= 'Z') ||
		    (id[i] >= 'a' && id[i] <= 'z')))
			return 0;
	return 1;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The ids of the qf files, sorted; *n of them. */
static char **
list_queue(int dirfd, size_t *n)
{
	DIR *d;
	struct dirent *de;
	char **v = NULL;
	size_t cap = 0;
	int fd = dup(dirfd);

	*n = 0;
	if (fd < 0 || (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	while ((de = readdir(d)) != NULL && *n < QR_MAXMSGS) {
		if (strncmp(de->d_name, "qf", 2) != 0 || !id_ok(de->d_name + 2))
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			v = xrealloc(v, cap * sizeof(*v));
		}
		v[(*n)++] = xstrdup(de->d_name + 2);
	}
	closedir(d);
	if (*n > 0)
		qsort(v, *n, sizeof(*v), cmp_names);
	return v;
}

/* sendmail's pintvl(): "HH:MM:SS", "D+HH:MM:SS" past a day. */
static void
interval(struct buf *out, time_t secs)
{
	if (secs < 0)
		secs = 0;
	if (secs >= 86400)
		buf_printf(out, "%ld+", (long)(secs / 86400));
	buf_printf(out, "%02ld:%02ld:%02ld", (long)(secs % 86400 / 3600),
	    (long)(secs % 3600 / 60), (long)(secs % 60));
}

/* One to= line per recipient per attempt, in sendmail's shape. */
static void
log_to(struct msg *m, size_t i, time_t xstart, const struct qr_rep *rep)
{
	struct buf to = BUF_INIT, a = BUF_INIT, d = BUF_INIT, x = BUF_INIT,
	    st = BUF_INIT;
	const char *at = strrchr(m->q.rcpts[i].addr, '@');
	time_t now = time(NULL);

	qf_rcpt_addr(&a, &m->q, i);
	buf_escape(&to, a.s, a.len, 256);
	buf_escape(&st, rep->text, strlen(rep->text), QR_TEXTMAX);
	interval(&d, now - (m->q.has_ctime ? m->q.ctime : now));
	interval(&x, now - xstart);
	log_info("%s: to=%s, delay=%s, xdelay=%s, mailer=%s, pri=%ld, "
	    "dsn=%s, stat=%s", m->id, buf_str(&to), buf_str(&d), buf_str(&x),
	    at == NULL || cf_class_has(m->cf, "w", at + 1) ? "local" : "esmtp",
	    m->q.priority, rep->dsn, buf_str(&st));
	buf_free(&to);
	buf_free(&a);
	buf_free(&d);
	buf_free(&x);
	buf_free(&st);
}

/* The header text mbox_deliver() takes.  Headers received from the
 * client (no condition, or "??") go as stored; sendmail's own templates
 * (H?D?Date:, H?F?From: ...) go when they hold no stored macro (octet
 * 0x81, expanded at delivery: a later slice) and no $x condition. */
static void
header_text(struct buf *out, const struct qf *q)
{
	size_t i;

	for (i = 0; i < q->nhdrs; i++) {
		const struct qf_header *h = &q->hdrs[i];

		if (h->cond != NULL && h->cond[0] != '\0' &&
		    (h->cond[0] == '$' || strchr(h->value, '\201') != NULL))
			continue;
		buf_adds(out, h->name);
		buf_addc(out, ':');
		buf_adds(out, h->value);
		buf_addc(out, '\n');
	}
}

/* addr without its <>, into out (size QR_ADDRMAX + 1): 0, or -1 when
 * it does not fit or is not one line. */
static int
unbracket(char *out, const char *addr)
{
	size_t n = strlen(addr);

	if (n >= 2 && addr[0] == '<' && addr[n - 1] == '>') {
		addr++;
		n -= 2;
	}
	if (n > QR_ADDRMAX || memchr(addr, '\n', n) != NULL ||
	    memchr(addr, '\r', n) != NULL)
		return -1;
	memcpy(out, addr, n);
	out[n] = '\0';
	return 0;
}

/* Ask root for recipient i: 0 with rep, or -1 when root is gone. */
static int
ask_root(struct msg *m, size_t i, const struct buf *hdrs, struct qr_rep *rep)
{
	struct qr_req req;

	memset(&req, 0, sizeof(req));
	(void)snprintf(req.id, sizeof(req.id), "%s", m->id);
	if (m->q.rextra != NULL && m->q.rextra[i].ctladdr != NULL) {
		qr_rep_set(rep, EX_TEMPFAIL, "4.7.1", "Deferred: a recipient "
		    "with a controlling user (C line, from an alias or "
		    ".forward) is not yet supported by the runner");
		return 0;
	}
	if (unbracket(req.rcpt, m->q.rcpts[i].addr) < 0 || req.rcpt[0] == '\0'
	    || unbracket(req.sender, m->q.sender) < 0) {
		qr_rep_set(rep, EX_TEMPFAIL, "4.1.7", "Deferred: the address "
		    "is too long or not one line");
		return 0;
	}
	req.hdrs = hdrs->s;
	req.hlen = hdrs->len;
	req.ctime = m->q.has_ctime ? (int64_t)m->q.ctime : (int64_t)m->start;
	req.dffd = m->dffd;
	if (qr_send_req(m->sock, &req) < 0 || qr_recv_rep(m->sock, rep) < 0)
		return -1;
	return 0;
}

/* Deliver every pending recipient of the opened message.  -1 when
 * root went away (the run ends). */
static int
deliver_all(struct msg *m)
{
	struct buf hdrs = BUF_INIT, err = BUF_INIT;
	struct qr_rep rep;
	size_t i;
	time_t t;
	int r = 0;

	header_text(&hdrs, &m->q);
	if (hdrs.len > QR_HDRMAX) {
		log_warn("%s: headers larger than %u octets, skipped", m->id,
		    QR_HDRMAX);
		buf_free(&hdrs);
		return 0;
	}
	for (i = 0; i < m->q.nrcpts; i++) {
		t = time(NULL);
		if ((r = ask_root(m, i, &hdrs, &rep)) < 0)
			break;
		log_to(m, i, t, &rep);
		if (rep.code != EX_OK) {
			m->status[i] = xstrdup(rep.text);
			continue;
		}
		m->done[i] = 1;
		if (--m->left == 0)
			break;
		/* Checkpoint: a crash from here on must not deliver i again. */
		if (qr_qf_rewrite(m->dirfd, m->id, &m->q, m->done, NULL,
		    m->cf->queue.file_mode, &m->lockfd, &err) < 0) {
			log_err("%s: SYSERR: %s: recipients delivered so far "
			    "may be delivered again", m->id, buf_str(&err));
			r = 0;
			goto out;
		}
	}
	if (m->left == 0) {
		if (qr_qf_remove(m->dirfd, m->id, &err) < 0 || err.len > 0)
			log_err("%s: SYSERR: %s", m->id, buf_str(&err));
	} else if (r == 0) {
		for (i = m->q.nrcpts; i-- > 0;)
			if (m->status[i] != NULL) {
				free(m->q.status);
				m->q.status = xstrdup(m->status[i]);
				break;
			}
		m->q.dtime = time(NULL);
		m->q.attempts++;
		if (qr_qf_rewrite(m->dirfd, m->id, &m->q, m->done, m->status,
		    m->cf->queue.file_mode, &m->lockfd, &err) < 0)
			log_err("%s: SYSERR: %s", m->id, buf_str(&err));
	}
out:
	buf_free(&hdrs);
	buf_free(&err);
	return r;
}

/* Is the open fd, as fstat() says, a file of ours that only we can
 * write?  NULL, or what is wrong. */
static const char *
unsafe_file(const struct stat *st, mode_t file_mode)
{
	if (!S_ISREG(st->st_mode))
		return "not a regular file";
	if (st->st_nlink != 1)
		return "has more than one hard link";
	if (st->st_uid != geteuid())
		return "not owned by RunAsUser";
	if ((st->st_mode & S_IWOTH) ||
	    ((st->st_mode & S_IWGRP) && !(file_mode & S_IWGRP)))
		return "writable by others than RunAsUser";
	return NULL;
}

/* The df of m, opened and checked: 0, or -1 (logged). */
static int
open_df(struct msg *m)
{
	char name[QR_IDMAX + 3];
	const char *why, *size;
	struct stat st;

	(void)snprintf(name, sizeof(name), "df%s", m->id);
	if (m->q.dfdir != NULL) {
		log_warn("%s: the data file is in another queue directory "
		    "(d line), which the runner does not support: skipped",
		    m->id);
		return -1;
	}
	m->dffd = openat(m->dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC);
	if (m->dffd < 0) {
		log_warn("%s: SYSERR: %s: %s: message skipped", m->id, name,
		    errno == ELOOP ? "a symbolic link, refused" :
		    strerror(errno));
		return -1;
	}
	why = fstat(m->dffd, &st) < 0 ? "cannot be checked" :
	    unsafe_file(&st, m->cf->queue.file_mode);
	if (why != NULL) {
		log_warn("%s: SYSERR: %s: %s, refused: message skipped",
		    m->id, name, why);
		return -1;
	}
	size = qf_macro(&m->q, "sockmail_dfsize");
	if (size != NULL && strtoll(size, NULL, 10) != (long long)st.st_size) {
		log_warn("%s: %s has %lld octets, the qf says %s: never "
		    "committed, skipped", m->id, name, (long long)st.st_size,
		    size);
		return -1;
	}
	return 0;
}

/* Open, lock and check qf<id>: 1 ready (m->lockfd, m->q), 0 skip. */
static int
open_qf(struct msg *m)
{
	struct buf err = BUF_INIT;
	char name[QR_IDMAX + 3];
	struct stat st, now;
	const char *why;

	(void)snprintf(name, sizeof(name), "qf%s", m->id);
	m->lockfd = openat(m->dirfd, name, O_RDONLY | O_NOFOLLOW |
	    O_NONBLOCK | O_CLOEXEC);
	if (m->lockfd < 0) {
		if (errno != ENOENT)
			log_warn("%s: SYSERR: %s: %s: skipped", m->id, name,
			    errno == ELOOP ? "a symbolic link, refused" :
			    strerror(errno));
		return 0;
	}
	if (flock(m->lockfd, LOCK_EX | LOCK_NB) < 0)
		return 0;	/* a session or another runner has it */
	/* Still the file of that name?  Another runner may have removed
	 * or rewritten it between our open and our lock. */
	if (fstat(m->lockfd, &st) < 0 ||
	    fstatat(m->dirfd, name, &now, AT_SYMLINK_NOFOLLOW) < 0 ||
	    st.st_dev != now.st_dev || st.st_ino != now.st_ino ||
	    st.st_nlink == 0)
		return 0;
	if ((why = unsafe_file(&st, m->cf->queue.file_mode)) != NULL) {
		log_warn("%s: SYSERR: %s: %s, refused: skipped", m->id, name,
		    why);
		return 0;
	}
	if (qf_read_fd(m->lockfd, name, &m->q, &err) < 0) {
		struct buf e = BUF_INIT;

		buf_escape(&e, err.s, err.len, 300);
		log_warn("%s: SYSERR: bad control file: %s: left in place",
		    m->id, buf_str(&e));
		buf_free(&e);
		buf_free(&err);
		return 0;
	}
	buf_free(&err);
	return 1;
}

/* One message.  -1 when root went away. */
static int
run_one(const struct cf *cf, int dirfd, int sock, const char *id)
{
	struct msg m;
	size_t i;
	int r = 0, ok;

	memset(&m, 0, sizeof(m));
	m.cf = cf;
	m.dirfd = dirfd;
	m.sock = sock;
	m.id = id;
	m.dffd = -1;
	m.start = time(NULL);
	ok = open_qf(&m);
	if (ok > 0 && open_df(&m) == 0 && m.q.nrcpts > 0) {
		m.done = xcalloc(m.q.nrcpts, 1);
		m.status = xcalloc(m.q.nrcpts, sizeof(*m.status));
		m.left = m.q.nrcpts;
		r = deliver_all(&m);
		for (i = 0; i < m.q.nrcpts; i++)
			free(m.status[i]);
		free(m.status);
		free(m.done);
	}
	if (ok > 0)
		qf_free(&m.q);
	if (m.dffd >= 0)
		close(m.dffd);
	if (m.lockfd >= 0)
		close(m.lockfd);
	return r;
}

int
qr_book_run(const struct cf *cf, int sock)
{
	struct buf err = BUF_INIT;
	char **ids;
	size_t i, n;
	int dirfd, r = 0;

	dirfd = queue_open_dir(cf->queue.dir, cf->use_msp, &err);
	if (dirfd < 0) {
		log_err("SYSERR: %s", buf_str(&err));
		buf_free(&err);
		return EX_TEMPFAIL;
	}
	ids = list_queue(dirfd, &n);
	for (i = 0; i < n; i++) {
		if (r == 0 && run_one(cf, dirfd, sock, ids[i]) < 0) {
			log_err("the runner's root process went away; the "
			    "run ends");
			r = -1;
		}
		free(ids[i]);
	}
	free(ids);
	close(dirfd);
	buf_free(&err);
	return r == 0 ? EX_OK : EX_TEMPFAIL;
}
