/* gdbm_dl.c - the few GDBM calls sockmail makes, through dlopen(). */
#include "gdbm_dl.h"

#include <errno.h>
#include <fcntl.h>
#include <gdbm.h>	/* types and flag values only: nothing is linked */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bdb_dl.h"
#include "buf.h"
#include "dl.h"
#include "gdbm_read.h"
#include "safefile.h"

#define GDBM_SONAME	"libgdbm.so.6"

struct gdbm_map {
	GDBM_FILE	 dbf;	/* libgdbm's handle, or */
	struct gdbm_rd	*rd;	/* our own reader's (read-only maps) */
	struct bdb_map	*bdb;	/* or libdb's: sendmail's maps (bdb_dl.h) */
	char		*path;
};

static struct {
	GDBM_FILE	(*fd_open)(int, const char *, int, int,
			    void (*)(const char *));
	int		(*close)(GDBM_FILE);
	int		(*store)(GDBM_FILE, datum, datum, int);
	datum		(*fetch)(GDBM_FILE, datum);
	int		(*sync)(GDBM_FILE);
	int		(*fdesc)(GDBM_FILE);
	int		*(*errno_location)(void);
	const char	*(*strerror)(gdbm_error);
} fn;

static struct dl_lib lib = { GDBM_SONAME, NULL, NULL };

static int
resolve(struct dl_lib *l, struct buf *msg)
{
	DL_FN(fn.fd_open, l, "gdbm_fd_open", msg);
	DL_FN(fn.close, l, "gdbm_close", msg);
	DL_FN(fn.store, l, "gdbm_store", msg);
	DL_FN(fn.fetch, l, "gdbm_fetch", msg);
	DL_FN(fn.sync, l, "gdbm_sync", msg);
	DL_FN(fn.fdesc, l, "gdbm_fdesc", msg);
	DL_FN(fn.errno_location, l, "gdbm_errno_location", msg);
	DL_FN(fn.strerror, l, "gdbm_strerror", msg);
	return msg->len == 0 ? 0 : -1;
}

int
gdbm_dl_load(struct buf *err)
{
	return dl_load(&lib, resolve, err);
}

static const char *
gerr(void)
{
	return fn.strerror(*fn.errno_location());
}

static struct gdbm_map *
new_map(GDBM_FILE dbf, struct gdbm_rd *rd, const char *path)
{
	struct gdbm_map *m = xmalloc(sizeof(*m));

	m->dbf = dbf;
	m->rd = rd;
	m->bdb = NULL;
	m->path = xstrdup(path);
	return m;
}

static struct gdbm_map *
wrap(int fd, const char *path, int flags, struct buf *err)
{
	GDBM_FILE dbf;

	/* GDBM_CLOERROR: the library closes fd if it fails. */
	dbf = fn.fd_open(fd, path, 0, flags | GDBM_CLOERROR, NULL);
	if (dbf == NULL) {
		buf_printf(err, "%s: %s", path, gerr());
		return NULL;
	}
	return new_map(dbf, NULL, path);
}

/* Not GDBM's standard format: a Berkeley DB map that sendmail's makemap
 * or newaliases wrote is read with libdb; anything else is left to
 * libgdbm, as before.  NULL with *done 0: not Berkeley DB, go on. */
static struct gdbm_map *
open_bdb(int fd, const char *path, int *done, struct buf *err)
{
	enum map_format f = bdb_dl_format(fd);
	struct gdbm_map *m;
	struct bdb_map *b;

	*done = f == MAP_FMT_BDB_HASH || f == MAP_FMT_BDB_BTREE;
	if (!*done)
		return NULL;
	b = bdb_dl_open(fd, path, err);
	close(fd);	/* libdb has its own */
	if (b == NULL)
		return NULL;
	m = new_map(NULL, NULL, path);
	m->bdb = b;
	return m;
}

