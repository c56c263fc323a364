/* floor.c - the benchmark's floor: the least an SMTP acceptor of sockmail's
 * design can do (doc/DESIGN.md 9).  It speaks just enough SMTP for smtp-source
 * and the harness's dialogues and makes every message durable with the same
 * two-file commit as sockmail before it answers 250:
 *
 *   fsync mode (default): write df<id> and tf<id> (O_EXCL|O_CLOEXEC),
 *       fsync df, fsync tf, rename tf -> qf, fsync the directory;
 *   syncfs mode (-s):     write df<id> and tf<id>, rename tf -> qf,
 *       one syncfs() (sockmail's QueueCommit=syncfs).
 *
 * The body is stored the way sockmail stores it: dot-unstuffed, LF line ends.
 * The control file is a short V8-shaped qf.  Nothing is parsed or checked
 * beyond what it takes to find the end of the data.
 *
 * How it is started:
 *   floor [-s] QUEUEDIR            no LISTEN_FDS: one session on stdin/stdout
 *                                  (inetd, systemd-socket-activate --inetd)
 *   floor [-s] QUEUEDIR            LISTEN_FDS=1, fd 3 a connected socket: one
 *                                  session on fd 3 (systemd-socket-activate -a)
 *   floor [-s] QUEUEDIR            LISTEN_FDS=1, fd 3 a listening socket:
 *                                  accept loop, fork per connection (no exec)
 *   floor [-s] -l PORT QUEUEDIR    the same accept loop on its own socket,
 *                                  bound to 127.0.0.1:PORT
 *   floor [-s] -D N [-w W] QUEUEDIR
 *                                  the disk's own limit: N commits (a 5 KB df
 *                                  and a tf each) shared by W writer processes,
 *                                  prints commits/s
 *   floor -S SEQ -D N [-w W] QUEUEDIR
 *                                  the same with another commit sequence, to
 *                                  measure what an order of the same steps
 *                                  gives on this disk (disk limit only):
 *                                  prewrite: sync_file_range(WRITE) on df and
 *                                    tf first, so that one journal commit can
 *                                    carry both files, then the fsync sequence;
 *                                  renamefirst: rename, then fsync df, tf and
 *                                    the directory (one commit, two flushes);
 *                                  group: rename, then a group commit: writers
 *                                    take turns under flock() on a lock file,
 *                                    and a writer whose rename precedes the
 *                                    start of a finished syncfs() needs none
 *   floor -1 -D N [-w W] QUEUEDIR  the same for Postfix's layout: envelope and
 *                                  content in ONE file, one fsync, no rename
 *                                  and no directory fsync (what Postfix's
 *                                  cleanup does), to show what the two-file
 *                                  sendmail layout costs on this disk
 *
 * Every loop is bounded: a session ends after 300 s without input, a
 * listener after -t SECONDS (default 3600).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SESSION_TIMEOUT	300
#define MAXLINE		1024
#define MAXRCPT		100

static int use_syncfs;
enum { SEQ_FSYNC, SEQ_PREWRITE, SEQ_RENAMEFIRST, SEQ_GROUP };
static int dseq;	/* -S: the commit sequence of a disk run */
static const char *const seq_names[] = {
	"fsync", "prewrite", "renamefirst", "group"
};
static int group_fd = -1;	/* -S group: this writer's lock file */
static int one_file;	/* -1: Postfix's one-file commit (disk limit only) */
static int qdir = -1;		/* the queue directory, open O_DIRECTORY */
static unsigned seq;		/* per-process part of the queue id */

static int in_fd = 0, out_fd = 1;
static char rbuf[65536];
static size_t rpos, rlen;
static char wbuf[65536];	/* df output buffer */
static size_t wlen;

static void die(const char *what)
{
	fprintf(stderr, "floor: %s: %s\n", what, strerror(errno));
	exit(75);
}

