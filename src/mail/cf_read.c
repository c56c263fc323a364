/* cf_read.c - sendmail.cf line syntax (O D C F K M T ...) and reading
 * files. */
#include "cf.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "lib/buf.h"
#include "cf_priv.h"
#include "lib/file.h"
#include "lib/safefile.h"

#define CF_MAXFILE	(16L * 1024 * 1024)	/* config or class file */
#define CF_MAXDEV	(64 * 1024)		/* read from a device */
#define CF_ENOTREG	(-1)			/* read_file(): not a file */
#define CF_EUNSAFE	(-2)			/* read_file(): why says why */

/* --- D, C, F, K, M and T lines --------------------------------------- */

static void
class_words(struct cf *cf, struct cf_class *c, const char *s)
{
	const struct cf_class *from;
	const char *w;
	size_t i, n;

	for (;;) {
		s = cfi_skipws(s);
		if (*s == '\0')
			return;
		for (w = s; *s != '\0' && !ISWS(*s); s++)
			;
		n = (size_t)(s - w);
		if (n > 2 && w[0] == '$' && w[1] == '=') {
			/* $=X adds class X; names like {Name} too */
			if (w[2] == '{' && w[n - 1] == '}' && n > 4)
				from = cfi_class_find(cf, w + 3, n - 4);
			else
				from = n == 3 ?
				    cfi_class_find(cf, w + 2, 1) : NULL;
			for (i = 0; from != NULL && from != c &&
			    i < from->words.n; i++)
				strlist_add(&c->words, from->words.v[i]);
			continue;
		}
		cfi_strlist_addn(&c->words, w, n);
	}
}

static int
do_class(struct pctx *p, char *s)
{
	char *name, *rest;
	size_t n;

	if ((rest = cfi_parse_name(p, "class", s, &name, &n)) == NULL)
		return -1;
	class_words(p->cf, cfi_class_get(p->cf, name, n), rest);
	return 0;
}

/* T user...: trusted users, which sendmail keeps in class t. */
static int
do_trusted(struct pctx *p, char *s)
{
	class_words(p->cf, cfi_class_get(p->cf, "t", 1), s);
	return 0;
}

static int	read_file(const char *, struct buf *, struct stat *, int,
		    struct buf *);
static const char *read_error(int, const struct buf *);

/* Lines of a class file: with the usual "%[^\#]" format every word
 * before a '#'; without a format (or "%s") the first word. */
static void
class_file_words(struct cf_class *c, char *s, size_t len, int all)
{
	char *end = s + len, *e, *w;

	for (; s < end; s = e + 1) {
		if ((e = memchr(s, '\n', (size_t)(end - s))) == NULL)
			e = end;
		for (;;) {
			while (s < e && (ISWS(*s) || *s == '\r'))
				s++;
			if (s == e || *s == '#')
				break;
			for (w = s; s < e && !ISWS(*s) && *s != '\r' &&
			    *s != '#'; s++)
				;
			cfi_strlist_addn(&c->words, w, (size_t)(s - w));
			if (!all)
				break;
		}
	}
}

/* Fx/path [fmt], F{name}-o /path [fmt] */
static int
do_fclass(struct pctx *p, char *s)
{
	struct buf text = BUF_INIT, why = BUF_INIT;
	char *name, *path, *fmt;
	size_t n;
	int optional = 0, all, e, r = 0;

	if ((s = cfi_parse_name(p, "class", s, &name, &n)) == NULL)
		return -1;
	s = cfi_skipws(s);
	if (s[0] == '-' && s[1] == 'o' && (ISWS(s[2]) || s[2] == '/')) {
		optional = 1;
		s = cfi_skipws(s + 2);
	}
	for (path = s; *s != '\0' && !ISWS(*s); s++)
		;
	fmt = cfi_skipws(s);
	*s = '\0';
	cfi_rtrim(fmt);
	if (*path == '\0')
		return cfi_err(p, "class file name missing");
	if (*path == '|' || (*path != '/' && strchr(path, '@') != NULL))
		return cfi_errq(p, "classes from programs or maps are not"
		    " supported:", path, strlen(path));
	if (*fmt == '\0' || strcmp(fmt, "%s") == 0)
		all = 0;
	else if (strcmp(fmt, "%[^\\#]") == 0 || strcmp(fmt, "%[^#]") == 0)
		all = 1;
	else
		return cfi_errq(p, "unsupported class file format", fmt,
		    strlen(fmt));
	if ((e = read_file(path, &text, NULL, 1, &why)) == 0)
		class_file_words(cfi_class_get(p->cf, name, n), text.s,
		    text.len, all);
	else if (!optional || e == CF_EUNSAFE) {
		/* "-o": missing is fine, unsafe is not */
		r = cfi_err(p, "cannot read class file %s: %s", path,
		    read_error(e, &why));
	}
	buf_free(&text);
	buf_free(&why);
	return r;
}

