/* lookup.c - a session's lookups, answered by a helper process.
 *
 * The wire, on a SOCK_STREAM socket pair, one request at a time:
 *   request: op (1 octet), alen, blen (4 octets each, host order), a, b
 *   reply:   result, outlen, errlen (4 octets each), out, err
 * Every length is at most LOOKUP_MAX; anything else ends the helper.
 */
#include "lookup.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "io.h"
#include "log.h"

#define LOOKUP_MAX	(1024 * 1024)
#define LOOKUP_STARTS	3	/* helpers a session may start in all */

static struct {
	lookup_fn fn;
	void	*arg;
	int	 rfd, wfd;	/* the client's connection */
	int	 timeout_ms;
	int	 on;		/* lookup_isolate() was called, here */
	int	 here;		/* no helper could be started: look up here */
	int	 fd;		/* our end of the socket pair, -1: none */
	pid_t	 pid;
	int	 starts;
	int	 sealed;	/* lookup_prestart() was called: no new fork */
} lk = { NULL, NULL, -1, -1, 0, 0, 0, -1, -1, 0, 0 };

void
lookup_isolate(lookup_fn fn, void *arg, int rfd, int wfd, int timeout_ms)
{
	lk.fn = fn;
	lk.arg = arg;
	lk.rfd = rfd;
	lk.wfd = wfd;
	lk.timeout_ms = timeout_ms;
	lk.on = 1;
}

int
lookup_isolated(void)
{
	return lk.on;
}

int
lookup_helper_pid(void)
{
	return lk.pid;
}

/* Blocking I/O on the pair.  Reads in the session wait at most until
 * deadline (io_now_ms() time; 0: no limit). */
static int
read_full(int fd, void *p, size_t n, long long deadline)
{
	char *c = p;
	ssize_t r;

	while (n > 0) {
		if (deadline > 0) {
			struct pollfd pfd = { fd, POLLIN, 0 };
			long long left = deadline - io_now_ms();
			int k = left <= 0 ? 0 : poll(&pfd, 1, (int)left);

			if (k < 0 && errno == EINTR)
				continue;
			if (k == 0)
				errno = ETIMEDOUT;
			if (k <= 0)
				return -1;
		}
		r = read(fd, c, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == 0)
				errno = EPIPE;
			return -1;
		}
		c += r;
		n -= (size_t)r;
	}
	return 0;
}

static int
write_full(int fd, const void *p, size_t n)
{
	const char *c = p;
	ssize_t r;

	while (n > 0) {
		r = send(fd, c, n, MSG_NOSIGNAL);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		c += r;
		n -= (size_t)r;
	}
	return 0;
}

/* Three 4-octet numbers, then two strings. */
static int
send_msg(int fd, uint32_t first, const char *a, size_t alen, const char *b,
    size_t blen, int with_op)
{
	struct buf m = BUF_INIT;
	uint32_t n[2] = { (uint32_t)alen, (uint32_t)blen };
	unsigned char op = (unsigned char)first;
	int r;

	if (with_op)
		buf_add(&m, &op, 1);
	else
		buf_add(&m, &first, sizeof(first));
	buf_add(&m, n, sizeof(n));
	buf_add(&m, a, alen);
	buf_add(&m, b, blen);
	r = write_full(fd, m.s, m.len);
	buf_free(&m);
	return r;
}

static int
recv_str(int fd, uint32_t len, struct buf *into, long long deadline)
{
	if (len > LOOKUP_MAX) {
		errno = EMSGSIZE;
		return -1;
	}
	buf_reset(into);
	buf_reserve(into, (size_t)len + 1);
	if (read_full(fd, into->s, len, deadline) < 0)
		return -1;
	into->len = len;
	into->s[len] = '\0';
	return 0;
}

/* The helper: answer until the session closes its end. */
static void __attribute__((noreturn))
serve(int fd)
{
	struct buf a = BUF_INIT, b = BUF_INIT, out = BUF_INIT, err = BUF_INIT;
	unsigned char op;
	uint32_t n[2];
	int r;

	for (;;) {
		if (read_full(fd, &op, 1, 0) < 0)
			_exit(0);	/* the session has gone */
		if (read_full(fd, n, sizeof(n), 0) < 0 ||
		    recv_str(fd, n[0], &a, 0) < 0 ||
		    recv_str(fd, n[1], &b, 0) < 0)
			_exit(1);
		buf_reset(&out);
		buf_reset(&err);
		r = lk.fn(lk.arg, op, buf_str(&a), buf_str(&b), &out, &err);
		if (out.len > LOOKUP_MAX)
			out.len = LOOKUP_MAX;
		if (err.len > LOOKUP_MAX)
			err.len = LOOKUP_MAX;
		if (send_msg(fd, (uint32_t)r, out.s, out.len, err.s, err.len,
		    0) < 0)
			_exit(1);
	}
}

static int
same_file(const struct stat *x, int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && st.st_dev == x->st_dev &&
	    st.st_ino == x->st_ino;
}

/* In the new helper: let go of the client's connection (it must close
 * when the session ends, whatever the helper does), and of every other
 * descriptor but the pair and the log socket: queue files, their locks,
 * the queue directory, the TLS key. */
