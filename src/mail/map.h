/* map.h - lookup maps: GDBM files built atomically from text, and the
 * K-declared maps a session consults (the access map).
 *
 * As with the aliases, a map declared "Kname class [flags] /path" is read
 * from "/path.db" in GDBM format whatever the class says (hash, btree,
 * gdbm), so a stock sendmail.cf works once makemap(8) has been run with
 * sockmail's makemap.  Lookups read GDBM's standard format directly
 * (gdbm_read.h); libgdbm is loaded with dlopen() to build a map, or to
 * read a format the reader does not know.
 */
#ifndef SOCKMAIL_MAP_H
#define SOCKMAIL_MAP_H

#include <stddef.h>
#include <sys/types.h>

struct buf;
struct cf;
struct gdbm_map;
struct stat;

#define MAP_TEXT_MAX	(256L * 1024 * 1024)	/* refuse larger texts */

/* Read all of fd (named name in messages) into text, at most MAP_TEXT_MAX
 * octets.  Returns a sysexits code; err gets one line on failure. */
int	map_read_fd(int fd, const char *name, struct buf *text,
	    struct buf *err);

/* The same for a file; *st describes it. */
int	map_read_file(const char *path, struct buf *text, struct stat *st,
	    struct buf *err);

/* Fill a new map: store every entry, return EX_OK or a sysexits code
 * (a store failure, explained in err).  Errors in the text go into err
 * too; counting them is the filler's business. */
typedef int (*map_fill_fn)(void *arg, struct gdbm_map *, struct buf *err);

/* Build dbpath atomically: a new map "dbpath.tmpPID" with exactly mode
 * (and group gid unless it is (gid_t)-1), filled by fill, synced, renamed
 * over dbpath, the directory fsync'd.  Returns a sysexits code; on
 * failure nothing is left behind and dbpath is untouched. */
int	map_build(const char *dbpath, mode_t mode, gid_t gid, map_fill_fn fill,
	    void *arg, struct buf *err);

/* Look key up in the map declared "K<mapname>" in cf.  Returns 1 with the
 * value in out, 0 if absent (or the map is not declared, or declared
 * optional with -o and its file does not exist), -1 on an error (err
 * says what; the caller should answer 4xx).  Maps stay open. */
int	map_lookup(const struct cf *, const char *mapname, const char *key,
	    struct buf *out, struct buf *err);

/* Close the maps map_lookup() opened. */
void	map_close_all(void);

#endif
