/* qrun_local.c - root's side of one delivery: decide from sources root
 * trusts whether a recipient the queue names is a plain local user, and
 * if so deliver in a child that has become that user.
 *
 * Nothing in the request decides who the child becomes or where it
 * writes: the local part must be a plain user name, root looks it up in
 * passwd itself, the mailbox is MailSpoolDirectory/NAME, and the child
 * switches to the uid and gid passwd gives before it opens anything.
 * Everything this slice does not deliver (remote domains, aliases,
 * .forward, programs, files, root) is answered with a deferral and stays
 * queued, with a log line that says why (doc/qrun.md).
 */
#include "qrun_int.h"

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/file.h"
#include "local/mbox.h"
#include "mail/aliases.h"
#include "mail/cf.h"

#define QR_USERMAX	32		/* useradd's limit */
#define QR_CHILD_SECS	600		/* one delivery, at most */
#define QR_MAXGROUPS	256
#define DEFAULT_SPOOL	"/var/mail"

struct target {
	char	 name[QR_USERMAX + 1];
	uid_t	 uid;
	gid_t	 gid;
	gid_t	 mail_gid;		/* (gid_t)-1: no group "mail" */
	char	 home[PATH_MAX];
	char	 box[PATH_MAX];
};

/* A user name as useradd makes them: letters, digits, '.', '_', '-',
 * not starting with '-' or '.'.  This refuses every address form that
 * is not a user: "|prog", "/file", ":include:", "\user", "../x",
 * "-oQ/tmp", quoted strings, '+' details (a later slice). */
static int
plain_user(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > QR_USERMAX || s[0] == '-' || s[0] == '.')
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

/* Is name an alias?  1 yes, 0 no (or no aliases at all), -1 cannot
 * tell.  As a session decides (policy.c): neither map nor text, none. */
static int
is_alias(const struct cf *cf, const char *name, struct buf *err)
{
	struct buf val = BUF_INIT;
	char db[PATH_MAX];
	struct stat st;
	int r;

	if (cf->alias_file == NULL || cf->alias_file[0] == '\0')
		return 0;
	if (snprintf(db, sizeof(db), "%s.db", cf->alias_file) <
	    (int)sizeof(db) && stat(db, &st) < 0 && errno == ENOENT &&
	    stat(cf->alias_file, &st) < 0 && errno == ENOENT)
		return 0;
	r = aliases_lookup(cf->alias_file, name, &val, err);
	buf_free(&val);
	return r;
}

/* passwd's answer for name, and the mailbox path.  0, or -1 with rep
 * set. */
static int
resolve(const struct cf *cf, const char *name, struct target *t,
    struct qr_rep *rep)
{
	struct passwd pw, *pp = NULL;
	struct group gr, *gp = NULL;
	char sbuf[4096], gbuf[4096], text[QR_TEXTMAX];
	const char *spool = cf->mail_spool_dir != NULL ?
	    cf->mail_spool_dir : DEFAULT_SPOOL;
	int e;

	e = getpwnam_r(name, &pw, sbuf, sizeof(sbuf), &pp);
	if (pp == NULL) {
		if (e != 0 && e != ENOENT && e != ESRCH) {
			qr_rep_set(rep, EX_TEMPFAIL, "4.3.0", "Deferred: "
			    "the passwd lookup failed");
			return -1;
		}
		qr_rep_set(rep, EX_NOUSER, "5.1.1", "User unknown (left "
		    "queued: bounces are not yet supported by the runner)");
		return -1;
	}
	if (pw.pw_uid == 0) {
		qr_rep_set(rep, EX_TEMPFAIL, "4.7.1", "Deferred: mail for a "
		    "uid 0 account is not delivered by the runner yet; fix: "
		    "alias root to a person in the aliases file");
		return -1;
	}
	(void)snprintf(t->name, sizeof(t->name), "%s", name);
	t->uid = pw.pw_uid;
	t->gid = pw.pw_gid;
	if (snprintf(t->home, sizeof(t->home), "%s", pw.pw_dir) >=
	    (int)sizeof(t->home) || snprintf(t->box, sizeof(t->box),
	    "%s/%s", spool, name) >= (int)sizeof(t->box)) {
		(void)snprintf(text, sizeof(text), "Deferred: the home "
		    "directory or mailbox path of %s is too long", name);
		qr_rep_set(rep, EX_TEMPFAIL, "4.3.0", text);
		return -1;
	}
	t->mail_gid = (gid_t)-1;
	if (getgrnam_r("mail", &gr, gbuf, sizeof(gbuf), &gp) == 0 &&
	    gp != NULL)
		t->mail_gid = gr.gr_gid;
	return 0;
}

/* The recipient as root sees it: a plain local user, or a reply. */
static int
check_rcpt(const struct cf *cf, const char *rcpt, struct target *t,
    struct qr_rep *rep)
{
	struct buf err = BUF_INIT;
	const char *at = strrchr(rcpt, '@');
	size_t n = at != NULL ? (size_t)(at - rcpt) : strlen(rcpt);
	char name[QR_USERMAX + 1];
	int r;

	if (at != NULL && !cf_class_has(cf, "w", at + 1)) {
		qr_rep_set(rep, EX_TEMPFAIL, "4.4.0", "Deferred: remote "
		    "delivery is not yet supported by the runner");
		return -1;
	}
	if (!plain_user(rcpt, n)) {
		qr_rep_set(rep, EX_TEMPFAIL, "4.7.1", "Deferred: not a plain "
		    "local user name (programs, files and aliases are not yet "
		    "supported by the runner)");
		return -1;
	}
	memcpy(name, rcpt, n);
	name[n] = '\0';
	if ((r = is_alias(cf, name, &err)) != 0) {
		qr_rep_set(rep, EX_TEMPFAIL, "4.3.0", r > 0 ?
		    "Deferred: aliases are not yet supported by the runner" :
		    "Deferred: the aliases map cannot be read");
		buf_free(&err);
		return -1;
	}
	buf_free(&err);
	return resolve(cf, name, t, rep);
}

