/* fmt_test.c - fmt_v() gives what vsnprintf() gives: the text, the
 * return value and the truncation, for every buffer size from 0 up, on
 * the conversions it does itself and on the ones it hands over. */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "lib/fmt.h"
#include "tap.h"

static char mine[512], libc[512];
static int bad;

static int __attribute__((format(printf, 2, 3)))
both(size_t size, const char *f, ...)
{
	va_list a, b;
	int rm, rl;

	memset(mine, 'X', sizeof(mine));
	memset(libc, 'X', sizeof(libc));
	va_start(a, f);
	va_copy(b, a);
	rm = fmt_v(mine, size, f, a);
	rl = vsnprintf(libc, size, f, b);
	va_end(a);
	va_end(b);
	if (rm != rl || memcmp(mine, libc, sizeof(mine)) != 0) {
		if (bad++ < 5)
			printf("# \"%s\" size %zu: mine %d \"%.*s\", libc %d "
			    "\"%.*s\"\n", f, size, rm, (int)(size ? size : 1),
			    mine, rl, (int)(size ? size : 1), libc);
		return 0;
	}
	return 1;
}

/* Every size from 0 to one past the whole text. */
#define ALL(desc, ...) do {						\
	size_t sz_;							\
	int ok_ = 1;							\
	for (sz_ = 0; sz_ < 120; sz_++)					\
		ok_ &= both(sz_, __VA_ARGS__);				\
	ok(ok_, "%s", desc);						\
} while (0)

int
main(void)
{
	const char *null = getenv("SOCKMAIL_FMT_TEST_UNSET");	/* NULL */
	char unterminated[4] = { 'a', 'b', 'c', 'd' };

	ALL("plain text", "250 2.0.0 Ok");
	ALL("empty format", "%s", "");
	ALL("%s", "<%s>... Sender ok", "user@example.com");
	ALL("several %s", "%s: from=<%s>, relay=%s", "6AQ1", "a@b", "[1.2.3.4]");
	ALL("%%", "100%% %s %%", "sure");
	ALL("%d, %i", "%d %i %d %d", 0, -1, INT_MAX, INT_MIN);
	ALL("%u", "%u %u", 0u, UINT_MAX);
	ALL("%ld %lu", "%ld %lu %ld", LONG_MIN, ULONG_MAX, 42L);
	ALL("%lld %llu", "%lld %llu %lld", LLONG_MIN, ULLONG_MAX, -7LL);
	ALL("%zu %zd", "%zu %zd %zd", (size_t)-1, (ssize_t)-5,
	    (ssize_t)SSIZE_MAX);
	ALL("%c", "[%c%c%c]", 'a', '\n', 0x7f);
	ALL("%.*s", "%.*s|%.*s|%.*s", 3, "abcdef", 0, "xyz", 10, "short");
	ALL("%.*s of an unterminated array", "%.*s!", 4, unterminated);
	ALL("%.*s with a negative precision", "%.*s", -1, "whole");
	ALL("%.3s", "%.3s %.256s", "abcdef", "ok");
	ALL("%s of NULL", "%s", null);
	ALL("%.3s of NULL", "%.3s.", null);
	ALL("a long text", "%s%s%s%s", "0123456789012345678901234567890123456789",
	    "0123456789012345678901234567890123456789",
	    "0123456789012345678901234567890123456789", "tail");
	/* Handed to vsnprintf(): the same by construction, but they must
	 * also not be misread by the fast path's scan. */
	ALL("%03o (handed over)", "\\%03o", 7u);
	ALL("%04o (handed over)", "%04o", 0644u);
	ALL("%x and %s (handed over)", "%x %s", 255u, "s");
	ALL("%5d (handed over)", "[%5d]", 42);
	ALL("%-8s (handed over)", "[%-8s]", "ab");
	ALL("%p-free mix", "%s %d %s %u %c %%", "a", -3, "b", 4u, 'z');
	is_int(bad, 0, "no difference at all");
	return done_testing();
}
