/* gdbm_read_test.c - the GDBM reader against libgdbm itself: the same
 * hash as libgdbm's _gdbm_hash() for any bytes, every key of maps that
 * libgdbm wrote found with its value (20,000 keys: a directory of many
 * bits and split buckets), absent keys absent, damaged files reported as
 * damaged, other formats left to libgdbm. */
#include <dlfcn.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/gdbm_dl.h"
#include "lib/gdbm_read.h"
#include "tap.h"

typedef struct { char *dptr; int dsize; } datum;

static char dir[] = "/tmp/gdbm_read_test.XXXXXX";

static struct gdbm_rd *
open_rd(const char *path, int *r)
{
	struct buf err = BUF_INIT;
	struct gdbm_rd *g = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*r = fd < 0 ? -2 : gdbm_rd_open(fd, path, &g, &err);
	if (*r != 1 && fd >= 0)
		close(fd);
	buf_free(&err);
	return g;
}

static int
fetch(struct gdbm_rd *g, const void *k, size_t n, struct buf *v)
{
	struct buf err = BUF_INIT;
	int r = gdbm_rd_fetch(g, k, n, v, &err);

	buf_free(&err);
	return r;
}

static void
copy_file(const char *from, const char *to)
{
	char b[65536];
	int in = open(from, O_RDONLY), out;
	ssize_t n;

	out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	while ((n = read(in, b, sizeof(b))) > 0)
		if (write(out, b, (size_t)n) != n)
			abort();
	close(in);
	close(out);
}

static void
poke(const char *path, off_t at, const void *p, size_t n)
{
	int fd = open(path, O_WRONLY);

	if (fd < 0 || pwrite(fd, p, n, at) != (ssize_t)n)
		abort();
	close(fd);
}

