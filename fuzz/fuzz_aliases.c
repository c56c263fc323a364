/* fuzz_aliases.c - libFuzzer target for the aliases text parser.
 *
 * Every alias handed to the callback must have a non-empty name and value
 * without a newline, a NUL or other control bytes (the name is a map key,
 * the value is parsed again at delivery), the name must be lower-case,
 * and the value must not begin with a comma or a blank, nor end with an
 * unescaped one.  The
 * number of error lines must equal the count returned.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mail/aliases.h"
#include "lib/buf.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_text(const char *s, int key)
{
	size_t i, n = strlen(s);

	if (n == 0)
		abort();
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			abort();
		if (key && c >= 'A' && c <= 'Z')
			abort();
	}
	if (key)
		return;
	if (s[0] == ',' || s[0] == ' ' || s[0] == '\t')
		abort();
	/* a trailing comma or blank must be escaped */
	if (strchr(", \t", s[n - 1]) != NULL && (n < 2 || s[n - 2] != '\\'))
		abort();
}

static int
check(void *arg, const char *lhs, const char *rhs, unsigned line)
{
	unsigned *last = arg;

	check_text(lhs, 1);
	check_text(rhs, 0);
	if (line <= *last && *last != 0)
		abort();		/* entries come in text order */
	if (strcmp(lhs, "@") == 0)
		abort();		/* reserved for the build marker */
	*last = line;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf err = BUF_INIT;
	unsigned last = 0;
	size_t i, lines = 0;
	int n;

	n = aliases_parse("fuzz", (const char *)data, size, check, &last, &err);
	for (i = 0; i < err.len; i++)
		lines += err.s[i] == '\n';
	if (n < 0 || (size_t)n != lines)
		abort();
	buf_free(&err);
	return 0;
}
