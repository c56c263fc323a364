/* cf.c - sendmail.cf / submit.cf reader (see cf.h): lists, macros,
 * classes, defaults, and macro expansion; the name, number and macro
 * definition parsers that options (cf_opt.c) and the line syntax and
 * file reading (cf_read.c) share. */
#include "cf.h"

#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>

#include "lib/buf.h"
#include "cf_priv.h"
#include "lib/log.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR	"/etc/mail"
#endif
#ifndef SPOOLDIR
#define SPOOLDIR	"/var/spool"
#endif
#ifndef SOCKMAIL_VERSION
#define SOCKMAIL_VERSION "0.1"
#endif

#define CF_MAXDEPTH	10		/* macros within macro values */
#define CF_MAXEXPAND	(64 * 1024)	/* bytes one cf_expand() may add */
#define CF_MAXMACROS	4096		/* macro references per cf_expand() */
#define CF_MAXIF	32		/* nesting of $? ... $. */

/* --- small helpers --------------------------------------------------- */

int
cfi_err(struct pctx *p, const char *fmt, ...)
{
	va_list ap;

	if (p->err == NULL)
		return -1;
	buf_reset(p->err);
	if (p->file != NULL)
		buf_printf(p->err, "%s: line %zu: ", p->file, p->line);
	va_start(ap, fmt);
	buf_vprintf(p->err, fmt, ap);
	va_end(ap);
	return -1;
}

/* Error message ending in a quoted, escaped piece of the input. */
int
cfi_errq(struct pctx *p, const char *what, const char *s, size_t n)
{
	cfi_err(p, "%s \"", what);
	if (p->err == NULL)
		return -1;
	buf_escape(p->err, s, n, 80);
	buf_addc(p->err, '"');
	return -1;
}

char *
cfi_skipws(const char *s)
{
	while (ISWS(*s))
		s++;
	return (char *)s;
}

void
cfi_rtrim(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && (ISWS(s[n - 1]) || s[n - 1] == '\r'))
		s[--n] = '\0';
}

/* Decimal number, optionally with a k/m/g suffix (powers of 1024). */
int
cfi_parse_num(const char *s, int suffix, long *out)
{
	long n = 0, mult = 1;
	int neg = 0;

	if (*s == '-') {
		neg = 1;
		s++;
	}
	if (!ISDIGIT(*s))
		return -1;
	for (; ISDIGIT(*s); s++) {
		if (n > (LONG_MAX - (*s - '0')) / 10)
			return -1;
		n = n * 10 + (*s - '0');
	}
	if (suffix && *s != '\0' && s[1] == '\0') {
		switch (*s++) {
		case 'k': case 'K':
			mult = 1024;
			break;
		case 'm': case 'M':
			mult = 1024L * 1024;
			break;
		case 'g': case 'G':
			mult = 1024L * 1024 * 1024;
			break;
		default:
			return -1;
		}
	}
	if (*s != '\0' || n > LONG_MAX / mult)
		return -1;
	*out = neg ? -n * mult : n * mult;
	return 0;
}

/* Grow an array of n elements when n reaches its capacity (8, 16, ...). */
void *
cfi_grow(void *v, size_t n, size_t size)
{
	if (n != 0 && (n < 8 || (n & (n - 1)) != 0))
		return v;
	if (n > SIZE_MAX / 2 / size)
		log_die(EX_SOFTWARE, "cf: too many entries");
	return xrealloc(v, (n ? n * 2 : 8) * size);
}

