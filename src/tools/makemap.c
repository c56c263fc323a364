/* makemap.c - makemap(8): build a lookup map from text on stdin.
 *
 *   makemap [-N] [-c size] [-D char] [-e] [-f] [-l] [-r] [-s] [-t delim]
 *           [-v] type name < text
 *
 * Writes name.db in GDBM format for type hash, btree or gdbm (sockmail
 * reads every K map as GDBM, see map.h), atomically: readers see the old
 * map or the new one, never a half-built one.  Lines are "key value";
 * the key ends at the first blank (or at -t delim), the value starts at
 * the next non-blank.  Keys are folded to lower case unless -f.  Blank
 * lines and lines starting with the comment character ('#', -D) are
 * skipped.  A bad line is reported with its number and skipped; the map
 * is still built from the good lines and makemap exits 65 (EX_DATAERR).
 */
#include "makemap.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "lib/ascii.h"
#include "lib/buf.h"
#include "lib/gdbm_dl.h"
#include "mail/map.h"

#define MM_LINE_MAX	4096	/* octets, without the newline */

static int
blank(int c)
{
	return c == ' ' || c == '\t';
}

/* One line: split, check, fold, hand to cb.  1 = bad line, 0 = fine or
 * skipped, -1 = cb stopped. */
static int
one_line(const char *name, const char *s, size_t n, unsigned line, int flags,
    int delim, int comment, makemap_cb cb, void *arg, struct buf *err)
{
	struct buf key = BUF_INIT, val = BUF_INIT;
	size_t i = 0, k;
	int rc = 0;

	if (n == 0 || s[0] == comment)
		return 0;
	if (n > MM_LINE_MAX) {
		buf_printf(err, "%s: line %u: longer than %d octets\n", name,
		    line, MM_LINE_MAX);
		return 1;
	}
	if (memchr(s, '\0', n) != NULL) {
		buf_printf(err, "%s: line %u: NUL byte\n", name, line);
		return 1;
	}
	if (memchr(s, '\r', n) != NULL) {	/* other than before the LF */
		buf_printf(err, "%s: line %u: CR byte\n", name, line);
		return 1;
	}
	if (delim == 0)
		while (i < n && blank((unsigned char)s[i]))
			i++;
	if (i == n)
		return 0;		/* blanks only */
	for (k = i; k < n && (delim ? s[k] != delim :
	    !blank((unsigned char)s[k])); k++)
		buf_addc(&key, (flags & MM_NOFOLD) ? s[k] :
		    lower((unsigned char)s[k]));
	if (k < n)
		k++;			/* the separator */
	if (delim == 0)
		while (k < n && blank((unsigned char)s[k]))
			k++;
	buf_add(&val, s + k, n - k);
	if (key.len == 0) {
		buf_printf(err, "%s: line %u: empty key\n", name, line);
		rc = 1;
	} else if (val.len == 0 && !(flags & MM_EMPTY_OK)) {
		buf_printf(err, "%s: line %u: no value for key %s\n", name,
		    line, buf_str(&key));
		rc = 1;
	} else
		rc = cb(arg, buf_str(&key), buf_str(&val), line, err);
	buf_free(&key);
	buf_free(&val);
	return rc;
}

int
makemap_parse(const char *name, const char *text, size_t len, int flags,
    int delim, int comment, makemap_cb cb, void *arg, struct buf *err)
{
	const char *s, *nl;
	size_t off = 0, n;
	unsigned line = 0;
	int nbad = 0, r;

	while (off < len) {
		s = text + off;
		nl = memchr(s, '\n', len - off);
		n = nl != NULL ? (size_t)(nl - s) : len - off;
		off += n + (nl != NULL);
		if (n > 0 && s[n - 1] == '\r')
			n--;
		r = one_line(name, s, n, ++line, flags, delim, comment, cb,
		    arg, err);
		if (r < 0)
			return -1;
		nbad += r;
	}
	return nbad;
}

struct mm {
	const char	*name;
	const struct buf *text;
	int		 flags, delim, comment, verbose;
	int		 nbad;
	long		 count;
	struct gdbm_map	*map;
	struct buf	 msg;		/* a GDBM error */
};

static int
store(void *arg, const char *key, const char *value, unsigned line,
    struct buf *err)
{
	struct mm *m = arg;
	struct buf old = BUF_INIT;
	int r;

