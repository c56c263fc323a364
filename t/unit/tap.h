/* tap.h - the smallest TAP producer, for C unit tests run by prove. */
#ifndef SOCKMAIL_TAP_H
#define SOCKMAIL_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

#define ok(cond, ...) do {						\
	int ok_c_ = (cond) ? 1 : 0;					\
	printf("%sok %d - ", ok_c_ ? "" : "not ", ++tap_n);		\
	printf(__VA_ARGS__);						\
	printf("\n");							\
	if (!ok_c_) {							\
		tap_failed++;						\
		printf("#   failed at %s line %d\n", __FILE__, __LINE__); \
	}								\
} while (0)

#define is_str(got, want, ...) do {					\
	const char *g_ = (got), *w_ = (want);				\
	int e_ = (g_ == NULL && w_ == NULL) ||				\
	    (g_ != NULL && w_ != NULL && strcmp(g_, w_) == 0);		\
	ok(e_, __VA_ARGS__);						\
	if (!e_)							\
		printf("#   got '%s'\n#   expected '%s'\n",		\
		    g_ ? g_ : "(null)", w_ ? w_ : "(null)");		\
} while (0)

#define is_int(got, want, ...) do {					\
	long g_ = (long)(got), w_ = (long)(want);			\
	ok(g_ == w_, __VA_ARGS__);					\
	if (g_ != w_)							\
		printf("#   got %ld\n#   expected %ld\n", g_, w_);	\
} while (0)

static inline int
done_testing(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

/* s with control and 8-bit octets shown as \xNN, for test names; two
 * results may be in use at once. */
static inline const char *
vis(const char *s)
{
	static char bufs[2][1024];
	static int which;
	char *b = bufs[which ^= 1];
	size_t o = 0;

	for (; *s != '\0' && o + 5 < sizeof(bufs[0]); s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch < 0x20 || ch >= 0x7f)
			o += (size_t)snprintf(b + o, 5, "\\x%02x", ch);
		else
			b[o++] = (char)ch;
	}
	b[o] = '\0';
	return b;
}

#endif