struct gdbm_map *
gdbm_dl_open_read(const char *path, struct buf *err)
{
	struct gdbm_map *m;
	struct gdbm_rd *rd;
	struct stat st;
	const char *why;
	int fd, r, done;

	/* O_NONBLOCK: a FIFO in its place must not hang a session. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1) {
		buf_printf(err, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1) {
		buf_printf(err, "%s: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	if ((why = safefile_why(&st)) != NULL) {
		buf_printf(err, "%s: unsafe map file: %s", path, why);
		close(fd);
		return NULL;
	}
	/* The standard format is read without the library (gdbm_read.h). */
	if ((r = gdbm_rd_open(fd, path, &rd, err)) != 0) {
		if (r < 0) {
			close(fd);
			return NULL;
		}
		return new_map(NULL, rd, path);
	}
	if ((m = open_bdb(fd, path, &done, err)) != NULL || done)
		return m;
	if (gdbm_dl_load(err) == -1) {
		close(fd);
		return NULL;
	}
	return wrap(fd, path, GDBM_READER | GDBM_NOLOCK | GDBM_CLOEXEC, err);
}

struct gdbm_map *
gdbm_dl_create(const char *path, mode_t mode, struct buf *err)
{
	int fd;

	if (gdbm_dl_load(err) == -1)
		return NULL;
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    mode);
	if (fd == -1) {
		buf_printf(err, "%s: cannot create: %s", path, strerror(errno));
		return NULL;
	}
	if (fchmod(fd, mode) == -1) {	/* exactly mode, whatever the umask */
		buf_printf(err, "%s: chmod: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	return wrap(fd, path, GDBM_NEWDB | GDBM_NOLOCK | GDBM_CLOEXEC, err);
}

int
gdbm_dl_store(struct gdbm_map *m, const void *key, size_t klen,
    const void *val, size_t vlen, struct buf *err)
{
	datum k, v;

	if (klen > INT32_MAX || vlen > INT32_MAX) {
		buf_printf(err, "%s: key or value too large", m->path);
		return -1;
	}
	k.dptr = (char *)(uintptr_t)key;
	k.dsize = (int)klen;
	v.dptr = (char *)(uintptr_t)val;
	v.dsize = (int)vlen;
	if (fn.store(m->dbf, k, v, GDBM_REPLACE) != 0) {
		buf_printf(err, "%s: store: %s", m->path, gerr());
		return -1;
	}
	return 0;
}

int
gdbm_dl_fetch(struct gdbm_map *m, const void *key, size_t klen,
    struct buf *out, struct buf *err)
{
	datum k, v;

	if (m->rd != NULL)
		return gdbm_rd_fetch(m->rd, key, klen, out, err);
	if (m->bdb != NULL)
		return bdb_dl_fetch(m->bdb, key, klen, out, err);
	if (klen > INT32_MAX)
		return 0;
	k.dptr = (char *)(uintptr_t)key;
	k.dsize = (int)klen;
	*fn.errno_location() = GDBM_NO_ERROR;
	v = fn.fetch(m->dbf, k);
	if (v.dptr == NULL) {
		if (*fn.errno_location() == GDBM_ITEM_NOT_FOUND)
			return 0;
		buf_printf(err, "%s: fetch: %s", m->path, gerr());
		return -1;
	}
	buf_reset(out);
	buf_add(out, v.dptr, v.dsize > 0 ? (size_t)v.dsize : 0);
	free(v.dptr);	/* malloc()ed by the library, same libc */
	return 1;
}

int
gdbm_dl_sync(struct gdbm_map *m, struct buf *err)
{
	if (fn.sync(m->dbf) != 0) {
		buf_printf(err, "%s: sync: %s", m->path, gerr());
		return -1;
	}
	/* gdbm_sync() fsyncs since 1.9; make sure whatever the version. */
	if (fsync(fn.fdesc(m->dbf)) == -1) {
		buf_printf(err, "%s: fsync: %s", m->path, strerror(errno));
		return -1;
	}
	return 0;
}

int
gdbm_dl_close(struct gdbm_map *m, struct buf *err)
{
	int rc = 0;

	if (m == NULL)
		return 0;
	if (m->rd != NULL)
		gdbm_rd_close(m->rd);
	else if (m->bdb != NULL)
		bdb_dl_close(m->bdb);
	else if (fn.close(m->dbf) != 0) {
		buf_printf(err, "%s: close: %s", m->path, gerr());
		rc = -1;
	}
	free(m->path);
	free(m);
	return rc;
}