int
main(void)
{
	int (*lib_hash)(datum);
	void *lib;
	char path[128], bad[128], key[64], val[64];
	unsigned char raw[48];
	struct buf err = BUF_INIT, v = BUF_INIT, big = BUF_INIT;
	struct gdbm_map *m;
	struct gdbm_rd *g;
	size_t i, j, n;
	int r, mism = 0, miss = 0, wrong = 0, extra = 0;
	const int N = 20000;
	static const char *odd[] = {
		"a", "ab", "abc", "abcd", "abcde", "\x80", "\xff\xfe\x80x",
		"caf\xc3\xa9", "abcd\x01", "postmaster", "MAILER-DAEMON",
	};

	if (mkdtemp(dir) == NULL)
		return 1;
	srand(7);

	/* The hash, for keys of every length and any octets. */
	lib = dlopen("libgdbm.so.6", RTLD_NOW | RTLD_LOCAL);
	lib_hash = lib ? (int (*)(datum))dlsym(lib, "_gdbm_hash") : NULL;
	if (lib_hash == NULL) {
		ok(0, "libgdbm's _gdbm_hash is there to compare with");
	} else {
		for (i = 0; i < 5000; i++) {
			datum d;

			n = i % 48;
			for (j = 0; j < n; j++)
				raw[j] = (unsigned char)rand();
			d.dptr = (char *)raw;
			d.dsize = (int)n;
			if ((unsigned)lib_hash(d) != gdbm_rd_hash(raw, n))
				mism++;
		}
		is_int(mism, 0, "gdbm_rd_hash = libgdbm's _gdbm_hash for 5000 "
		    "random keys of 0..47 octets (8-bit included)");
	}

	/* A big map written by libgdbm. */
	snprintf(path, sizeof(path), "%s/big.db", dir);
	m = gdbm_dl_create(path, 0600, &err);
	ok(m != NULL, "libgdbm creates a map (%s)", buf_str(&err));
	if (m == NULL)
		return done_testing();
	for (i = 0; i < (size_t)N; i++) {
		snprintf(key, sizeof(key), "user%zu@example.com", i);
		snprintf(val, sizeof(val), "value-%zu", i * 7);
		gdbm_dl_store(m, key, strlen(key), val, strlen(val), &err);
	}
	for (i = 0; i < sizeof(odd) / sizeof(odd[0]); i++)
		gdbm_dl_store(m, odd[i], strlen(odd[i]), odd[i], strlen(odd[i]),
		    &err);
	gdbm_dl_store(m, "nul\0key", 7, "with\0nul", 8, &err);
	gdbm_dl_store(m, "empty", 5, "", 0, &err);
	for (i = 0; i < 100000; i++)
		buf_addc(&big, 'a' + (int)(i % 26));
	gdbm_dl_store(m, "big", 3, big.s, big.len, &err);
	gdbm_dl_store(m, "replaced", 8, "old", 3, &err);
	gdbm_dl_store(m, "replaced", 8, "new value", 9, &err);
	ok(gdbm_dl_sync(m, &err) == 0 && gdbm_dl_close(m, &err) == 0,
	    "... stores %d entries and closes", N + 15);

	g = open_rd(path, &r);
	is_int(r, 1, "the reader knows the format libgdbm wrote here");
	if (g == NULL)
		return done_testing();
	for (i = 0; i < (size_t)N; i++) {
		snprintf(key, sizeof(key), "user%zu@example.com", i);
		snprintf(val, sizeof(val), "value-%zu", i * 7);
		r = fetch(g, key, strlen(key), &v);
		if (r != 1)
			miss++;
		else if (v.len != strlen(val) || memcmp(v.s, val, v.len) != 0)
			wrong++;
	}
	is_int(miss, 0, "all %d keys are found", N);
	is_int(wrong, 0, "... each with its own value");
	for (i = (size_t)N; i < (size_t)N + 2000; i++) {
		snprintf(key, sizeof(key), "user%zu@example.com", i);
		if (fetch(g, key, strlen(key), &v) != 0)
			extra++;
		snprintf(key, sizeof(key), "user%zu@example.co", i - N);
		if (fetch(g, key, strlen(key), &v) != 0)
			extra++;
	}
	is_int(extra, 0, "4000 keys never stored (and prefixes) are absent");
	for (i = 0; i < sizeof(odd) / sizeof(odd[0]); i++)
		ok(fetch(g, odd[i], strlen(odd[i]), &v) == 1 &&
		    v.len == strlen(odd[i]) && memcmp(v.s, odd[i], v.len) == 0,
		    "the key \"%s\"", vis(odd[i]));
	ok(fetch(g, "nul\0key", 7, &v) == 1 && v.len == 8 &&
	    memcmp(v.s, "with\0nul", 8) == 0, "a key and value with NULs");
	is_int(fetch(g, "nul", 3, &v), 0, "... its part before the NUL is not it");
	ok(fetch(g, "empty", 5, &v) == 1 && v.len == 0, "an empty value");
	ok(fetch(g, "big", 3, &v) == 1 && v.len == big.len &&
	    memcmp(v.s, big.s, v.len) == 0, "a 100 KB value");
	ok(fetch(g, "replaced", 8, &v) == 1 && v.len == 9 &&
	    memcmp(v.s, "new value", 9) == 0, "a replaced value: the new one");
	is_int(fetch(g, "", 0, &v), 0, "the empty key is absent");
	is_int(fetch(g, "ABCD", 4, &v), 0, "keys are exact (ABCD is not abcd)");
	gdbm_rd_close(g);

	/* Through gdbm_dl: the same answers, without the library. */
	m = gdbm_dl_open_read(path, &err);
	ok(m != NULL && gdbm_dl_fetch(m, "user123@example.com", 19, &v,
	    &err) == 1 && strcmp(buf_str(&v), "value-861") == 0,
	    "gdbm_dl_open_read/fetch answer through the reader");
	gdbm_dl_close(m, &err);

	/* Damage. */
	snprintf(bad, sizeof(bad), "%s/bad.db", dir);
	copy_file(path, bad);
	poke(bad, 0, "\x00\x00\x00\x00", 4);
	g = open_rd(bad, &r);
	is_int(r, 0, "another magic number: left to libgdbm");
	copy_file(path, bad);
	{
		char h[40];
		int64_t d, junk = (int64_t)1 << 40;
		int fd = open(bad, O_RDONLY);

		if (pread(fd, h, sizeof(h), 0) != (ssize_t)sizeof(h))
			abort();
		close(fd);
		memcpy(&d, h + 8, 8);
		/* every directory entry points far beyond the end */
		for (i = 0; i < 64; i++)
			poke(bad, d + 8 * (off_t)i, &junk, 8);
	}
	g = open_rd(bad, &r);
	is_int(r, 1, "a damaged directory: the header still reads");
	mism = 0;
	for (i = 0; i < 2000 && g != NULL; i++) {
		snprintf(key, sizeof(key), "user%zu@example.com", i);
		r = gdbm_rd_fetch(g, key, strlen(key), &v, &err);
		if (r == -1)
			mism++;
		else if (r == 1 && strncmp(buf_str(&v), "value-", 6) != 0)
			wrong++;
	}
	ok(mism > 0 && wrong == 0, "keys behind the damage: -1 (%d of 2000), "
	    "never a wrong value", mism);
	ok(strstr(buf_str(&err), "damaged map") != NULL,
	    "the error says the map is damaged: %s", vis(buf_str(&err)));
	gdbm_rd_close(g);
	if (truncate(bad, 2000) == 0) {
		g = open_rd(bad, &r);
		ok(r == 0 || (r == 1 && fetch(g, "a", 1, &v) <= 0),
		    "a truncated map: not read, or not found / an error");
		gdbm_rd_close(g);
	}
	if (truncate(bad, 10) == 0) {
		g = open_rd(bad, &r);
		is_int(r, 0, "a 10-octet file: left to libgdbm");
	}

	buf_free(&v);
	buf_free(&big);
	buf_free(&err);
	unlink(path);
	unlink(bad);
	rmdir(dir);
	return done_testing();
}
