/* bdb_dl.c - reading sendmail's Berkeley DB maps, libdb through dlopen(). */
#include "bdb_dl.h"

#include <db.h>	/* types and flag values only: nothing is linked */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "dl.h"

/* Berkeley DB's metadata page (page 0) starts so, in the byte order of
 * the machine that wrote it (the magic number says which). */
#define META_MAGIC	12
#define META_PAGESIZE	20
#define META_ENCRYPT	24	/* one octet: 0 unless encrypted */
#define META_LAST_PGNO	32
#define META_LEN	36

/* GDBM's magic numbers, 0x13579acd (32-bit offsets) ... 0x13579ad1
 * (numsync, 64-bit), at offset 0 in either byte order. */
#define GDBM_MAGIC_MIN	0x13579acdu
#define GDBM_MAGIC_MAX	0x13579ad1u

struct bdb_map {
	DB	*db;
	char	*path;
};

static struct {
	int	(*create)(DB **, DB_ENV *, u_int32_t);
	char	*(*strerror)(int);
} fn;

static struct dl_lib lib = { BDB_SONAME, NULL, NULL };

/* libdb's last message for the call under way: without an error callback
 * it would print to stderr, which may be a session's SMTP stream. */
static char dbmsg[200];

static int
resolve(struct dl_lib *l, struct buf *msg)
{
	DL_FN(fn.create, l, "db_create", msg);
	DL_FN(fn.strerror, l, "db_strerror", msg);
	return msg->len == 0 ? 0 : -1;
}

int
bdb_dl_load(struct buf *err)
{
	return dl_load(&lib, resolve, err);
}

static uint32_t
u32(const unsigned char *p, int swap)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return swap ? __builtin_bswap32(v) : v;
}

/* Read the first META_LEN octets; 0, or -1 (short or unreadable). */
static int
read_meta(int fd, unsigned char *h)
{
	ssize_t r;

	do
		r = pread(fd, h, META_LEN, 0);
	while (r < 0 && errno == EINTR);
	return r == META_LEN ? 0 : -1;
}

/* The format, and whether the file's byte order is the other one. */
static enum map_format
format_of(const unsigned char *h, int *swap)
{
	uint32_t m;

	for (*swap = 0; *swap < 2; (*swap)++) {
		m = u32(h, *swap);
		if (m >= GDBM_MAGIC_MIN && m <= GDBM_MAGIC_MAX)
			return MAP_FMT_GDBM;
		m = u32(h + META_MAGIC, *swap);
		if (m == DB_HASHMAGIC)
			return MAP_FMT_BDB_HASH;
		if (m == DB_BTREEMAGIC)
			return MAP_FMT_BDB_BTREE;
	}
	return MAP_FMT_UNKNOWN;
}

enum map_format
bdb_dl_format(int fd)
{
	unsigned char h[META_LEN];
	int swap;

	if (read_meta(fd, h) < 0)
		return MAP_FMT_UNKNOWN;
	return format_of(h, &swap);
}

const char *
bdb_dl_format_name(enum map_format f)
{
	switch (f) {
	case MAP_FMT_GDBM:
		return "GDBM";
	case MAP_FMT_BDB_HASH:
		return "Berkeley DB hash";
	case MAP_FMT_BDB_BTREE:
		return "Berkeley DB btree";
	default:
		return "unknown format";
	}
}

/* Does the metadata page add up for a file of size octets?  NULL, or
 * what is wrong.  libdb trusts it; a damaged one must not crash us. */
static const char *
meta_why(const unsigned char *h, int swap, off_t size)
{
	uint32_t psize = u32(h + META_PAGESIZE, swap);
	uint32_t last = u32(h + META_LAST_PGNO, swap);

	if (psize < 512 || psize > 65536 || (psize & (psize - 1)) != 0)
		return "damaged map: bad page size";
	if (h[META_ENCRYPT] != 0)
		return "encrypted map (not supported)";
	if (size % psize != 0 || (off_t)last + 1 > size / psize)
		return "damaged map: size does not match its page count";
	return NULL;
}

static void
errcall(const DB_ENV *env, const char *prefix, const char *msg)
{
	(void)env;
	(void)prefix;
	snprintf(dbmsg, sizeof(dbmsg), "%s", msg);
}

/* libdb's message for error r: its own words if it said any. */
static const char *
why(int r)
{
	return dbmsg[0] != '\0' ? dbmsg : fn.strerror(r);
}

/* Is the file libdb opened the one the caller checked?  Then lock it
 * shared and keep it from a delivery program's exec().  NULL or why. */
