/* fuzz_passwd.c - libFuzzer target for the nsswitch.conf and passwd file
 * readers of src/passwd.c.
 *
 * The input is three parts split at NUL octets: an nsswitch.conf, a
 * passwd file, and a name.  They are written to files of a private
 * directory and read the way a session reads them.  passwd_order() is
 * one of the three orders; passwd_file_find() is -1, 0 or 1, and 1 only
 * when the passwd text holds the name followed by a colon, and then with
 * the same uid and gid every time.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/passwd.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char dir[] = "/tmp/fuzz_passwd.XXXXXX";
static char nss_path[64], pw_path[64];

static void
put(const char *path, const char *p, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0 || write(fd, p, n) != (ssize_t)n || close(fd) < 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *part[3] = { "", "", "" };
	size_t len[3] = { 0, 0, 0 }, i, k = 0, from = 0;
	char *copy, *key;
	uid_t u1 = 0, u2 = 0;
	gid_t g1 = 0, g2 = 0;
	enum passwd_order o;
	int r;

	if (nss_path[0] == '\0') {
		if (mkdtemp(dir) == NULL)
			abort();
		snprintf(nss_path, sizeof(nss_path), "%s/nsswitch", dir);
		snprintf(pw_path, sizeof(pw_path), "%s/passwd", dir);
	}
	copy = malloc(size + 1);
	memcpy(copy, data, size);
	copy[size] = '\0';
	for (i = 0; i <= size && k < 3; i++)
		if (i == size || copy[i] == '\0') {
			part[k] = copy + from;
			len[k++] = i - from;
			from = i + 1;
		}
	put(nss_path, part[0], len[0]);
	put(pw_path, part[1], len[1]);
	passwd_set_files(nss_path, pw_path);
	o = passwd_order();
	if (o != PASSWD_FILES_ONLY && o != PASSWD_FILES_FIRST &&
	    o != PASSWD_NSS)
		abort();
	r = passwd_file_find(part[2], &u1, &g1);
	if (r < -1 || r > 1)
		abort();
	if (r == 1) {
		key = malloc(len[2] + 2);
		memcpy(key, part[2], len[2]);
		memcpy(key + len[2], ":", 2);
		if (len[2] == 0 || strstr(part[1], key) == NULL)
			abort();
		free(key);
		if (passwd_file_find(part[2], &u2, &g2) != 1 || u1 != u2 ||
		    g1 != g2)
			abort();
	}
	free(copy);
	return 0;
}
