/* bdb_dl.h - reading sendmail's Berkeley DB maps, libdb through dlopen().
 *
 * A host that ran Debian's sendmail has its maps (aliases.db, access.db,
 * virtusertable.db) in Berkeley DB hash or btree format, written by
 * sendmail's makemap and newaliases.  sockmail reads them, read-only and
 * without an environment, so that such a host keeps working and the way
 * back to the real sendmail stays open.  It never writes them: its
 * newaliases and makemap write GDBM.  sendmail rewrites a map in place
 * under an exclusive flock(2) and reads under a shared one; so does this
 * reader, without waiting: a map being rewritten is an error (4xx).
 *
 * libdb-5.3.so (Debian: libdb5.3) is loaded (RTLD_NOW | RTLD_LOCAL) when
 * the first such map is opened and never linked, as libgdbm is
 * (gdbm_dl.h): a host with GDBM maps never maps it.
 *
 * Keys, as found in the files sendmail 8.17 writes: makemap stores keys
 * and values as they are, without a trailing NUL (unless -N), keys
 * lower-cased (unless -f); newaliases stores both with the NUL
 * ("postmaster\0" -> "root\0") and adds "@\0" -> "@\0".  sockmail's
 * lookups pass the key without a NUL (map.c, aliases.c), as they do for
 * GDBM, so a fetch tries the key as given, then with a NUL appended:
 * what sendmail itself does for a map declared with neither -N nor -O.
 * A value's one trailing NUL is dropped.
 */
#ifndef SOCKMAIL_BDB_DL_H
#define SOCKMAIL_BDB_DL_H

#include <stddef.h>

struct buf;
struct bdb_map;

#define BDB_SONAME	"libdb-5.3.so"
#define BDB_PACKAGE	"libdb5.3"	/* Debian's package that holds it */

/* What a map file holds, by its magic number (either byte order). */
enum map_format {
	MAP_FMT_UNKNOWN,	/* too short, or no magic number we know */
	MAP_FMT_GDBM,		/* any of GDBM's formats */
	MAP_FMT_BDB_HASH,	/* Berkeley DB hash (makemap hash) */
	MAP_FMT_BDB_BTREE	/* Berkeley DB btree (makemap btree) */
};

/* The format of the file open on fd (read with pread(): the offset is
 * untouched); MAP_FMT_UNKNOWN if it cannot be read. */
enum map_format bdb_dl_format(int fd);

/* "GDBM", "Berkeley DB hash", ... */
const char	*bdb_dl_format_name(enum map_format);

/* Load the library and resolve the symbols; 0, or -1 with err set.
 * A failure is remembered. */
int	bdb_dl_load(struct buf *err);

/* Open the Berkeley DB map at path, which the caller has open on fd and
 * has checked (safefile.h); libdb opens path itself, and the map is
 * refused unless that is the same file.  fd stays the caller's.  A
 * metadata page that does not add up (page size, page count, an
 * encrypted map) is refused before libdb sees it.  NULL with err set
 * ("PATH: what went wrong") on failure. */
struct bdb_map *bdb_dl_open(int fd, const char *path, struct buf *err);

/* As gdbm_dl_fetch(): 1 and the value in out (reset first), 0 if
 * absent, -1 on an error. */
int	bdb_dl_fetch(struct bdb_map *, const void *key, size_t klen,
	    struct buf *out, struct buf *err);

/* Close and free (NULL is fine). */
void	bdb_dl_close(struct bdb_map *);

#endif
