/* io.c - bounded, timed I/O for the SMTP session. */
#include "io.h"

#include "buf.h"
#include "fmt.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void
io_init(struct io *io, int rfd, int wfd, int timeout_ms)
{
	memset(io, 0, offsetof(struct io, rbuf));
	io->rfd = rfd;
	io->wfd = wfd;
	io->timeout_ms = timeout_ms;
}

void
io_set_transport(struct io *io, const struct io_ops *ops, void *ctx)
{
	io->ops = ops;
	io->ctx = ctx;
}

size_t
io_discard_input(struct io *io)
{
	size_t n = io->rlen - io->rpos;

	io->rpos = io->rlen = 0;
	return n;
}

long long
io_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for fd to become ready for events, within the session timeout
 * measured from deadline.  0 = ready, IO_TIMEOUT, IO_ERROR. */
static enum io_status
wait_fd(struct io *io, int fd, short events, long long deadline)
{
	struct pollfd pfd;
	int left, n;

	for (;;) {
		left = (int)(deadline - io_now_ms());
		if (left < 0)
			left = 0;
		pfd.fd = fd;
		pfd.events = events;
		pfd.revents = 0;
		n = poll(&pfd, 1, left);
		if (n > 0)
			return IO_OK;
		if (n == 0)
			return IO_TIMEOUT;
		if (errno != EINTR) {
			io->err = errno;
			return IO_ERROR;
		}
	}
}

int
io_flush(struct io *io)
{
	long long deadline = io_now_ms() + io->timeout_ms;
	size_t off = 0;
	ssize_t n;
	short ev;

	if (io->werror) {
		io->wlen = 0;
		return -1;
	}
	while (off < io->wlen) {
		ev = POLLOUT;
		if (io->ops != NULL)
			n = io->ops->send(io->ctx, io->wbuf + off,
			    io->wlen - off, &ev);
		else
			n = write(io->wfd, io->wbuf + off, io->wlen - off);
		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN && wait_fd(io, ev == POLLIN ?
		    io->rfd : io->wfd, ev, deadline) == IO_OK)
			continue;
		io->err = n < 0 ? errno : EPIPE;
		io->werror = 1;
		io->wlen = 0;
		return -1;
	}
	io->bytes_out += io->wlen;
	io->wlen = 0;
	return 0;
}

/* Input the transport holds already: waiting on the fd could hang. */
static int
transport_pending(struct io *io)
{
	return io->ops != NULL && io->ops->pending(io->ctx) > 0;
}

/* io_fill() within *deadline; 0: the timeout from now (after the flush),
 * and *deadline is set to it. */
static enum io_status
fill(struct io *io, long long *deadline)
{
	enum io_status st;
	ssize_t n;
	short ev = POLLIN;
	int wait;

	if (io->rpos < io->rlen)
		return IO_OK;
	if (io->eof)
		return IO_EOF;
	io_flush(io);
	io->rpos = io->rlen = 0;
	if (*deadline == 0)
		*deadline = io_now_ms() + io->timeout_ms;
	wait = !transport_pending(io);
	for (;;) {
		if (wait) {
			st = wait_fd(io, ev == POLLOUT ? io->wfd : io->rfd,
			    ev, *deadline);
			if (st != IO_OK)
				return st;
		}
		wait = 1;
		ev = POLLIN;
		if (io->ops != NULL)
			n = io->ops->recv(io->ctx, io->rbuf,
			    sizeof(io->rbuf), &ev);
		else
			n = read(io->rfd, io->rbuf, sizeof(io->rbuf));
		if (n > 0) {
			io->rlen = (size_t)n;
			io->bytes_in += (size_t)n;
			return IO_OK;
		}
		if (n == 0) {
			io->eof = 1;
			return IO_EOF;
		}
		if (errno == EINTR)
			wait = 0;
		if (errno == EINTR || errno == EAGAIN)
			continue;
		io->err = errno;
		return IO_ERROR;
	}
}

enum io_status
io_fill(struct io *io)
{
	long long deadline = 0;

	return fill(io, &deadline);
}

int
io_pending(struct io *io, int wait_ms)
{
	struct pollfd pfd;

	if (io->rpos < io->rlen || transport_pending(io))
		return 1;
	pfd.fd = io->rfd;
	pfd.events = POLLIN;
	pfd.revents = 0;
	return poll(&pfd, 1, wait_ms) > 0;
}

enum io_status
io_getline(struct io *io, char *line, size_t max, size_t *len)
{
	enum io_status st;
	long long deadline = 0;	/* set when the line is first waited for */
	size_t n = 0;
	int toolong = 0, barecr = 0, cr = 0;
	char c;

	for (;;) {
		if (io->rpos >= io->rlen && (st = fill(io, &deadline)) != IO_OK)
			return st;
		c = io->rbuf[io->rpos++];
		if (c == '\n' && (cr || io->lf_ok))
			break;
		if (cr) {
			/* The CR we held back was not part of a CRLF. */
			barecr = 1;
			cr = 0;
		}
		if (c == '\r') {
			cr = 1;
			continue;
		}
		if (c == '\n') {
			/* Bare LF from a network peer: the line ends here (to
			 * stay in step) but is refused by the caller. */
			barecr = 1;
			break;
		}
		/* The whole line counts toward IO_RBUF, however much of it
		 * the caller has room for. */
		if (n + 1 < max)
			line[n++] = c;
		else if (n + ++toolong > IO_RBUF)
			return IO_OVERRUN;
	}
	line[n] = '\0';
	*len = n;
	if (toolong)
		return IO_TOOLONG;
	return barecr ? IO_BARECR : IO_OK;
}

size_t
io_read(struct io *io, char *dst, size_t n, enum io_status *st)
{
	size_t k;

	if (io->rpos >= io->rlen && (*st = io_fill(io)) != IO_OK)
		return 0;
	k = io->rlen - io->rpos;
	if (k > n)
		k = n;
	memcpy(dst, io->rbuf + io->rpos, k);
	io->rpos += k;
	*st = IO_OK;
	return k;
}

void
io_write(struct io *io, const char *s, size_t n)
{
	size_t k;

	while (n > 0) {
		if (io->wlen == sizeof(io->wbuf) && io_flush(io) < 0)
			return;
		k = sizeof(io->wbuf) - io->wlen;
		if (k > n)
			k = n;
		memcpy(io->wbuf + io->wlen, s, k);
		io->wlen += k;
		s += k;
		n -= k;
	}
}

void
io_printf(struct io *io, const char *fmt, ...)
{
	char tmp[1024];
	struct buf big = BUF_INIT;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_v(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(tmp)) {
		io_write(io, tmp, (size_t)n);
		return;
	}
	va_start(ap, fmt);
	buf_vprintf(&big, fmt, ap);
	va_end(ap);
	io_write(io, big.s, big.len);
	buf_free(&big);
}

void
io_wipe_read(struct io *io)
{
	explicit_bzero(io->rbuf, io->rpos);
	explicit_bzero(io->rbuf + io->rlen, sizeof(io->rbuf) - io->rlen);
}