/* A map in a file: is the way to it safe (safefile.h)?  Checked here, as
 * the configuration is read (by root, before sessions start), since
 * whoever may replace the map decides what it says.  The file itself is
 * checked when it is opened. */
static int
map_dirs(struct pctx *p, const struct cf_map *k)
{
	static const char *const file_classes[] = {
		"hash", "btree", "dbm", "gdbm", NULL
	};
	struct buf db = BUF_INIT, why = BUF_INIT;
	size_t i;
	int r = 0;

	for (i = 0; file_classes[i] != NULL &&
	    strcasecmp(k->mclass, file_classes[i]) != 0; i++)
		;
	if (file_classes[i] == NULL || k->file == NULL)
		return 0;
	buf_printf(&db, "%s.db", k->file);
	if (safefile_dirs(db.s, &why) == -1)
		r = cfi_err(p, "map %s: %s: unsafe map file: %s", k->name,
		    db.s, why.s);
	buf_free(&db);
	buf_free(&why);
	return r;
}

/* Kname class args */
static int
do_map(struct pctx *p, char *s)
{
	struct cf_map *k = NULL;
	char *name = s, *cls, *args, *w, *e, *f = NULL;
	size_t i, flen = 0;

	for (; *s != '\0' && !ISWS(*s); s++)
		;
	if (s == name)
		return cfi_err(p, "map name missing");
	if (*s != '\0')
		*s++ = '\0';
	for (cls = s = cfi_skipws(s); *s != '\0' && !ISWS(*s); s++)
		;
	if (s == cls)
		return cfi_err(p, "map %s: map class missing", name);
	if (*s != '\0')
		*s++ = '\0';
	args = cfi_skipws(s);
	cfi_rtrim(args);
	for (w = args; *w != '\0'; w = cfi_skipws(e)) {
		for (e = w; *e != '\0' && !ISWS(*e); e++)
			;
		if (*w == '/') {
			f = w;
			flen = (size_t)(e - w);
		}
	}
	for (i = 0; i < p->cf->nmaps && k == NULL; i++)
		if (strcasecmp(p->cf->maps[i].name, name) == 0)
			cfi_map_free(k = &p->cf->maps[i]);
	if (k == NULL) {
		p->cf->maps = cfi_grow(p->cf->maps, p->cf->nmaps, sizeof(*k));
		k = &p->cf->maps[p->cf->nmaps++];
	}
	k->name = xstrdup(name);
	k->mclass = xstrdup(cls);
	k->args = xstrdup(args);
	k->file = f != NULL ? xstrndup(f, flen) : NULL;
	return map_dirs(p, k);
}

/* One mailer field value, in place: up to an unquoted ',', with "..."
 * quoting and \n, \r, \t escapes (sendmail's rules).  Returns where
 * the next field starts. */
static char *
munch(char *s)
{
	char *w, *keep, *next, *e = s + strcspn(s, ",\"\\");
	int q = 0;

	if (*e != '"' && *e != '\\') {	/* the usual case: plain text */
		next = *e != '\0' ? e + 1 : e;
		while (e > s && ISWS(e[-1]))
			e--;
		*e = '\0';
		return next;
	}
	for (w = keep = e, s = e; *s != '\0'; ) {
		if (*s == ',' && !q) {
			s++;
			break;
		}
		if (*s == '"') {
			q = !q;
			s++;
			keep = w;
			continue;
		}
		if (*s == '\\' && s[1] != '\0') {
			s++;
			*w++ = *s == 'n' ? '\n' : *s == 'r' ? '\r' :
			    *s == 't' ? '\t' : *s;
			s++;
			keep = w;
			continue;
		}
		*w++ = *s++;
		if (q)
			keep = w;
	}
	while (w > keep && ISWS(w[-1]))
		w--;
	*w = '\0';
	return s;
}

