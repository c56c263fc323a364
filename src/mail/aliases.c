/* aliases.c - the aliases map: text file -> GDBM map, and lookups.
 *
 * Text syntax (aliases(5)): "name: item, item" where a line beginning
 * with a blank continues the entry above it.  Blank lines, blank-only
 * lines and lines whose first non-blank byte is '#' are ignored anywhere
 * (they do not end an entry).  The name may be quoted ("a b": ...); it is
 * dequoted and lower-cased (ASCII) to form the key.  Items are split at
 * commas outside "quotes", (comments) and <angle brackets>; around each
 * item blanks are removed, runs of blanks outside quotes inside an item
 * become one space, and the items are joined with "," in the value.
 * Quoted strings are stored byte for byte, quotes included.
 */
#include "aliases.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "lib/ascii.h"
#include "lib/buf.h"
#include "lib/gdbm_dl.h"
#include "lib/log.h"
#include "map.h"

#define ALIAS_LINE_MAX	4096			/* octets, without the newline */

enum { E_NONE, E_OPEN, E_BAD };	/* state of the entry being collected */

struct seen {			/* a name already defined, and where */
	char		*name;
	unsigned	 line;
};

struct parser {
	const char	*name;		/* file name for messages */
	struct buf	*err;
	alias_cb	 cb;
	void		*arg;
	int		 nerr;
	int		 stopped;	/* cb returned -1 */
	int		 state;		/* E_* */
	unsigned	 line;		/* where the open entry starts */
	struct buf	 lhs;		/* its key */
	struct buf	 rhs;		/* its raw right-hand side */
	struct buf	 val;		/* normalised right-hand side */
	struct seen	*seen;		/* hash set of keys, open addressing */
	size_t		 nseen;
	size_t		 capseen;	/* a power of two, or 0 */
};

static int
is_blank(int c)
{
	return c == ' ' || c == '\t';
}

/* One error line: "FILE: line N: why[ subject]". */
static void
perr(struct parser *p, unsigned line, const char *why, const char *subject)
{
	buf_printf(p->err, "%s: line %u: %s", p->name, line, why);
	if (subject != NULL) {
		buf_addc(p->err, ' ');
		buf_escape(p->err, subject, strlen(subject), 100);
	}
	buf_addc(p->err, '\n');
	p->nerr++;
}

