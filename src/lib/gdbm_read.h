/* gdbm_read.h - looking keys up in a GDBM file without libgdbm.
 *
 * A session's alias, access and virtusertable lookups are reads of maps
 * that newaliases and makemap wrote with libgdbm.  Loading libgdbm with
 * dlopen() costs a session 110,000 instructions (more than half of its
 * start-up) and about 120 KB of memory; a lookup is two or three pread()s.
 * So a map in GDBM's standard format for this machine (64-bit offsets,
 * host byte order: magic 0x13579acf, what gdbm_open() writes here by
 * default) is read here; anything else (other magic numbers, a header
 * that does not add up) is left to libgdbm.
 *
 * The format, as GDBM defines it: a header (magic, block size, the hash
 * directory's address, size and bits, the bucket size and elements per
 * bucket); the directory, 2^bits bucket addresses; buckets of 24-octet
 * elements (31-bit hash, the key's first 4 octets, the address of the
 * key and value stored together, their sizes) after a 112-octet bucket
 * header.  A key's bucket is the directory entry indexed by the top bits
 * of its hash; its slot is the hash modulo the elements per bucket, then
 * the next slots in turn until an empty one (hash -1).
 */
#ifndef SOCKMAIL_GDBM_READ_H
#define SOCKMAIL_GDBM_READ_H

#include <stddef.h>

struct buf;
struct gdbm_rd;

/* Read fd's header: 1 and *out (which owns fd from then on) if the
 * format is one this reader knows, 0 if not (fd untouched: leave it to
 * libgdbm), -1 on a read error (err says so, fd untouched). */
int	gdbm_rd_open(int fd, const char *path, struct gdbm_rd **out,
	    struct buf *err);

/* Look key up: 1 with the value in out (reset first), 0 if absent, -1
 * if the file is damaged or cannot be read (err says which). */
int	gdbm_rd_fetch(struct gdbm_rd *, const void *key, size_t klen,
	    struct buf *out, struct buf *err);

/* Close the file and free (NULL is fine). */
void	gdbm_rd_close(struct gdbm_rd *);

/* GDBM's hash of a key (31 bits), for the tests. */
unsigned gdbm_rd_hash(const void *key, size_t klen);

#endif
