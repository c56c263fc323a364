/* daemon.c - the -bd listener: accept, fork, the child is one session.
 *
 * The listener never reads a byte from the network: it accepts and forks.
 * The child runs smtpd_main(), which drops privileges before its first
 * read.  Signals only set flags and write to a self-pipe; all work is
 * done in the poll loop.
 */
#include "daemon.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "lib/buf.h"
#include "mail/cf.h"
#include "mail/dport.h"
#include "lib/load.h"
#include "lib/log.h"
#include "smtpd/smtpd.h"
#include "lib/title.h"

#define MAX_LISTEN	16

static volatile sig_atomic_t got_term, got_chld;
static int sigpipe_w = -1;
static int sigpipe_r = -1;	/* closed in a session: it is the listener's */

static void
on_signal(int sig)
{
	int saved = errno;

	if (sig == SIGTERM || sig == SIGINT)
		got_term = 1;
	else if (sig == SIGCHLD)
		got_chld = 1;
	if (sigpipe_w >= 0) {
		/* A full pipe means a wakeup is pending anyway. */
		ssize_t r = write(sigpipe_w, "x", 1);

		(void)r;
	}
	errno = saved;
}

int
daemon_bind(const struct dport *d, struct buf *err)
{
	int fd, one = 1;
	struct sockaddr_storage ss;
	socklen_t len;

	memset(&ss, 0, sizeof(ss));
	if (d->family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((unsigned short)d->port);
		s6->sin6_addr = in6addr_any;
		len = sizeof(*s6);
		if (d->addr[0])
			inet_pton(AF_INET6, d->addr, &s6->sin6_addr);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons((unsigned short)d->port);
		s4->sin_addr.s_addr = htonl(INADDR_ANY);
		len = sizeof(*s4);
		if (d->addr[0])
			inet_pton(AF_INET, d->addr, &s4->sin_addr);
	}
	fd = socket(d->family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
	    sizeof(one)) < 0 || bind(fd, (struct sockaddr *)&ss, len) < 0 ||
	    listen(fd, 256) < 0) {
		buf_printf(err, "cannot listen on %s port %d: %s",
		    d->addr[0] ? d->addr : "*", d->port, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* The child: one session on conn, then exit. */
static void
child(struct cf *cf, int conn, const int *fds, int n)
{
	int i;

	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	for (i = 0; i < n; i++)
		close(fds[i]);
	close(sigpipe_w);
	close(sigpipe_r);
	/* accept4 gave a non-blocking socket only if asked; make sure. */
	fcntl(conn, F_SETFL, fcntl(conn, F_GETFL) & ~O_NONBLOCK);
	cf->lim.refuse_la = 0;	/* the listener looked just before accept() */
	_exit(smtpd_main(cf, conn, conn));
}

static void
reap(int *live)
{
	int status;

	while (waitpid(-1, &status, WNOHANG) > 0)
		if (*live > 0)
			(*live)--;
}

/* 1 if a connection was taken (and handed to a child, if one could be
 * made), 0 if none was waiting. */
static int
accept_one(struct cf *cf, int lfd, const int *fds, int n, int *live)
{
	int conn;
	pid_t pid;

	conn = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (conn < 0)
		return 0;	/* EAGAIN, ECONNABORTED, EMFILE: next round */
	pid = fork();
	if (pid == 0)
		child(cf, conn, fds, n);
	if (pid < 0)
		log_warnx_errno("fork for a new session failed");
	else
		(*live)++;
	close(conn);
	return 1;
}

/* RefuseLA: stop accepting while the load average is too high (the
 * connections wait in the backlog); say so once per RejectLogInterval. */
static int
too_busy(struct cf *cf, time_t now, time_t *logged)
{
	int la;

	if (!load_refuse(cf->lim.refuse_la, &la))
		return 0;
	if (*logged == 0 || now - *logged >= cf->lim.reject_log_interval) {
		log_notice("rejecting connections on daemon: load average: %d",
		    la);
		*logged = now;
	}
	return 1;
}

static void
wait_children(int *live)
{
	int status;

	while (*live > 0) {
		if (waitpid(-1, &status, 0) > 0)
			(*live)--;
		else if (errno != EINTR)
			break;
	}
}

/* The title ps(1) shows: whether connections are taken now. */
static void
show_state(int busy, int live, int max)
{
	static int shown = -1;
	int state = busy ? 1 : max > 0 && live >= max ? 2 : 0;

	if (state == shown)
		return;
	shown = state;
	if (state == 0)
		title_set("MTA: accepting connections");
	else if (state == 1)
		title_set("MTA: rejecting connections: load average too high");
	else
		title_set("MTA: rejecting connections: MaxDaemonChildren=%d "
		    "reached", max);
}

static int
serve(struct cf *cf, const int *fds, int n)
{
	struct pollfd pfd[MAX_LISTEN + 1];
	int max = cf->lim.max_daemon_children, live = 0, i, np, timeout, busy;
	int which[MAX_LISTEN + 1];	/* pfd index -> fds index */
	int rate_n[MAX_LISTEN] = { 0 };	/* accepted in second rate_t */
	time_t rate_t[MAX_LISTEN] = { 0 }, now, logged = 0;
	int pipefd[2];
	char junk[64];

	if (pipe2(pipefd, O_CLOEXEC | O_NONBLOCK) < 0)
		log_die_errno(EX_OSERR, "pipe");
	sigpipe_w = pipefd[1];
	sigpipe_r = pipefd[0];
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGCHLD, on_signal);
	log_info("starting daemon: %d listening socket(s), "
	    "MaxDaemonChildren=%d", n, max);
	while (!got_term) {
		pfd[0].fd = pipefd[0];
		pfd[0].events = POLLIN;
		np = 1;
		timeout = -1;
		now = time(NULL);
		/* At the bound, stop accepting until a session ends; too
		 * busy, or ConnectionRateThrottle connections on a socket in
		 * this second: look again in a second. */
		busy = too_busy(cf, now, &logged);
		show_state(busy, live, max);
		if (busy)
			timeout = 1000;
		else if (max <= 0 || live < max)
			for (i = 0; i < n; i++) {
				if (cf->lim.conn_rate_throttle > 0 &&
				    rate_t[i] == now &&
				    rate_n[i] >= cf->lim.conn_rate_throttle) {
					timeout = 1000;
					continue;
				}
				pfd[np].fd = fds[i];
				pfd[np].events = POLLIN;
				which[np++] = i;
			}
		if (poll(pfd, (nfds_t)np, timeout) < 0 && errno != EINTR)
			log_die_errno(EX_OSERR, "poll");
		if (pfd[0].revents & POLLIN)
			while (read(pipefd[0], junk, sizeof(junk)) > 0)
				;
		if (got_chld) {
			got_chld = 0;
			reap(&live);
		}
		/* The load may have risen while we slept in poll(). */
		if (np > 1 && too_busy(cf, time(NULL), &logged))
			continue;
		for (i = 1; i < np && !got_term; i++) {
			int k = which[i];

			if (!(pfd[i].revents & POLLIN) ||
			    !accept_one(cf, pfd[i].fd, fds, n, &live))
				continue;
			now = time(NULL);
			if (rate_t[k] != now) {
				rate_t[k] = now;
				rate_n[k] = 0;
			}
			rate_n[k]++;
		}
	}
	for (i = 0; i < n; i++)
		close(fds[i]);
	log_info("stopping daemon: waiting for %d session(s)", live);
	wait_children(&live);
	return EX_OK;
}

int
daemon_main(struct cf *cf, const int *sdfds, int nsd, int foreground)
{
	struct buf err = BUF_INIT;
	struct dport d;
	int fds[MAX_LISTEN], n = 0, i;
	pid_t pid;

	for (i = 0; i < nsd && n < MAX_LISTEN; i++) {
		fcntl(sdfds[i], F_SETFL, fcntl(sdfds[i], F_GETFL) | O_NONBLOCK);
		fds[n++] = sdfds[i];
	}
	for (i = 0; nsd == 0 && (size_t)i < cf->daemon_port_options.n &&
	    n < MAX_LISTEN; i++) {
		const char *o = cf->daemon_port_options.v[i];

		if (strstr(o, "NoMTA") != NULL)
			continue;	/* an MSP's placeholder entry */
		if (dport_parse(o, &d, &err) < 0)
			log_die(EX_CONFIG, "%s", buf_str(&err));
		if ((fds[n] = daemon_bind(&d, &err)) < 0) {
			if (!(d.mods & DPM_O))
				log_die(EX_OSERR, "%s", buf_str(&err));
			log_warn("%s (M=O: going on without it)",
			    buf_str(&err));
			buf_reset(&err);
			continue;
		}
		n++;
	}
	if (n == 0 && nsd == 0 && cf->daemon_port_options.n == 0) {
		dport_parse("Port=smtp", &d, &err);
		if ((fds[0] = daemon_bind(&d, &err)) < 0)
			log_die(EX_OSERR, "%s", buf_str(&err));
		n = 1;
	}
	if (n == 0)
		log_die(EX_CONFIG, "no socket to listen on");
	buf_free(&err);
	if (!foreground) {
		if ((pid = fork()) < 0)
			log_die_errno(EX_OSERR, "fork");
		if (pid > 0)
			_exit(EX_OK);
		setsid();
		if (chdir("/") < 0)
			log_die_errno(EX_OSERR, "chdir /");
		i = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (i >= 0) {
			dup2(i, 0);
			dup2(i, 1);
			dup2(i, 2);
			if (i > 2)
				close(i);
		}
		log_set_dest(LOG_TO_SYSLOG);
	}
	title_init();
	return serve(cf, fds, n);
}