static int
set_mfield(struct pctx *p, struct cf_mailer *m, int code, char *v)
{
	char **sp = NULL;
	long *lp = NULL;

	switch (code) {
	case 'P': sp = &m->path; break;
	case 'F': sp = &m->flags; break;
	case 'A': sp = &m->argv; break;
	case 'D': sp = &m->dir; break;
	case 'U': sp = &m->user; break;
	case 'E': sp = &m->eol; break;
	case 'L': lp = &m->maxline; break;
	case 'M': lp = &m->maxsize; break;
	case 'S': case 'R': case 'T': case 'C': case 'N': case 'Q':
	case 'm': case 'r': case 'W': case '/':
		return 0;
	default:
		return cfi_err(p, "mailer %s: unknown field %c=", m->name,
		    code);
	}
	if (sp != NULL)
		*sp = v;
	else if (cfi_parse_num(v, 0, lp) == -1 || *lp < 0)
		return cfi_errq(p, code == 'L' ? "bad mailer L= value" :
		    "bad mailer M= value", v, strlen(v));
	return 0;
}

static void
mailer_store(struct cf *cf, struct cf_mailer *m)
{
	size_t i;

	for (i = 0; i < cf->nmailers; i++)
		if (strcasecmp(cf->mailers[i].name, m->name) == 0) {
			cfi_mailer_free(&cf->mailers[i]);
			cf->mailers[i] = *m;
			return;
		}
	cf->mailers = cfi_grow(cf->mailers, cf->nmailers, sizeof(*m));
	cf->mailers[cf->nmailers++] = *m;
}

/* Mname, P=path, F=flags, ..., A=argv */
static int
do_mailer(struct pctx *p, char *s)
{
	struct cf_mailer m;
	char *v;
	size_t n, len;
	int code;

	if ((n = strcspn(s, ", \t")) == 0)
		return cfi_err(p, "mailer name missing");
	for (v = s + n; *v == ',' || ISWS(*v); v++)
		;
	len = strlen(v) + 1;
	/* One block for all strings: the name, the raw text, and a copy
	 * that the fields are cut out of. */
	memset(&m, 0, sizeof(m));
	m.name = xmalloc(n + 1 + 2 * len);
	memcpy(m.name, s, n);
	m.name[n] = '\0';
	m.raw = memcpy(m.name + n + 1, v, len);
	s = memcpy(m.raw + len, v, len);
	for (;;) {
		while (*s == ',' || ISWS(*s))
			s++;
		if (*s == '\0')
			break;
		code = (unsigned char)*s;
		s += strcspn(s, "=,");
		if (*s != '=') {
			cfi_err(p, "mailer %s: '=' expected after %c", m.name,
			    code);
			goto fail;
		}
		v = cfi_skipws(s + 1);
		s = munch(v);
		if (set_mfield(p, &m, code, v) == -1)
			goto fail;
	}
	if (m.path == NULL) {
		cfi_err(p, "mailer %s: P= missing", m.name);
		goto fail;
	}
	mailer_store(p->cf, &m);
	return 0;
fail:
	cfi_mailer_free(&m);
	return -1;
}

/* S name[=number]: a ruleset.  Its name is kept (cf.h) and the R lines
 * after it are counted, for -bC; the rules are not run. */
static int
do_ruleset(struct pctx *p, char *s)
{
	struct cf *cf = p->cf;
	struct cf_ruleset *rs;
	size_t n;

	s = cfi_skipws(s);
	n = strcspn(s, "= \t");
	if (n == 0)
		return cfi_err(p, "ruleset name missing");
	if (cf->nrulesets == CF_RULESETS_MAX) {
		cf->nrulesets_lost++;
		return 0;
	}
	rs = &cf->rulesets[cf->nrulesets++];
	if (n >= sizeof(rs->name))
		n = sizeof(rs->name) - 1;
	memcpy(rs->name, s, n);
	rs->name[n] = '\0';
	rs->rules = 0;
	return 0;
}

static int
do_rule(struct pctx *p)
{
	struct cf *cf = p->cf;

	if (cf->nrulesets > 0 && cf->nrulesets_lost == 0)
		cf->rulesets[cf->nrulesets - 1].rules++;
	return 0;
}

/* --- files ----------------------------------------------------------- */

static int
do_line(struct pctx *p, char *s)
{
	switch (*s) {
	case '\0':
	case '#':
		return 0;
	case 'O':
		return cfi_option(p, s + 1);
	case 'D':
		return cfi_macro_def(p, s + 1);
	case 'C':
		return do_class(p, s + 1);
	case 'F':
		return do_fclass(p, s + 1);
	case 'K':
		return do_map(p, s + 1);
	case 'M':
		return do_mailer(p, s + 1);
	case 'T':
		return do_trusted(p, s + 1);
	case 'S':
		return do_ruleset(p, s + 1);
	case 'R':
		return do_rule(p);
	case 'V': case 'P': case 'H': case 'Q': case 'E': case 'L': case 'G':
		return 0;		/* not used */
	case ' ':
	case '\t':
		if (*cfi_skipws(s) == '\0')
			return 0;
		return cfi_err(p, "continuation line without a line to"
		    " continue");
	case 'X':
		return cfi_err(p, "mail filters (X lines) are not supported");
	}
	return cfi_errq(p, "unknown configuration line", s, strlen(s));
}