	r = gdbm_dl_fetch(m->map, key, strlen(key), &old, &m->msg);
	buf_free(&old);
	if (r == -1)
		return -1;
	if (r == 1 && !(m->flags & MM_REPLACE)) {
		buf_printf(err, "%s: line %u: duplicate key %s (-r to "
		    "replace)\n", m->name, line, key);
		return 1;
	}
	if (gdbm_dl_store(m->map, key, strlen(key), value, strlen(value),
	    &m->msg) == -1)
		return -1;
	if (m->verbose)
		printf("key=`%s', val=`%s'\n", key, value);
	m->count += r == 0;
	return 0;
}

static int
fill(void *arg, struct gdbm_map *map, struct buf *err)
{
	struct mm *m = arg;

	m->map = map;
	m->nbad = makemap_parse(m->name, buf_str(m->text), m->text->len,
	    m->flags, m->delim, m->comment, store, m, err);
	if (m->nbad < 0 || m->msg.len > 0) {
		buf_add(err, buf_str(&m->msg), m->msg.len);
		buf_addc(err, '\n');
		return EX_IOERR;
	}
	return EX_OK;
}

static int
usage(const char *why)
{
	fprintf(stderr, "makemap: %s\n"
	    "usage: makemap [-N] [-c cachesize] [-D commentchar] [-e] [-f] "
	    "[-l] [-r] [-s] [-t delimiter] [-v] type name < text\n", why);
	return EX_USAGE;
}

int
makemap_main(int argc, char **argv)
{
	struct buf text = BUF_INIT, err = BUF_INIT, db = BUF_INIT;
	struct mm m;
	struct stat st;
	mode_t mode = 0644;
	gid_t gid = (gid_t)-1;
	int c, rc;

	memset(&m, 0, sizeof(m));
	m.comment = '#';
	opterr = 0;
	while ((c = getopt(argc, argv, "Nc:dD:efloprst:uv")) != -1) {
		switch (c) {
		case 'N': case 'c': case 's':
			break;	/* no NULs are stored; no cache; no checks to skip */
		case 'D':
			if (optarg[0] == '\0' || optarg[1] != '\0')
				return usage("-D takes one character");
			m.comment = (unsigned char)optarg[0];
			break;
		case 'e': m.flags |= MM_EMPTY_OK; break;
		case 'f': m.flags |= MM_NOFOLD; break;
		case 'r': m.flags |= MM_REPLACE; break;
		case 'v': m.verbose = 1; break;
		case 't':
			if (optarg[0] == '\0' || optarg[1] != '\0')
				return usage("-t takes one character");
			m.delim = (unsigned char)optarg[0];
			break;
		case 'l':
			printf("hash\nbtree\ngdbm\n");
			return EX_OK;
		case 'd': case 'o': case 'u':
			fprintf(stderr, "makemap: -%c is not supported: build "
			    "the map from its whole text\n", c);
			return EX_USAGE;
		default:
			return usage("unknown flag");
		}
	}
	if (argc - optind != 2)
		return usage("need a map type and a map name");
	if (strcmp(argv[optind], "hash") != 0 &&
	    strcmp(argv[optind], "btree") != 0 &&
	    strcmp(argv[optind], "gdbm") != 0) {
		fprintf(stderr, "makemap: type %s not supported (hash, btree, "
		    "gdbm: all are written as GDBM)\n", argv[optind]);
		return EX_USAGE;
	}
	m.name = argv[optind + 1];
	if ((rc = map_read_fd(0, "standard input", &text, &err)) != EX_OK)
		goto out;
	m.text = &text;
	buf_printf(&db, "%s.db", m.name);
	/* A rebuilt map keeps the mode and group the administrator gave
	 * the old one; a new one is readable by the MTA's RunAsUser. */
	if (stat(db.s, &st) == 0) {
		mode = st.st_mode & 0644;
		gid = st.st_gid;
	}
	rc = map_build(db.s, mode, gid, fill, &m, &err);
	if (rc == EX_OK && m.nbad > 0)
		rc = EX_DATAERR;	/* built from the good lines */
out:
	for (const char *l = buf_str(&err); *l != '\0'; ) {
		size_t n = strcspn(l, "\n");

		fprintf(stderr, "makemap: %.*s\n", (int)n, l);
		l += n + (l[n] == '\n');
	}
	buf_free(&m.msg);
	buf_free(&text);
	buf_free(&err);
	buf_free(&db);
	return rc;
}
