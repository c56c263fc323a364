/* mbox_test.c - local/mbox.c: the From line, the message as it lands in
 * the mailbox (Return-Path first, ">From " quoting at every split of the
 * body, CRLF stored as LF, the blank line), the mailboxes it refuses,
 * its locks, and that a failure leaves the mailbox as it was.
 *
 * With arguments it is t/70-mbox.t's driver instead of a TAP test:
 *   mbox_test deliver [-r] [-n] [-g GID] [-w SECS] [-s SECS] [-t TIME]
 *	PATH SENDER < MESSAGE
 * delivers MESSAGE (its header, up to the first empty line, as the
 * header text; the rest, still on standard input, as the body fd) and
 * exits with mbox_deliver()'s code, its error on standard error.  -r
 * root_ok, -n no dotlock, -g mail_gid, -w lock_wait, -s stale_secs, -t
 * the arrival time. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>

#include "lib/buf.h"
#include "lib/file.h"
#include "local/mbox.h"
#include "tap.h"

static char dir[] = "/tmp/mbox_test.XXXXXX";
static struct mbox_opts opts;

static const char *
at(const char *name)
{
	static char path[2][256];
	static int which;

	snprintf(path[which ^= 1], sizeof(path[0]), "%s/%s", dir, name);
	return path[which];
}

static void
put(const char *name, const char *text, mode_t mode)
{
	int fd;

	unlink(at(name));
	fd = open(at(name), O_WRONLY | O_CREAT | O_TRUNC, mode);
	if (fd >= 0) {
		if (write(fd, text, strlen(text)) < 0)
			perror("write");
		fchmod(fd, mode);
		close(fd);
	}
}

static const char *
slurp(const char *name)
{
	static struct buf b;

	buf_reset(&b);
	if (file_read(at(name), 1 << 24, FILE_REG, &b, NULL, NULL) != 0)
		return "(unreadable)";
	return buf_str(&b);
}

/* A pipe holding text as the body fd (small texts only). */
static int
body_fd(const char *text)
{
	int p[2];

	if (pipe(p) == -1)
		return -1;
	if (write(p[1], text, strlen(text)) < 0)
		perror("write");
	close(p[1]);
	return p[0];
}

static int
deliver(const char *name, const char *sender, const char *hdrs,
    const char *body, struct buf *err)
{
	struct mbox_msg m;
	int rv;

	m.sender = sender;
	m.hdrs = hdrs;
	m.hdrlen = strlen(hdrs);
	m.bodyfd = body != NULL ? body_fd(body) : -1;
	m.arrival = 1700000000;		/* Tue Nov 14 22:13:20 2023 UTC */
	buf_reset(err);
	rv = mbox_deliver(at(name), &m, &opts, err);
	if (m.bodyfd >= 0)
		close(m.bodyfd);
	return rv;
}

static void
test_from_line(void)
{
	struct buf b = BUF_INIT;

	mbox_from_line(&b, "a@b.example", 1700000000);
	is_str(buf_str(&b), "From a@b.example Tue Nov 14 22:13:20 2023",
	    "From line: sender and asctime() date");
	buf_reset(&b);
	mbox_from_line(&b, "", 1700000000 - 13 * 86400);
	is_str(buf_str(&b), "From MAILER-DAEMON Wed Nov  1 22:13:20 2023",
	    "null sender is MAILER-DAEMON, day padded as asctime() does");
	buf_reset(&b);
	mbox_from_line(&b, "\"a b\"@c", 0);
	is_str(buf_str(&b), "From \"a_b\"@c Thu Jan  1 00:00:00 1970",
	    "a space in the sender cannot shift the date");
	buf_free(&b);
}

#define FROM1	"From s@x.example Tue Nov 14 22:13:20 2023\n"

