/* cf_opt.c - sendmail.cf options: looking names up in the tables of
 * cf_opttab.c, and the parsers that check and store values. */
#include "cf.h"

#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/buf.h"
#include "cf_opttab.h"
#include "cf_priv.h"
#include "lib/log.h"

static int
badval(struct pctx *p, const char *name, const char *what, const char *val)
{
	struct buf w = BUF_INIT;

	buf_printf(&w, "option %s: %s", name, what);
	cfi_errq(p, buf_str(&w), val, strlen(val));
	buf_free(&w);
	return -1;
}

static int
strlist_has(const struct strlist *l, const char *s)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return 1;
	return 0;
}

static void
note_unimpl(struct cf *cf, const char *pfx, const char *name)
{
	char full[128];

	snprintf(full, sizeof(full), "%s%s", pfx, name);
	if (!strlist_has(&cf->unimplemented, full))
		strlist_add(&cf->unimplemented, full);
}

static void
note_pending(struct cf *cf, const char *pfx, const char *name)
{
	char full[200];
	size_t i;

	snprintf(full, sizeof(full), "%s%s", pfx, name);
	for (i = 0; i < cfi_npending; i++)
		if (strcasecmp(cfi_pending[i].name, full) == 0) {
			snprintf(full, sizeof(full), "%s is read and "
			    "checked; %s", cfi_pending[i].name,
			    cfi_pending[i].then);
			if (!strlist_has(&cf->pending, full))
				strlist_add(&cf->pending, full);
			return;
		}
}

static int	apply_pending(struct pctx *, const struct opt *, const char *);

#define LOWER(c)	((c) >= 'A' && (c) <= 'Z' ? (c) + 32 : (c))

/* Compare the key k[0..n) with the name s, ignoring ASCII case, in
 * strcasecmp() order. */
static int
keycmp(const char *k, size_t n, const char *s)
{
	int a, b;

	for (; n > 0; n--, k++, s++) {
		a = (unsigned char)*k;
		b = (unsigned char)*s;
		if (a != b && (a = LOWER(a)) != (b = LOWER(b)))
			return a - b;
	}
	return *s == '\0' ? 0 : -1;
}

/* --- values ---------------------------------------------------------- */

static long
unit_secs(int c)
{
	switch (c) {
	case 's':
		return 1;
	case 'm':
		return 60;
	case 'h':
		return 3600;
	case 'd':
		return 86400;
	case 'w':
		return 7 * 86400;
	}
	return 0;
}

long
cf_parse_time(const char *s, char default_unit)
{
	long total = 0, n, mult;

	if (s == NULL || *s == '\0')
		return -1;
	if (unit_secs(default_unit) == 0)
		default_unit = 's';
	while (*s != '\0') {
		if (!ISDIGIT(*s))
			return -1;
		for (n = 0; ISDIGIT(*s); s++) {
			if (n > (LONG_MAX - (*s - '0')) / 10)
				return -1;
			n = n * 10 + (*s - '0');
		}
		mult = unit_secs(*s != '\0' ? *s++ : default_unit);
		if (mult == 0 || n > (LONG_MAX - total) / mult)
			return -1;
		total += n * mult;
	}
	return total;
}

static int
parse_bool(const char *s)
{
	static const char *const yes[] = { "", "t", "true", "y", "yes", "on",
	    "1" };
	static const char *const no[] = { "f", "false", "n", "no", "off",
	    "0" };
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (strcasecmp(s, yes[i]) == 0)
			return 1;
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (strcasecmp(s, no[i]) == 0)
			return 0;
	return -1;
}

/* A one-letter value or one of the long words starting with it. */
static int
parse_letter(const char *s, const char *letters, const char *const *words)
{
	int c = (*s >= 'A' && *s <= 'Z') ? *s - 'A' + 'a' : *s;

	if (c == '\0' || strchr(letters, c) == NULL)
		return -1;
	if (s[1] == '\0')
		return c;
	for (; *words != NULL; words++)
		if (strcasecmp(s, *words) == 0)
			return c;
	return -1;
}

