/* file_test.c - the whole-file helpers: reading with a limit, writing
 * all of a buffer, directory fsync and the atomic replace, with their
 * failures (a missing file, a file over the limit, a directory that
 * cannot be written). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/file.h"
#include "tap.h"

static char dir[] = "/tmp/file_test.XXXXXX";

static const char *
at(const char *name)
{
	static char path[2][256];
	static int which;

	snprintf(path[which ^= 1], sizeof(path[0]), "%s/%s", dir, name);
	return path[which];
}

static void
put(const char *name, const char *text)
{
	FILE *f = fopen(at(name), "w");

	if (f != NULL) {
		fputs(text, f);
		fclose(f);
	}
}

static void
test_read(void)
{
	struct buf out = BUF_INIT, err = BUF_INIT;
	struct stat st;

	put("small", "line one\nline two\n");
	is_int(file_read(at("small"), 100, FILE_REG, &out, &st, &err), 0,
	    "a small file is read");
	is_str(buf_str(&out), "line one\nline two\n", "  all of it");
	is_int(out.len, 18, "  its length");
	ok(S_ISREG(st.st_mode) && st.st_size == 18, "  and its stat");
	is_str(buf_str(&err), "", "  no error");
	buf_reset(&out);
	buf_adds(&out, "before:");
	is_int(file_read(at("small"), 18, FILE_REG, &out, NULL, &err), 0,
	    "exactly at the limit");
	is_str(buf_str(&out), "before:line one\nline two\n", "  appended");

	put("empty", "");
	buf_free(&out);
	is_int(file_read(at("empty"), 100, FILE_REG, &out, NULL, &err), 0,
	    "an empty file");
	ok(out.s != NULL && out.len == 0 && out.s[0] == '\0',
	    "  gives an empty, NUL-terminated string");
	buf_free(&out);
	buf_free(&err);
}

static void
test_read_failures(void)
{
	struct buf out = BUF_INIT, err = BUF_INIT, want = BUF_INIT;
	struct stat st;

	buf_adds(&out, "kept");
	is_int(file_read(at("missing"), 100, FILE_REG, &out, NULL, &err),
	    ENOENT, "a missing file: ENOENT");
	buf_printf(&want, "%s: No such file or directory", at("missing"));
	is_str(buf_str(&err), buf_str(&want), "  named in the message");
	is_str(buf_str(&out), "kept", "  out as it was");

	buf_reset(&err);
	buf_reset(&want);
	is_int(file_read(at("small"), 17, FILE_REG, &out, NULL, &err), EFBIG,
	    "one octet over the limit: EFBIG");
	buf_printf(&want, "%s: larger than 17 octets", at("small"));
	is_str(buf_str(&err), buf_str(&want), "  with the limit");
	is_str(buf_str(&out), "kept", "  out as it was");

	buf_reset(&err);
	buf_reset(&want);
	is_int(file_read(dir, 100, FILE_REG, &out, &st, &err), FILE_ENOTREG,
	    "a directory is not a regular file");
	ok(S_ISDIR(st.st_mode), "  and st says what it is");
	buf_printf(&want, "%s: not a regular file", dir);
	is_str(buf_str(&err), buf_str(&want), "  message");

	buf_reset(&out);
	is_int(file_read("/dev/null", 100, FILE_REG, &out, NULL, NULL),
	    FILE_ENOTREG, "/dev/null refused without FILE_CHR");
	is_int(file_read("/dev/null", 100, FILE_REG | FILE_CHR, &out, NULL,
	    NULL), 0, "and read with it");
	is_int(file_read("/dev/zero", 1 << 20, FILE_CHR, &out, NULL, &err),
	    EFBIG, "/dev/zero: at most FILE_DEVMAX octets of a device");
	ok(out.len == 0, "  nothing kept");
	buf_free(&out);
	buf_free(&err);
	buf_free(&want);
}

static void
test_read_fd(void)
{
	struct buf out = BUF_INIT, err = BUF_INIT;
	char big[10000];
	int p[2], fd;

	memset(big, 'x', sizeof(big));
	if (pipe(p) < 0)
		return;
	ok(write(p[1], big, sizeof(big)) == (ssize_t)sizeof(big),
	    "10000 octets into a pipe");
	close(p[1]);
	is_int(file_read_fd(p[0], "pipe", 100000, 0, &out, NULL, &err), 0,
	    "a pipe is read to its end");
	is_int(out.len, 10000, "  all of it");
	close(p[0]);
	buf_reset(&out);
	if (pipe(p) < 0)
		return;
	ok(write(p[1], big, sizeof(big)) == (ssize_t)sizeof(big), "again");
	close(p[1]);
	is_int(file_read_fd(p[0], "pipe", 9999, 0, &out, NULL, &err), EFBIG,
	    "a pipe over the limit: EFBIG");
	is_str(buf_str(&err), "pipe: larger than 9999 octets", "  message");
	close(p[0]);
	buf_reset(&err);
	is_int(file_read_fd(p[0], "closed", 10, FILE_REG, &out, NULL, &err),
	    EBADF, "a closed fd");
	is_str(buf_str(&err), "closed: fstat: Bad file descriptor",
	    "  message names the step");

	fd = open(at("small"), O_RDONLY);
	buf_reset(&out);
	file_read_fd(fd, "small", 100, FILE_REG, &out, NULL, NULL);
	buf_reset(&out);
	is_int(file_read_fd(fd, "small", 100, FILE_REG, &out, NULL, NULL), 0,
	    "at the end of a file");
	is_int(out.len, 0, "  nothing is left to read");
	is_int(file_read_fd(fd, "small", 100, FILE_REG | FILE_START, &out,
	    NULL, NULL), 0, "FILE_START");
	is_str(buf_str(&out), "line one\nline two\n", "  reads it from 0");
	close(fd);
	buf_free(&out);
	buf_free(&err);
}

static void
test_write_sync(void)
{
	struct buf out = BUF_INIT, err = BUF_INIT;
	int fd;

	fd = open(at("written"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
	is_int(file_write_all(fd, "abc\n", 4), 0, "file_write_all");
	close(fd);
	file_read(at("written"), 10, FILE_REG, &out, NULL, NULL);
	is_str(buf_str(&out), "abc\n", "  wrote all of it");
	if ((fd = open("/dev/full", O_WRONLY)) >= 0) {
		is_int(file_write_all(fd, "abc", 3), ENOSPC,
		    "a full device: ENOSPC");
		close(fd);
	}
	is_int(file_write_all(-1, "abc", 3), EBADF, "a bad fd: EBADF");
	is_int(file_fsync_dir(dir, &err), 0, "fsync of a directory");
	is_int(file_fsync_parent(at("written"), &err), 0,
	    "fsync of the directory of a file");
	is_int(file_fsync_parent("no-slash", &err), 0, "  \".\" for a bare name");
	is_int(file_fsync_dir(at("nodir"), &err), ENOENT,
	    "fsync of a missing directory");
	ok(strstr(buf_str(&err), "/nodir: fsync: No such file") != NULL,
	    "  message: %s", buf_str(&err));
	buf_free(&out);
	buf_free(&err);
}

static int
nfiles(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	while (d != NULL && (e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	if (d != NULL)
		closedir(d);
	return n;
}

static void
test_replace(void)
{
	struct buf out = BUF_INIT, err = BUF_INIT, tmp = BUF_INIT;
	struct stat st;
	int n;

	file_tmp_name(&tmp, "/x/map.db");
	ok(strncmp(buf_str(&tmp), "/x/map.db.tmp", 13) == 0 &&
	    atol(buf_str(&tmp) + 13) == (long)getpid(),
	    "temporary name: path.tmpPID (%s)", buf_str(&tmp));
	umask(077);
	n = nfiles(dir);
	is_int(file_replace(at("target"), "new\n", 4, 0644, &err), 0,
	    "file_replace creates (%s)", buf_str(&err));
	ok(stat(at("target"), &st) == 0 && (st.st_mode & 0777) == 0644,
	    "  with exactly the mode asked, whatever the umask");
	is_int(file_replace(at("target"), "newer\n", 6, 0600, &err), 0,
	    "and replaces");
	file_read(at("target"), 100, FILE_REG, &out, NULL, NULL);
	is_str(buf_str(&out), "newer\n", "  the new text");
	is_int(nfiles(dir), n + 1, "  no temporary file left");
	buf_reset(&out);
	file_rename(at("nothere"), at("target"), &err);
	ok(strstr(buf_str(&err), "nothere: rename to ") != NULL,
	    "file_rename names both (%s)", buf_str(&err));
	buf_free(&out);
	buf_free(&err);
	buf_free(&tmp);
}

/* A directory we cannot write: mode 0555, and not root (root may write
 * anything, so it drops to nobody for the call). */