static void
strlist_push(struct strlist *l, char *w)
{
	if (l->n + 1 >= l->cap) {
		if (l->cap > SIZE_MAX / 4 / sizeof(*l->v))
			log_die(EX_SOFTWARE, "cf: list too long");
		l->cap = l->cap ? l->cap * 2 : 8;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = w;
	l->v[l->n] = NULL;
}

void
strlist_add(struct strlist *l, const char *s)
{
	strlist_push(l, xstrdup(s));
}

void
cfi_strlist_addn(struct strlist *l, const char *s, size_t n)
{
	strlist_push(l, xstrndup(s, n));
}

void
strlist_free(struct strlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

/* --- macros, classes, maps, mailers ---------------------------------- */

struct cf_macro *
cfi_macro_find(const struct cf *cf, const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < cf->nmacros; i++)
		if (strncmp(cf->macros[i].name, name, n) == 0 &&
		    cf->macros[i].name[n] == '\0')
			return &cf->macros[i];
	return NULL;
}

const char *
cf_macro(const struct cf *cf, const char *name)
{
	struct cf_macro *m = cfi_macro_find(cf, name, strlen(name));

	return m != NULL ? m->value : NULL;
}

void
cfi_macro_setn(struct cf *cf, const char *name, size_t n, const char *value,
    size_t vlen)
{
	struct cf_macro *m = cfi_macro_find(cf, name, n);
	char *blk;

	/* name and value share one block, owned by name */
	if (n > SIZE_MAX / 2 - 2 || vlen > SIZE_MAX / 2)
		log_die(EX_SOFTWARE, "cf: macro too long");
	blk = xmalloc(n + vlen + 2);
	memcpy(blk, name, n);
	blk[n] = '\0';
	memcpy(blk + n + 1, value, vlen);
	blk[n + 1 + vlen] = '\0';
	if (m == NULL) {
		cf->macros = cfi_grow(cf->macros, cf->nmacros, sizeof(*m));
		m = &cf->macros[cf->nmacros++];
	} else
		free(m->name);
	m->name = blk;
	m->value = blk + n + 1;
}

/* A NULL value removes the macro. */
void
cf_set_macro(struct cf *cf, const char *name, const char *value)
{
	struct cf_macro *m;

	if (value != NULL) {
		cfi_macro_setn(cf, name, strlen(name), value, strlen(value));
		return;
	}
	if ((m = cfi_macro_find(cf, name, strlen(name))) == NULL)
		return;
	free(m->name);
	*m = cf->macros[--cf->nmacros];
}

/* A macro or class name: one character or {name}.  Returns the text
 * after it, or NULL after an error. */
char *
cfi_parse_name(struct pctx *p, const char *what, char *s, char **name,
    size_t *n)
{
	char *e, msg[32];

	if (*s == '{') {
		for (e = s + 1; *e != '\0' && *e != '}' && !ISWS(*e); e++)
			;
		if (*e != '}' || e == s + 1 || e - s > 256) {
			snprintf(msg, sizeof(msg), "bad %s name", what);
			cfi_errq(p, msg, s, strlen(s));
			return NULL;
		}
		*name = s + 1;
		*n = (size_t)(e - s - 1);
		return e + 1;
	}
	if (*s == '\0' || ISWS(*s)) {
		cfi_err(p, "%s name missing", what);
		return NULL;
	}
	*name = s;
	*n = 1;
	return s + 1;
}

/* Dxvalue, D{name}value; also the M (macro) one-letter option. */
int
cfi_macro_def(struct pctx *p, char *s)
{
	char *name;
	size_t n;

	if ((s = cfi_parse_name(p, "macro", s, &name, &n)) == NULL)
		return -1;
	cfi_rtrim(s);
	cfi_macro_setn(p->cf, name, n, s, strlen(s));
	return 0;
}

struct cf_class *
cfi_class_find(const struct cf *cf, const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < cf->nclasses; i++)
		if (strncmp(cf->classes[i].name, name, n) == 0 &&
		    cf->classes[i].name[n] == '\0')
			return &cf->classes[i];
	return NULL;
}

struct cf_class *
cfi_class_get(struct cf *cf, const char *name, size_t n)
{
	struct cf_class *c = cfi_class_find(cf, name, n);

	if (c == NULL) {
		cf->classes = cfi_grow(cf->classes, cf->nclasses, sizeof(*c));
		c = &cf->classes[cf->nclasses++];
		memset(c, 0, sizeof(*c));
		c->name = xstrndup(name, n);
	}
	return c;
}

const struct strlist *
cf_class(const struct cf *cf, const char *name)
{
	struct cf_class *c = cfi_class_find(cf, name, strlen(name));

	return c != NULL ? &c->words : NULL;
}

