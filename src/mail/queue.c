/* queue.c - the durable queue: ids, df/tf/qf files and the commit. */
#include "queue.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/file.h"
#include "lib/passwd.h"
#include "qf.h"

static const char qid_chars[] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwx";

static unsigned qid_seq;	/* per process; with the pid, ids are unique */

/* "uid N (name)" for a message; the name only if the passwd database
 * knows it (the passwd file first, as every lookup of the session). */
static void
add_uid(struct buf *err, uid_t uid)
{
	char name[64];

	buf_printf(err, "uid %lu", (unsigned long)uid);
	if (passwd_uid_name(uid, name, sizeof(name)) == 1)
		buf_printf(err, " (%s)", name);
}

/* Why a queue directory that exists cannot be opened, and what to do.
 * Not "chown it to me": the caller may be any user running -bs, and
 * giving the MTA's queue to that user would break the MTA.  Whether this
 * process is RunAsUser (whose queue it should be) cannot be told from
 * here; -bC, run as root, compares the owner with RunAsUser and names
 * the chown when that is the fix. */
static void
explain_denied(struct buf *err, const char *path, const struct stat *st)
{
	if (geteuid() == 0 || st->st_uid == geteuid())
		return;
	buf_adds(err, "; it belongs to ");
	add_uid(err, st->st_uid);
	buf_adds(err, " and this process runs as ");
	add_uid(err, geteuid());
	buf_printf(err, ".  Start sessions as root (they switch to RunAsUser) "
	    "or as uid %lu; a user submits mail through the submission "
	    "program (submit.cf, the clientmqueue), not into %s.  If uid %lu "
	    "is RunAsUser, `sendmail -bC' run as root names the fix",
	    (unsigned long)st->st_uid, path, (unsigned long)geteuid());
}