static void
test_format(void)
{
	struct buf err = BUF_INIT;

	unlink(at("box"));
	is_int(deliver("box", "s@x.example",
	    "Return-Path: <forged@evil>\n\tcontinued\nSubject: hi\r\n"
	    "From x\nreturn-path : <also>\nTo: u\n",
	    "From here\n>From there\nFrom\nFromage\r\nline\r\n\r\nFrom  "
	    "two\nend without newline", &err), 0, "delivered");
	is_str(buf_str(&err), "", "  no error");
	is_str(slurp("box"), FROM1 "Return-Path: <s@x.example>\n"
	    "Subject: hi\n>From x\nTo: u\n\n"
	    ">From here\n>From there\nFrom\nFromage\nline\n\n>From  two\n"
	    "end without newline\n\n",
	    "Return-Path first (theirs dropped), From quoted (mboxo), CRLF "
	    "as LF, a final newline and the blank line");
	is_int(deliver("box", "", "Subject: two\n", "", &err), 0,
	    "a second message, empty body");
	ok(strstr(slurp("box"), "end without newline\n\n"
	    "From MAILER-DAEMON Tue Nov 14 22:13:20 2023\n"
	    "Return-Path: <>\nSubject: two\n\n\n") != NULL,
	    "  appended after the first, blank line between, <> sender");
	unlink(at("box"));
	is_int(deliver("box", "s@x.example", "", NULL, &err), 0,
	    "no header, no body fd");
	is_str(slurp("box"), FROM1 "Return-Path: <s@x.example>\n\n\n",
	    "  still a well-formed message");
	buf_free(&err);
}

/* The body written as packets of a SOCK_SEQPACKET pair, split at cut:
 * every read() of mbox_deliver gets exactly one packet, so the text
 * filter sees the split there. */
static int
split_fd(const char *text, size_t cut)
{
	int sp[2];
	size_t n = strlen(text);

	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sp) == -1)
		return -1;
	if (cut > 0 && write(sp[1], text, cut) < 0)
		perror("write");
	if (n > cut && write(sp[1], text + cut, n - cut) < 0)
		perror("write");
	close(sp[1]);
	return sp[0];
}

static void
test_splits(void)
{
	static const char body[] = "From a\r\nFrom\r\nFrox\nFro\r\r\nx\rFrom\nFrom";
	static const char want[] = FROM1 "Return-Path: <s@x.example>\n\n"
	    ">From a\nFrom\nFrox\nFro\r\nx\rFrom\nFrom\n\n";
	struct buf err = BUF_INIT;
	struct mbox_msg m = { "s@x.example", "", 0, -1, 1700000000 };
	size_t cut;
	int bad = 0;

	for (cut = 0; cut <= sizeof(body) - 1; cut++) {
		unlink(at("split"));
		m.bodyfd = split_fd(body, cut);
		if (mbox_deliver(at("split"), &m, &opts, &err) != 0 ||
		    strcmp(slurp("split"), want) != 0) {
			if (bad++ == 0)
				printf("# split at %zu: %s\n", cut,
				    vis(slurp("split")));
		}
		close(m.bodyfd);
	}
	is_int(bad, 0, "the body split at each of its %zu octets: the same "
	    "mailbox text", sizeof(body) - 1);
	buf_free(&err);
}

static void
refused(const char *name, int want, const char *why, const char *re)
{
	struct buf err = BUF_INIT;

	is_int(deliver(name, "s@x.example", "Subject: x\n", "b\n", &err),
	    want, "refused: %s", why);
	ok(strstr(buf_str(&err), re) != NULL, "  the reason: %s",
	    buf_str(&err));
	buf_free(&err);
}