int
cf_class_has(const struct cf *cf, const char *name, const char *word)
{
	const struct strlist *l = cf_class(cf, name);
	size_t i;

	if (l == NULL)
		return 0;
	for (i = 0; i < l->n; i++)
		if (strcasecmp(l->v[i], word) == 0)
			return 1;
	return 0;
}

void
cf_class_add(struct cf *cf, const char *name, const char *word)
{
	strlist_add(&cfi_class_get(cf, name, strlen(name))->words, word);
}

const struct cf_mailer *
cf_mailer(const struct cf *cf, const char *name)
{
	size_t i;

	for (i = 0; i < cf->nmailers; i++)
		if (strcasecmp(cf->mailers[i].name, name) == 0)
			return &cf->mailers[i];
	return NULL;
}

const struct cf_map *
cf_map(const struct cf *cf, const char *name)
{
	size_t i;

	for (i = 0; i < cf->nmaps; i++)
		if (strcasecmp(cf->maps[i].name, name) == 0)
			return &cf->maps[i];
	return NULL;
}

void
cfi_mailer_free(struct cf_mailer *m)
{
	free(m->name);		/* all its strings are in this block */
	memset(m, 0, sizeof(*m));
}

void
cfi_map_free(struct cf_map *k)
{
	free(k->name);
	free(k->mclass);
	free(k->args);
	free(k->file);
	memset(k, 0, sizeof(*k));
}

/* --- defaults and freeing -------------------------------------------- */

void
cf_defaults(struct cf *cf)
{
	memset(cf, 0, sizeof(*cf));
	cf->alias_file = xstrdup(SYSCONFDIR "/aliases");
	cf->queue.dir = xstrdup(SPOOLDIR "/mqueue");
	cf->queue.file_mode = 0600;
	cf->lim.max_hop_count = 25;
	cf->lim.max_bad_commands = 25;
	cf->lim.max_noop_commands = 20;
	cf->lim.bad_rcpt_delay = 1;
	cf->lim.refuse_la = -1;
	cf->lim.reject_log_interval = 3 * 3600;
	cf->lim.max_headers_length = 32768;	/* sendmail's MAXHDRSLEN */
	cf->queue.min_free_blocks = 100;
	cf->log_level = 9;
	cf->eight_bit_mode = 'p';
	cf->queue.delivery_mode = 'b';
	cf->smtp_greeting = xstrdup("$j Sockmail $v; $b");
	cf->to.command = 300;
	cf->to.auth = 600;
	cf->to.datablock = 3600;
	cf->to.initial = 300;
	cf->to.queuereturn = 5 * 86400;
	cf->to.queuewarn = 4 * 3600;
	cf->to.starttls = 3600;
	cf->auth.mechanisms = xstrdup("PLAIN LOGIN");
	cf->auth.options = AUTHOPT_p;
	cf->auth.pwcheck_method = xstrdup("auxprop");
	cf->auth.auxprop_plugin = xstrdup("sasldb");
	cf->auth.sasldb_path = xstrdup("/etc/sasldb2");
	/* The version alone, as sendmail's $v is "8.17.1": the default
	 * greeting "$j Sockmail $v; $b" names the program once.  $Z is
	 * the same number (a cf's DZ line names its own). */
	cf_set_macro(cf, "v", SOCKMAIL_VERSION);
	cf_set_macro(cf, "Z", SOCKMAIL_VERSION);
}

void
cf_free(struct cf *cf)
{
	size_t i;

	free(cf->path);
	free(cf->alias_file);
	free(cf->queue.dir);
	free(cf->run_as_user);
	free(cf->trusted_user);
	free(cf->default_user);
	free(cf->smtp_greeting);
	free(cf->help_file);
	free(cf->pid_file);
	free(cf->dead_letter_drop);
	free(cf->mail_spool_dir);
	free(cf->forward_path);
	free(cf->dont_blame);
	free(cf->tls.cert_file);
	free(cf->tls.key_file);
	free(cf->tls.ca_file);
	free(cf->tls.ca_path);
	free(cf->tls.priority);
	free(cf->auth.mechanisms);
	free(cf->auth.realm);
	free(cf->auth.pwcheck_method);
	free(cf->auth.auxprop_plugin);
	free(cf->auth.sasldb_path);
	strlist_free(&cf->daemon_port_options);
	strlist_free(&cf->unimplemented);
	strlist_free(&cf->pending);
	for (i = 0; i < cf->nmacros; i++)
		free(cf->macros[i].name);	/* and its value */
	free(cf->macros);
	for (i = 0; i < cf->nclasses; i++) {
		free(cf->classes[i].name);
		strlist_free(&cf->classes[i].words);
	}
	free(cf->classes);
	for (i = 0; i < cf->nmaps; i++)
		cfi_map_free(&cf->maps[i]);
	free(cf->maps);
	for (i = 0; i < cf->nmailers; i++)
		cfi_mailer_free(&cf->mailers[i]);
	free(cf->mailers);
	memset(cf, 0, sizeof(*cf));
}

