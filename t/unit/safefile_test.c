/* safefile_test.c - the directories on a file's way (lib/safefile.h):
 * owned by root or us, writable by no one else unless sticky, links
 * followed; and the configuration judged by the descriptor's fstat(). */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/safefile.h"
#include "tap.h"

static char tmpdir[] = "/tmp/safefile_test.XXXXXX";
static struct buf why = BUF_INIT;

/* safefile_dirs() of tmpdir/rel; its message in why. */
static int
dirs(const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
	buf_reset(&why);
	return safefile_dirs(path, &why);
}

static void
sub(const char *rel, mode_t mode)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
	if (mkdir(path, 0700) == -1 || chmod(path, mode) == -1)
		ok(0, "mkdir %s", path);
}

static void
test_modes(void)
{
	sub("d", 0755);
	is_int(dirs("d/file"), 0, "a 0755 directory of ours: safe (%s)",
	    buf_str(&why));
	is_int(dirs("d/missing/file"), 0, "a name that is not there: no "
	    "verdict (the open says what is wrong)");
	chmod(tmpdir, 0777);
	is_int(dirs("d/file"), -1, "a world-writable directory above: unsafe");
	ok(strstr(buf_str(&why), "is writable by anyone (fix: chmod go-w ") &&
	    strstr(buf_str(&why), tmpdir) != NULL, "... named, with the fix: "
	    "%s", buf_str(&why));
	chmod(tmpdir, 01777);
	is_int(dirs("d/file"), 0, "... sticky and ours (as /tmp): safe");
	chmod(tmpdir, 0700);
	sub("g", 0770);
	is_int(dirs("g/file"), 0, "group-writable by our own group: allowed, "
	    "as for files");
}

/* As root: other owners and groups. */
static void
test_owners(void)
{
	char path[512];

	if (geteuid() != 0) {
		ok(1, "# SKIP other owners and groups: not root");
		return;
	}
	snprintf(path, sizeof(path), "%s/g", tmpdir);
	if (chown(path, (uid_t)-1, 1) == -1)
		ok(0, "chgrp 1 %s", path);
	is_int(dirs("g/file"), -1, "group-writable by another group: unsafe");
	ok(strstr(buf_str(&why), "/g is writable by its group (fix: chmod "
	    "go-w ") != NULL, "... said so: %s", buf_str(&why));
	chmod(path, 0755);
	if (chown(path, 65534, (gid_t)-1) == -1)
		ok(0, "chown 65534 %s", path);
	is_int(dirs("g/file"), -1, "a directory owned by another user: unsafe");
	ok(strstr(buf_str(&why), "/g is owned by uid 65534, not root (fix: "
	    "chown root ") != NULL, "... said so: %s", buf_str(&why));
	chmod(path, 01777);
	is_int(dirs("g/file"), -1, "... sticky does not excuse its owner");
	if (chown(path, 0, 0) == -1)
		ok(0, "chown 0 %s", path);
	chmod(path, 0770);
}

static void
test_links(void)
{
	char path[512], to[512];

	snprintf(to, sizeof(to), "%s/w", tmpdir);
	sub("w", 0777);
	snprintf(path, sizeof(path), "%s/d/abs", tmpdir);
	if (symlink(to, path) == -1)
		ok(0, "symlink %s", path);
	is_int(dirs("d/abs/file"), -1, "a link to a world-writable directory: "
	    "unsafe");
	ok(strstr(buf_str(&why), "/w is writable by anyone") != NULL,
	    "... the directory it leads to named: %s", buf_str(&why));
	snprintf(path, sizeof(path), "%s/d/rel", tmpdir);
	if (symlink("../w", path) == -1)
		ok(0, "symlink %s", path);
	is_int(dirs("d/rel/file"), -1, "a relative link: read from its "
	    "directory");
	snprintf(path, sizeof(path), "%s/d/file.cf", tmpdir);
	if (symlink("../w/real.cf", path) == -1)
		ok(0, "symlink %s", path);
	is_int(dirs("d/file.cf"), -1, "the file itself a link into an "
	    "unsafe directory: unsafe");
	chmod(to, 0755);
	is_int(dirs("d/abs/file"), 0, "the directory made safe: the link is "
	    "fine (%s)", buf_str(&why));
	snprintf(path, sizeof(path), "%s/d/loop", tmpdir);
	if (symlink("loop", path) == -1)
		ok(0, "symlink %s", path);
	is_int(dirs("d/loop/file"), -1, "a link to itself: unsafe, not a "
	    "hang");
	ok(strstr(buf_str(&why), "too many symbolic links") != NULL,
	    "... said so: %s", buf_str(&why));
}

static void
test_relative(void)
{
	char cwd[512];

	if (getcwd(cwd, sizeof(cwd)) == NULL || chdir(tmpdir) == -1) {
		ok(0, "chdir %s", tmpdir);
		return;
	}
	chmod("d", 0777);
	buf_reset(&why);
	is_int(safefile_dirs("d/file", &why), -1, "a relative name: checked "
	    "from the working directory");
	ok(strstr(buf_str(&why), tmpdir) != NULL, "... and named in full: %s",
	    buf_str(&why));
	chmod("d", 0755);
	if (chdir(cwd) == -1)
		ok(0, "chdir back");
}

/* safefile_config() judges the stat it is given, the descriptor's: a
 * file put in the name's place after the open changes nothing. */
static void
test_config_fd(void)
{
	char path[512], other[512];
	struct stat st;
	int fd;

	if (geteuid() != 0) {
		ok(1, "# SKIP the configuration's checks: not root");
		return;
	}
	snprintf(path, sizeof(path), "%s/d/sendmail.cf", tmpdir);
	snprintf(other, sizeof(other), "%s/d/evil.cf", tmpdir);
	if ((fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644)) == -1 ||
	    fstat(fd, &st) == -1) {
		ok(0, "open %s", path);
		return;
	}
	close(open(other, O_WRONLY | O_CREAT | O_TRUNC, 0666));
	chmod(other, 0666);
	if (rename(other, path) == -1)
		ok(0, "rename");
	buf_reset(&why);
	is_int(safefile_config(path, &st, &why), 0, "the descriptor's file "
	    "is judged, not what the name holds now (%s)", buf_str(&why));
	if (fstat(fd, &st) == -1 || fchmod(fd, 0664) == -1 ||
	    fstat(fd, &st) == -1)
		ok(0, "fchmod");
	is_int(safefile_config(path, &st, &why), -1, "a group-writable "
	    "config: unsafe");
	ok(strstr(buf_str(&why), "sendmail.cf: configuration file is "
	    "writable by group or others (mode 664); fix: chmod go-w ") !=
	    NULL, "... with the fix: %s", buf_str(&why));
	close(fd);
	unlink(path);
}

int
main(void)
{
	char rm[64];

	if (mkdtemp(tmpdir) == NULL) {
		ok(0, "mkdtemp");
		return done_testing();
	}
	test_modes();
	test_owners();
	test_links();
	test_relative();
	test_config_fd();
	snprintf(rm, sizeof(rm), "rm -rf %s", tmpdir);
	if (system(rm) != 0)
		ok(0, "rm -rf %s", tmpdir);
	buf_free(&why);
	return done_testing();
}
