/* gdbm_read.c - looking keys up in a GDBM file without libgdbm. */
#include "gdbm_read.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"

#define MAGIC64		0x13579acfu	/* standard format, 64-bit off_t */
#define HEADER_LEN	40	/* magic ... next_block */
#define BUCKET_HEAD	112	/* av_count, 6 avail entries, bits, count */
#define ELEM_LEN	24	/* hash, key_start[4], address, sizes */
#define KEY_START	4
#define BUCKET_MAX	(16 * 1024 * 1024)
#define VALUE_MAX	(64 * 1024 * 1024)

struct gdbm_rd {
	int	 fd;
	char	*path;
	off_t	 size;		/* of the file, when opened */
	off_t	 dir;		/* the directory's address */
	int	 dir_bits;
	size_t	 bucket_size;
	unsigned bucket_elems;
	char	*bucket;	/* the last bucket read */
	off_t	 bucket_at;	/* its address, -1: none */
};

/* The file is in this machine's byte order (the magic number says so). */
static int32_t
i32(const char *p)
{
	int32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static int64_t
i64(const char *p)
{
	int64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static int
read_at(int fd, void *p, size_t n, off_t at)
{
	char *c = p;
	ssize_t r;

	while (n > 0) {
		r = pread(fd, c, n, at);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == 0)
				errno = EIO;	/* shorter than it says */
			return -1;
		}
		c += r;
		n -= (size_t)r;
		at += r;
	}
	return 0;
}

/* Is [at, at + n) inside the file? */
static int
inside(const struct gdbm_rd *g, int64_t at, int64_t n)
{
	return at >= 0 && n >= 0 && at <= g->size && n <= g->size - at;
}

unsigned
gdbm_rd_hash(const void *key, size_t klen)
{
	const signed char *k = key;	/* GDBM hashes (signed) chars */
	unsigned v = 0x238F13AFu * (unsigned)klen;
	size_t i;

	for (i = 0; i < klen; i++)
		v = (v + ((unsigned)(int)k[i] << (unsigned)(i * 5 % 24))) &
		    0x7FFFFFFFu;
	return (1103515243u * v + 12345u) & 0x7FFFFFFFu;
}

int
gdbm_rd_open(int fd, const char *path, struct gdbm_rd **out,
    struct buf *err)
{
	char h[HEADER_LEN];
	struct gdbm_rd g;
	struct stat st;
	int64_t dir_size;
	int32_t bsize, elems;

	*out = NULL;
	if (fstat(fd, &st) < 0 || read_at(fd, h, sizeof(h), 0) < 0) {
		if (errno == EIO && fstat(fd, &st) == 0 &&
		    st.st_size < HEADER_LEN)
			return 0;	/* too short: libgdbm will say */
		buf_printf(err, "%s: %s", path, strerror(errno));
		return -1;
	}
	memset(&g, 0, sizeof(g));
	g.size = st.st_size;
	g.dir = i64(h + 8);
	dir_size = i32(h + 16);
	g.dir_bits = i32(h + 20);
	bsize = i32(h + 24);
	elems = i32(h + 28);
	if ((uint32_t)i32(h) != MAGIC64 || g.dir_bits < 0 ||
	    g.dir_bits > 31 || dir_size < ((int64_t)8 << g.dir_bits) ||
	    !inside(&g, g.dir, (int64_t)8 << g.dir_bits) || elems < 1 ||
	    bsize < BUCKET_HEAD + (int64_t)ELEM_LEN * elems ||
	    bsize > BUCKET_MAX)
		return 0;
	g.fd = fd;
	g.path = xstrdup(path);
	g.bucket_size = (size_t)bsize;
	g.bucket_elems = (unsigned)elems;
	g.bucket = xmalloc(g.bucket_size);
	g.bucket_at = -1;
	*out = xmalloc(sizeof(g));
	**out = g;
	return 1;
}

static int
damaged(const struct gdbm_rd *g, struct buf *err, const char *what)
{
	buf_printf(err, "%s: damaged map: %s", g->path, what);
	return -1;
}

static int
read_error(const struct gdbm_rd *g, struct buf *err)
{
	buf_printf(err, "%s: read: %s", g->path, strerror(errno));
	return -1;
}

int
gdbm_rd_fetch(struct gdbm_rd *g, const void *key, size_t klen,
    struct buf *out, struct buf *err)
{
	unsigned hash, home, loc;
	char a[8], *e;
	int64_t at, dp;
	int32_t ks, ds;
	struct buf k = BUF_INIT;
	int r;

	if (klen > INT32_MAX)
		return 0;
	hash = gdbm_rd_hash(key, klen);
	if (read_at(g->fd, a, sizeof(a), g->dir + 8 *
	    (off_t)(g->dir_bits == 0 ? 0 : hash >> (31 - g->dir_bits))) < 0)
		return read_error(g, err);
	at = i64(a);
	if (at != g->bucket_at) {
		if (!inside(g, at, (int64_t)g->bucket_size) || at == 0)
			return damaged(g, err, "bucket address");
		if (read_at(g->fd, g->bucket, g->bucket_size, at) < 0) {
			g->bucket_at = -1;
			return read_error(g, err);
		}
		g->bucket_at = at;
	}
	home = loc = hash % g->bucket_elems;
	do {
		e = g->bucket + BUCKET_HEAD + (size_t)loc * ELEM_LEN;
		if (i32(e) == -1)
			return 0;	/* an empty slot ends the run */
		ks = i32(e + 16);
		if ((unsigned)i32(e) == hash && (size_t)ks == klen &&
		    memcmp(e + 4, key, klen < KEY_START ? klen : KEY_START)
		    == 0) {
			dp = i64(e + 8);
			ds = i32(e + 20);
			if (ds < 0 || ds > VALUE_MAX ||
			    !inside(g, dp, (int64_t)ks + ds))
				return damaged(g, err, "entry address");
			buf_reset(&k);
			buf_reserve(&k, klen + 1);
			if (read_at(g->fd, k.s, klen, dp) < 0) {
				buf_free(&k);
				return read_error(g, err);
			}
			r = memcmp(k.s, key, klen);
			buf_free(&k);
			if (r == 0) {
				buf_reset(out);
				buf_reserve(out, (size_t)ds + 1);
				if (read_at(g->fd, out->s, (size_t)ds,
				    dp + ks) < 0)
					return read_error(g, err);
				out->len = (size_t)ds;
				out->s[ds] = '\0';
				return 1;
			}
		}
		loc = (loc + 1) % g->bucket_elems;
	} while (loc != home);
	return 0;
}

void
gdbm_rd_close(struct gdbm_rd *g)
{
	if (g == NULL)
		return;
	close(g->fd);
	free(g->bucket);
	free(g->path);
	free(g);
}