static const char *
same_file(DB *db, const struct stat *want)
{
	struct stat st;
	int dfd;

	if (db->fd(db, &dfd) != 0 || fstat(dfd, &st) == -1)
		return strerror(errno ? errno : EBADF);
	if (st.st_dev != want->st_dev || st.st_ino != want->st_ino)
		return "replaced while being opened";
	(void)fcntl(dfd, F_SETFD, FD_CLOEXEC);
	if (flock(dfd, LOCK_SH | LOCK_NB) == -1)
		return errno == EWOULDBLOCK ? "locked: being rewritten" :
		    strerror(errno);
	return NULL;
}

/* Open path with libdb; the handle, or NULL with err set. */
static DB *
db_open(const char *path, enum map_format f, const struct stat *st,
    struct buf *err)
{
	const char *w;
	DB *db;
	int r;

	dbmsg[0] = '\0';
	if ((r = fn.create(&db, NULL, 0)) != 0) {
		buf_printf(err, "%s: db_create: %s", path, why(r));
		return NULL;
	}
	db->set_errcall(db, errcall);
	r = db->open(db, NULL, path, NULL,
	    f == MAP_FMT_BDB_HASH ? DB_HASH : DB_BTREE, DB_RDONLY, 0);
	if (r != 0) {
		buf_printf(err, "%s: %s: %s", path, bdb_dl_format_name(f),
		    why(r));
		(void)db->close(db, 0);
		return NULL;
	}
	if ((w = same_file(db, st)) != NULL) {
		buf_printf(err, "%s: %s", path, w);
		(void)db->close(db, 0);
		return NULL;
	}
	return db;
}

struct bdb_map *
bdb_dl_open(int fd, const char *path, struct buf *err)
{
	unsigned char h[META_LEN];
	struct buf msg = BUF_INIT;
	struct bdb_map *b;
	enum map_format f;
	struct stat st;
	const char *w;
	DB *db;
	int swap;

	errno = 0;
	if (fstat(fd, &st) == -1 || read_meta(fd, h) < 0) {
		buf_printf(err, "%s: %s", path, errno ? strerror(errno) :
		    "too short");
		return NULL;
	}
	f = format_of(h, &swap);
	if (f != MAP_FMT_BDB_HASH && f != MAP_FMT_BDB_BTREE) {
		buf_printf(err, "%s: not a Berkeley DB map", path);
		return NULL;
	}
	if ((w = meta_why(h, swap, st.st_size)) != NULL) {
		buf_printf(err, "%s: %s: %s", path, bdb_dl_format_name(f), w);
		return NULL;
	}
	if (bdb_dl_load(&msg) == -1) {
		buf_printf(err, "%s: a %s map, and %s; fix: apt-get install "
		    "%s (or rebuild the map with sockmail's makemap)", path,
		    bdb_dl_format_name(f), buf_str(&msg), BDB_PACKAGE);
		buf_free(&msg);
		return NULL;
	}
	if ((db = db_open(path, f, &st, err)) == NULL)
		return NULL;
	b = xmalloc(sizeof(*b));
	b->db = db;
	b->path = xstrdup(path);
	return b;
}

/* One lookup of exactly these octets. */
static int
get(struct bdb_map *b, const void *key, size_t klen, struct buf *out,
    struct buf *err)
{
	DBT k, v;
	size_t n;
	int r;

	if (klen > UINT32_MAX)
		return 0;
	memset(&k, 0, sizeof(k));
	memset(&v, 0, sizeof(v));
	k.data = (void *)(uintptr_t)key;
	k.size = (u_int32_t)klen;
	dbmsg[0] = '\0';
	r = b->db->get(b->db, NULL, &k, &v, 0);
	if (r == DB_NOTFOUND || r == DB_KEYEMPTY)
		return 0;
	if (r != 0) {
		buf_printf(err, "%s: fetch: %s", b->path, why(r));
		return -1;
	}
	n = v.size;
	if (n > 0 && ((const char *)v.data)[n - 1] == '\0')
		n--;	/* newaliases' and makemap -N's trailing NUL */
	buf_reset(out);
	buf_add(out, v.data, n);
	return 1;
}

int
bdb_dl_fetch(struct bdb_map *b, const void *key, size_t klen,
    struct buf *out, struct buf *err)
{
	struct buf k = BUF_INIT;
	int r;

	r = get(b, key, klen, out, err);
	if (r == 0 && klen > 0) {	/* then "key\0", as newaliases wrote */
		buf_add(&k, key, klen);
		buf_addc(&k, '\0');
		r = get(b, k.s, k.len, out, err);
		buf_free(&k);
	}
	return r;
}

void
bdb_dl_close(struct bdb_map *b)
{
	if (b == NULL)
		return;
	(void)b->db->close(b->db, 0);
	free(b->path);
	free(b);
}