static void
test_refusals(void)
{
	struct stat st;
	struct buf err = BUF_INIT;

	put("target", "precious\n", 0600);
	unlink(at("sym"));
	ok(symlink(at("target"), at("sym")) == 0, "a symlink made");
	refused("sym", EX_CANTCREAT, "a symlink", "symbolic link");
	unlink(at("hard"));
	ok(link(at("target"), at("hard")) == 0, "a hard link made");
	refused("hard", EX_CANTCREAT, "a hard link", "2 hard links");
	unlink(at("hard"));
	is_str(slurp("target"), "precious\n", "  the target is untouched");
	mkfifo(at("fifo"), 0600);
	refused("fifo", EX_CANTCREAT, "a FIFO (and no hang)",
	    "not a regular file");
	mkdir(at("dir"), 0700);
	refused("dir", EX_CANTCREAT, "a directory", "not a regular file");
	put("ww", "", 0666);
	refused("ww", EX_NOPERM, "world-writable", "chmod 600");
	put("gw", "", 0620);
	opts.mail_gid = (gid_t)-1;
	refused("gw", EX_NOPERM, "group-writable", "mode 0620");
	stat(at("gw"), &st);
	opts.mail_gid = st.st_gid;
	is_int(deliver("gw", "s@x.example", "", NULL, &err), 0,
	    "group-writable by the spool's group (Debian 0660 USER:mail): "
	    "taken");
	opts.mail_gid = (gid_t)-1;
	refused("none/box", EX_CANTCREAT, "the directory does not exist",
	    "none/box");
	unlink(at("sym"));
	if (geteuid() == 0) {
		put("theirs", "", 0600);
		ok(chown(at("theirs"), 1, 1) == 0, "a file of uid 1");
		refused("theirs", EX_NOPERM, "owned by another user",
		    "belongs to uid 1");
		opts.root_ok = 0;
		refused("target", EX_SOFTWARE, "root without root_ok",
		    "refusing to deliver as root");
		opts.root_ok = 1;
	}
	is_int(deliver("target", "a\nb", "", NULL, &err), EX_DATAERR,
	    "a sender with a newline is refused");
	is_str(slurp("target"), "precious\n", "  and nothing written");
	buf_free(&err);
}

static void
test_create(void)
{
	struct buf err = BUF_INIT;
	struct stat st;
	mode_t old = umask(0);

	unlink(at("new"));
	is_int(deliver("new", "s@x.example", "", NULL, &err), 0,
	    "a missing mailbox is created");
	umask(old);
	ok(stat(at("new"), &st) == 0 && (st.st_mode & 07777) == 0600 &&
	    st.st_uid == geteuid(), "  mode 0600 (whatever the umask), "
	    "ours");
	ok(access(at("new.lock"), F_OK) == -1, "  no dotlock left behind");
	buf_free(&err);
}

static void
test_dotlock(void)
{
	struct buf err = BUF_INIT;
	struct utimbuf old = { 1000, 1000 };
	time_t t0;

	put("dl", "", 0600);
	put("dl.lock", "", 0600);
	opts.lock_wait = 1;
	t0 = time(NULL);
	is_int(deliver("dl", "s@x.example", "", NULL, &err), EX_TEMPFAIL,
	    "a fresh dotlock: EX_TEMPFAIL after lock_wait");
	ok(time(NULL) - t0 <= 3, "  within about a second");
	ok(strstr(buf_str(&err), "dl.lock") != NULL, "  names it: %s",
	    buf_str(&err));
	ok(access(at("dl.lock"), F_OK) == 0 && slurp("dl")[0] == '\0',
	    "  the lock is left, the mailbox untouched");
	utime(at("dl.lock"), &old);
	is_int(deliver("dl", "s@x.example", "", NULL, &err), 0,
	    "a stale dotlock (mtime 1970) is removed and the mail delivered");
	ok(access(at("dl.lock"), F_OK) == -1, "  and none is left");
	buf_free(&err);
}

static void
test_fcntl(void)
{
	struct buf err = BUF_INIT;
	struct flock fl;
	int p[2], fd;
	pid_t pid;
	char c;

	put("fl", "old\n", 0600);
	if (pipe(p) == -1)
		return;
	pid = fork();
	if (pid == 0) {		/* hold the lock until the parent is done */
		fd = open(at("fl"), O_RDWR);
		memset(&fl, 0, sizeof(fl));
		fl.l_type = F_WRLCK;
		fcntl(fd, F_SETLKW, &fl);
		if (write(p[1], "l", 1) < 0)
			_exit(1);
		for (;;)
			pause();	/* until SIGTERM */
	}
	close(p[1]);
	ok(read(p[0], &c, 1) == 1, "a child holds an fcntl() lock");
	is_int(deliver("fl", "s@x.example", "", "x\n", &err), EX_TEMPFAIL,
	    "an fcntl() lock held elsewhere: EX_TEMPFAIL");
	ok(strstr(buf_str(&err), "fcntl") != NULL, "  says so: %s",
	    buf_str(&err));
	is_str(slurp("fl"), "old\n", "  the mailbox untouched");
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	close(p[0]);
	buf_free(&err);
}