static size_t
hash(const char *s)
{
	size_t h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static void
seen_grow(struct parser *p)
{
	struct seen *old = p->seen;
	size_t oldcap = p->capseen, i, j;

	p->capseen = oldcap ? oldcap * 2 : 64;
	if (p->capseen > SIZE_MAX / sizeof(*p->seen))
		log_die(EX_TEMPFAIL, "out of memory");
	p->seen = xcalloc(p->capseen, sizeof(*p->seen));
	for (i = 0; i < oldcap; i++) {
		if (old[i].name == NULL)
			continue;
		j = hash(old[i].name) & (p->capseen - 1);
		while (p->seen[j].name != NULL)
			j = (j + 1) & (p->capseen - 1);
		p->seen[j] = old[i];
	}
	free(old);
}

/* Remember key; return the line it was first defined on, or 0. */
static unsigned
seen_add(struct parser *p, const char *key, unsigned line)
{
	size_t j;

	if ((p->nseen + 1) * 2 > p->capseen)
		seen_grow(p);
	j = hash(key) & (p->capseen - 1);
	for (; p->seen[j].name != NULL; j = (j + 1) & (p->capseen - 1))
		if (strcmp(p->seen[j].name, key) == 0)
			return p->seen[j].line;
	p->seen[j].name = xstrdup(key);
	p->seen[j].line = line;
	p->nseen++;
	return 0;
}

/* The normaliser's state while it splits a right-hand side. */
struct norm {
	struct buf	*val;
	size_t		 item;		/* offset in val where the item starts */
	size_t		 ilen;		/* bytes of the item so far */
	int		 space;		/* a blank is pending inside the item */
	int		 blank;		/* the item has a blank outside quotes */
	int		 phrase;	/* the item has '<' or '(' */
};

static void
put(struct norm *n, int c)
{
	if (n->ilen == 0) {
		if (n->val->len > 0)
			buf_addc(n->val, ',');
		n->item = n->val->len;
	} else if (n->space) {
		buf_addc(n->val, ' ');
		n->blank = 1;
	}
	n->space = 0;
	buf_addc(n->val, c);
	n->ilen++;
}

/* End an item; returns an error message for a malformed one, or NULL. */
static const char *
end_item(struct norm *n)
{
	const char *s;
	size_t len = n->ilen;
	int bare = n->blank && !n->phrase;

	n->ilen = 0;
	n->space = n->blank = n->phrase = 0;
	if (len == 0)
		return NULL;
	s = n->val->s + n->item;
	if (bare)	/* "a b": two addresses, or a program to quote */
		return "blank in address (missing comma, or quote it)";
	if (len == 1 && s[0] == '|')
		return "empty program name after '|'";
	if (len == 9 && strncasecmp(s, ":include:", 9) == 0)
		return "empty :include: file name";
	return NULL;
}

/* Split raw right-hand side s into items and join them into val.
 * Returns NULL, or what is wrong with it. */
static const char *
normalise(const char *s, size_t len, struct buf *val)
{
	struct norm n = { val, 0, 0, 0, 0, 0 };
	int quoted = 0, paren = 0, angle = 0;
	const char *why = NULL;
	size_t i;

	buf_reset(val);
	for (i = 0; i < len && why == NULL; i++) {
		int c = (unsigned char)s[i];

		if (c == '\\' && i + 1 < len) {
			put(&n, c);
			put(&n, (unsigned char)s[++i]);
		} else if (quoted) {
			n.space = 0;	/* blanks in quotes are kept as they are */
			put(&n, c);
			quoted = c != '"';
		} else if (is_blank(c))
			n.space = n.ilen > 0;
		else if (c == ',' && paren == 0 && angle == 0)
			why = end_item(&n);
		else {
			quoted = c == '"';
			n.phrase |= c == '(' || c == '<';
			paren += (c == '(') - (c == ')');
			angle += (c == '<') - (c == '>');
			if (paren < 0 || angle < 0)
				why = paren < 0 ? "unbalanced ')'" : "unbalanced '>'";
			put(&n, c);
		}
	}
	if (why == NULL && quoted)
		why = "unbalanced '\"'";
	if (why == NULL && (paren > 0 || angle > 0))
		why = paren > 0 ? "unbalanced '('" : "unbalanced '<'";
	if (why == NULL)
		why = end_item(&n);
	return why;
}

/* The open entry is complete: check it and hand it to the callback. */
static void
finish(struct parser *p)
{
	const char *why;
	unsigned first;

	if (p->state != E_OPEN) {
		p->state = E_NONE;
		return;
	}
	p->state = E_NONE;
	if ((why = normalise(p->rhs.s, p->rhs.len, &p->val)) != NULL) {
		perr(p, p->line, why, NULL);
		return;
	}
	if (p->val.len == 0) {
		perr(p, p->line, "empty right-hand side for alias", p->lhs.s);
		return;
	}
	if ((first = seen_add(p, p->lhs.s, p->line)) != 0) {
		/* Counted; the later definition replaces the earlier one
		 * in the map, as in sendmail. */
		buf_printf(p->err, "%s: line %u: warning: duplicate alias "
		    "name ", p->name, p->line);
		buf_escape(p->err, p->lhs.s, p->lhs.len, 100);
		buf_printf(p->err, " (first at line %u)\n", first);
		p->nerr++;
	}
	if (p->cb(p->arg, p->lhs.s, p->val.s, p->line) == -1)
		p->stopped = 1;
}

/* Parse a quoted name at s (s[0] == '"') into the key; returns the
 * offset after the closing quote, or 0 if there is none. */
static size_t
quoted_name(const char *s, size_t n, struct buf *key)
{
	size_t i;

	for (i = 1; i < n && s[i] != '"'; i++) {
		if (s[i] == '\\' && i + 1 < n)
			i++;
		buf_addc(key, lower((unsigned char)s[i]));
	}
	return i < n ? i + 1 : 0;
}

/* Parse an unquoted name ending at the first ':'; returns the offset of
 * the ':', or 0 with *why set. */
static size_t
plain_name(const char *s, size_t n, struct buf *key, const char **why)
{
	const char *colon = memchr(s, ':', n);
	size_t i, end;

	if (colon == NULL) {
		*why = "missing colon";
		return 0;
	}
	for (end = (size_t)(colon - s); end > 0 && is_blank(s[end - 1]); end--)
		;
	for (i = 0; i < end; i++) {
		if (is_blank(s[i]))
			*why = "blank in alias name (quote the name)";
		else if (s[i] == '"')
			*why = "misplaced '\"' in alias name";
		else if (s[i] == '@')
			*why = "cannot alias non-local name";
		if (*why != NULL)
			return 0;
		buf_addc(key, lower((unsigned char)s[i]));
	}
	return (size_t)(colon - s);
}

/* A line that begins an entry. */
static void
start(struct parser *p, const char *s, size_t n, unsigned line)
{
	const char *why = NULL;
	size_t i;

	p->state = E_BAD;
	buf_reset(&p->lhs);
	buf_reset(&p->rhs);
	if (s[0] == '"') {
		if ((i = quoted_name(s, n, &p->lhs)) == 0)
			why = "unbalanced '\"' in alias name";
		else {
			while (i < n && is_blank(s[i]))
				i++;
			if (i == n || s[i] != ':')
				why = "missing colon";
		}
	} else
		i = plain_name(s, n, &p->lhs, &why);
	if (why == NULL && p->lhs.len == 0)
		why = "empty alias name";
	if (why == NULL && strcmp(buf_str(&p->lhs), "@") == 0)
		why = "alias name \"@\" is reserved";
	if (why != NULL) {
		perr(p, line, why, NULL);
		return;
	}
	buf_add(&p->rhs, s + i + 1, n - i - 1);
	p->line = line;
	p->state = E_OPEN;
}

/* A line that cannot be used (too long, control bytes): drop the entry
 * it begins or continues. */
static void
reject(struct parser *p, const char *s, size_t n, unsigned line,
    const char *why)
{
	if (n == 0 || !is_blank(s[0]))
		finish(p);
	if (p->stopped)
		return;
	perr(p, line, why, NULL);
	p->state = E_BAD;
}

static int
has_control(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] < 0x20 && s[i] != '\t') ||
		    s[i] == 0x7f)
			return 1;
	return 0;
}