int
queue_open_dir(const char *path, int group_ok, struct buf *err)
{
	struct stat st;
	int fd;

	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;

		buf_printf(err, "%s: cannot open queue directory: %s",
		    path, strerror(e));
		if (e == EACCES && stat(path, &st) == 0)
			explain_denied(err, path, &st);
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		buf_printf(err, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (st.st_mode & S_IWOTH) {
		buf_printf(err, "%s: queue directory is world-writable; "
		    "fix: chmod o-w %s", path, path);
		close(fd);
		return -1;
	}
	if ((st.st_mode & S_IWGRP) && !group_ok) {
		buf_printf(err, "%s: queue directory is group-writable "
		    "(allowed only for a client queue with UseMSP); "
		    "fix: chmod g-w %s", path, path);
		close(fd);
		return -1;
	}
	return fd;
}

int
queue_space_ok(int dirfd, long min_blocks, long long want_bytes)
{
	struct statvfs sv;
	unsigned long long avail;

	if (fstatvfs(dirfd, &sv) < 0)
		return 0;	/* cannot tell: let the writes decide */
	if (min_blocks > 0 && sv.f_bavail < (unsigned long)min_blocks)
		return -1;
	avail = (unsigned long long)sv.f_bavail * sv.f_frsize;
	if (want_bytes > 0 && (unsigned long long)want_bytes > avail)
		return -1;
	return 0;
}

void
queue_make_id(char *out, size_t outsz, const struct tm *tm, unsigned seq,
    pid_t pid)
{
	char tmp[QID_MAX], digits[24];
	unsigned long p = (unsigned long)pid;
	size_t n = 0, d = 0;

	tmp[n++] = qid_chars[tm->tm_year % 60];
	tmp[n++] = qid_chars[tm->tm_mon % 12];
	tmp[n++] = qid_chars[tm->tm_mday % 60];
	tmp[n++] = qid_chars[tm->tm_hour % 60];
	tmp[n++] = qid_chars[tm->tm_min % 60];
	tmp[n++] = qid_chars[tm->tm_sec % 60];
	tmp[n++] = qid_chars[(seq / 60) % 60];
	tmp[n++] = qid_chars[seq % 60];
	do
		digits[d++] = (char)('0' + p % 10);
	while ((p /= 10) != 0);
	while (d < 6)
		digits[d++] = '0';	/* "%06d", as sendmail */
	while (d > 0 && n < sizeof(tmp) - 1)
		tmp[n++] = digits[--d];
	tmp[n] = '\0';
	if (n >= outsz)
		n = outsz - 1;
	memcpy(out, tmp, n);
	out[n] = '\0';
}

static void
name_of(char *out, size_t outsz, const char *prefix, const char *id)
{
	size_t n = strlen(id);

	/* Two letters and the id: a snprintf() here cost as much as the
	 * rest of the commit's user time. */
	if (n + 3 > outsz)
		n = outsz - 3;
	out[0] = prefix[0];
	out[1] = prefix[1];
	memcpy(out + 2, id, n);
	out[n + 2] = '\0';
}

int
queue_begin(struct qmsg *q, int dirfd, mode_t mode, int use_syncfs)
{
	char tf[QID_MAX + 2], df[QID_MAX + 2];
	struct tm tm;
	time_t now = time(NULL);
	unsigned tries;

	q->dirfd = dirfd;
	q->dffd = q->tffd = -1;
	q->werr = 0;
	q->wlen = 0;
	q->df_bytes = 0;
	q->use_syncfs = use_syncfs;
	gmtime_r(&now, &tm);
	if (qid_seq == 0)	/* random start, as sendmail: fewer retries */
		qid_seq = (unsigned)(now ^ getpid()) % 3600;
	for (tries = 0; tries < 3600; tries++) {
		queue_make_id(q->id, sizeof(q->id), &tm, qid_seq++, getpid());
		name_of(tf, sizeof(tf), "tf", q->id);
		q->tffd = openat(dirfd, tf, O_WRONLY | O_CREAT | O_EXCL |
		    O_CLOEXEC, mode);
		if (q->tffd >= 0)
			break;
		if (errno != EEXIST)
			return errno;
	}
	if (q->tffd < 0)
		return EEXIST;
	/* Nobody else can have it open yet: this cannot block. */
	if (flock(q->tffd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;

		close(q->tffd);
		q->tffd = -1;
		unlinkat(dirfd, tf, 0);
		return e;
	}
	name_of(df, sizeof(df), "df", q->id);
	q->dffd = openat(dirfd, df, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    mode);
	if (q->dffd < 0) {
		int e = errno;

		close(q->tffd);
		q->tffd = -1;
		unlinkat(dirfd, tf, 0);
		return e;
	}
	return 0;
}

static void
df_flush(struct qmsg *q)
{
	int e;

	if (q->wlen == 0 || q->werr)
		return;
	e = file_write_all(q->dffd, q->wbuf, q->wlen);
	if (e != 0)
		q->werr = e;
	q->wlen = 0;
}

void
queue_df_write(struct qmsg *q, const char *p, size_t n)
{
	size_t k;

	q->df_bytes += n;
	if (q->werr)
		return;		/* already failed: keep reading, store nothing */
	while (n > 0) {
		if (q->wlen == sizeof(q->wbuf)) {
			df_flush(q);
			if (q->werr)
				return;
		}
		k = sizeof(q->wbuf) - q->wlen;
		if (k > n)
			k = n;
		memcpy(q->wbuf + q->wlen, p, k);
		q->wlen += k;
		p += k;
		n -= k;
	}
}

void
queue_df_line(struct qmsg *q, const char *p, size_t n)
{
	if (q->werr == 0 && q->wlen + n + 1 <= sizeof(q->wbuf)) {
		memcpy(q->wbuf + q->wlen, p, n);
		q->wbuf[q->wlen + n] = '\n';
		q->wlen += n + 1;
		q->df_bytes += n + 1;
		return;
	}
	queue_df_write(q, p, n);
	queue_df_write(q, "\n", 1);
}

static void
unlink_all(struct qmsg *q, int with_qf)
{
	char name[QID_MAX + 2];

	name_of(name, sizeof(name), "tf", q->id);
	unlinkat(q->dirfd, name, 0);
	name_of(name, sizeof(name), "df", q->id);
	unlinkat(q->dirfd, name, 0);
	if (with_qf) {
		name_of(name, sizeof(name), "qf", q->id);
		unlinkat(q->dirfd, name, 0);
	}
}

static void
close_files(struct qmsg *q)
{
	if (q->dffd >= 0)
		close(q->dffd);
	if (q->tffd >= 0)
		close(q->tffd);
	q->dffd = q->tffd = -1;
}

void
queue_abort(struct qmsg *q)
{
	if (q->dffd < 0 && q->tffd < 0)
		return;
	close_files(q);
	unlink_all(q, 0);
}

int
queue_commit(struct qmsg *q, const struct buf *ctl)
{
	char tf[QID_MAX + 2], qf[QID_MAX + 2];
	int e, renamed = 0;

	df_flush(q);
	e = q->werr;
	if (e == 0)
		e = file_write_all(q->tffd, ctl->s, ctl->len);
	if (e == 0 && !q->use_syncfs &&
	    (fsync(q->dffd) < 0 || fsync(q->tffd) < 0))
		e = errno;
	/* close() can report a delayed write error (NFS, quota). */
	if (close(q->dffd) < 0 && e == 0)
		e = errno;
	q->dffd = -1;
	if (e != 0)
		goto fail;
	name_of(tf, sizeof(tf), "tf", q->id);
	name_of(qf, sizeof(qf), "qf", q->id);
	if (renameat(q->dirfd, tf, q->dirfd, qf) < 0) {
		e = errno;
		goto fail;
	}
	renamed = 1;
	/* QueueCommit=syncfs: one syncfs() makes df, qf and the rename
	 * durable together (and shares the flush with concurrent sessions).
	 * A crash before it returns may leave a qf whose df is short: the qf
	 * records the df size (${sockmail_dfsize}) so a reader can tell. */
	if (q->use_syncfs ? syncfs(q->dirfd) < 0 : fsync(q->dirfd) < 0) {
		/* Not durable, so not accepted: take it back (still locked,
		 * so no runner has started on it). */
		e = errno;
		goto fail;
	}
	/* Durable: a late error from close() changes nothing now. */
	close(q->tffd);
	q->tffd = -1;
	return 0;
fail:
	unlink_all(q, renamed);
	close(q->tffd);
	q->tffd = -1;
	return e;
}

/* The format is qf.c's; the session calls it by this name. */
void
queue_format_qf(struct buf *out, const struct qenv *e, const struct buf *hdrs)
{
	qf_format_env(out, e, hdrs);
}