static int reply(const char *s)
{
	size_t n = strlen(s), off = 0;
	while (off < n) {
		ssize_t w = write(out_fd, s + off, n - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		off += (size_t)w;
	}
	return 0;
}

/* Next input byte, -1 at EOF or error. */
static int getbyte(void)
{
	if (rpos == rlen) {
		ssize_t n;
		do
			n = read(in_fd, rbuf, sizeof rbuf);
		while (n < 0 && errno == EINTR);
		if (n <= 0)
			return -1;
		rpos = 0;
		rlen = (size_t)n;
	}
	return (unsigned char)rbuf[rpos++];
}

/* A command line without its CRLF; overlong lines are truncated.
 * Returns its length, or -1 at EOF. */
static int getcmd(char *line)
{
	size_t n = 0;
	int c;
	for (;;) {
		c = getbyte();
		if (c < 0)
			return -1;
		if (c == '\n')
			break;
		if (n < MAXLINE - 1)
			line[n++] = (char)c;
	}
	if (n > 0 && line[n - 1] == '\r')
		n--;
	line[n] = '\0';
	return (int)n;
}

static int writeall(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Append n bytes to the df buffer, writing it out when full.  After a
 * write error (*err set) the data is only discarded. */
static void dfout(int fd, const char *p, size_t n, int *err)
{
	while (n > 0) {
		size_t k = sizeof wbuf - wlen;
		if (k == 0) {
			if (!*err && fd >= 0 && writeall(fd, wbuf, wlen) < 0)
				*err = 1;
			wlen = 0;
			continue;
		}
		if (k > n)
			k = n;
		memcpy(wbuf + wlen, p, k);
		wlen += k;
		p += k;
		n -= k;
	}
}

/* Move unread input to the front of rbuf and read more after it.
 * Returns bytes read, 0 at EOF, -1 on error. */
static ssize_t refill(void)
{
	ssize_t n;
	if (rpos > 0) {
		memmove(rbuf, rbuf + rpos, rlen - rpos);
		rlen -= rpos;
		rpos = 0;
	}
	do
		n = read(in_fd, rbuf + rlen, sizeof rbuf - rlen);
	while (n < 0 && errno == EINTR);
	if (n > 0)
		rlen += (size_t)n;
	return n;
}

/* Copy the DATA stream up to CRLF.CRLF into fd (fd < 0: discard),
 * dot-unstuffed, CRLF -> LF, a line at a time (memchr).  Returns 0, 1 on a
 * write error (the data is still read to its end), -1 at EOF. */
static int copydata(int fd)
{
	int bol = 1, err = 0;
	wlen = 0;
	for (;;) {
		char *s = rbuf + rpos;
		size_t avail = rlen - rpos, len;
		char *nl = memchr(s, '\n', avail);
		if (nl == NULL) {
			if (rpos == 0 && rlen == sizeof rbuf) {
				/* a line longer than the buffer: pass a piece on,
				 * keeping a final CR for the CRLF check */
				len = avail - (s[avail - 1] == '\r');
				if (bol && s[0] == '.') {
					s++;
					len--;
					rpos++;
				}
				dfout(fd, s, len, &err);
				rpos += len;
				bol = 0;
				continue;
			}
			if (refill() <= 0)
				return -1;
			continue;
		}
		len = (size_t)(nl - s) + 1;
		if (bol && s[0] == '.') {
			if (len == 3 && s[1] == '\r') {
				rpos += 3;
				if (!err && fd >= 0 && writeall(fd, wbuf, wlen) < 0)
					err = 1;
				return err;
			}
			s++;
			len--;
			rpos++;
		}
		rpos += len;
		if (len >= 2 && s[len - 2] == '\r') {
			s[len - 2] = '\n';
			len--;
		}
		dfout(fd, s, len, &err);
		bol = 1;
	}
}

/* A queue id in sendmail's 8.12+ shape: time in base 60, a sequence, the pid. */
static void newid(char *id, size_t sz)
{
	static const char b60[] =
	    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwx";
	time_t now = time(NULL);
	struct tm tm;
	unsigned s = seq++;
	gmtime_r(&now, &tm);
	snprintf(id, sz, "%c%c%c%c%c%c%c%c%06d",
	    b60[tm.tm_year % 60], b60[tm.tm_mon], b60[tm.tm_mday],
	    b60[tm.tm_hour], b60[tm.tm_min], b60[tm.tm_sec],
	    b60[(s / 60) % 60], b60[s % 60], (int)getpid());
}

/* Create df<id> exclusively; fills id.  Returns the fd or -1. */
static int create_df(char *id, size_t idsz)
{
	char name[64];
	for (int tries = 0; tries < 4000; tries++) {
		newid(id, idsz);
		snprintf(name, sizeof name, "df%s", id);
		int fd = openat(qdir, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd >= 0 || errno != EEXIST)
			return fd;
	}
	errno = EEXIST;
	return -1;
}

static long long mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* -S group: the lock file holds the start time of the last finished
 * syncfs().  One that started after this writer's rename covers it. */
static int group_syncfs(void)
{
	long long renamed = mono_ns(), last = 0, start;
	int r = 0;
	if (flock(group_fd, LOCK_EX) < 0)
		return -1;
	if (pread(group_fd, &last, sizeof last, 0) == (ssize_t)sizeof last &&
	    last > renamed)
		goto out;
	start = mono_ns();
	if (syncfs(qdir) < 0 ||
	    pwrite(group_fd, &start, sizeof start, 0) != (ssize_t)sizeof start)
		r = -1;
out:
	flock(group_fd, LOCK_UN);
	return r;
}

/* Write tf<id>, make df and tf durable, rename tf -> qf, fsync the
 * directory (or another order, -S).  Closes dffd.  Returns 0 or -1. */
static int commit(int dffd, const char *id, const char *tfdata, size_t tflen)
{
	char tf[64], qf[64];
	int tffd, ok = 0;
	snprintf(tf, sizeof tf, "tf%s", id);
	snprintf(qf, sizeof qf, "qf%s", id);
	tffd = openat(qdir, tf, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (tffd < 0) {
		close(dffd);
		return -1;
	}
	if (writeall(tffd, tfdata, tflen) < 0)
		goto out;
	if (use_syncfs) {
		/* sockmail's QueueCommit=syncfs: rename, then one syncfs(). */
		if (renameat(qdir, tf, qdir, qf) < 0)
			goto out;
		if (syncfs(qdir) < 0) {
			unlinkat(qdir, qf, 0);
			goto out;
		}
		ok = 1;
		goto out;
	}
	if (dseq == SEQ_RENAMEFIRST || dseq == SEQ_GROUP) {
		if (renameat(qdir, tf, qdir, qf) < 0)
			goto out;
		if (dseq == SEQ_GROUP ? group_syncfs() < 0 :
		    fsync(dffd) < 0 || fsync(tffd) < 0 || fsync(qdir) < 0) {
			unlinkat(qdir, qf, 0);
			goto out;
		}
		ok = 1;
		goto out;
	}
	if (dseq == SEQ_PREWRITE &&
	    (sync_file_range(dffd, 0, 0, SYNC_FILE_RANGE_WRITE) < 0 ||
	     sync_file_range(tffd, 0, 0, SYNC_FILE_RANGE_WRITE) < 0))
		goto out;
	if (fsync(dffd) < 0 || fsync(tffd) < 0)
		goto out;
	if (renameat(qdir, tf, qdir, qf) < 0)
		goto out;
	if (fsync(qdir) < 0)
		goto out;
	ok = 1;
out:
	close(tffd);
	close(dffd);
	if (!ok) {
		char df[64];
		snprintf(df, sizeof df, "df%s", id);
		unlinkat(qdir, tf, 0);
		unlinkat(qdir, df, 0);
	}
	return ok ? 0 : -1;
}

static size_t build_tf(char *buf, size_t sz, const char *sender,
    char rcpts[][MAXLINE], int nrcpt)
{
	size_t n = (size_t)snprintf(buf, sz,
	    "V8\nT%lld\nK0\nN0\nP30000\nMDeferred: queued by floor\nFbs\n"
	    "$_localhost [127.0.0.1]\n$rESMTP\n${daemon_flags}\nS%s\n",
	    (long long)time(NULL), sender);
	for (int i = 0; i < nrcpt && n < sz; i++)
		n += (size_t)snprintf(buf + n, sz - n, "RPFD:%s\n", rcpts[i]);
	if (n < sz)
		n += (size_t)snprintf(buf + n, sz - n, ".\n");
	return n < sz ? n : sz;
}

/* Strip "MAIL FROM:" / "RCPT TO:" and the angle brackets. */
static void addrof(const char *arg, char *out)
{
	const char *p = strchr(arg, ':');
	size_t n;
	p = p ? p + 1 : arg;
	while (*p == ' ')
		p++;
	if (*p == '<')
		p++;
	n = strcspn(p, "> ");
	if (n >= MAXLINE)
		n = MAXLINE - 1;
	memcpy(out, p, n);
	out[n] = '\0';
}

static char rcpts[MAXRCPT][MAXLINE];

static void session(void)
{
	char line[MAXLINE], sender[MAXLINE], id[32], tfbuf[8192 + MAXLINE];
	int nrcpt = 0, have_mail = 0;

	signal(SIGALRM, SIG_DFL);
	signal(SIGPIPE, SIG_IGN);
	alarm(SESSION_TIMEOUT);
	if (reply("220 floor ESMTP\r\n") < 0)
		return;
	for (int cmds = 0; cmds < 1000000; cmds++) {
		int n = getcmd(line);
		if (n < 0)
			return;
		alarm(SESSION_TIMEOUT);
		if (n < 4) {
			reply("500 5.5.1 command unrecognized\r\n");
			continue;
		}
		if (!strncasecmp(line, "EHLO", 4))
			reply("250-floor\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SIZE\r\n");
		else if (!strncasecmp(line, "HELO", 4))
			reply("250 floor\r\n");
		else if (!strncasecmp(line, "MAIL", 4)) {
			addrof(line + 4, sender);
			have_mail = 1;
			nrcpt = 0;
			reply("250 2.1.0 ok\r\n");
		} else if (!strncasecmp(line, "RCPT", 4)) {
			if (!have_mail)
				reply("503 5.5.1 need MAIL\r\n");
			else if (nrcpt == MAXRCPT)
				reply("452 4.5.3 too many recipients\r\n");
			else {
				addrof(line + 4, rcpts[nrcpt++]);
				reply("250 2.1.5 ok\r\n");
			}
		} else if (!strncasecmp(line, "DATA", 4)) {
			if (!nrcpt) {
				reply("503 5.5.1 need RCPT\r\n");
				continue;
			}
			int df = create_df(id, sizeof id);
			if (df < 0) {
				reply("451 4.3.0 cannot create df\r\n");
				continue;
			}
			reply("354 go ahead\r\n");
			int r = copydata(df);
			if (r < 0) {
				char name[64];
				close(df);
				snprintf(name, sizeof name, "df%s", id);
				unlinkat(qdir, name, 0);
				return;
			}
			size_t tflen = build_tf(tfbuf, sizeof tfbuf, sender, rcpts, nrcpt);
			if (r == 0 && commit(df, id, tfbuf, tflen) == 0) {
				char ok[80];
				snprintf(ok, sizeof ok, "250 2.0.0 %s Message accepted\r\n", id);
				reply(ok);
			} else {
				if (r) {
					char name[64];
					close(df);
					snprintf(name, sizeof name, "df%s", id);
					unlinkat(qdir, name, 0);
				}
				reply("451 4.3.0 commit failed\r\n");
			}
			have_mail = 0;
			nrcpt = 0;
		} else if (!strncasecmp(line, "RSET", 4)) {
			have_mail = 0;
			nrcpt = 0;
			reply("250 2.0.0 ok\r\n");
		} else if (!strncasecmp(line, "NOOP", 4))
			reply("250 2.0.0 ok\r\n");
		else if (!strncasecmp(line, "QUIT", 4)) {
			reply("221 2.0.0 bye\r\n");
			return;
		} else
			reply("502 5.5.1 not implemented\r\n");
	}
}

static void open_qdir(const char *path)
{
	qdir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (qdir < 0)
		die(path);
}

/* Accept loop: fork per connection, the child runs the session. */
static void listener(int lfd, int lifetime)
{
	time_t end = time(NULL) + lifetime;
	signal(SIGCHLD, SIG_IGN);	/* children are reaped by the kernel */
	signal(SIGALRM, SIG_DFL);
	alarm((unsigned)lifetime);
	while (time(NULL) < end) {
		int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0) {
			if (errno == EINTR || errno == ECONNABORTED || errno == EMFILE ||
			    errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
				continue;
			die("accept");
		}
		pid_t pid = fork();
		if (pid == 0) {
			close(lfd);
			in_fd = out_fd = c;
			session();
			_exit(0);
		}
		close(c);
	}
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The disk's limit: n commits of a 5 KB df and a small tf. */
static int disk_writer(long n)
{
	static char body[5120];
	char id[32], tfbuf[8192];
	memset(body, 'x', sizeof body);
	for (size_t i = 79; i < sizeof body; i += 80)
		body[i] = '\n';
	strcpy(rcpts[0], "someone@localhost");
	size_t tflen = build_tf(tfbuf, sizeof tfbuf, "bench@bench.test", rcpts, 1);
	if (dseq == SEQ_GROUP) {
		/* Its own open file: flock() excludes open files, not pids. */
		group_fd = openat(qdir, ".group-commit",
		    O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (group_fd < 0) {
			perror("floor: .group-commit");
			return 1;
		}
	}
	for (long i = 0; i < n; i++) {
		int df = create_df(id, sizeof id);
		if (one_file) {
			if (df < 0 || writeall(df, tfbuf, tflen) < 0 ||
			    writeall(df, body, sizeof body) < 0 ||
			    fsync(df) < 0 || close(df) < 0) {
				perror("floor: disk commit");
				return 1;
			}
			continue;
		}
		if (df < 0 || writeall(df, body, sizeof body) < 0 ||
		    commit(df, id, tfbuf, tflen) < 0) {
			perror("floor: disk commit");
			return 1;
		}
	}
	return 0;
}

static int disk(long n, int writers)
{
	double t0 = now_s();
	int bad = 0;
	for (int w = 0; w < writers; w++) {
		long share = n / writers + (w < n % writers);
		pid_t pid = fork();
		if (pid < 0)
			die("fork");
		if (pid == 0)
			_exit(disk_writer(share));
	}
	for (int w = 0; w < writers; w++) {
		int st;
		if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			bad = 1;
	}
	double dt = now_s() - t0;
	if (bad) {
		fprintf(stderr, "floor: a disk writer failed\n");
		return 1;
	}
	printf("%ld commits, %d writer(s), %s: %.3f s, %.0f commits/s\n",
	    n, writers, one_file ? "one file, one fsync" :
	    use_syncfs ? "syncfs" : seq_names[dseq], dt, (double)n / dt);
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
	    "usage: floor [-s] [-l PORT] [-t SECONDS] QUEUEDIR\n"
	    "       floor [-s | -1 | -S SEQ] -D N [-w WRITERS] QUEUEDIR\n"
	    "       SEQ: prewrite, renamefirst or group\n");
	exit(64);
}

int main(int argc, char **argv)
{
	int opt, port = 0, lifetime = 3600, writers = 1;
	long dcount = 0;
	const char *e;

	while ((opt = getopt(argc, argv, "1sS:l:t:D:w:")) != -1) {
		switch (opt) {
		case 's': use_syncfs = 1; break;
		case '1': one_file = 1; break;
		case 'S':
			for (dseq = 1; dseq < 4; dseq++)
				if (strcmp(optarg, seq_names[dseq]) == 0)
					break;
			if (dseq == 4)
				usage();
			break;
		case 'l': port = atoi(optarg); break;
		case 't': lifetime = atoi(optarg); break;
		case 'D': dcount = atol(optarg); break;
		case 'w': writers = atoi(optarg); break;
		default: usage();
		}
	}
	if (optind != argc - 1 || lifetime <= 0 || writers <= 0 || writers > 256 ||
	    dcount < 0 || port < 0 || port > 65535 ||
	    (one_file && (dcount == 0 || use_syncfs)) ||
	    (dseq != SEQ_FSYNC && (dcount == 0 || use_syncfs || one_file)))
		usage();
	open_qdir(argv[optind]);

	if (dcount > 0)
		return disk(dcount, writers);

	if (port > 0) {
		int one = 1, lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		struct sockaddr_in sin;
		if (lfd < 0)
			die("socket");
		setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		memset(&sin, 0, sizeof sin);
		sin.sin_family = AF_INET;
		sin.sin_port = htons((unsigned short)port);
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (bind(lfd, (struct sockaddr *)&sin, sizeof sin) < 0)
			die("bind");
		if (listen(lfd, SOMAXCONN) < 0)
			die("listen");
		listener(lfd, lifetime);
		return 0;
	}

	if ((e = getenv("LISTEN_FDS")) != NULL) {
		const char *p = getenv("LISTEN_PID");
		int acc = 0;
		socklen_t len = sizeof acc;
		if (p && atol(p) != (long)getpid()) {
			fprintf(stderr, "floor: LISTEN_PID is not mine\n");
			return 64;
		}
		if (atoi(e) != 1) {
			fprintf(stderr, "floor: want LISTEN_FDS=1, got %s\n", e);
			return 64;
		}
		unsetenv("LISTEN_FDS");
		unsetenv("LISTEN_PID");
		unsetenv("LISTEN_FDNAMES");
		fcntl(3, F_SETFD, FD_CLOEXEC);
		if (getsockopt(3, SOL_SOCKET, SO_ACCEPTCONN, &acc, &len) < 0)
			die("getsockopt(3)");
		if (acc) {
			listener(3, lifetime);
			return 0;
		}
		in_fd = out_fd = 3;
	}
	session();
	return 0;
}
