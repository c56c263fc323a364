/* qrun_proto.c - one request from the bookkeeper to root and its reply,
 * over the runner's socket pair (qrun_int.h).  Root reads what an
 * account that reads the network could have written, so the reader caps
 * every length before it allocates and refuses a field that is not one
 * line of text. */
#include "qrun_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/file.h"

struct wire {
	uint32_t	magic;
	uint32_t	idlen, rlen, slen, hlen;
	int64_t		ctime;
};

/* A message of one struct wire with room for one descriptor: what
 * sendmsg() and recvmsg() both take. */
struct fdmsg {
	struct msghdr	mh;
	struct iovec	iov;
	union {
		struct cmsghdr	c;
		char		b[CMSG_SPACE(sizeof(int))];
	} u;
};

static void
fdmsg_init(struct fdmsg *f, struct wire *w)
{
	memset(f, 0, sizeof(*f));
	f->iov.iov_base = w;
	f->iov.iov_len = sizeof(*w);
	f->mh.msg_iov = &f->iov;
	f->mh.msg_iovlen = 1;
	f->mh.msg_control = f->u.b;
	f->mh.msg_controllen = sizeof(f->u.b);
}

static int
read_full(int fd, void *p, size_t n)
{
	char *c = p;
	ssize_t r;

	while (n > 0) {
		r = read(fd, c, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		c += r;
		n -= (size_t)r;
	}
	return 0;
}

int
qr_send_req(int sock, const struct qr_req *q)
{
	struct wire w;
	struct fdmsg f;
	struct cmsghdr *cm;
	ssize_t r;

	memset(&w, 0, sizeof(w));
	w.magic = QR_MAGIC;
	w.idlen = (uint32_t)strlen(q->id);
	w.rlen = (uint32_t)strlen(q->rcpt);
	w.slen = (uint32_t)strlen(q->sender);
	w.hlen = (uint32_t)q->hlen;
	w.ctime = q->ctime;
	fdmsg_init(&f, &w);
	cm = CMSG_FIRSTHDR(&f.mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &q->dffd, sizeof(int));
	do
		r = sendmsg(sock, &f.mh, MSG_NOSIGNAL);
	while (r < 0 && errno == EINTR);
	if (r != (ssize_t)sizeof(w))
		return -1;
	if (file_write_all(sock, q->id, w.idlen) != 0 ||
	    file_write_all(sock, q->rcpt, w.rlen) != 0 ||
	    file_write_all(sock, q->sender, w.slen) != 0 ||
	    file_write_all(sock, q->hdrs, q->hlen) != 0)
		return -1;
	return 0;
}

/* The header and the descriptor: the first recvmsg() brings the fd. */
static int
recv_wire(int sock, struct wire *w, int *fd)
{
	struct fdmsg f;
	struct cmsghdr *cm;
	ssize_t r;

	fdmsg_init(&f, w);
	do
		r = recvmsg(sock, &f.mh, MSG_CMSG_CLOEXEC);
	while (r < 0 && errno == EINTR);
	if (r <= 0)
		return -1;
	for (cm = CMSG_FIRSTHDR(&f.mh); cm != NULL;
	    cm = CMSG_NXTHDR(&f.mh, cm))
		if (cm->cmsg_level == SOL_SOCKET &&
		    cm->cmsg_type == SCM_RIGHTS &&
		    cm->cmsg_len == CMSG_LEN(sizeof(int)) && *fd < 0)
			memcpy(fd, CMSG_DATA(cm), sizeof(int));
	if ((f.mh.msg_flags & MSG_CTRUNC) != 0)
		return -1;
	if ((size_t)r < sizeof(*w) &&
	    read_full(sock, (char *)w + r, sizeof(*w) - (size_t)r) < 0)
		return -1;
	return 0;
}

/* A one-line field of n octets into out (n already capped). */
static int
recv_line(int sock, char *out, uint32_t n)
{
	uint32_t i;

	if (read_full(sock, out, n) < 0)
		return -1;
	out[n] = '\0';
	for (i = 0; i < n; i++)
		if (out[i] == '\0' || out[i] == '\r' || out[i] == '\n')
			return -1;
	return 0;
}

int
qr_recv_req(int sock, struct qr_req *q, struct buf *err)
{
	struct wire w;

	memset(q, 0, sizeof(*q));
	q->dffd = -1;
	if (recv_wire(sock, &w, &q->dffd) < 0)
		return -1;	/* end of the run, or a broken peer */
	if (w.magic != QR_MAGIC || w.idlen == 0 || w.idlen > QR_IDMAX ||
	    w.rlen == 0 || w.rlen > QR_ADDRMAX || w.slen > QR_ADDRMAX ||
	    w.hlen > QR_HDRMAX) {
		buf_printf(err, "bad request from the bookkeeper (lengths "
		    "%u/%u/%u/%u)", w.idlen, w.rlen, w.slen, w.hlen);
		return -1;
	}
	q->ctime = w.ctime;
	q->hlen = w.hlen;
	q->hdrs = xmalloc(w.hlen + 1);
	if (recv_line(sock, q->id, w.idlen) < 0 ||
	    recv_line(sock, q->rcpt, w.rlen) < 0 ||
	    recv_line(sock, q->sender, w.slen) < 0 ||
	    read_full(sock, q->hdrs, w.hlen) < 0) {
		buf_printf(err, "bad request from the bookkeeper (a field "
		    "with a control character, or cut short)");
		return -1;
	}
	q->hdrs[w.hlen] = '\0';
	return 0;
}

void
qr_req_free(struct qr_req *q)
{
	free(q->hdrs);
	q->hdrs = NULL;
	if (q->dffd >= 0)
		close(q->dffd);
	q->dffd = -1;
}

int
qr_send_rep(int sock, const struct qr_rep *r)
{
	return file_write_all(sock, r, sizeof(*r)) == 0 ? 0 : -1;
}

int
qr_recv_rep(int sock, struct qr_rep *r)
{
	if (read_full(sock, r, sizeof(*r)) < 0)
		return -1;
	r->dsn[sizeof(r->dsn) - 1] = '\0';
	r->text[sizeof(r->text) - 1] = '\0';
	return 0;
}

void
qr_rep_set(struct qr_rep *r, int code, const char *dsn, const char *text)
{
	size_t n;

	memset(r, 0, sizeof(*r));
	r->code = code;
	n = strlen(dsn);
	memcpy(r->dsn, dsn, n < sizeof(r->dsn) ? n : sizeof(r->dsn) - 1);
	n = strlen(text);
	memcpy(r->text, text, n < sizeof(r->text) ? n : sizeof(r->text) - 1);
}