static int
set_privacy(struct pctx *p, const struct opt *o, const char *val, int *bits)
{
	const char *s = val, *w;
	size_t n, i;
	int add = 0;

	for (;;) {
		while (*s == ',' || ISWS(*s))
			s++;
		if (*s == '\0')
			break;
		for (w = s; *s != '\0' && *s != ',' && !ISWS(*s); s++)
			;
		n = (size_t)(s - w);
		for (i = 0; i < cfi_nprivwords; i++)
			if (keycmp(w, n, cfi_privwords[i].word) == 0)
				break;
		if (i == cfi_nprivwords) {
			struct buf b = BUF_INIT;

			buf_printf(&b, "option %s: unknown word", o->name);
			cfi_errq(p, buf_str(&b), w, n);
			buf_free(&b);
			return -1;
		}
		add |= cfi_privwords[i].bits;
	}
	*bits |= add;
	return 0;
}

/* AuthOptions: sendmail's letters, separated by commas or blanks. */
static int
set_authopt(struct pctx *p, const struct opt *o, const char *val, int *bits)
{
	static const char letters[] = "Aacdfmpuy";
	const char *s, *l;
	int b = 0;

	for (s = val; *s != '\0'; s++) {
		if (*s == ',' || ISWS(*s))
			continue;
		if ((l = strchr(letters, *s)) == NULL ||
		    (s[1] != '\0' && s[1] != ',' && !ISWS(s[1])))
			return badval(p, o->name, "unknown letter in", val);
		b |= 1 << (l - letters);
	}
	*bits = b;
	return 0;
}

/* TLSSrvOptions: as sendmail, the first letter of each word (words are
 * separated by commas or blanks) counts, and each adds to what earlier
 * lines set.  V is implemented; C (a server without a certificate) is
 * listed as not implemented.  sendmail 8.17 knows no other letter and
 * warns about one; here, as for AuthOptions, it is an error. */
static int
set_tlssrv(struct pctx *p, const struct opt *o, const char *val, int *bits)
{
	const char *s = val;

	for (;;) {
		while (*s == ',' || ISWS(*s))
			s++;
		if (*s == '\0')
			return 0;
		if (*s == 'V')
			*bits |= TLSSRV_V;
		else if (*s == 'C') {
			*bits |= TLSSRV_C;
			note_unimpl(p->cf, "TLSSrvOptions=", "C");
		} else
			return badval(p, o->name, "unknown letter in", val);
		while (*s != '\0' && *s != ',' && !ISWS(*s))
			s++;
	}
}

/* AliasFile: keep the first "class:file" spec's file. */
static void
set_alias(struct cf *cf, const char *val)
{
	const char *s = cfi_skipws(val), *e, *c;
	size_t n;

	for (e = s; *e != '\0' && *e != ','; e++)
		;
	for (c = s; c < e && (ISDIGIT(*c) || *c == '_' ||
	    ((*c | 0x20) >= 'a' && (*c | 0x20) <= 'z')); c++)
		;
	if (c > s && c < e && *c == ':')
		s = cfi_skipws(c + 1);
	for (n = (size_t)(e - s); n > 0 && ISWS(s[n - 1]); n--)
		;
	free(cf->alias_file);
	cf->alias_file = n > 0 ? xstrndup(s, n) : NULL;
}

/* GreetPause: "500ms", "1s", "2m" or a bare number of milliseconds. */
static long
parse_ms(const char *s)
{
	size_t n = strlen(s);
	long v, t;
	char tmp[32];

	if (n > 2 && n < sizeof(tmp) && strcmp(s + n - 2, "ms") == 0) {
		memcpy(tmp, s, n - 2);
		tmp[n - 2] = '\0';
		s = tmp;
	} else if (n > 0 && !ISDIGIT(s[n - 1])) {
		if ((t = cf_parse_time(s, 's')) < 0 || t > LONG_MAX / 1000)
			return -1;
		return t * 1000;
	}
	if (cfi_parse_num(s, 0, &v) == -1 || v < 0)
		return -1;
	return v;
}

/* --- options --------------------------------------------------------- */

