/* passwd.c - is there such a user?  The passwd file first, NSS after. */
#include "passwd.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LINE_MAX_PW	4096	/* longer passwd lines: NSS decides */

static const char *nsswitch_path = "/etc/nsswitch.conf";
static const char *passwd_path = "/etc/passwd";
static int order = -1;		/* enum passwd_order once known */

void
passwd_set_files(const char *nsswitch, const char *passwd)
{
	nsswitch_path = nsswitch;
	passwd_path = passwd;
	order = -1;
}

static int
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* One word of s (after blanks), into w (NUL-terminated, cut at n-1). */
static const char *
word(const char *s, char *w, size_t n)
{
	size_t i = 0;

	while (is_space((unsigned char)*s))
		s++;
	while (*s != '\0' && !is_space((unsigned char)*s)) {
		if (i + 1 < n)
			w[i++] = *s;
		s++;
	}
	w[i] = '\0';
	return s;
}

/* The order a "passwd:" line's services give (s: after the colon). */
static enum passwd_order
order_of(const char *s)
{
	char w[64];

	s = word(s, w, sizeof(w));
	if (strcmp(w, "files") != 0)
		return PASSWD_NSS;
	s = word(s, w, sizeof(w));
	if (w[0] == '\0')
		return PASSWD_FILES_ONLY;
	return w[0] == '[' ? PASSWD_NSS : PASSWD_FILES_FIRST;
}

/* Each line of fd to fn, which returns nonzero to stop; a line longer
 * than LINE_MAX_PW makes the result -1.  Returns fn's value, 0 at the
 * end, -1 on a read error. */
