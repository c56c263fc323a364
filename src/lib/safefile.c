/* safefile.c - may a file that sets policy be trusted (safefile.h)? */
#include "safefile.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"

#define SAFEFILE_MAXLINKS	16	/* links followed on one path, as ELOOP */

const char *
safefile_why(const struct stat *st)
{
	if (!S_ISREG(st->st_mode))
		return "not a regular file";
	if (st->st_mode & S_IWOTH)
		return "writable by anyone (fix: chmod o-w)";
	if ((st->st_mode & S_IWGRP) && st->st_gid != getegid())
		return "writable by its group (fix: chmod g-w)";
	if (st->st_uid != 0 && st->st_uid != geteuid())
		return "owned by another user (fix: chown root)";
	return NULL;
}

/* One directory on the way.  The owner first: whoever owns a directory
 * may chmod it, sticky or not. */
static int
dir_ok(const char *dir, const struct stat *st, struct buf *why)
{
	if (st->st_uid != 0 && st->st_uid != geteuid()) {
		buf_printf(why, "directory %s is owned by uid %lu, not root "
		    "(fix: chown root %s)", dir, (unsigned long)st->st_uid,
		    dir);
		return -1;
	}
	if (st->st_mode & S_ISVTX)
		return 0;	/* others may add names, not replace ours */
	if (st->st_mode & S_IWOTH)
		buf_printf(why, "directory %s is writable by anyone (fix: "
		    "chmod go-w %s)", dir, dir);
	else if ((st->st_mode & S_IWGRP) && st->st_gid != getegid())
		buf_printf(why, "directory %s is writable by its group (fix: "
		    "chmod go-w %s)", dir, dir);
	else
		return 0;
	return -1;
}

static int	walk(const char *, int, struct buf *);

/* The name p[0..n) is a symbolic link: check the way to its target,
 * which is read relative to the directory that holds the link. */
static int
follow(struct buf *p, size_t n, int links, struct buf *why)
{
	struct buf to = BUF_INIT;
	char link[PATH_MAX];
	ssize_t k;
	size_t d;
	int r;

	if (links >= SAFEFILE_MAXLINKS) {
		buf_printf(why, "%s: too many symbolic links to check", p->s);
		return -1;
	}
	if ((k = readlink(p->s, link, sizeof(link) - 1)) < 0)
		return 0;	/* gone: the open says so */
	link[k] = '\0';
	if (link[0] != '/') {
		for (d = n; d > 0 && p->s[d - 1] != '/'; d--)
			;
		buf_add(&to, p->s, d);
	}
	buf_adds(&to, link);
	r = walk(to.s, links + 1, why);
	buf_free(&to);
	return r;
}

/* Each name from "/" to path itself: a directory is checked, a link
 * followed, anything else (the file) is not this function's business. */
static int
walk(const char *path, int links, struct buf *why)
{
	struct buf p = BUF_INIT;
	char cwd[PATH_MAX];
	struct stat st;
	size_t i, len;
	int r = 0, c;

	if (path[0] != '/') {
		if (getcwd(cwd, sizeof(cwd)) == NULL) {
			buf_printf(why, "%s: cannot check its directories: "
			    "getcwd: %s", path, strerror(errno));
			return -1;
		}
		buf_printf(&p, "%s/", cwd);
	}
	buf_adds(&p, path);
	len = p.len;
	/* "/" is checked by the caller; "//" names the same one again. */
	for (i = 1; i <= len && r == 0; i++) {
		if ((i < len && p.s[i] != '/') || p.s[i - 1] == '/')
			continue;
		c = p.s[i];
		p.s[i] = '\0';
		if (lstat(p.s, &st) == -1)
			r = 1;		/* missing: no verdict */
		else if (S_ISLNK(st.st_mode))
			r = follow(&p, i, links, why);
		else if (S_ISDIR(st.st_mode))
			r = dir_ok(p.s, &st, why);
		p.s[i] = (char)c;
	}
	buf_free(&p);
	return r < 0 ? -1 : 0;
}

int
safefile_dirs(const char *path, struct buf *why)
{
	struct stat st;

	if (lstat("/", &st) == 0 && dir_ok("/", &st, why) == -1)
		return -1;
	return walk(path, 0, why);
}

int
safefile_config(const char *path, const struct stat *st, struct buf *why)
{
	if (geteuid() != 0 && getegid() == getgid())
		return 0;
	if (st->st_mode & (S_IWGRP | S_IWOTH))
		buf_printf(why, "%s: configuration file is writable by group "
		    "or others (mode %03o); fix: chmod go-w %s", path,
		    (unsigned)(st->st_mode & 0777), path);
	/* Its owner could rewrite it: only root, or whoever runs us. */
	else if (st->st_uid != 0 && st->st_uid != geteuid())
		buf_printf(why, "%s: configuration file is owned by uid %lu, "
		    "not root; fix: chown root %s", path,
		    (unsigned long)st->st_uid, path);
	else {
		struct buf d = BUF_INIT;

		if (safefile_dirs(path, &d) == 0) {
			buf_free(&d);
			return 0;
		}
		buf_printf(why, "%s: configuration file in an unsafe place: "
		    "%s", path, buf_str(&d));
		buf_free(&d);
	}
	return -1;
}