/* Become t for good: its groups and the spool's group (to create a
 * first mailbox, doc/local-delivery.md), then gid and uid, checked as
 * lib/priv.c checks RunAsUser. */
static int
become(const struct target *t)
{
	gid_t groups[QR_MAXGROUPS + 1];
	int n = QR_MAXGROUPS;
	uid_t ru, eu, su;
	gid_t rg, eg, sg;

	if (getgrouplist(t->name, t->gid, groups, &n) < 0)
		return -1;
	if (t->mail_gid != (gid_t)-1)
		groups[n++] = t->mail_gid;
	if (setgroups((size_t)n, groups) < 0 ||
	    setresgid(t->gid, t->gid, t->gid) < 0 ||
	    setresuid(t->uid, t->uid, t->uid) < 0)
		return -1;
	if (getresuid(&ru, &eu, &su) < 0 || getresgid(&rg, &eg, &sg) < 0 ||
	    ru != t->uid || eu != t->uid || su != t->uid ||
	    rg != t->gid || eg != t->gid || sg != t->gid)
		return -1;
	if (setuid(0) == 0)
		return -1;
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	(void)prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	return 0;
}

/* The delivery child: never returns.  Its status is the sysexits code,
 * its one line of text goes up the pipe. */
static void __attribute__((noreturn))
child(const struct qr_req *q, const struct target *t, int out)
{
	struct buf err = BUF_INIT, fwd = BUF_INIT;
	struct mbox_msg m;
	struct mbox_opts o;
	struct stat st;
	int code;

	(void)alarm(QR_CHILD_SECS);
	umask(077);
	aliases_close();	/* root opened the map: not the user's */
	if (become(t) < 0) {
		buf_printf(&err, "cannot switch to user %s", t->name);
		code = EX_OSERR;
		goto done;
	}
	buf_printf(&fwd, "%s/.forward", t->home);
	if (lstat(buf_str(&fwd), &st) == 0 || errno != ENOENT) {
		buf_printf(&err, "%s has a .forward file, which the runner "
		    "does not yet support", t->name);
		code = EX_TEMPFAIL;
		goto done;
	}
	memset(&m, 0, sizeof(m));
	memset(&o, 0, sizeof(o));
	m.sender = q->sender;
	m.hdrs = q->hdrs;
	m.hdrlen = q->hlen;
	m.bodyfd = q->dffd;
	m.arrival = (time_t)q->ctime;
	o.mail_gid = t->mail_gid;
	if (lseek(q->dffd, 0, SEEK_SET) != 0) {
		buf_printf(&err, "cannot rewind the data file");
		code = EX_TEMPFAIL;
		goto done;
	}
	code = mbox_deliver(t->box, &m, &o, &err);
done:
	(void)file_write_all(out, err.s != NULL ? err.s : "", err.len);
	_exit(code);
}

/* Fork the child, read its line, wait for it. */
static void
run_child(const struct qr_req *q, const struct target *t, int sock,
    struct qr_rep *rep)
{
	char text[QR_TEXTMAX], line[2 * QR_TEXTMAX];
	int p[2], status;
	ssize_t n = 0, r;
	pid_t pid;

	if (pipe(p) < 0 || (pid = fork()) < 0) {
		qr_rep_set(rep, EX_TEMPFAIL, "4.3.0", "Deferred: cannot fork "
		    "the delivery process");
		return;
	}
	if (pid == 0) {
		close(p[0]);
		close(sock);
		child(q, t, p[1]);
	}
	close(p[1]);
	while ((size_t)n < sizeof(text) - 1 &&
	    ((r = read(p[0], text + n, sizeof(text) - 1 - (size_t)n)) > 0 ||
	    (r < 0 && errno == EINTR)))
		n += r > 0 ? r : 0;
	text[n] = '\0';
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == EX_OK)
		qr_rep_set(rep, EX_OK, "2.0.0", "Sent");
	else if (!WIFEXITED(status)) {
		(void)snprintf(line, sizeof(line), "Deferred: the delivery "
		    "process died of signal %d", WTERMSIG(status));
		qr_rep_set(rep, EX_TEMPFAIL, "4.3.0", line);
	} else if (WEXITSTATUS(status) == EX_TEMPFAIL) {
		(void)snprintf(line, sizeof(line), "Deferred: %s", text);
		qr_rep_set(rep, EX_TEMPFAIL, "4.2.0", line);
	} else {
		(void)snprintf(line, sizeof(line), "%s (left queued: bounces "
		    "are not yet supported by the runner)", text);
		qr_rep_set(rep, WEXITSTATUS(status), "5.2.0", line);
	}
}

void
qr_local_deliver(const struct cf *cf, const struct qr_req *q, int sock,
    struct qr_rep *rep)
{
	struct target t;
	struct stat st;

	if (check_rcpt(cf, q->rcpt, &t, rep) < 0)
		return;
	if (q->dffd < 0 || fstat(q->dffd, &st) < 0 || !S_ISREG(st.st_mode)) {
		qr_rep_set(rep, EX_TEMPFAIL, "4.3.0", "Deferred: no usable "
		    "data file came with the request");
		return;
	}
	run_child(q, &t, sock, rep);
}