/* Cut text (s[len] must be writable) into logical lines: a line that
 * starts with a space or tab continues the one before it. */
static int
parse_text(struct pctx *p, char *s, size_t len)
{
	char *end = s + len, *e, *nul;
	size_t line = 1;

	*end = '\0';
	if ((nul = memchr(s, '\0', len)) != NULL) {
		for (p->line = 1; s < nul; s++)
			p->line += *s == '\n';
		return cfi_err(p, "NUL byte in configuration");
	}
	while (s < end) {
		p->line = line;
		e = s;
		for (;;) {
			if ((e = memchr(e, '\n', (size_t)(end - e))) == NULL) {
				e = end;
				break;
			}
			line++;
			if (e + 1 >= end || !ISWS(e[1]))
				break;
			if (e > s && e[-1] == '\r')
				e[-1] = ' ';
			*e = ' ';
		}
		*e = '\0';
		if (e > s && e[-1] == '\r')
			e[-1] = '\0';
		if (do_line(p, s) == -1)
			return -1;
		s = e + 1;
	}
	return 0;
}

/* What read_file() said; why: its reason for CF_EUNSAFE. */
static const char *
read_error(int e, const struct buf *why)
{
	return e == CF_ENOTREG ? "not a regular file" :
	    e == CF_EUNSAFE ? buf_str(why) : strerror(e);
}

/* Whole file into text (NUL-terminated); 0 or an errno value.  Regular
 * files, and character devices such as /dev/null; O_NONBLOCK so that a
 * FIFO or terminal cannot hang us.  st (if not NULL) gets what fstat()
 * said of the descriptor read.  policy: the file decides policy (a class
 * file), so it and the way to it must be safe (safefile.h); if not,
 * CF_EUNSAFE and the reason in why. */
static int
read_file(const char *path, struct buf *text, struct stat *stp, int policy,
    struct buf *why)
{
	struct stat st;
	const char *w;
	int e;

	e = file_read(path, (size_t)CF_MAXFILE, FILE_REG | FILE_CHR, text,
	    &st, NULL);
	if (e == FILE_ENOTREG)
		e = S_ISDIR(st.st_mode) ? EISDIR : CF_ENOTREG;
	else if (e == 0 && policy && S_ISREG(st.st_mode)) {
		if ((w = safefile_why(&st)) != NULL) {
			buf_adds(why, w);
			e = CF_EUNSAFE;
		} else if (safefile_dirs(path, why) == -1)
			e = CF_EUNSAFE;
	}
	if (e != 0)
		buf_reset(text);
	else if (stp != NULL)
		*stp = st;
	return e;
}

int
cf_parse(struct cf *cf, const char *name, const char *text, size_t len,
    struct buf *err)
{
	struct pctx p = { cf, name != NULL ? name : "(config)", 0, err };
	char *s = xmalloc(len + 1);
	int r;

	free(cf->path);
	cf->path = xstrdup(p.file);
	if (len > 0)
		memcpy(s, text, len);
	r = parse_text(&p, s, len);
	free(s);
	return r;
}

int
cf_read(struct cf *cf, const char *path, struct buf *err)
{
	struct pctx p = { cf, path, 0, err };
	struct buf text = BUF_INIT, why = BUF_INIT;
	struct stat st;
	int e, r = -1;

	free(cf->path);
	cf->path = xstrdup(path);
	if ((e = read_file(path, &text, &st, 0, &why)) != 0) {
		if (err != NULL) {
			buf_reset(err);
			buf_printf(err, "%s: cannot read: %s", path,
			    read_error(e, &why));
		}
	} else if (S_ISREG(st.st_mode) &&
	    safefile_config(path, &st, &why) == -1) {
		/* st is the descriptor's that was read: no swap between the
		 * check and the text, and not one line of it is used. */
		if (err != NULL) {
			buf_reset(err);
			buf_adds(err, why.s);
		}
	} else
		r = parse_text(&p, text.s, text.len);
	buf_free(&text);
	buf_free(&why);
	return r;
}