static void
helper_setup(int fd)
{
	struct stat conn;
	int keep[2], devnull, i, from;

	lk.on = 0;
	lk.fd = -1;
	lk.pid = -1;
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull < 0)
		_exit(1);
	if (fstat(lk.rfd, &conn) == 0 && S_ISSOCK(conn.st_mode))
		for (i = 0; i <= 2; i++)
			if (same_file(&conn, i) && dup2(devnull, i) < 0)
				_exit(1);
	for (i = 0; i <= 2; i++)
		if ((i == lk.rfd || i == lk.wfd) && dup2(devnull, i) < 0)
			_exit(1);
	close(devnull);
	keep[0] = fd;
	keep[1] = log_fd();
	if (keep[1] >= 0 && keep[1] < keep[0]) {
		keep[1] = keep[0];
		keep[0] = log_fd();
	}
	from = 3;
	for (i = 0; i < 2; i++) {
		if (keep[i] < from)
			continue;
		if (keep[i] > from)
			(void)close_range((unsigned)from,
			    (unsigned)keep[i] - 1, 0);
		from = keep[i] + 1;
	}
	(void)close_range((unsigned)from, ~0U, 0);
}

static int
start(struct buf *err)
{
	int sv[2];
	pid_t pid;

	if (lk.starts >= LOOKUP_STARTS) {
		buf_adds(err, "lookup helper failed too often");
		return -1;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		log_warn("lookup helper: socketpair: %s; looking up in the "
		    "session", strerror(errno));
		lk.here = 1;
		return 0;
	}
	pid = fork();
	if (pid < 0) {
		log_warn("lookup helper: fork: %s; looking up in the session",
		    strerror(errno));
		close(sv[0]);
		close(sv[1]);
		lk.here = 1;	/* for the rest of the session: no retry */
		return 0;
	}
	if (pid == 0) {
		close(sv[0]);
		helper_setup(sv[1]);
		serve(sv[1]);
	}
	close(sv[1]);
	lk.starts++;
	lk.fd = sv[0];
	lk.pid = pid;
	return 1;
}

/* A helper that failed: end it now and collect it. */
static void
kill_helper(void)
{
	if (lk.fd >= 0)
		close(lk.fd);
	lk.fd = -1;
	if (lk.pid > 0) {
		kill(lk.pid, SIGKILL);
		while (waitpid(lk.pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	lk.pid = -1;
}

void
lookup_prestart(void)
{
	struct buf err = BUF_INIT;

	if (lk.on && !lk.here && lk.fd < 0 && !lk.sealed)
		(void)start(&err);	/* a failure shows at the lookup */
	buf_free(&err);
	lk.sealed = 1;
}

void
lookup_seal(void)
{
	lk.sealed = 1;
}

/* One request to the running helper: 0 with h filled, or -1 (errno). */
static int
exchange(int op, const char *a, size_t alen, const char *b, size_t blen,
    uint32_t h[3], struct buf *out, struct buf *err)
{
	long long deadline;

	deadline = io_now_ms() + (lk.timeout_ms > 0 ? lk.timeout_ms : 60000);
	if (send_msg(lk.fd, (uint32_t)op, a, alen, b, blen, 1) < 0 ||
	    read_full(lk.fd, h, 3 * sizeof(h[0]), deadline) < 0 ||
	    recv_str(lk.fd, h[1], out, deadline) < 0 ||
	    recv_str(lk.fd, h[2], err, deadline) < 0)
		return -1;
	return 0;
}

int
lookup_ask(int op, const char *a, const char *b, struct buf *out,
    struct buf *err)
{
	size_t alen = strlen(a), blen;
	uint32_t h[3];
	int e, r, tries;

	if (b == NULL)
		b = "";
	blen = strlen(b);
	if (!lk.on || lk.here)
		return lk.fn(lk.arg, op, a, b, out, err);
	if (alen > LOOKUP_MAX || blen > LOOKUP_MAX) {
		buf_adds(err, "lookup key too long");
		return -1;
	}
	/* A lookup only reads, so one that failed because the helper had
	 * gone (killed, crashed in an NSS module) is asked once more of a
	 * new one; one that took too long is not. */
	for (tries = 0; tries < 2; tries++) {
		if (lk.fd < 0 && lk.sealed) {
			/* What would be forked now holds the TLS keys or a
			 * password: the lookup fails (451) instead. */
			buf_adds(err, "lookup helper gone after STARTTLS or "
			    "AUTH; not replaced from the session's memory");
			log_warn("%s", buf_str(err));
			return -1;
		}
		if (lk.fd < 0 && (r = start(err)) <= 0) {
			if (r < 0)
				return -1;
			/* No helper to be had (out of processes?). */
			return lk.fn(lk.arg, op, a, b, out, err);
		}
		if (exchange(op, a, alen, b, blen, h, out, err) == 0)
			return (int)(int32_t)h[0];
		e = errno;
		buf_reset(err);
		buf_printf(err, "lookup helper: %s", e == ETIMEDOUT ?
		    "no answer in time" : strerror(e));
		log_warn("%s", buf_str(err));
		kill_helper();
		if (e == ETIMEDOUT)
			break;
	}
	return -1;
}

void
lookup_end(void)
{
	/* The helper reads end-of-file and exits (or its parent-death
	 * signal kills it when the session exits first); whoever inherits
	 * it collects it, so the session need not wait. */
	if (lk.fd >= 0)
		close(lk.fd);
	lk.fd = -1;
	lk.pid = -1;
	lk.on = 0;
}
