/* bdb_test.c - Berkeley DB maps through gdbm_dl_open_read(): files that
 * libdb itself writes (hash and btree, in this machine's byte order and
 * in the other one), keys stored with and without sendmail's trailing
 * NUL found by the key without it, values without their NUL, absent keys
 * absent; format detection by magic number; metadata that does not add
 * up refused before libdb reads it. */
#include <db.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/bdb_dl.h"
#include "lib/buf.h"
#include "lib/gdbm_dl.h"
#include "tap.h"

static char dir[] = "/tmp/bdb_test.XXXXXX";

/* Write path with libdb (loaded here as the reader loads it). */
static int
write_map(const char *path, DBTYPE type, int lorder)
{
	static int (*create)(DB **, DB_ENV *, u_int32_t);
	static const char *const kv[] = {
		"plain", "one", "withnul\0", "two\0", "both", "three",
		"both\0", "four\0", NULL
	};
	DBT k, v;
	DB *db;
	int i;

	if (create == NULL) {
		void *h = dlopen(BDB_SONAME, RTLD_NOW | RTLD_LOCAL);

		if (h == NULL)
			return -1;
		*(void **)(void *)&create = dlsym(h, "db_create");
	}
	if (create == NULL || create(&db, NULL, 0) != 0)
		return -1;
	if (db->set_lorder(db, lorder) != 0 ||
	    db->open(db, NULL, path, NULL, type, DB_CREATE, 0600) != 0)
		return -1;
	for (i = 0; kv[i] != NULL; i += 2) {
		memset(&k, 0, sizeof(k));
		memset(&v, 0, sizeof(v));
		k.data = (void *)(uintptr_t)kv[i];
		k.size = (u_int32_t)strlen(kv[i]) + (i == 2 || i == 6);
		v.data = (void *)(uintptr_t)kv[i + 1];
		v.size = (u_int32_t)strlen(kv[i + 1]) + (i == 2 || i == 6);
		if (db->put(db, NULL, &k, &v, 0) != 0)
			return -1;
	}
	return db->close(db, 0);
}

static int
fetch(struct gdbm_map *m, const char *key, struct buf *v)
{
	struct buf err = BUF_INIT;
	int r = gdbm_dl_fetch(m, key, strlen(key), v, &err);

	buf_free(&err);
	return r;
}

static void
check_map(const char *name, DBTYPE type, int lorder)
{
	struct buf path = BUF_INIT, err = BUF_INIT, v = BUF_INIT;
	struct gdbm_map *m;
	int fd;

	buf_printf(&path, "%s/%s.db", dir, name);
	ok(write_map(path.s, type, lorder) == 0, "%s: libdb writes it", name);
	fd = open(path.s, O_RDONLY);
	is_int(bdb_dl_format(fd), type == DB_HASH ? MAP_FMT_BDB_HASH :
	    MAP_FMT_BDB_BTREE, "%s: its format, by the magic number", name);
	close(fd);
	m = gdbm_dl_open_read(path.s, &err);
	ok(m != NULL, "%s: opens (%s)", name, buf_str(&err));
	if (m == NULL)
		return;
	ok(fetch(m, "plain", &v) == 1 && v.len == 3 &&
	    memcmp(v.s, "one", 3) == 0, "%s: a key without NUL", name);
	ok(fetch(m, "withnul", &v) == 1 && v.len == 3 &&
	    memcmp(v.s, "two", 3) == 0,
	    "%s: a key stored with NUL, its value without", name);
	ok(fetch(m, "both", &v) == 1 && v.len == 5 &&
	    memcmp(v.s, "three", 5) == 0,
	    "%s: the key as given is tried first", name);
	ok(fetch(m, "absent", &v) == 0, "%s: an absent key", name);
	ok(fetch(m, "plai", &v) == 0, "%s: a prefix is not the key", name);
	gdbm_dl_close(m, &err);
	buf_free(&path);
	buf_free(&err);
	buf_free(&v);
}

/* A file of n octets: head (hn octets) then zeros. */
static void
put_file(const char *path, const void *head, size_t hn, size_t n)
{
	char *b = calloc(1, n);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	memcpy(b, head, hn);
	if (write(fd, b, n) != (ssize_t)n)
		abort();
	close(fd);
	free(b);
}

static int
format_of(const char *path, const void *head, size_t hn, size_t n)
{
	int fd, f;

	put_file(path, head, hn, n);
	fd = open(path, O_RDONLY);
	f = bdb_dl_format(fd);
	close(fd);
	return f;
}

static void
check_formats(void)
{
	static const unsigned char gdbm_le[] = { 0xcf, 0x9a, 0x57, 0x13 };
	static const unsigned char gdbm_be[] = { 0x13, 0x57, 0x9a, 0xce };
	unsigned char h[36] = { 0 };
	struct buf p = BUF_INIT, err = BUF_INIT;
	struct gdbm_map *m;

	buf_printf(&p, "%s/x.db", dir);
	is_int(format_of(p.s, gdbm_le, 4, 64), MAP_FMT_GDBM, "GDBM, this order");
	is_int(format_of(p.s, gdbm_be, 4, 64), MAP_FMT_GDBM, "GDBM, the other");
	is_int(format_of(p.s, "", 0, 10), MAP_FMT_UNKNOWN, "too short");
	is_int(format_of(p.s, "", 0, 4096), MAP_FMT_UNKNOWN, "zeros");
	h[12] = 0x00; h[13] = 0x06; h[14] = 0x15; h[15] = 0x61;
	is_int(format_of(p.s, h, sizeof(h), 4096), MAP_FMT_BDB_HASH,
	    "Berkeley DB hash, big-endian");
	h[12] = 0x62; h[13] = 0x31; h[14] = 0x05; h[15] = 0x00;
	is_int(format_of(p.s, h, sizeof(h), 4096), MAP_FMT_BDB_BTREE,
	    "Berkeley DB btree, little-endian");
	/* Page size 4096, last page 3: a file of 2 pages is cut short. */
	h[21] = 0x10;
	h[32] = 3;
	put_file(p.s, h, sizeof(h), 8192);
	m = gdbm_dl_open_read(p.s, &err);
	ok(m == NULL && strstr(buf_str(&err), "size does not match") != NULL,
	    "a btree cut short is refused (%s)", buf_str(&err));
	h[21] = 0;
	h[20] = 100;
	buf_reset(&err);
	put_file(p.s, h, sizeof(h), 8192);
	m = gdbm_dl_open_read(p.s, &err);
	ok(m == NULL && strstr(buf_str(&err), "bad page size") != NULL,
	    "a page size not a power of two is refused (%s)", buf_str(&err));
	unlink(p.s);
	buf_free(&p);
	buf_free(&err);
}

int
main(void)
{
	if (mkdtemp(dir) == NULL)
		return 1;
	check_map("hash", DB_HASH, 1234);
	check_map("btree", DB_BTREE, 1234);
	check_map("hash-be", DB_HASH, 4321);
	check_map("btree-be", DB_BTREE, 4321);
	check_formats();
	{
		char cmd[64];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		(void)!system(cmd);
	}
	return done_testing();
}
