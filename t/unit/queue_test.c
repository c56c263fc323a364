/* queue_test.c - queue ids, the commit, the qf text, directory checks. */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/buf.h"
#include "mail/queue.h"
#include "tap.h"

static char dir[] = "/tmp/queue_test.XXXXXX";

static int
exists(const char *prefix, const char *id)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s%s", dir, prefix, id);
	return access(path, F_OK) == 0;
}

static int
count_files(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static void
test_ids(void)
{
	struct tm tm = { 0 };
	char a[QID_MAX], b[QID_MAX];

	tm.tm_year = 126;	/* 2026 */
	tm.tm_mon = 10;		/* November */
	tm.tm_mday = 24;
	tm.tm_hour = 12;
	tm.tm_min = 44;
	tm.tm_sec = 47;
	queue_make_id(a, sizeof(a), &tm, 17 * 60 + 27, 4478);
	is_str(a, "6AOCilHR004478", "sendmail's id shape: base-60 time, sequence, %%06d pid");
	queue_make_id(b, sizeof(b), &tm, 17 * 60 + 27, 1234567);
	is_str(b, "6AOCilHR1234567", "a pid over 999999 makes the id longer, never cut");
	tm.tm_sec = 48;
	queue_make_id(b, sizeof(b), &tm, 0, 1);
	ok(strcmp(a, b) < 0, "ids sort by time (%s < %s)", a, b);
	tm.tm_sec = 47;
	queue_make_id(b, sizeof(b), &tm, 17 * 60 + 28, 4478);
	ok(strcmp(a, b) < 0, "and by sequence within a second");
}

static void
test_commit(int dirfd, int syncfs_mode)
{
	static struct qmsg q1, q2;
	struct buf ctl = BUF_INIT, hdrs = BUF_INIT;
	struct qrcpt r = { "bob@example.org", "rfc822;bob+2B1@example.org",
	    QN_SET | QN_SUCCESS | QN_FAILURE };
	struct qenv e;
	struct stat st;
	char path[256];

	is_int(queue_begin(&q1, dirfd, 0600, syncfs_mode), 0, "queue_begin");
	is_int(queue_begin(&q2, dirfd, 0600, syncfs_mode), 0, "a second message");
	ok(strcmp(q1.id, q2.id) != 0, "gets another id (%s, %s)", q1.id, q2.id);
	ok(exists("tf", q1.id) && exists("df", q1.id) && !exists("qf", q1.id),
	    "receiving: tf and df, no qf");
	queue_df_line(&q1, "hello", 5);
	queue_df_write(&q1, "world\n", 6);
	buf_adds(&hdrs, "H??Subject: t\n");
	memset(&e, 0, sizeof(e));
	e.ctime = 1795524287;
	e.sender = "alice@example.org";
	e.envid = "env+2Bid";
	e.ret = 2;
	e.client_macro = "[192.0.2.1]";
	e.client_addr = "192.0.2.1";
	e.proto = "ESMTP";
	e.helo = "client.example";
	e.rcpts = &r;
	e.nrcpts = 1;
	e.size = 12 + (long long)hdrs.len;
	e.df_size = q1.df_bytes;
	queue_format_qf(&ctl, &e, &hdrs);
	/* sendmail's line order (qf.c writes it): Z after S. */
	is_str(ctl.s, "V8\nT1795524287\nK0\nN0\nP30026\nFdn\n$_[192.0.2.1]\n"
	    "${client_addr}192.0.2.1\n$rESMTP\n${sockmail_dfsize}12\n"
	    "$sclient.example\nS<alice@example.org>\nZenv+2Bid\n"
	    "Qrfc822;bob+2B1@example.org\nRPNSF:<bob@example.org>\n"
	    "H??Subject: t\n.\n", "the qf text, byte for byte");
	is_int(queue_commit(&q1, &ctl), 0, "commit (%s)",
	    syncfs_mode ? "syncfs" : "fsync");
	ok(exists("qf", q1.id) && exists("df", q1.id) && !exists("tf", q1.id),
	    "committed: qf and df, no tf");
	snprintf(path, sizeof(path), "%s/df%s", dir, q1.id);
	ok(stat(path, &st) == 0 && st.st_size == 12 && (st.st_mode & 0777) == 0600,
	    "df has the body with LF ends and QueueFileMode");
	queue_df_line(&q2, "partial", 7);
	queue_abort(&q2);
	ok(!exists("tf", q2.id) && !exists("df", q2.id) && !exists("qf", q2.id),
	    "abort leaves nothing of the message");
	buf_free(&ctl);
	buf_free(&hdrs);
}

static void
test_dir_checks(void)
{
	struct buf err = BUF_INIT;
	int fd;

	chmod(dir, 0777);
	is_int(queue_open_dir(dir, 1, &err), -1, "a world-writable queue is refused");
	ok(strstr(buf_str(&err), "chmod o-w") != NULL, "naming the fix: %s", buf_str(&err));
	buf_reset(&err);
	chmod(dir, 0770);
	is_int(queue_open_dir(dir, 0, &err), -1, "group-writable without UseMSP is refused");
	fd = queue_open_dir(dir, 1, &err);
	ok(fd >= 0, "group-writable with UseMSP is accepted");
	close(fd);
	chmod(dir, 0700);
	buf_reset(&err);
	is_int(queue_open_dir("/nonexistent/q", 0, &err), -1, "a missing queue is refused");
	buf_free(&err);
}

int
main(void)
{
	char cmd[300];
	int dirfd;

	if (mkdtemp(dir) == NULL)
		return 1;
	test_ids();
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	test_commit(dirfd, 0);
	test_commit(dirfd, 1);
	is_int(count_files(), 4, "two committed messages, nothing else");
	is_int(queue_space_ok(dirfd, 0, 1), 0, "space for one octet");
	is_int(queue_space_ok(dirfd, 0, 1LL << 62), -1, "no space for 4 EiB");
	close(dirfd);
	test_dir_checks();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 1;
	return done_testing();
}