static int
unknown(struct pctx *p, const char *pfx, const char *name, size_t n)
{
	cfi_err(p, "unknown option %s", pfx);
	if (p->err != NULL)
		buf_escape(p->err, name, n, 80);
	return -1;
}

/* Binary search in a table sorted by name; each entry starts with its
 * const char *name. */
static const void *
lookup(const void *tab, size_t nel, size_t size, const char *key, size_t n)
{
	const char *e, *name;
	size_t lo = 0, hi = nel, mid;
	int c, k0 = LOWER((unsigned char)key[0]);

	if (n == 0)
		return NULL;
	while (lo < hi) {
		mid = (lo + hi) / 2;
		e = (const char *)tab + mid * size;
		name = *(const char *const *)(const void *)e;
		/* most probes differ in the first letter */
		if ((c = k0 - LOWER((unsigned char)name[0])) == 0 &&
		    (c = keycmp(key + 1, n - 1, name + 1)) == 0)
			return e;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static const struct opt *
find_opt(const char *name, size_t n)
{
	return lookup(cfi_opts, cfi_nopts, sizeof(cfi_opts[0]), name, n);
}

static const struct opt *
find_letter(int c)
{
	size_t i;

	for (i = 0; i < cfi_nopts; i++)
		if (cfi_opts[i].letter == c)
			return &cfi_opts[i];
	return NULL;
}

static const struct tmo *
find_tmo(const char *name, size_t n)
{
	return lookup(cfi_tmos, cfi_ntmos, sizeof(cfi_tmos[0]), name, n);
}

/* One timeout; val NUL-terminated. */
static int
set_tmo(struct pctx *p, const struct tmo *t, const char *val)
{
	char name[64];
	long v;

	if (t->unit == '#') {
		if (cfi_parse_num(val, 0, &v) == -1)
			v = -1;
	} else if (strncmp(t->name, "queuereturn", 11) == 0 &&
	    strcasecmp(val, "now") == 0)
		v = 0;
	else
		v = cf_parse_time(val, t->unit);
	if (v < 0 || v > INT_MAX) {
		snprintf(name, sizeof(name), "Timeout.%s", t->name);
		return badval(p, name, "bad time", val);
	}
	if (t->off == NOFLD)
		note_unimpl(p->cf, "Timeout.", t->name);
	else {
		*(int *)(void *)((char *)p->cf + t->off) = (int)v;
		if (strncmp(t->name, "queue", 5) == 0 ||
		    strcmp(t->name, "initial") == 0)
			note_pending(p->cf, "Timeout.", t->name);
	}
	return 0;
}

/* "Timeout=5m" (all the starred ones) or "Timeout=name=val,name=val". */
static int
set_timeouts(struct pctx *p, const char *val)
{
	const char *s = val, *k, *eq, *e;
	const struct tmo *t;
	char v[64];
	size_t i, n;

	if (strchr(val, '=') == NULL) {
		for (i = 0; i < cfi_ntmos; i++)
			if (cfi_tmos[i].star &&
			    set_tmo(p, &cfi_tmos[i], val) == -1)
				return -1;
		return 0;
	}
	for (;;) {
		while (*s == ',' || ISWS(*s))
			s++;
		if (*s == '\0')
			return 0;
		for (k = s; *s != '\0' && *s != ',' && *s != '='; s++)
			;
		for (eq = s; eq > k && ISWS(eq[-1]); eq--)
			;
		if (*s != '=')
			return badval(p, "Timeout", "'=' expected in", val);
		if ((t = find_tmo(k, (size_t)(eq - k))) == NULL)
			return unknown(p, "Timeout.", k, (size_t)(eq - k));
		for (k = s = cfi_skipws(s + 1); *s != '\0' && *s != ','; s++)
			;
		for (e = s; e > k && ISWS(e[-1]); e--)
			;
		if ((n = (size_t)(e - k)) >= sizeof(v))
			n = sizeof(v) - 1;	/* too long to be a time */
		memcpy(v, k, n);
		v[n] = '\0';
		if (set_tmo(p, t, v) == -1)
			return -1;
	}
}

/* QueueTimeout (T): "return[/warn]". */
static int
set_qtimeout(struct pctx *p, const char *val)
{
	const char *slash = strchr(val, '/');
	char v[64];
	size_t n = slash != NULL ? (size_t)(slash - val) : strlen(val);

	if (n >= sizeof(v))
		n = sizeof(v) - 1;
	memcpy(v, val, n);
	v[n] = '\0';
	if (set_tmo(p, find_tmo("queuereturn", 11), v) == -1)
		return -1;
	if (slash != NULL)
		return set_tmo(p, find_tmo("queuewarn", 9), slash + 1);
	return 0;
}

static int
set_str(struct pctx *p, const struct opt *o, char **sp, const char *val)
{
	if (*val == '\0' && (o->flag & ~F_LATER) == S_REQ)
		return badval(p, o->name, "empty value", val);
	free(*sp);
	*sp = (*val == '\0' && (o->flag & ~F_LATER) == S_NULL) ? NULL :
	    xstrdup(val);
	return 0;
}

static int
set_number(struct pctx *p, const struct opt *o, void *fld, const char *val)
{
	long v;
	char what[64];

	if (cfi_parse_num(val, (o->flag & ~F_LATER) == N_SUFFIX, &v) == -1)
		return badval(p, o->name, "bad number", val);
	if (v < o->min || v > o->max) {
		snprintf(what, sizeof(what), "out of range (%ld..%ld):",
		    o->min, o->max);
		return badval(p, o->name, what, val);
	}
	if (o->type == OT_LONG)
		*(long *)fld = v;
	else
		*(int *)fld = (int)v;
	return 0;
}

static int
set_mode(struct pctx *p, const struct opt *o, mode_t *fld, const char *val)
{
	const char *s = val;
	long v = 0;

	if (*s == '\0')
		return badval(p, o->name, "bad mode", val);
	for (; *s >= '0' && *s <= '7' && v <= o->max; s++)
		v = v * 8 + (*s - '0');
	if (*s != '\0' || v > o->max)
		return badval(p, o->name, "bad mode", val);
	*fld = (mode_t)v;
	return 0;
}

static int
apply_opt(struct pctx *p, const struct opt *o, const char *val)
{
	static const char *const dwords[] = { "background", "interactive",
	    "queue", "deferred", NULL };
	static const char *const ewords[] = { "pass", "pass8", "mime",
	    "mimefy", "mimify", "strict", NULL };
	void *fld = (char *)p->cf + o->off;
	long v;
	int c;

	switch (o->type) {
	case OT_UNIMPL:
		note_unimpl(p->cf, "", o->name);
		return 0;
	case OT_STR:
		return set_str(p, o, fld, val);
	case OT_LIST:
		strlist_add(fld, val);
		return 0;
	case OT_ALIAS:
		set_alias(p->cf, val);
		return 0;
	case OT_BOOL:
		if ((c = parse_bool(val)) == -1)
			return badval(p, o->name, "bad boolean", val);
		*(int *)fld = c;
		return 0;
	case OT_DPI:
		if ((c = parse_bool(val)) == -1 &&
		    (c = strcasecmp(val, "loopback") == 0 ? 2 : -1) == -1)
			return badval(p, o->name, "bad value", val);
		*(int *)fld = c;
		return 0;
	case OT_INT:
	case OT_LONG:
		return set_number(p, o, fld, val);
	case OT_MODE:
		return set_mode(p, o, fld, val);
	case OT_PRIV:
		return set_privacy(p, o, val, fld);
	case OT_DMODE:
		c = *val == '\0' ? 'i' : parse_letter(val, "biqd", dwords);
		if (c == -1)
			return badval(p, o->name, "bad delivery mode", val);
		*(char *)fld = (char)c;
		return 0;
	case OT_8BIT:
		if ((c = parse_letter(val, "pms", ewords)) == -1)
			return badval(p, o->name, "bad value", val);
		*(int *)fld = c;
		return 0;
	case OT_TIMEOUT:
		return set_timeouts(p, val);
	case OT_QTIMEOUT:
		return set_qtimeout(p, val);
	case OT_SECS:	/* "2s", "1m", or a bare number of seconds */
		if ((v = cf_parse_time(val, 's')) < 0 || v > o->max)
			return badval(p, o->name, "bad time", val);
		*(int *)fld = (int)v;
		return 0;
	case OT_GREET:
		if ((v = parse_ms(val)) < 0 || v > o->max)
			return badval(p, o->name, "bad time", val);
		*(int *)fld = (int)v;
		return 0;
	case OT_AUTHOPT:
		return set_authopt(p, o, val, fld);
	case OT_TLSSRV:
		return set_tlssrv(p, o, val, fld);
	case OT_COMMIT:
		if (strcasecmp(val, "fsync") == 0)
			*(int *)fld = 0;
		else if (strcasecmp(val, "syncfs") == 0)
			*(int *)fld = 1;
		else
			return badval(p, o->name, "fsync or syncfs expected,"
			    " not", val);
		return 0;
	}
	return cfi_err(p, "option %s: internal error", o->name);
}

/* name[0..n) = val; val NUL-terminated, trimmed. */
static int
set_named(struct pctx *p, const char *name, size_t n, const char *val)
{
	const struct opt *o;
	const struct tmo *t;

	if (n > 8 && keycmp(name, 8, "Timeout.") == 0) {
		if ((t = find_tmo(name + 8, n - 8)) == NULL)
			return unknown(p, "Timeout.", name + 8, n - 8);
		return set_tmo(p, t, val);
	}
	if (n == 0)
		return cfi_err(p, "option name missing");
	if ((o = find_opt(name, n)) == NULL)
		return unknown(p, "", name, n);
	return apply_pending(p, o, val);
}

/* apply_opt(), and a note when the option takes effect only later. */
static int
apply_pending(struct pctx *p, const struct opt *o, const char *val)
{
	if (apply_opt(p, o, val) < 0)
		return -1;
	if (o->flag & F_LATER)
		note_pending(p->cf, "", o->name);
	return 0;
}

/* DefaultUser's group part, the old g option. */
static void
set_defgroup(struct cf *cf, const char *group)
{
	const char *u = cf->default_user != NULL ? cf->default_user : "1";
	size_t n = strcspn(u, ":");
	struct buf b = BUF_INIT;

	buf_printf(&b, "%.*s:%s", (int)n, u, group);
	free(cf->default_user);
	cf->default_user = xstrdup(buf_str(&b));
	buf_free(&b);
}

/* One-letter option c with value val (NUL-terminated, trimmed). */
static int
set_short(struct pctx *p, int c, char *val)
{
	const struct opt *o;
	char l = (char)c;

	if (c == 'M')
		return cfi_macro_def(p, val);
	if (c == 'g') {
		set_defgroup(p->cf, val);
		return 0;
	}
	if (c == '\0' || (o = find_letter(c)) == NULL)
		return unknown(p, "letter ", &l, 1);
	return apply_pending(p, o, val);
}

/* "Name=value", "Name = value" or "Name" (a boolean set to true). */
static int
do_long(struct pctx *p, char *s)
{
	char *name, *e;
	size_t n;

	cfi_rtrim(s);
	name = cfi_skipws(s);
	n = strcspn(name, "= \t");
	e = name + n;
	e = cfi_skipws(e);
	if (*e == '=')
		e = cfi_skipws(e + 1);
	return set_named(p, name, n, e);
}

/* An O line: "O Name=value" or the old "OXvalue"; s is after the O. */
int
cfi_option(struct pctx *p, char *s)
{
	if (ISWS(*s))
		return do_long(p, s);
	if (*s == '\0')
		return cfi_err(p, "option name missing");
	cfi_rtrim(s + 1);
	return set_short(p, (unsigned char)*s, s + 1);
}

int
cf_set_option(struct cf *cf, const char *nameval, struct buf *err)
{
	struct pctx p = { cf, NULL, 0, err };
	char *s = xstrdup(nameval);
	int r;

	r = do_long(&p, s);
	free(s);
	return r;
}

int
cf_set_short_option(struct cf *cf, const char *xvalue, struct buf *err)
{
	struct pctx p = { cf, NULL, 0, err };
	char *s = xstrdup(xvalue);
	int r;

	r = cfi_option(&p, s);
	free(s);
	return r;
}

