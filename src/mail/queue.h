/* queue.h - the durable queue: ids, df/tf/qf files, the commit.
 *
 * A message enters the queue in this order (doc/DESIGN.md 5):
 *   1. tf<id> created with O_EXCL (reserves the id; sendmail does the same)
 *      and flock()ed, df<id> created with O_EXCL;
 *   2. the body is streamed into df (fixed buffer: memory stays flat);
 *   3. commit: the control text is written into tf, then either
 *        fsync(df), fsync(tf), rename(tf, qf), fsync(queue directory)
 *                                     (QueueCommit=fsync, the default), or
 *        rename(tf, qf), one syncfs() of the queue's file system
 *                                     (QueueCommit=syncfs; the qf records
 *                                      the df size, so a reader can tell
 *                                      a df cut short by a crash);
 *   4. only then is the lock released (the tf's lock is the qf's after
 *      the rename) and may the caller reply 250.
 * Any failure before the last sync returns an errno and removes every
 * file of the message, so nothing half-written is ever acknowledged.
 * A queue runner (ours or sendmail's, which both flock() a qf before
 * reading it) skips the message while it is locked, so it never delivers
 * one that the commit then takes back.
 */
#ifndef SOCKMAIL_QUEUE_H
#define SOCKMAIL_QUEUE_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "qf.h"		/* struct qenv, struct qrcpt: the session's */

struct buf;

#define QID_MAX		24
#define QUEUE_DFBUF	65536

struct qmsg {
	int		 dirfd;
	int		 dffd, tffd;
	int		 werr;		/* errno of the first failed df write */
	int		 use_syncfs;
	char		 id[QID_MAX];
	unsigned long long df_bytes;
	size_t		 wlen;
	char		 wbuf[QUEUE_DFBUF];
};

/* Open the queue directory and check it is safe: a directory, not
 * world-writable, not group-writable unless group_ok (UseMSP).  Returns
 * the fd, or -1 with a message naming the path and the fix in err. */
int	queue_open_dir(const char *path, int group_ok, struct buf *err);

/* Free space check (MinFreeBlocks, and the announced SIZE): 0 if enough,
 * else -1. */
int	queue_space_ok(int dirfd, long min_blocks, long long want_bytes);

/* sendmail 8.12+ queue id: YMDhms (base 60), 2 sequence chars, pid. */
void	queue_make_id(char *out, size_t outsz, const struct tm *, unsigned seq,
	    pid_t);

/* Reserve an id and create tf and df.  0, or an errno. */
int	queue_begin(struct qmsg *, int dirfd, mode_t mode, int use_syncfs);
void	queue_df_write(struct qmsg *, const char *, size_t);
/* The same for a line of text and its LF. */
void	queue_df_line(struct qmsg *, const char *, size_t);
/* Write ctl (the qf text) and make the message durable; 0, or an errno
 * (and the message is gone). */
int	queue_commit(struct qmsg *, const struct buf *ctl);
/* Drop a message that is being received. */
void	queue_abort(struct qmsg *);

/* Format the qf text (everything but the headers, which the caller has
 * already formatted as H lines in hdrs) into out: qf_format_env(). */
void	queue_format_qf(struct buf *out, const struct qenv *,
	    const struct buf *hdrs);

#endif
