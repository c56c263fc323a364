/* file.h - whole files: read all of one, write all of a buffer, make a
 * rename durable, replace a file atomically.
 *
 * These are the project's only copies of those loops; the callers keep
 * their own words for errors (sysexits codes, "cannot read class file")
 * and pass what is theirs (the size limit, the kinds of file allowed).
 *
 *   file_read(), file_read_fd()
 *	All of a file into a struct buf, NUL-terminated, at most max
 *	octets: a file over the limit is refused (EFBIG), not cut.  A
 *	regular file read from its start is read with one read() when its
 *	size does not change under us (a session reads its config this
 *	way: it must stay cheap, cf.h).  flags say which kinds of file are
 *	taken; a character device (/dev/null) is read at most FILE_DEVMAX
 *	octets, since it has no size and may never end (/dev/zero).
 *   file_write_all()
 *	All of a buffer to an fd, through EINTR and short writes.
 *   file_fsync_dir(), file_fsync_parent()
 *	fsync a directory (the one that holds a path), so that a create
 *	or rename in it survives a crash.
 *   file_tmp_name(), file_rename(), file_replace()
 *	The atomic replace: write "path.tmpPID" in the same directory,
 *	fsync it, rename it over path, fsync the directory.  A reader
 *	sees the old file or the new one, never half of one; a crash
 *	leaves at most the temporary file.  file_replace() does all of it
 *	for a buffer; a caller whose file another library writes (a GDBM
 *	map, map.c) uses the name and the last two steps.
 *
 * Errors: each function returns 0 or an errno value (FILE_ENOTREG for a
 * kind of file flags refuse) and, when err is not NULL, appends one line
 * without a newline naming the file and the step: "PATH: read: Input/
 * output error", "PATH: larger than 16777216 octets", "PATH: not a
 * regular file"; a failed open() is "PATH: No such file or directory".
 *
 * Not everything goes through here.  passwd.c reads /etc/passwd and
 * nsswitch.conf with its own 4 KB line reader on purpose: it streams,
 * stops at the first match and keeps memory flat however large the
 * file; reading it whole would cost a session what passwd.h is there to
 * save.  The queue commit (queue.c) keeps its own order of fsync()s and
 * its rename, since the tf was created, locked and named long before the
 * commit (queue.h); it uses file_write_all().
 *
 * Floor 0: no mail, no sendmail.cf, no logging.
 */
#ifndef SOCKMAIL_FILE_H
#define SOCKMAIL_FILE_H

#include <stddef.h>
#include <sys/types.h>

struct buf;
struct stat;

/* flags of file_read() and file_read_fd().  Without FILE_REG or FILE_CHR
 * any kind of file is read (a pipe, a terminal). */
#define FILE_REG	0x01	/* take a regular file */
#define FILE_CHR	0x02	/* take a character device, see FILE_DEVMAX */
#define FILE_START	0x04	/* file_read_fd(): from offset 0, not from
				 * where fd is (lseek first) */

#define FILE_DEVMAX	(64 * 1024)	/* octets read from a device */
#define FILE_ENOTREG	(-1)	/* a kind of file flags do not take */

/* Read all of the file at path into out (appended, NUL-terminated; out->s
 * is never NULL on success), at most max octets.  The file is opened
 * with O_NONBLOCK and O_NOCTTY, so that a FIFO or a terminal in its
 * place cannot hang us (read a pipe with file_read_fd()).  If st is not
 * NULL it gets what fstat() said, also when the kind of file is refused
 * (FILE_ENOTREG), so the caller can word that.  0 or an errno value; on
 * failure out is as it was. */
int	file_read(const char *path, size_t max, int flags, struct buf *out,
	    struct stat *st, struct buf *err);

/* The same for an open fd (a pipe, standard input, a file the caller
 * holds locked), named name in messages, from where fd is unless
 * FILE_START.  fd stays open. */
int	file_read_fd(int fd, const char *name, size_t max, int flags,
	    struct buf *out, struct stat *st, struct buf *err);

/* Write all of p[0..n) to fd.  0, or an errno value (EIO if write()
 * returns 0).  No message: the callers' are too different. */
int	file_write_all(int fd, const void *p, size_t n);

/* fsync the directory dir: 0, or an errno value with "DIR: fsync: ..." */
int	file_fsync_dir(const char *dir, struct buf *err);

/* fsync the directory that holds path ("." if path has no '/'). */
int	file_fsync_parent(const char *path, struct buf *err);

/* The temporary name for replacing path: "path.tmpPID", into out
 * (reset first).  One per process: remove a stale one before use. */
void	file_tmp_name(struct buf *out, const char *path);

/* rename(from, to): 0, or an errno value with "FROM: rename to TO: ...".
 * Durable only after file_fsync_parent(to). */
int	file_rename(const char *from, const char *to, struct buf *err);

/* Replace path with p[0..n) atomically, with exactly mode (not the
 * umask's): write file_tmp_name(path), fsync, close, file_rename(), file_fsync_parent().
 * 0, or an errno value, and then path is untouched and no temporary file
 * is left (a failed directory fsync after the rename excepted: the new
 * file is in place but may not survive a crash). */
int	file_replace(const char *path, const void *p, size_t n, mode_t mode,
	    struct buf *err);

#endif
