/* fuzz_qf.c - libFuzzer target for the queue control file reader.
 *
 * Whatever qf_parse() accepts must have been terminated, carry a sender
 * and a known version, and must survive the writer: qf_format() of it
 * parses again, and formatting that gives the same bytes (the writer
 * reaches a fixed point after one pass).  A refusal must come with a
 * message.  No input may crash, leak or read out of bounds.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "mail/qf.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_parsed(const struct qf *q)
{
	size_t i;

	if (!q->terminated || q->sender == NULL || q->flags == NULL ||
	    q->version < 1 || q->version > QF_VERSION)
		abort();
	for (i = 0; i < q->nrcpts; i++)
		if (q->rextra == NULL ||
		    (q->rextra[i].bare && q->rcpts[i].addr[0] == '\0') ||
		    strchr(q->rextra[i].flags, ':') != NULL)
			abort();
	for (i = 0; i < q->nhdrs; i++)
		if (q->hdrs[i].name[0] == '\0' ||
		    strchr(q->hdrs[i].name, ':') != NULL)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf err = BUF_INIT, out1 = BUF_INIT, out2 = BUF_INIT;
	struct qf q;

	if (qf_parse((const char *)data, size, &q, &err) < 0) {
		if (err.len == 0)
			abort();
		buf_free(&err);
		return 0;
	}
	check_parsed(&q);
	qf_format(&out1, &q);
	qf_free(&q);
	if (qf_parse(out1.s, out1.len, &q, &err) < 0)
		abort();		/* the writer wrote something unreadable */
	check_parsed(&q);
	qf_format(&out2, &q);
	qf_free(&q);
	if (out1.len != out2.len || memcmp(out1.s, out2.s, out1.len) != 0)
		abort();
	buf_free(&err);
	buf_free(&out1);
	buf_free(&out2);
	return 0;
}
