/* io.h - the session's bounded, timed I/O on fd 0 / fd 1.
 *
 * Reads go through one fixed buffer; replies are buffered and flushed
 * only when the session is about to wait for input (so pipelined command
 * groups get their replies in one write, RFC 2920).  Every wait has a
 * timeout; timeouts live here, not in signal handlers.
 */
#ifndef SOCKMAIL_IO_H
#define SOCKMAIL_IO_H

#include <stddef.h>
#include <sys/types.h>

#define IO_RBUF	16384
#define IO_WBUF	8192

enum io_status {
	IO_OK = 0,
	IO_EOF,		/* peer closed */
	IO_TIMEOUT,	/* no input within the timeout */
	IO_ERROR,	/* read/write error (errno kept in io->err) */
	IO_TOOLONG,	/* line longer than the buffer: rest discarded */
	IO_OVERRUN,	/* no line end within IO_RBUF octets: give up */
	IO_BARECR	/* a CR not followed by LF in a command line */
};

/* A transport between the buffers and the fds (TLS).  Like read() and
 * write(): octets moved, 0 at the end of input (recv), or -1 with errno
 * set; EAGAIN means "wait until the fd is ready for *ev (POLLIN or
 * POLLOUT), then call again with the same arguments", EINTR "call again
 * now". */
struct io_ops {
	ssize_t	(*recv)(void *ctx, void *, size_t, short *ev);
	ssize_t	(*send)(void *ctx, const void *, size_t, short *ev);
	/* Input the transport has already taken from the fd: poll() would
	 * not see it. */
	size_t	(*pending)(void *ctx);
};

struct io {
	int	 rfd, wfd;
	const struct io_ops *ops;	/* NULL: read()/write() on the fds */
	void	*ctx;
	int	 timeout_ms;	/* for reads and for flushing writes */
	int	 err;		/* errno of the last IO_ERROR */
	int	 eof;
	int	 werror;	/* a write failed: the peer is gone */
	int	 lf_ok;		/* bare LF ends a command line (local, non-socket peer) */
	size_t	 rpos, rlen;
	size_t	 wlen;
	unsigned long long bytes_in, bytes_out;
	char	 rbuf[IO_RBUF];
	char	 wbuf[IO_WBUF];
};

void	io_init(struct io *, int rfd, int wfd, int timeout_ms);

/* Milliseconds of CLOCK_MONOTONIC: the clock of every deadline. */
long long io_now_ms(void);

/* From now on move the octets through ops (NULL: the fds again). */
void	io_set_transport(struct io *, const struct io_ops *, void *ctx);

/* Throw away the input read but not yet taken; returns how much.  Input
 * sent before STARTTLS must not be read as if it came inside TLS. */
size_t	io_discard_input(struct io *);

/* Read more input into the buffer, flushing pending output first.  Returns
 * IO_OK (at least one byte available), IO_EOF, IO_TIMEOUT or IO_ERROR. */
enum io_status io_fill(struct io *);

/* Is input already waiting (buffered, or readable right now)? */
int	io_pending(struct io *, int wait_ms);

/* Read one command line into line[max] without its line end; *len set.
 * The whole line must come within the timeout (not each read: a client
 * trickling a byte at a time would hold the session for ever), counted
 * from when the line is first waited for (IO_TIMEOUT).
 * Lines end in CRLF (or LF when lf_ok).  A line that does not fit is
 * consumed up to its end and IO_TOOLONG returned; one with no end after
 * IO_RBUF octets returns IO_OVERRUN (the peer is not speaking SMTP). */
enum io_status io_getline(struct io *, char *line, size_t max, size_t *len);

/* Take up to n buffered bytes (fills when empty); returns count, or 0 with
 * *st set on EOF/timeout/error. */
size_t	io_read(struct io *, char *dst, size_t n, enum io_status *st);

/* Wipe every octet of the input buffer that was already handed out, and
 * whatever an earlier fill left past the unread part: after a line held
 * a secret (AUTH).  What is still to be read stays. */
void	io_wipe_read(struct io *);

void	io_write(struct io *, const char *, size_t);
void	io_printf(struct io *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* Send buffered output; -1 on failure (werror set). */
int	io_flush(struct io *);

#endif