static void
test_replace_unwritable(void)
{
	struct buf out = BUF_INIT, err = BUF_INIT;
	int e, n;

	mkdir(at("ro"), 0755);
	file_replace(at("ro/f"), "old\n", 4, 0644, &err);
	chmod(at("ro"), 0555);
	n = nfiles(at("ro"));
	if (geteuid() == 0 && seteuid(65534) < 0) {
		ok(0, "seteuid(nobody): %s", strerror(errno));
		return;
	}
	e = file_replace(at("ro/f"), "new\n", 4, 0644, &err);
	if (getuid() == 0 && seteuid(0) < 0)
		exit(1);
	is_int(e, EACCES, "a directory that cannot be written: EACCES");
	ok(strstr(buf_str(&err), "/ro/f.tmp") != NULL &&
	    strstr(buf_str(&err), ": cannot create: Permission denied") != NULL,
	    "  message: %s", buf_str(&err));
	file_read(at("ro/f"), 100, FILE_REG, &out, NULL, NULL);
	is_str(buf_str(&out), "old\n", "  the old file is untouched");
	is_int(nfiles(at("ro")), n, "  nothing else there");
	chmod(at("ro"), 0755);
	buf_free(&out);
	buf_free(&err);
}

int
main(void)
{
	char cmd[300];

	signal(SIGPIPE, SIG_IGN);
	if (mkdtemp(dir) == NULL)
		return 1;
	chmod(dir, 0755);	/* nobody must reach ro/ */
	test_read();
	test_read_failures();
	test_read_fd();
	test_write_sync();
	test_replace();
	test_replace_unwritable();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 1;
	return done_testing();
}