static int
each_line(int fd, int (*fn)(char *line, void *arg), void *arg)
{
	char b[LINE_MAX_PW + 1];
	size_t have = 0;
	ssize_t n;
	int r;

	for (;;) {
		char *p = b, *nl;

		n = read(fd, b + have, sizeof(b) - 1 - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		have += (size_t)n;
		b[have] = '\0';
		while ((nl = memchr(p, '\n', have - (size_t)(p - b))) != NULL) {
			*nl = '\0';
			if ((r = fn(p, arg)) != 0)
				return r;
			p = nl + 1;
		}
		have -= (size_t)(p - b);
		memmove(b, p, have);
		if (n == 0) {
			if (have == 0)
				return 0;
			b[have] = '\0';	/* a last line without a newline */
			have = 0;
			return fn(b, arg);
		}
		if (have >= sizeof(b) - 1)
			return -1;
	}
}

static int
nsswitch_line(char *line, void *arg)
{
	enum passwd_order *o = arg;
	char *hash = strchr(line, '#');

	if (hash != NULL)
		*hash = '\0';
	while (is_space((unsigned char)*line))
		line++;
	if (strncmp(line, "passwd", 6) != 0)
		return 0;
	line += 6;
	while (is_space((unsigned char)*line))
		line++;
	if (*line != ':')
		return 0;
	*o = order_of(line + 1);
	return 1;
}

enum passwd_order
passwd_order(void)
{
	enum passwd_order o = PASSWD_NSS;
	int fd;

	if (order >= 0)
		return (enum passwd_order)order;
	/* No file, no passwd line: glibc's built-in default, which is
	 * NSS's business. */
	fd = open(nsswitch_path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (each_line(fd, nsswitch_line, &o) < 0)
			o = PASSWD_NSS;
		close(fd);
	}
	order = (int)o;
	return o;
}

struct find {
	const char *name;
	size_t	 len;
	uid_t	*uid;
	gid_t	*gid;
};

static int
number(const char *s, const char *end, unsigned long *out)
{
	char *e;

	if (s == end || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	*out = strtoul(s, &e, 10);
	return (errno != 0 || e != end) ? -1 : 0;
}

/* glibc's files parser: leading blanks skipped, empty and '#' lines
 * ignored, name:passwd:uid:gid:gecos:dir:shell with numeric ids. */
static int
passwd_line(char *line, void *arg)
{
	struct find *f = arg;
	const char *c[6];
	unsigned long uid, gid;
	char *p;
	int i;

	while (is_space((unsigned char)*line))
		line++;
	if (*line == '\0' || *line == '#')
		return 0;
	if (strncmp(line, f->name, f->len) != 0 || line[f->len] != ':')
		return 0;
	p = line + f->len;
	for (i = 0; i < 6; i++) {
		if ((p = strchr(p, ':')) == NULL)
			return 0;	/* not an entry glibc would return */
		c[i] = p++;
	}
	if (number(c[1] + 1, c[2], &uid) < 0 ||
	    number(c[2] + 1, c[3], &gid) < 0)
		return 0;
	if (f->uid != NULL)
		*f->uid = (uid_t)uid;
	if (f->gid != NULL)
		*f->gid = (gid_t)gid;
	return 1;
}

int
passwd_file_find(const char *name, uid_t *uid, gid_t *gid)
{
	struct find f = { name, strlen(name), uid, gid };
	int fd, r;

	if (f.len == 0 || strchr(name, ':') != NULL ||
	    strchr(name, '\n') != NULL)
		return 0;
	if ((fd = open(passwd_path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	r = each_line(fd, passwd_line, &f);
	close(fd);
	return r;
}

struct byuid {
	uid_t	 uid;
	char	*name;
	size_t	 len;
};

/* The first entry with that uid, as glibc's files module returns it. */
static int
uid_line(char *line, void *arg)
{
	struct byuid *b = arg;
	const char *c[6];
	unsigned long uid;
	char *p = line;
	int i;

	while (is_space((unsigned char)*p))
		p++;
	if (*p == '\0' || *p == '#')
		return 0;
	line = p;
	for (i = 0; i < 6; i++) {
		if ((p = strchr(p, ':')) == NULL)
			return 0;
		c[i] = p++;
	}
	if (number(c[1] + 1, c[2], &uid) < 0 || (uid_t)uid != b->uid ||
	    c[0] == line || (size_t)(c[0] - line) >= b->len)
		return 0;
	memcpy(b->name, line, (size_t)(c[0] - line));
	b->name[c[0] - line] = '\0';
	return 1;
}

int
passwd_uid_name(uid_t uid, char *name, size_t len)
{
	struct byuid b = { uid, name, len };
	struct passwd pw, *res = NULL;
	enum passwd_order o = passwd_order();
	char buf[2048];
	int fd, r = -1;

	if (len == 0)
		return -1;
	if (o != PASSWD_NSS &&
	    (fd = open(passwd_path, O_RDONLY | O_CLOEXEC)) >= 0) {
		r = each_line(fd, uid_line, &b);
		close(fd);
		if (r == 1 || (r == 0 && o == PASSWD_FILES_ONLY))
			return r;
	}
	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &res) != 0)
		return -1;
	if (res == NULL)
		return 0;
	if (strlen(pw.pw_name) >= len)
		return -1;
	memcpy(name, pw.pw_name, strlen(pw.pw_name) + 1);
	return 1;
}

int
passwd_user_exists(const char *name, int (*nss)(const char *name))
{
	enum passwd_order o = passwd_order();
	int r;

	if (o == PASSWD_NSS)
		return nss(name);
	r = passwd_file_find(name, NULL, NULL);
	if (r == 1 || (r == 0 && o == PASSWD_FILES_ONLY))
		return r;
	return nss(name);
}

int
passwd_getpwnam(const char *name)
{
	struct passwd pw, *res = NULL;
	char b[4096];
	int e;

	e = getpwnam_r(name, &pw, b, sizeof(b), &res);
	if (e == 0)
		return res != NULL;
	if (e == ERANGE)
		return 1;	/* there is an entry, too big for b */
	/* What getpwnam_r(3) lists as "not found" on some systems. */
	if (e == ENOENT || e == ESRCH || e == EBADF || e == EPERM)
		return 0;
	return -1;
}
