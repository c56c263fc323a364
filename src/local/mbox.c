/* mbox.c - append one message to a Unix mbox file (mbox.h).
 *
 * What a Debian administrator expects of sendmail's mail.local or
 * Postfix's local(8): the mailbox is only ever appended to, under the
 * locks every mail reader takes, by the user it belongs to, and a
 * failure leaves it exactly as it was.  doc/local-delivery.md has the
 * choices (mboxo, the lock order, the mail group) and their reasons.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/file.h"
#include "mbox.h"

#define WBUF	65536

/* The output: a buffer in front of the mailbox fd, and the first error. */
struct wout {
	int		 fd;
	int		 werr;		/* errno of the first failed write */
	size_t		 len;
	char		 b[WBUF];
};

/* Where the body's text filter is between two read()s. */
struct filt {
	int		 bol;		/* at the start of a line */
	int		 cr;		/* a CR held back: CRLF or not? */
	size_t		 pre;		/* octets of "From " matched at bol */
	int		 last;		/* the last octet written, -1 none */
};

static const char from_[] = "From ";

static void
w_flush(struct wout *w)
{
	if (w->len > 0 && w->werr == 0)
		w->werr = file_write_all(w->fd, w->b, w->len);
	w->len = 0;
}

static void
w_add(struct wout *w, const char *p, size_t n)
{
	size_t k;

	while (n > 0) {
		if (w->len == sizeof(w->b))
			w_flush(w);
		k = sizeof(w->b) - w->len;
		if (k > n)
			k = n;
		memcpy(w->b + w->len, p, k);
		w->len += k;
		p += k;
		n -= k;
	}
}

/* Text for the filter's output, remembering its last octet. */
static void
f_out(struct wout *w, struct filt *f, const char *p, size_t n)
{
	if (n == 0)
		return;
	w_add(w, p, n);
	f->last = (unsigned char)p[n - 1];
}

/* The body, in pieces as read() gives them: CRLF becomes LF, and a line
 * that begins "From " is written ">From " (mboxo), so that no reader
 * takes it for the start of the next message.  A line's first five
 * octets may straddle two pieces: f->pre counts how many matched. */
static void
filter(struct wout *w, struct filt *f, const char *p, size_t n)
{
	const char *nl;
	size_t k;

	while (n > 0) {
		if (f->bol) {
			while (f->pre < 5 && n > 0 && *p == from_[f->pre]) {
				f->pre++;
				p++;
				n--;
			}
			if (f->pre == 5)
				f_out(w, f, ">", 1);
			else if (n == 0)
				return;		/* undecided until more comes */
			f_out(w, f, from_, f->pre);
			f->pre = 0;
			f->bol = 0;
			continue;
		}
		if (f->cr) {
			f->cr = 0;
			if (*p == '\n') {
				f_out(w, f, "\n", 1);
				p++;
				n--;
				f->bol = 1;
				continue;
			}
			f_out(w, f, "\r", 1);
		}
		nl = memchr(p, '\n', n);
		if (nl == NULL) {
			if (p[n - 1] == '\r') {
				f->cr = 1;	/* the next piece says if LF follows */
				n--;
			}
			f_out(w, f, p, n);
			return;
		}
		k = (size_t)(nl - p);
		f_out(w, f, p, k > 0 && p[k - 1] == '\r' ? k - 1 : k);
		f_out(w, f, "\n", 1);
		n -= k + 1;
		p = nl + 1;
		f->bol = 1;
	}
}

/* The end of the body: what the filter held back, a newline if the last
 * line lacks one, and the blank line that ends a message in an mbox. */
static void
filter_end(struct wout *w, struct filt *f)
{
	if (f->pre > 0)
		f_out(w, f, from_, f->pre);
	if (f->cr)
		f_out(w, f, "\r", 1);
	if (f->last != '\n')
		f_out(w, f, "\n", 1);
	f_out(w, f, "\n", 1);
}

