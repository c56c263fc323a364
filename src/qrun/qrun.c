/* qrun.c - sendmail -q: one queue run (doc/qrun.md).
 *
 * The run is two processes.  Root never creates, writes, renames or
 * unlinks inside the queue directory, whose files RunAsUser can write
 * (Exim's CVE-2020-28007/8 were root doing queue work in a directory an
 * unprivileged account owns): a bookkeeper child drops to RunAsUser and
 * does everything inside the queue, and sends root one request per
 * pending recipient over a socket pair.  Root, here, reads nothing but
 * those requests; it takes none of their words for who or where, and
 * answers each with the delivery's result (qrun_local.c).
 */
#include "qrun.h"
#include "qrun_int.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/log.h"
#include "lib/priv.h"
#include "mail/cf.h"

/* The bookkeeper: RunAsUser from here on, and dies with the run. */
static void __attribute__((noreturn))
bookkeeper(const struct cf *cf, int sock, pid_t parent)
{
	struct buf err = BUF_INIT;

	if (priv_drop_to(cf->run_as_user, &err) < 0) {
		log_err("SYSERR: queue run: %s", buf_str(&err));
		_exit(EX_NOPERM);
	}
	/* After the switch: a change of uid clears the death signal.
	 * Without it the bookkeeper would still end at its next request,
	 * when the socket pair reports root gone. */
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (getppid() != parent)
		_exit(EX_TEMPFAIL);
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	_exit(qr_book_run(cf, sock));
}

/* Root's loop: one request, one delivery, one reply, until the
 * bookkeeper closes its end. */
static void
serve(const struct cf *cf, int sock)
{
	struct buf err = BUF_INIT;
	struct qr_req req;
	struct qr_rep rep;

	for (;;) {
		buf_reset(&err);
		if (qr_recv_req(sock, &req, &err) < 0) {
			if (err.len > 0)
				log_err("SYSERR: queue run: %s", buf_str(&err));
			qr_req_free(&req);
			break;
		}
		qr_local_deliver(cf, &req, sock, &rep);
		qr_req_free(&req);
		if (qr_send_rep(sock, &rep) < 0)
			break;
	}
	buf_free(&err);
}

int
qrun_main(struct cf *cf)
{
	struct buf err = BUF_INIT;
	uid_t uid;
	gid_t gid;
	int sv[2], status;
	pid_t pid, self = getpid();

	if (geteuid() != 0) {
		fprintf(stderr, "sendmail: -q must be run as root: it "
		    "delivers as each recipient (fix: run it as root, e.g. "
		    "from the systemd timer or cron)\n");
		return EX_NOPERM;
	}
	if (cf->run_as_user == NULL || cf->run_as_user[0] == '\0' ||
	    priv_resolve(cf->run_as_user, &uid, &gid, &err) < 0) {
		fprintf(stderr, "sendmail: %s: the queue runner needs "
		    "RunAsUser, the queue's owner (%s); fix: O RunAsUser=smmta "
		    "in %s\n", cf->path, err.len ? buf_str(&err) : "not set",
		    cf->path);
		buf_free(&err);
		return EX_CONFIG;
	}
	buf_free(&err);
	/* A run says what it did in syslog only, as sendmail's -q does
	 * without -v: a timer's or cron's mail should stay empty. */
	log_set_dest(LOG_TO_SYSLOG);
	(void)signal(SIGPIPE, SIG_IGN);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0 ||
	    (pid = fork()) < 0) {
		log_err("SYSERR: queue run: cannot start: %s", strerror(errno));
		return EX_OSERR;
	}
	if (pid == 0) {
		close(sv[0]);
		bookkeeper(cf, sv[1], self);
	}
	close(sv[1]);
	serve(cf, sv[0]);
	close(sv[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) ? WEXITSTATUS(status) : EX_SOFTWARE;
}