/* Failures after bytes were written: the mailbox is cut back. */
static void
test_cut_back(void)
{
	struct buf err = BUF_INIT, hdrs = BUF_INIT;
	struct mbox_msg m = { "s@x.example", NULL, 0, -1, 1700000000 };
	struct rlimit rl;
	pid_t pid;
	int st, i;

	for (i = 0; i < 2000; i++)
		buf_printf(&hdrs, "X-Filler-%d: %060d\n", i, i);
	m.hdrs = hdrs.s;
	m.hdrlen = hdrs.len;
	put("cut", "From a Tue Nov 14 22:13:20 2023\n\nold\n\n", 0600);
	m.bodyfd = open(dir, O_RDONLY | O_DIRECTORY);
	is_int(mbox_deliver(at("cut"), &m, &opts, &err), EX_TEMPFAIL,
	    "the body cannot be read after 150 KB of header were written");
	close(m.bodyfd);
	is_str(slurp("cut"), "From a Tue Nov 14 22:13:20 2023\n\nold\n\n",
	    "  the mailbox is cut back to what it was");
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		rl.rlim_cur = rl.rlim_max = 100000;
		setrlimit(RLIMIT_FSIZE, &rl);
		m.bodyfd = -1;
		buf_reset(&err);
		i = mbox_deliver(at("cut"), &m, &opts, &err);
		_exit(i == EX_TEMPFAIL && strstr(buf_str(&err),
		    "File too large") != NULL ? 0 : 1);
	}
	waitpid(pid, &st, 0);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "a file size limit "
	    "(EFBIG) half way: EX_TEMPFAIL");
	is_str(slurp("cut"), "From a Tue Nov 14 22:13:20 2023\n\nold\n\n",
	    "  and the mailbox is as it was");
	buf_free(&hdrs);
	buf_free(&err);
}

/* The driver of t/70-mbox.t. */
static int
drive(int argc, char **argv)
{
	struct buf hdrs = BUF_INIT, err = BUF_INIT;
	struct mbox_msg m = { NULL, NULL, 0, 0, 0 };
	size_t bol = 0;
	char c;
	int ch, rv;

	opts.mail_gid = (gid_t)-1;
	m.arrival = time(NULL);
	while ((ch = getopt(argc, argv, "rng:w:s:t:")) != -1) {
		switch (ch) {
		case 'r': opts.root_ok = 1; break;
		case 'n': opts.no_dotlock = 1; break;
		case 'g': opts.mail_gid = (gid_t)atol(optarg); break;
		case 'w': opts.lock_wait = (unsigned)atoi(optarg); break;
		case 's': opts.stale_secs = (unsigned)atoi(optarg); break;
		case 't': m.arrival = (time_t)atoll(optarg); break;
		default: return EX_USAGE;
		}
	}
	if (argc - optind != 2)
		return EX_USAGE;
	/* The header, an octet at a time so that the body stays unread. */
	while (read(0, &c, 1) == 1) {
		if (c == '\n' && (hdrs.len == bol ||
		    (hdrs.len == bol + 1 && hdrs.s[bol] == '\r')))
			break;
		buf_addc(&hdrs, c);
		if (c == '\n')
			bol = hdrs.len;
	}
	m.sender = argv[optind + 1];
	m.hdrs = buf_str(&hdrs);
	m.hdrlen = hdrs.len;
	rv = mbox_deliver(argv[optind], &m, &opts, &err);
	if (rv != 0)
		fprintf(stderr, "%s\n", buf_str(&err));
	buf_free(&hdrs);
	buf_free(&err);
	return rv;
}

int
main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "deliver") == 0)
		return drive(argc - 1, argv + 1);
	setenv("TZ", "UTC", 1);
	tzset();
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	opts.root_ok = geteuid() == 0;	/* our own files, as whoever we are */
	opts.mail_gid = (gid_t)-1;
	test_from_line();
	test_format();
	test_splits();
	test_refusals();
	test_create();
	test_dotlock();
	opts.lock_wait = 1;
	test_fcntl();
	opts.lock_wait = 0;
	test_cut_back();
	{
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd) != 0)
			printf("# could not remove %s\n", dir);
	}
	return done_testing();
}