static int
is_return_path(const char *p, size_t n)
{
	static const char rp[] = "return-path";
	size_t i;

	if (n < sizeof(rp))
		return 0;
	for (i = 0; i < sizeof(rp) - 1; i++)
		if ((p[i] | 0x20) != rp[i])
			return 0;
	while (i < n && (p[i] == ' ' || p[i] == '\t'))
		i++;
	return i < n && p[i] == ':';
}

/* The header text, line by line: ours is the only Return-Path: (as
 * sendmail drops a received one for a mailer with F=P), blank lines are
 * dropped so that the header stays one block, "From " is quoted here
 * too, and every line ends in LF. */
static void
put_headers(struct wout *w, const char *p, size_t n)
{
	const char *nl;
	size_t k;
	int drop = 0;

	while (n > 0) {
		nl = memchr(p, '\n', n);
		k = nl != NULL ? (size_t)(nl - p) : n;
		n -= k + (nl != NULL);
		if (k > 0 && p[k - 1] == '\r')
			k--;
		if (k > 0 && p[0] != ' ' && p[0] != '\t')
			drop = is_return_path(p, k);
		if (k > 0 && !drop) {
			if (k >= 5 && memcmp(p, from_, 5) == 0)
				w_add(w, ">", 1);
			w_add(w, p, k);
			w_add(w, "\n", 1);
		}
		p = nl != NULL ? nl + 1 : p + k;
	}
}

