/* file.c - whole files in and out (file.h). */
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"

#define FILE_CHUNK	65536	/* read() size when the size is not known */

static void
say(struct buf *err, const char *name, const char *step, int e)
{
	if (err == NULL)
		return;
	if (step != NULL)
		buf_printf(err, "%s: %s: %s", name, step, strerror(e));
	else
		buf_printf(err, "%s: %s", name, strerror(e));
}

/* Is st a kind of file flags take?  0, FILE_ENOTREG, or EFBIG when a
 * regular file is already larger than max. */
static int
check_kind(const struct stat *st, int flags, size_t max, const char *name,
    struct buf *err)
{
	if ((flags & (FILE_REG | FILE_CHR)) != 0 &&
	    !(S_ISREG(st->st_mode) && (flags & FILE_REG)) &&
	    !(S_ISCHR(st->st_mode) && (flags & FILE_CHR))) {
		if (err != NULL)
			buf_printf(err, "%s: not a regular file", name);
		return FILE_ENOTREG;
	}
	if (S_ISREG(st->st_mode) && (unsigned long long)st->st_size > max) {
		if (err != NULL)
			buf_printf(err, "%s: larger than %zu octets", name, max);
		return EFBIG;
	}
	return 0;
}

/* read() fd to its end into out, at most max octets.  want: the octets
 * a regular file read from its start holds (stop there, without the
 * read() that would say end of file), or SIZE_MAX. */
static int
read_loop(int fd, const char *name, size_t max, size_t want, struct buf *out,
    struct buf *err)
{
	size_t got = 0, room;
	ssize_t n;

	buf_reserve(out, want != SIZE_MAX ? want : 4096);
	while (got != want) {
		if (out->cap - out->len < 2)
			buf_reserve(out, FILE_CHUNK);
		room = out->cap - out->len - 1;
		if (max - got < room)
			room = max - got + 1;	/* one over says "too large" */
		n = read(fd, out->s + out->len, room);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			say(err, name, "read", e);
			return e;
		}
		if (n == 0)
			break;
		out->len += (size_t)n;
		got += (size_t)n;
		if (got > max) {
			if (err != NULL)
				buf_printf(err, "%s: larger than %zu octets",
				    name, max);
			return EFBIG;
		}
	}
	out->s[out->len] = '\0';
	return 0;
}

/* file_read_fd(); at0: fd is at offset 0 (just opened, or FILE_START). */
static int
read_fd(int fd, const char *name, size_t max, int flags, int at0,
    struct buf *out, struct stat *st, struct buf *err)
{
	size_t len0 = out->len, want = SIZE_MAX;
	int e;

	if (fstat(fd, st) < 0) {
		e = errno;
		say(err, name, "fstat", e);
		return e;
	}
	if ((e = check_kind(st, flags, max, name, err)) != 0)
		return e;
	if ((flags & FILE_START) && lseek(fd, 0, SEEK_SET) < 0) {
		e = errno;
		say(err, name, "lseek", e);
		return e;
	}
	if (S_ISCHR(st->st_mode) && (flags & FILE_CHR) && max > FILE_DEVMAX)
		max = FILE_DEVMAX;
	if (S_ISREG(st->st_mode) && (at0 || (flags & FILE_START)))
		want = (size_t)st->st_size;
	if ((e = read_loop(fd, name, max, want, out, err)) != 0) {
		out->len = len0;	/* as it was */
		if (out->s != NULL)
			out->s[len0] = '\0';
	}
	return e;
}

int
file_read_fd(int fd, const char *name, size_t max, int flags,
    struct buf *out, struct stat *st, struct buf *err)
{
	struct stat tmp;

	return read_fd(fd, name, max, flags, 0, out, st != NULL ? st : &tmp,
	    err);
}

int
file_read(const char *path, size_t max, int flags, struct buf *out,
    struct stat *st, struct buf *err)
{
	struct stat tmp;
	int fd, e;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		e = errno;
		say(err, path, NULL, e);
		return e;
	}
	e = read_fd(fd, path, max, flags, 1, out, st != NULL ? st : &tmp, err);
	close(fd);
	return e;
}

int
file_write_all(int fd, const void *p, size_t n)
{
	const char *s = p;
	ssize_t k;

	while (n > 0) {
		k = write(fd, s, n);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return errno;
		}
		if (k == 0)
			return EIO;
		s += k;
		n -= (size_t)k;
	}
	return 0;
}

int
file_fsync_dir(const char *dir, struct buf *err)
{
	int fd, e = 0;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) < 0) {
		e = errno;
		say(err, dir, "fsync", e);
	}
	if (fd >= 0)
		close(fd);
	return e;
}

/* fsync the directory that holds path, so that a rename is durable. */
int
file_fsync_parent(const char *path, struct buf *err)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int e;

	if (slash == NULL)
		dir = xstrdup(".");
	else
		dir = xstrndup(path, slash == path ? 1 : (size_t)(slash - path));
	e = file_fsync_dir(dir, err);
	free(dir);
	return e;
}

void
file_tmp_name(struct buf *out, const char *path)
{
	buf_reset(out);
	buf_printf(out, "%s.tmp%ld", path, (long)getpid());
}

int
file_rename(const char *from, const char *to, struct buf *err)
{
	int e;

	if (rename(from, to) == 0)
		return 0;
	e = errno;
	if (err != NULL)
		buf_printf(err, "%s: rename to %s: %s", from, to, strerror(e));
	return e;
}

/* Create tmp with exactly mode and write p[0..n) into it, synced. */
static int
write_tmp(const char *tmp, const void *p, size_t n, mode_t mode,
    struct buf *err)
{
	int fd, e;

	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    mode);
	if (fd < 0) {
		e = errno;
		say(err, tmp, "cannot create", e);
		return e;
	}
	if (fchmod(fd, mode) < 0) {		/* whatever the umask */
		e = errno;
		say(err, tmp, "chmod", e);
	} else if ((e = file_write_all(fd, p, n)) != 0)
		say(err, tmp, "write", e);
	else if (fsync(fd) < 0) {
		e = errno;
		say(err, tmp, "fsync", e);
	}
	/* close() can report a delayed write error (NFS, quota). */
	if (close(fd) < 0 && e == 0) {
		e = errno;
		say(err, tmp, "close", e);
	}
	return e;
}

int
file_replace(const char *path, const void *p, size_t n, mode_t mode,
    struct buf *err)
{
	struct buf tmp = BUF_INIT;
	int e;

	file_tmp_name(&tmp, path);
	(void)unlink(tmp.s);		/* left by a crashed namesake */
	if ((e = write_tmp(tmp.s, p, n, mode, err)) == 0 &&
	    (e = file_rename(tmp.s, path, err)) == 0) {
		e = file_fsync_parent(path, err);
		buf_free(&tmp);
		return e;
	}
	(void)unlink(tmp.s);
	buf_free(&tmp);
	return e;
}