/* --- expansion ------------------------------------------------------- */

struct xctx {
	const struct cf	*cf;
	struct buf	*out;
	size_t		 limit;		/* out->len may not pass this */
	int		 budget;	/* macro references left */
};

/* Name after $, $? or $&: one character or {name}.  Returns the end,
 * or NULL if there is no name. */
static const char *
xname(const char *s, const char *end, const char **name, size_t *n)
{
	const char *e;

	if (s >= end)
		return NULL;
	if (*s != '{') {
		*name = s;
		*n = 1;
		return s + 1;
	}
	if ((e = memchr(s, '}', (size_t)(end - s))) == NULL)
		return NULL;
	*name = s + 1;
	*n = (size_t)(e - s - 1);
	return e + 1;
}

static void
xadd(struct xctx *x, const char *s, size_t n)
{
	if (x->out->len >= x->limit)
		return;
	if (n > x->limit - x->out->len)
		n = x->limit - x->out->len;
	buf_add(x->out, s, n);
}

static void
expand_r(struct xctx *x, const char *s, size_t len, int depth)
{
	const char *end = s + len, *name, *e;
	const struct cf_macro *m;
	unsigned char par[CF_MAXIF], cnd[CF_MAXIF];
	int lev = 0, over = 0, act = 1, ovact = 1;
	size_t n;

	while (s < end) {
		if (*s != '$' || s + 1 >= end) {
			for (e = s + 1; e < end && *e != '$'; e++)
				;
			if (act)
				xadd(x, s, (size_t)(e - s));
			s = e;
			continue;
		}
		switch (s[1]) {
		case '$':
			if (act)
				xadd(x, "$", 1);
			s += 2;
			continue;
		case '?':
			if ((e = xname(s + 2, end, &name, &n)) == NULL)
				break;
			s = e;
			if (over > 0 || lev == CF_MAXIF) {
				if (over++ == 0)
					ovact = act;
				act = 0;
				continue;
			}
			m = cfi_macro_find(x->cf, name, n);
			par[lev] = (unsigned char)act;
			cnd[lev] = m != NULL && m->value[0] != '\0';
			act = act && cnd[lev];
			lev++;
			continue;
		case '|':
			s += 2;
			if (over == 0 && lev > 0)
				act = par[lev - 1] && !cnd[lev - 1];
			continue;
		case '.':
			s += 2;
			if (over > 0) {
				if (--over == 0)
					act = ovact;
			} else if (lev > 0)
				act = par[--lev];
			continue;
		case '&':
			s++;
			break;
		}
		if ((e = xname(s + 1, end, &name, &n)) == NULL) {
			if (act)
				xadd(x, s, (size_t)(end - s));
			return;
		}
		s = e;
		if (!act || x->budget <= 0)
			continue;
		x->budget--;
		if ((m = cfi_macro_find(x->cf, name, n)) == NULL)
			continue;
		if (depth < CF_MAXDEPTH)
			expand_r(x, m->value, strlen(m->value), depth + 1);
		else
			xadd(x, m->value, strlen(m->value));
	}
}

void
cf_expand(const struct cf *cf, const char *tmpl, struct buf *out)
{
	struct xctx x = { cf, out, 0, CF_MAXMACROS };

	x.limit = out->len + CF_MAXEXPAND;
	buf_reserve(out, 0);
	expand_r(&x, tmpl, strlen(tmpl), 0);
}