void
mbox_from_line(struct buf *out, const char *sender, time_t t)
{
	static const char day[7][4] = {
		"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char mon[12][4] = { "Jan", "Feb", "Mar", "Apr", "May",
		"Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm tm;
	const char *s;

	buf_adds(out, from_);
	if (*sender == '\0')
		buf_adds(out, "MAILER-DAEMON");
	for (s = sender; *s != '\0'; s++)
		buf_addc(out, *s == ' ' || *s == '\t' ? '_' : *s);
	if (localtime_r(&t, &tm) == NULL)
		memset(&tm, 0, sizeof(tm));
	/* asctime()'s layout, without its fixed buffer. */
	buf_printf(out, " %s %s %2d %02d:%02d:%02d %lld",
	    day[(unsigned)tm.tm_wday % 7], mon[(unsigned)tm.tm_mon % 12],
	    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
	    (long long)tm.tm_year + 1900);
}

/* The errors of a write or fsync: all of them leave the mailbox as it
 * was, so all of them are worth a later try (a full disk, a quota, a
 * disk that hiccupped). */
static int
io_fail(struct buf *err, const char *path, const char *step, int e)
{
	buf_printf(err, "%s: %s: %s", path, step, strerror(e));
	if (e == ENOSPC || e == EDQUOT || e == EFBIG)
		buf_adds(err, ": free space or raise the user's quota; the "
		    "mailbox is unchanged and delivery will be retried");
	else
		buf_adds(err, ": the mailbox is unchanged and delivery will "
		    "be retried; check the file system (dmesg)");
	return EX_TEMPFAIL;
}

static void
truncate_back(int fd, off_t size, struct buf *err)
{
	if (ftruncate(fd, size) == -1 || fsync(fd) == -1)
		buf_printf(err, "; and it could not be cut back to %lld "
		    "octets (%s): remove the half message after the last "
		    "whole one by hand", (long long)size, strerror(errno));
}

/* Write the whole message at the end of fd, whose size before is size,
 * and fsync it; on failure cut it back.  SIGXFSZ is ignored meanwhile so
 * that a file size limit is an EFBIG we handle, not the end of us. */
static int
append(int fd, off_t size, const char *path, const struct mbox_msg *m,
    struct buf *err)
{
	static struct wout w;
	struct filt f = { 1, 0, 0, -1 };
	struct sigaction ign, old;
	struct buf line = BUF_INIT;
	char rb[WBUF];
	ssize_t r;
	int rerr = 0, rv = 0;

	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigaction(SIGXFSZ, &ign, &old);
	w.fd = fd;
	w.werr = 0;
	w.len = 0;
	mbox_from_line(&line, m->sender, m->arrival);
	buf_printf(&line, "\nReturn-Path: <%s>\n", m->sender);
	w_add(&w, line.s, line.len);
	buf_free(&line);
	put_headers(&w, m->hdrs != NULL ? m->hdrs : "", m->hdrlen);
	w_add(&w, "\n", 1);
	f.last = '\n';
	while (m->bodyfd >= 0 && w.werr == 0) {
		r = read(m->bodyfd, rb, sizeof(rb));
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			rerr = errno;
		if (r <= 0)
			break;
		filter(&w, &f, rb, (size_t)r);
	}
	filter_end(&w, &f);
	w_flush(&w);
	if (rerr != 0) {
		buf_printf(err, "%s: the message's body could not be read: %s;"
		    " the mailbox is unchanged, delivery will be retried",
		    path, strerror(rerr));
		rv = EX_TEMPFAIL;
	} else if (w.werr != 0)
		rv = io_fail(err, path, "write", w.werr);
	else if (fsync(fd) == -1)
		rv = io_fail(err, path, "fsync", errno);
	if (rv != 0)
		truncate_back(fd, size, err);
	sigaction(SIGXFSZ, &old, NULL);
	return rv;
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait a little longer each time, up to a quarter second. */
static void
nap(unsigned *ms)
{
	struct timespec ts;

	ts.tv_sec = 0;
	ts.tv_nsec = (long)*ms * 1000000L;
	nanosleep(&ts, NULL);
	*ms = *ms >= 125 ? 250 : *ms * 2;
}

struct dotlock {
	char		*path;		/* NULL: we hold none */
	dev_t		 dev;
	ino_t		 ino;
};

/* PATH.lock, the lock that mail readers and other delivery agents take
 * by creating it (O_EXCL: one wins).  0 held; 1 cannot be made here (a
 * directory we may not write to: the fcntl() lock must do); or a
 * sysexits code.  A lock older than stale seconds is one whose holder
 * died: it is removed, as mail.local and Postfix do. */
static int
dotlock_take(struct dotlock *dl, const char *path, long long deadline,
    unsigned stale, struct buf *err)
{
	struct buf name = BUF_INIT;
	struct stat st;
	unsigned ms = 10;
	int fd, e;

	buf_printf(&name, "%s.lock", path);
	for (;;) {
		fd = open(name.s, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0600);
		if (fd >= 0)
			break;
		e = errno;
		if (e == ENOSPC || e == EDQUOT || e == EIO) {
			buf_free(&name);
			return io_fail(err, path, "creating its .lock", e);
		}
		if (e != EEXIST) {
			buf_free(&name);
			return 1;
		}
		if (lstat(name.s, &st) == 0 &&
		    time(NULL) - st.st_mtime > (time_t)stale) {
			(void)unlink(name.s);
			continue;
		}
		if (now_ms() >= deadline) {
			buf_printf(err, "%s: locked by another program (%s "
			    "exists); delivery will be retried; if no mail "
			    "program runs, remove %s", path, name.s, name.s);
			buf_free(&name);
			return EX_TEMPFAIL;
		}
		nap(&ms);
	}
	if (fstat(fd, &st) == 0) {
		dl->dev = st.st_dev;
		dl->ino = st.st_ino;
	}
	close(fd);
	dl->path = name.s;
	return 0;
}

/* Remove our dotlock, and only ours: if it was taken for stale and
 * replaced meanwhile, the new one is someone else's. */
static void
dotlock_drop(struct dotlock *dl)
{
	struct stat st;

	if (dl->path == NULL)
		return;
	if (lstat(dl->path, &st) == 0 && st.st_dev == dl->dev &&
	    st.st_ino == dl->ino)
		(void)unlink(dl->path);
	free(dl->path);
	dl->path = NULL;
}

/* The fcntl() write lock on the whole file that mutt, mailx, Dovecot
 * and procmail take, polled so that the wait has an end (no alarm():
 * the caller's signals stay its own). */
static int
lock_fd(int fd, const char *path, long long deadline, struct buf *err)
{
	struct flock fl;
	unsigned ms = 10;

	for (;;) {
		memset(&fl, 0, sizeof(fl));
		fl.l_type = F_WRLCK;
		fl.l_whence = SEEK_SET;
		if (fcntl(fd, F_SETLK, &fl) == 0)
			return 0;
		if (errno != EAGAIN && errno != EACCES && errno != EINTR) {
			buf_printf(err, "%s: fcntl lock: %s; delivery will be "
			    "retried", path, strerror(errno));
			return EX_TEMPFAIL;
		}
		if (now_ms() >= deadline) {
			buf_printf(err, "%s: locked by another program (fcntl) "
			    "for too long; delivery will be retried; see who "
			    "holds it with lslocks", path);
			return EX_TEMPFAIL;
		}
		nap(&ms);
	}
}

static int
open_fail(const char *path, int e, struct buf *err)
{
	switch (e) {
	case ELOOP:
		buf_printf(err, "%s: a symbolic link; mail is never delivered "
		    "through one: remove it (delivery creates the mailbox)",
		    path);
		return EX_CANTCREAT;
	case EISDIR:
	case ENXIO:
	case EWOULDBLOCK:
		buf_printf(err, "%s: not a regular file: remove it or point "
		    "the mailbox elsewhere", path);
		return EX_CANTCREAT;
	case EACCES:
	case EPERM:
		buf_printf(err, "%s: permission denied to uid %ld: the mailbox "
		    "must belong to its user (chown USER, chmod 600)", path,
		    (long)geteuid());
		return EX_NOPERM;
	case ENOSPC:
	case EDQUOT:
	case EFBIG:
		return io_fail(err, path, "open", e);
	default:
		buf_printf(err, "%s: open: %s; delivery will be retried", path,
		    strerror(e));
		return EX_TEMPFAIL;
	}
}

/* Create a missing mailbox: O_EXCL, so that nothing that appears
 * meanwhile is taken over, and exactly 0600 whatever the umask.  -1 with
 * errno EEXIST if it appeared (open it again); else fd or -1 and err. */
static int
create_box(const char *path, int *rv, struct buf *err)
{
	const char *slash;
	int fd;

	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	if (fd >= 0) {
		(void)fchmod(fd, 0600);
		return fd;
	}
	if (errno == EEXIST)
		return -1;
	if (errno == ENOENT || errno == ENOTDIR) {
		buf_printf(err, "%s: its directory does not exist: create it "
		    "(Debian: /var/mail, root:mail 2775)", path);
		*rv = EX_CANTCREAT;
		return -1;
	}
	if (errno != EACCES && errno != EPERM) {
		*rv = open_fail(path, errno, err);
		return -1;
	}
	slash = strrchr(path, '/');
	buf_printf(err, "%s: cannot be created by uid %ld gid %ld: %.*s is "
	    "not writable for it; create the mailbox (install -m 600 -o "
	    "USER /dev/null %s) or let deliveries keep the spool's group "
	    "(Debian: /var/mail root:mail 2775, group mail)", path,
	    (long)geteuid(), (long)getegid(),
	    slash == NULL ? 1 : (int)(slash - path + (slash == path)),
	    slash == NULL ? "." : path, path);
	*rv = EX_CANTCREAT;
	return -1;
}

/* Is the open mailbox one we may append to? */
static int
check_box(const struct stat *st, const char *path,
    const struct mbox_opts *o, struct buf *err)
{
	if (!S_ISREG(st->st_mode)) {
		buf_printf(err, "%s: not a regular file: remove it or point "
		    "the mailbox elsewhere", path);
		return EX_CANTCREAT;
	}
	if (st->st_nlink != 1) {
		buf_printf(err, "%s: has %lu hard links; another name may "
		    "be another user's file: remove the other links (find "
		    "-samefile) or the mailbox", path,
		    (unsigned long)st->st_nlink);
		return EX_CANTCREAT;
	}
	if (st->st_uid != geteuid()) {
		buf_printf(err, "%s: belongs to uid %ld, not to uid %ld that "
		    "delivers to it: chown it to its user, or remove it",
		    path, (long)st->st_uid, (long)geteuid());
		return EX_NOPERM;
	}
	if ((st->st_mode & S_IWOTH) ||
	    ((st->st_mode & S_IWGRP) && st->st_gid != o->mail_gid)) {
		buf_printf(err, "%s: others may write to it (mode %04o, gid "
		    "%ld): chmod 600 it (660 only with the spool's group)",
		    path, (unsigned)(st->st_mode & 07777), (long)st->st_gid);
		return EX_NOPERM;
	}
	return 0;
}

/* Open (or create) the mailbox, check it, lock it, and make sure the
 * path still names it once locked (a reader may have replaced the file
 * while we waited): -1 to try again, else 0 with *fdp and *st, or a
 * sysexits code. */
static int
open_locked(const char *path, const struct mbox_opts *o, long long deadline,
    int *fdp, struct stat *st, int *created, struct buf *err)
{
	struct stat now;
	int fd, rv = 0;

	*created = 0;
	fd = open(path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_NONBLOCK |
	    O_NOCTTY | O_CLOEXEC);
	if (fd == -1 && errno == ENOENT) {
		fd = create_box(path, &rv, err);
		if (fd == -1)
			return rv != 0 ? rv : -1;
		*created = 1;
	} else if (fd == -1)
		return open_fail(path, errno, err);
	if (fstat(fd, st) == -1)
		rv = open_fail(path, errno, err);
	else if (st->st_nlink == 0)
		rv = -1;		/* removed since we opened it */
	else if ((rv = check_box(st, path, o, err)) == 0 &&
	    (rv = lock_fd(fd, path, deadline, err)) == 0) {
		if (fstat(fd, st) == -1)
			rv = open_fail(path, errno, err);
		else if (lstat(path, &now) == -1 || now.st_dev != st->st_dev ||
		    now.st_ino != st->st_ino || st->st_nlink == 0)
			rv = -1;
		else
			rv = check_box(st, path, o, err);
	}
	if (rv != 0) {
		close(fd);
		return rv;
	}
	*fdp = fd;
	return 0;
}

static int
deliver_locked(const char *path, const struct mbox_msg *m,
    const struct mbox_opts *o, long long deadline, struct buf *err)
{
	struct stat st;
	int fd = -1, created, rv = -1, tries, e;

	for (tries = 0; tries < 5; tries++) {
		rv = open_locked(path, o, deadline, &fd, &st, &created, err);
		if (rv != -1)
			break;
	}
	if (rv == -1) {
		buf_printf(err, "%s: replaced again and again while it was "
		    "being locked; delivery will be retried", path);
		return EX_TEMPFAIL;
	}
	if (rv != 0)
		return rv;
	rv = append(fd, st.st_size, path, m, err);
	/* A new mailbox's name must survive a crash as its text does. */
	if (rv == 0 && created && (e = file_fsync_parent(path, NULL)) != 0)
		rv = io_fail(err, path, "fsync of its directory", e);
	close(fd);		/* and with it the fcntl() lock */
	return rv;
}

int
mbox_deliver(const char *path, const struct mbox_msg *m,
    const struct mbox_opts *o, struct buf *err)
{
	struct dotlock dl = { NULL, 0, 0 };
	const unsigned char *s;
	long long deadline;
	int rv;

	if (geteuid() == 0 && !o->root_ok) {
		buf_printf(err, "%s: refusing to deliver as root: the delivery "
		    "must switch to the recipient's uid first (a bug)", path);
		return EX_SOFTWARE;
	}
	for (s = (const unsigned char *)m->sender; *s != '\0'; s++)
		if (*s < 0x20 || *s == 0x7f) {
			buf_printf(err, "%s: the envelope sender holds a "
			    "control character; not delivered", path);
			return EX_DATAERR;
		}
	deadline = now_ms() +
	    1000LL * (o->lock_wait != 0 ? o->lock_wait : MBOX_LOCK_WAIT);
	rv = 1;
	if (!o->no_dotlock)
		rv = dotlock_take(&dl, path, deadline,
		    o->stale_secs != 0 ? o->stale_secs : MBOX_STALE, err);
	if (rv > 1)
		return rv;
	rv = deliver_locked(path, m, o, deadline, err);
	dotlock_drop(&dl);
	return rv;
}
