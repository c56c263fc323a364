/* gdbm_dl.h - the few GDBM calls sockmail makes, through dlopen().
 *
 * libgdbm.so.6 is loaded (RTLD_NOW | RTLD_LOCAL) by the first call that
 * needs it and never linked, so a process that opens no map never maps
 * the library; a map opened for reading in GDBM's standard format is
 * read by gdbm_read.c instead, so lookups never load it.  Errors are
 * written to err as one line without a newline ("PATH: what went
 * wrong").  Keys and values are byte strings.
 */
#ifndef SOCKMAIL_GDBM_DL_H
#define SOCKMAIL_GDBM_DL_H

#include <stddef.h>
#include <sys/types.h>

struct buf;
struct gdbm_map;

/* Load the library and resolve the symbols; 0, or -1 with err set.
 * Called by the open functions; a failure is remembered. */
int	gdbm_dl_load(struct buf *err);

/* Open an existing map read-only, without locking, close-on-exec. */
struct gdbm_map *gdbm_dl_open_read(const char *path, struct buf *err);

/* Create a new, empty map at path, which must not exist (O_EXCL, no
 * symlink followed), with the given mode, close-on-exec. */
struct gdbm_map *gdbm_dl_create(const char *path, mode_t mode,
	    struct buf *err);

/* Store key -> value, replacing an old value.  0 or -1. */
int	gdbm_dl_store(struct gdbm_map *, const void *key, size_t klen,
	    const void *val, size_t vlen, struct buf *err);

/* Fetch key: 1 and the value in out (out is reset first), 0 if absent,
 * -1 on an error. */
int	gdbm_dl_fetch(struct gdbm_map *, const void *key, size_t klen,
	    struct buf *out, struct buf *err);

/* Write out and fsync a map opened by gdbm_dl_create().  0 or -1. */
int	gdbm_dl_sync(struct gdbm_map *, struct buf *err);

/* Close and free (NULL is fine).  0 or -1. */
int	gdbm_dl_close(struct gdbm_map *, struct buf *err);

#endif
