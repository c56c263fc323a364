/* fuzz_makemap.c - libFuzzer target for makemap's text parser and the
 * access map's value parser.
 *
 * The first byte chooses the parse: flags (MM_NOFOLD, MM_EMPTY_OK,
 * MM_REPLACE), the delimiter (blanks, ':', '\t' or ' ') and the comment
 * character ('#', ';', '%' or ' '); the rest is the map text.  Every
 * entry handed to the callback must have a non-empty key and no LF, CR or
 * NUL in key or value; the key is lower-case unless MM_NOFOLD, has no
 * blank when the delimiter is blanks (and no delimiter otherwise); the
 * value is non-empty unless MM_EMPTY_OK and does not start with a blank
 * when the delimiter is blanks.  The number of error lines must equal the
 * count returned.
 *
 * Then every line of the text and every value stored goes through
 * access_value(): the action is one of the enum, OK/RELAY/DISCARD/SKIP
 * give no reply, and a REJECT or TEMP reply is "[45]xx d.d.d text" with
 * the dsn's class equal to the code's first digit, shorter than
 * ACCESS_REPLY_MAX, without control bytes.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mail/access.h"
#include "lib/buf.h"
#include "tools/makemap.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct st {
	int		 flags, delim;
	unsigned	 last;
};

static int
isdig(int c)
{
	return c >= '0' && c <= '9';
}

static void
check_value(const char *v)
{
	static const char *whats[] = { "", "<a@b.example>... " };
	struct access r;
	const char *p;
	size_t i, n;

	for (i = 0; i < 2; i++) {
		memset(&r, 0x55, sizeof(r));
		access_value(v, whats[i], &r);
		if (memchr(r.reply, '\0', sizeof(r.reply)) == NULL)
			abort();		/* not terminated */
		switch (r.act) {
		case ACC_NONE: case ACC_OK: case ACC_RELAY: case ACC_DISCARD:
			if (r.reply[0] != '\0')
				abort();
			continue;
		case ACC_REJECT: case ACC_TEMP:
			break;
		default:
			abort();
		}
		p = r.reply;
		/* "[45]xx " */
		if ((p[0] != '4' && p[0] != '5') || !isdig(p[1]) ||
		    !isdig(p[2]) || p[3] != ' ')
			abort();
		if (r.act == ACC_TEMP && p[0] != '4')
			abort();
		/* "d.d.d" with class = the code's first digit */
		p += 4;
		if (p[0] != r.reply[0] || p[1] != '.')
			abort();
		p += 2;
		for (n = 0; isdig(*p); p++)
			n++;
		if (n < 1 || n > 3 || *p != '.')
			abort();
		p++;
		for (n = 0; isdig(*p); p++)
			n++;
		if (n < 1 || n > 3 || *p != ' ' || p[1] == '\0')
			abort();
		for (p = r.reply; *p != '\0'; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				abort();
		if (strlen(r.reply) >= ACCESS_REPLY_MAX)
			abort();
	}
}

static void
check_text(const char *s, size_t n)
{
	if (memchr(s, '\n', n) != NULL || memchr(s, '\r', n) != NULL)
		abort();
}

static int
check(void *arg, const char *key, const char *value, unsigned line,
    struct buf *err)
{
	struct st *st = arg;
	size_t kl = strlen(key), vl = strlen(value), i;

	(void)err;
	if (kl == 0)
		abort();
	if (vl == 0 && !(st->flags & MM_EMPTY_OK))
		abort();
	check_text(key, kl);
	check_text(value, vl);
	for (i = 0; i < kl; i++) {
		if (!(st->flags & MM_NOFOLD) && key[i] >= 'A' && key[i] <= 'Z')
			abort();
		if (st->delim == 0 && (key[i] == ' ' || key[i] == '\t'))
			abort();
		if (st->delim != 0 && key[i] == st->delim)
			abort();
	}
	if (st->delim == 0 && (value[0] == ' ' || value[0] == '\t'))
		abort();
	if (line <= st->last)
		abort();		/* entries come in text order */
	st->last = line;
	check_value(value);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int delims[] = { 0, ':', '\t', ' ' };
	static const int comments[] = { '#', ';', '%', ' ' };
	struct buf err = BUF_INIT, line = BUF_INIT;
	struct st st;
	const char *text, *s, *nl;
	size_t len, i, lines = 0, off;
	int n, sel;

	if (size == 0)
		return 0;
	sel = data[0];
	text = (const char *)data + 1;
	len = size - 1;
	memset(&st, 0, sizeof(st));
	st.flags = sel & (MM_NOFOLD | MM_EMPTY_OK | MM_REPLACE);
	st.delim = delims[(sel >> 3) & 3];
	n = makemap_parse("fuzz", text, len, st.flags, st.delim,
	    comments[(sel >> 5) & 3], check, &st, &err);
	for (i = 0; i < err.len; i++)
		lines += err.s[i] == '\n';
	if (n < 0 || (size_t)n != lines)
		abort();
	if (err.len > 0 && strncmp(err.s, "fuzz: line ", 11) != 0)
		abort();

	/* every line as a value, as given */
	for (off = 0; off < len; off = nl != NULL ? (size_t)(nl - text) + 1 : len) {
		s = text + off;
		nl = memchr(s, '\n', len - off);
		buf_reset(&line);
		buf_add(&line, s, nl != NULL ? (size_t)(nl - s) : len - off);
		check_value(buf_str(&line));	/* up to a NUL, if any */
	}
	buf_free(&line);
	buf_free(&err);
	return 0;
}
