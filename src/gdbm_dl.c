/* gdbm_dl.c - the few GDBM calls sockmail makes, through dlopen(). */
#include "gdbm_dl.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <gdbm.h>	/* types and flag values only: nothing is linked */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"

#define GDBM_SONAME	"libgdbm.so.6"

struct gdbm_map {
	GDBM_FILE	 dbf;
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

static void *lib;
static char *load_error;	/* set once loading failed */

/* Resolve one symbol; the first failure is described in msg. */
static void *
sym(const char *name, struct buf *msg)
{
	const char *e;
	void *p;

	dlerror();
	if ((p = dlsym(lib, name)) == NULL && msg->len == 0) {
		e = dlerror();
		if (e != NULL)
			buf_adds(msg, e);	/* names library and symbol */
		else
			buf_printf(msg, "%s: %s is null", GDBM_SONAME, name);
	}
	return p;
}

static int
resolve(struct buf *msg)
{
	/* dlsym() returns void *; POSIX makes the conversion valid. */
	fn.fd_open = (GDBM_FILE (*)(int, const char *, int, int,
	    void (*)(const char *)))sym("gdbm_fd_open", msg);
	fn.close = (int (*)(GDBM_FILE))sym("gdbm_close", msg);
	fn.store = (int (*)(GDBM_FILE, datum, datum, int))sym("gdbm_store",
	    msg);
	fn.fetch = (datum (*)(GDBM_FILE, datum))sym("gdbm_fetch", msg);
	fn.sync = (int (*)(GDBM_FILE))sym("gdbm_sync", msg);
	fn.fdesc = (int (*)(GDBM_FILE))sym("gdbm_fdesc", msg);
	fn.errno_location = (int *(*)(void))sym("gdbm_errno_location", msg);
	fn.strerror = (const char *(*)(gdbm_error))sym("gdbm_strerror", msg);
	return msg->len == 0 ? 0 : -1;
}

int
gdbm_dl_load(struct buf *err)
{
	struct buf msg = BUF_INIT;
	const char *e;

	if (lib != NULL)
		return 0;
	if (load_error == NULL) {
		if ((lib = dlopen(GDBM_SONAME, RTLD_NOW | RTLD_LOCAL)) == NULL) {
			e = dlerror();
			buf_printf(&msg, "cannot load %s: %s", GDBM_SONAME,
			    e != NULL ? e : "unknown error");
		} else if (resolve(&msg) == -1) {
			dlclose(lib);
			lib = NULL;
		}
		if (lib == NULL)
			load_error = xstrdup(buf_str(&msg));
		buf_free(&msg);
	}
	if (lib != NULL)
		return 0;
	buf_adds(err, load_error);
	return -1;
}

static const char *
gerr(void)
{
	return fn.strerror(*fn.errno_location());
}

static struct gdbm_map *
wrap(int fd, const char *path, int flags, struct buf *err)
{
	struct gdbm_map *m;
	GDBM_FILE dbf;

	/* GDBM_CLOERROR: the library closes fd if it fails. */
	dbf = fn.fd_open(fd, path, 0, flags | GDBM_CLOERROR, NULL);
	if (dbf == NULL) {
		buf_printf(err, "%s: %s", path, gerr());
		return NULL;
	}
	m = xmalloc(sizeof(*m));
	m->dbf = dbf;
	m->path = xstrdup(path);
	return m;
}

struct gdbm_map *
gdbm_dl_open_read(const char *path, struct buf *err)
{
	int fd;

	if (gdbm_dl_load(err) == -1)
		return NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		buf_printf(err, "%s: %s", path, strerror(errno));
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
	if (fn.close(m->dbf) != 0) {
		buf_printf(err, "%s: close: %s", m->path, gerr());
		rc = -1;
	}
	free(m->path);
	free(m);
	return rc;
}
