/* fuzz_gdbm_read.c - libFuzzer target for the GDBM reader (gdbm_read.c).
 *
 * The input is a key length (one octet), the key, and the rest is a map
 * file, written to a private file and looked up as a session would.
 * Whatever the file says, the reader must not read outside it, loop, or
 * crash: gdbm_rd_open() is -1, 0 or 1, a lookup -1, 0 or 1, a value
 * found is no longer than the file, and the same lookup again gives the
 * same answer.  The seeds are small maps written by libgdbm (block size
 * 512) with keys k0, k1, ...
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/gdbm_read.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char path[64];

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf v = BUF_INIT, w = BUF_INIT, err = BUF_INIT;
	struct gdbm_rd *g = NULL;
	size_t klen;
	int fd, r, r2;

	if (size < 1)
		return 0;
	klen = data[0];
	if (klen > size - 1)
		klen = size - 1;
	if (path[0] == '\0')
		snprintf(path, sizeof(path), "/tmp/fuzz_gdbm_read.%d",
		    (int)getpid());
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, data + 1 + klen, size - 1 - klen) !=
	    (ssize_t)(size - 1 - klen))
		abort();
	r = gdbm_rd_open(fd, path, &g, &err);
	if (r < -1 || r > 1 || (r == 1) != (g != NULL))
		abort();
	if (r != 1) {
		close(fd);
		buf_free(&err);
		return 0;
	}
	r = gdbm_rd_fetch(g, data + 1, klen, &v, &err);
	r2 = gdbm_rd_fetch(g, data + 1, klen, &w, &err);
	if (r < -1 || r > 1 || r != r2)
		abort();
	if (r == 1 && (v.len > size || v.len != w.len ||
	    memcmp(buf_str(&v), buf_str(&w), v.len) != 0))
		abort();
	gdbm_rd_fetch(g, "k1", 2, &v, &err);
	gdbm_rd_close(g);
	buf_free(&v);
	buf_free(&w);
	buf_free(&err);
	return 0;
}