static void
one_line(struct parser *p, const char *s, size_t n, unsigned line)
{
	size_t i;

	if (n > ALIAS_LINE_MAX) {
		reject(p, s, n, line, "line too long (more than 4096 octets)");
		return;
	}
	if (has_control(s, n)) {
		reject(p, s, n, line, "control character or NUL in line");
		return;
	}
	for (i = 0; i < n && is_blank(s[i]); i++)
		;
	if (i == n || s[i] == '#')
		return;				/* blank or comment */
	if (i == 0) {
		finish(p);
		if (!p->stopped)
			start(p, s, n, line);
	} else if (p->state == E_OPEN) {
		buf_addc(&p->rhs, ' ');
		buf_add(&p->rhs, s + i, n - i);
	} else if (p->state == E_NONE) {
		perr(p, line, "continuation line without an alias", NULL);
		p->state = E_BAD;
	}
}

int
aliases_parse(const char *name, const char *text, size_t len,
    alias_cb cb, void *arg, struct buf *err)
{
	struct parser p;
	const char *s, *nl;
	size_t off = 0, n, i;
	unsigned line = 0;

	memset(&p, 0, sizeof(p));
	p.name = name;
	p.err = err;
	p.cb = cb;
	p.arg = arg;
	while (off < len && !p.stopped) {
		s = text + off;
		nl = memchr(s, '\n', len - off);
		n = nl != NULL ? (size_t)(nl - s) : len - off;
		off += n + (nl != NULL);
		if (n > 0 && s[n - 1] == '\r')
			n--;
		one_line(&p, s, n, ++line);
	}
	if (!p.stopped)
		finish(&p);
	for (i = 0; i < p.capseen; i++)
		free(p.seen[i].name);
	free(p.seen);
	buf_free(&p.lhs);
	buf_free(&p.rhs);
	buf_free(&p.val);
	return p.nerr;
}

