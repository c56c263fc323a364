/* map.c - lookup maps: atomic GDBM builds and K-declared map lookups. */
#include "map.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "lib/buf.h"
#include "cf.h"
#include "lib/file.h"
#include "lib/gdbm_dl.h"

/* A file.h error as one line of err, and its sysexits code. */
static int
read_failed(int e, struct buf *err)
{
	buf_addc(err, '\n');
	return e == EFBIG ? EX_DATAERR : EX_IOERR;
}

int
map_read_fd(int fd, const char *name, struct buf *text, struct buf *err)
{
	int e;

	if ((e = file_read_fd(fd, name, MAP_TEXT_MAX, 0, text, NULL, err)) != 0)
		return read_failed(e, err);
	return EX_OK;
}

int
map_read_file(const char *path, struct buf *text, struct stat *st,
    struct buf *err)
{
	int fd, e;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		buf_printf(err, "%s: cannot open: %s\n", path, strerror(errno));
		return EX_NOINPUT;
	}
	e = file_read_fd(fd, path, MAP_TEXT_MAX, 0, text, st, err);
	close(fd);
	return e != 0 ? read_failed(e, err) : EX_OK;
}

/* Append a gdbm_dl message as one line of err. */
static void
dl_error(struct buf *err, struct buf *msg)
{
	buf_add(err, buf_str(msg), msg->len);
	buf_addc(err, '\n');
	buf_reset(msg);
}

/* Create, fill, sync and close the new map at tmp. */
static int
fill_tmp(const char *tmp, mode_t mode, gid_t gid, map_fill_fn fill, void *arg,
    struct buf *err)
{
	struct buf msg = BUF_INIT;
	struct gdbm_map *m;
	int rc;

	if ((m = gdbm_dl_create(tmp, mode, &msg)) == NULL) {
		dl_error(err, &msg);
		buf_free(&msg);
		return EX_CANTCREAT;
	}
	rc = fill(arg, m, err);
	if (rc == EX_OK && msg.len == 0)
		gdbm_dl_sync(m, &msg);
	if (gdbm_dl_close(m, &msg) == -1 || msg.len > 0) {
		dl_error(err, &msg);
		if (rc == EX_OK)
			rc = EX_IOERR;
	}
	if (rc == EX_OK && gid != (gid_t)-1 && getegid() != gid &&
	    lchown(tmp, (uid_t)-1, gid) == -1 && errno != EPERM) {
		buf_printf(err, "%s: chgrp: %s\n", tmp, strerror(errno));
		rc = EX_IOERR;
	}
	buf_free(&msg);
	return rc;
}

int
map_build(const char *dbpath, mode_t mode, gid_t gid, map_fill_fn fill,
    void *arg, struct buf *err)
{
	struct buf tmp = BUF_INIT, msg = BUF_INIT;
	int rc;

	if (gdbm_dl_load(&msg) == -1) {
		dl_error(err, &msg);
		buf_free(&msg);
		return EX_UNAVAILABLE;
	}
	file_tmp_name(&tmp, dbpath);
	(void)unlink(tmp.s);		/* left by a crashed namesake */
	rc = fill_tmp(tmp.s, mode, gid, fill, arg, err);
	if (rc == EX_OK && file_rename(tmp.s, dbpath, err) != 0) {
		buf_addc(err, '\n');
		rc = EX_CANTCREAT;
	}
	if (rc != EX_OK)
		(void)unlink(tmp.s);
	else if (file_fsync_parent(dbpath, err) != 0) {
		buf_addc(err, '\n');
		rc = EX_IOERR;
	}
	buf_free(&tmp);
	buf_free(&msg);
	return rc;
}

/* Maps a session has opened (or found missing), by K name.  A session
 * consults one or two; a short list is plenty. */
#define OPEN_MAX_MAPS	8

static struct open_map {
	const struct cf_map	*k;
	struct gdbm_map		*m;	/* NULL: optional and missing */
} open_maps[OPEN_MAX_MAPS];
static size_t nopen;

/* Does the K line's argument list carry the flag -o (optional)? */
static int
optional(const struct cf_map *k)
{
	const char *s = k->args;

	for (; s != NULL && *s != '\0'; s++)
		if (s[0] == '-' && s[1] == 'o' &&
		    (s == k->args || s[-1] == ' ' || s[-1] == '\t') &&
		    (s[2] == '\0' || s[2] == ' ' || s[2] == '\t'))
			return 1;
	return 0;
}

static struct open_map *
open_map(const struct cf_map *k, struct buf *err)
{
	struct buf db = BUF_INIT;
	struct open_map *o;
	struct stat st;
	size_t i;

	for (i = 0; i < nopen; i++)
		if (open_maps[i].k == k)
			return &open_maps[i];
	if (k->file == NULL) {
		buf_printf(err, "map %s: no file named", k->name);
		return NULL;
	}
	if (nopen == OPEN_MAX_MAPS) {
		buf_printf(err, "map %s: too many maps open", k->name);
		return NULL;
	}
	buf_printf(&db, "%s.db", k->file);
	o = &open_maps[nopen];
	o->k = k;
	o->m = NULL;
	if (stat(db.s, &st) == -1 && errno == ENOENT && optional(k)) {
		nopen++;
		buf_free(&db);
		return o;
	}
	o->m = gdbm_dl_open_read(db.s, err);
	buf_free(&db);
	if (o->m == NULL)
		return NULL;	/* not remembered: try again next time */
	nopen++;
	return o;
}

int
map_lookup(const struct cf *cf, const char *mapname, const char *key,
    struct buf *out, struct buf *err)
{
	const struct cf_map *k = cf_map(cf, mapname);
	struct open_map *o;

	if (k == NULL || key[0] == '\0')
		return 0;
	if ((o = open_map(k, err)) == NULL)
		return -1;
	if (o->m == NULL)
		return 0;
	return gdbm_dl_fetch(o->m, key, strlen(key), out, err);
}

void
map_close_all(void)
{
	struct buf ignored = BUF_INIT;
	size_t i;

	for (i = 0; i < nopen; i++)
		(void)gdbm_dl_close(open_maps[i].m, &ignored);
	nopen = 0;
	buf_free(&ignored);
}
