/* fuzz_body.c - the DATA/BDAT text state machine (src/body.c).
 *
 * Differential: the same octets fed in one piece and in small pieces
 * (the network splits them anywhere) must give the same df, the same
 * header lines, the same verdict flags and the same end position.  Plus
 * invariants: no CR in a stored line unless a bare CR was seen, header
 * lines well formed, every stored line within 998 octets unless the
 * message was marked too long.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mail/body.h"
#include "mail/queue.h"

static struct qmsg qa, qb;

struct result {
	char	*df;
	size_t	 dflen;
	size_t	 used;
	int	 end;
};

static void
run(struct qmsg *q, struct body *b, const uint8_t *p, size_t n, size_t step,
    int dot_mode, int lf_ok, struct result *r)
{
	size_t off = 0, k, used;
	off_t fsz;

	memset(q, 0, offsetof(struct qmsg, wbuf));
	q->dffd = memfd_create("df", MFD_CLOEXEC);
	q->tffd = -1;
	if (q->dffd < 0)
		abort();
	body_init(b, q, 4096, dot_mode, lf_ok);
	r->end = 0;
	while (off < n && !r->end) {
		k = step == 0 || n - off < step ? n - off : step;
		used = body_feed(b, (const char *)p + off, k, &r->end);
		off += used;
		if (b->bare && dot_mode)
			break;	/* the session closes here */
		if (used < k && !r->end)
			abort();	/* only the end or a bare CR/LF stops early */
	}
	if (!dot_mode)
		body_end(b);
	r->used = off;
	fsz = lseek(q->dffd, 0, SEEK_END);
	r->dflen = (size_t)fsz + q->wlen;
	r->df = malloc(r->dflen + 1);
	if (pread(q->dffd, r->df, (size_t)fsz, 0) != fsz)
		abort();
	memcpy(r->df + fsz, q->wbuf, q->wlen);
	close(q->dffd);
}

static void
check_lines(const char *p, size_t n, const struct body *b)
{
	size_t i = 0, start = 0;

	for (i = 0; i < n; i++) {
		if (p[i] == '\r' && !b->bare)
			abort();
		if (p[i] == '\n') {
			if (i - start > 998 && !b->toolong)
				abort();
			start = i + 1;
		}
	}
	if (n > 0 && p[n - 1] != '\n')
		abort();	/* every stored line ends in LF */
}

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct body ba, bb;
	struct result ra, rb;
	int dot_mode, lf_ok;
	size_t step;

	if (size < 2)
		return 0;
	dot_mode = !(data[0] & 1);
	lf_ok = (data[0] & 2) != 0;
	step = (size_t)data[1] % 17 + 1;
	data += 2;
	size -= 2;
	run(&qa, &ba, data, size, 0, dot_mode, lf_ok, &ra);
	run(&qb, &bb, data, size, step, dot_mode, lf_ok, &rb);
	if (ra.end != rb.end || ra.used != rb.used || ra.dflen != rb.dflen ||
	    memcmp(ra.df, rb.df, ra.dflen) != 0)
		abort();
	if (ba.bare != bb.bare || ba.toolong != bb.toolong ||
	    ba.toobig != bb.toobig || ba.nul != bb.nul ||
	    ba.has8bit != bb.has8bit || ba.hdrbig != bb.hdrbig ||
	    ba.hops != bb.hops || ba.size != bb.size ||
	    ba.hdrs.len != bb.hdrs.len ||
	    memcmp(buf_str(&ba.hdrs), buf_str(&bb.hdrs), ba.hdrs.len) != 0)
		abort();
	if (!ba.toobig)
		check_lines(ra.df, ra.dflen, &ba);
	if (ba.hdrs.len > 0 && strncmp(ba.hdrs.s, "H??", 3) != 0)
		abort();
	body_free(&ba);
	body_free(&bb);
	free(ra.df);
	free(rb.df);
	return 0;
}