struct build {
	const char	*textpath;
	const struct buf *text;
	long		 count;
	int		 nerr;		/* bad lines in the text */
	struct gdbm_map	*map;
	struct buf	 msg;		/* a store error */
};

static int
store_alias(void *arg, const char *lhs, const char *rhs, unsigned line)
{
	struct build *b = arg;

	(void)line;
	if (gdbm_dl_store(b->map, lhs, strlen(lhs), rhs, strlen(rhs),
	    &b->msg) == -1)
		return -1;
	b->count++;
	return 0;
}

/* map_build()'s filler: every good alias, then the "@" key that tells a
 * reader the map is complete (sendmail's convention). */
static int
fill_aliases(void *arg, struct gdbm_map *map, struct buf *err)
{
	struct build *b = arg;

	b->map = map;
	b->nerr = aliases_parse(b->textpath, buf_str(b->text), b->text->len,
	    store_alias, b, err);
	if (b->msg.len == 0)
		gdbm_dl_store(map, "@", 1, "@", 1, &b->msg);
	if (b->msg.len > 0) {
		buf_add(err, buf_str(&b->msg), b->msg.len);
		buf_addc(err, '\n');
		return EX_IOERR;
	}
	return EX_OK;
}

int
aliases_build(const char *textpath, long *count, struct buf *err)
{
	struct buf text = BUF_INIT, db = BUF_INIT;
	struct build b;
	struct stat st;
	int rc;

	*count = 0;
	if (textpath == NULL || *textpath == '\0') {
		buf_adds(err, "no alias file (option AliasFile) configured\n");
		return EX_CONFIG;
	}
	if ((rc = map_read_file(textpath, &text, &st, err)) != EX_OK)
		goto out;
	memset(&b, 0, sizeof(b));
	b.textpath = textpath;
	b.text = &text;
	buf_printf(&db, "%s.db", textpath);
	/* The map holds what the text holds: it gets the text's read
	 * permissions and group (so a 0640 root:smmta text gives a map the
	 * MTA can read), never more than 0644. */
	rc = map_build(db.s, st.st_mode & 0644, st.st_gid, fill_aliases, &b,
	    err);
	*count = b.count;
	buf_free(&b.msg);
	if (rc == EX_OK && b.nerr > 0)
		rc = EX_DATAERR;	/* built from the good entries */
out:
	buf_free(&text);
	buf_free(&db);
	return rc;
}

/* The map aliases_lookup() keeps open, and the text file it belongs to. */
static struct gdbm_map *lk_map;
static char *lk_text;

int
aliases_lookup(const char *textpath, const char *name, struct buf *out,
    struct buf *err)
{
	struct buf key = BUF_INIT, db = BUF_INIT;
	size_t i;
	int rc;

	if (lk_map != NULL && strcmp(lk_text, textpath) != 0)
		aliases_close();
	if (lk_map == NULL) {
		buf_printf(&db, "%s.db", textpath);
		lk_map = gdbm_dl_open_read(db.s, err);
		buf_free(&db);
		if (lk_map == NULL)
			return -1;
		lk_text = xstrdup(textpath);
	}
	for (i = 0; name[i] != '\0'; i++)
		buf_addc(&key, lower((unsigned char)name[i]));
	rc = key.len == 0 ? 0 : gdbm_dl_fetch(lk_map, key.s, key.len, out, err);
	buf_free(&key);
	return rc;
}

void
aliases_close(void)
{
	struct buf ignored = BUF_INIT;

	(void)gdbm_dl_close(lk_map, &ignored);	/* read-only: nothing lost */
	buf_free(&ignored);
	lk_map = NULL;
	free(lk_text);
	lk_text = NULL;
}
