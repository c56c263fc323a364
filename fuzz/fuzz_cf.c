/* fuzz_cf.c - libFuzzer target for the sendmail.cf reader: parse the
 * input as a configuration, then use its first line as a -O option, a
 * -o option and a template for cf_expand() with the macros it defined. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "mail/cf.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf err = BUF_INIT, out = BUF_INIT;
	struct cf cf;
	const char *nl;
	char *first;

	cf_defaults(&cf);
	cf_parse(&cf, "fuzz.cf", (const char *)data, size, &err);
	nl = memchr(data, '\n', size);
	first = xstrndup((const char *)data,
	    nl != NULL ? (size_t)(nl - (const char *)data) : size);
	cf_expand(&cf, first, &out);
	cf_set_option(&cf, first, &err);
	cf_set_short_option(&cf, first, &err);
	buf_reset(&out);
	if (cf.smtp_greeting != NULL)
		cf_expand(&cf, cf.smtp_greeting, &out);
	free(first);
	buf_free(&out);
	buf_free(&err);
	cf_free(&cf);
	return 0;
}
