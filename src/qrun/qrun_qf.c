/* qrun_qf.c - the bookkeeper's changes to a message in the queue, as
 * RunAsUser: the qf rewritten without the recipients that are done, and
 * the message removed when none is left.
 *
 * A rewrite is the session's commit again (queue.h): tf<id> created
 * with O_EXCL, locked with flock() before it has a qf's name, written,
 * fsync()ed, renamed over qf<id>, the directory fsync()ed.  The new
 * file is locked before the rename so that no other runner can take it
 * between the rename and the end of our run; the caller's lock fd
 * becomes the new file's.
 *
 * Removal unlinks qf first, then df, then fsyncs the directory.  Once
 * the qf is gone the message is finished: a crash after that leaves at
 * most a df without a qf, which nobody delivers (doc/qrun.md).  The
 * other order would leave, after a crash, a qf that still names its
 * last recipient but has no body: stuck, and never delivered.
 */
#include "qrun_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/file.h"
#include "mail/qf.h"

static void
qname(char *out, size_t n, const char *prefix, const char *id)
{
	(void)snprintf(out, n, "%s%s", prefix, id);
}

/* q without the recipients marked in done, with status[i] as recipient
 * i's M line (NULL: as it was): a shallow copy, freed with free() of
 * its two arrays. */
static void
subset(struct qf *out, const struct qf *q, const unsigned char *done,
    char *const *status)
{
	size_t i, n = 0;

	*out = *q;
	out->rcpts = xcalloc(q->nrcpts + 1, sizeof(*out->rcpts));
	out->rextra = q->rextra != NULL ?
	    xcalloc(q->nrcpts + 1, sizeof(*out->rextra)) : NULL;
	for (i = 0; i < q->nrcpts; i++) {
		if (done[i])
			continue;
		out->rcpts[n] = q->rcpts[i];
		if (out->rextra != NULL) {
			out->rextra[n] = q->rextra[i];
			if (status != NULL && status[i] != NULL)
				out->rextra[n].status = status[i];
		}
		n++;
	}
	out->nrcpts = n;
}

int
qr_qf_rewrite(int dirfd, const char *id, const struct qf *q,
    const unsigned char *done, char *const *status, mode_t mode,
    int *lockfd, struct buf *err)
{
	struct buf text = BUF_INIT;
	struct qf sub;
	char tf[QR_IDMAX + 3], qfn[QR_IDMAX + 3];
	int fd, e = 0;

	qname(tf, sizeof(tf), "tf", id);
	qname(qfn, sizeof(qfn), "qf", id);
	subset(&sub, q, done, status);
	qf_format(&text, &sub);
	free(sub.rcpts);
	free(sub.rextra);
	/* We hold the qf's lock, so a tf of this id is one a killed
	 * rewrite left: nobody else may be writing it. */
	fd = openat(dirfd, tf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, mode);
	if (fd < 0 && errno == EEXIST && unlinkat(dirfd, tf, 0) == 0)
		fd = openat(dirfd, tf, O_WRONLY | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0) {
		e = errno;
		buf_printf(err, "%s: create: %s", tf, strerror(e));
		buf_free(&text);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0 || fchmod(fd, mode) < 0 ||
	    (e = file_write_all(fd, text.s, text.len)) != 0 ||
	    fsync(fd) < 0 || renameat(dirfd, tf, dirfd, qfn) < 0 ||
	    fsync(dirfd) < 0) {
		if (e == 0)
			e = errno;
		buf_printf(err, "%s: rewrite: %s", tf, strerror(e));
		(void)unlinkat(dirfd, tf, 0);
		close(fd);
		buf_free(&text);
		return -1;
	}
	buf_free(&text);
	close(*lockfd);
	*lockfd = fd;
	return 0;
}

int
qr_qf_remove(int dirfd, const char *id, struct buf *err)
{
	char name[QR_IDMAX + 3];

	qname(name, sizeof(name), "qf", id);
	if (unlinkat(dirfd, name, 0) < 0) {
		buf_printf(err, "%s: unlink: %s", name, strerror(errno));
		return -1;
	}
	qname(name, sizeof(name), "df", id);
	if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT)
		buf_printf(err, "%s: unlink: %s", name, strerror(errno));
	(void)fsync(dirfd);
	return 0;
}
