/* priv.c - dropping privileges, checked and verified. */
#include "priv.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "buf.h"
#include "passwd.h"

static int
parse_id(const char *s, unsigned long *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*out = strtoul(s, &end, 10);
	return (errno != 0 || *end != '\0') ? -1 : 0;
}

int
priv_resolve(const char *spec, uid_t *uid, gid_t *gid, struct buf *err)
{
	char user[256], *colon;
	struct passwd *pw, from_file;
	struct group *gr;
	unsigned long n;
	gid_t pw_gid;

	if (strlen(spec) >= sizeof(user)) {
		buf_printf(err, "RunAsUser %s: too long", spec);
		return -1;
	}
	strcpy(user, spec);
	if ((colon = strchr(user, ':')) != NULL)
		*colon++ = '\0';
	if (parse_id(user, &n) == 0) {
		*uid = (uid_t)n;
		pw = getpwuid(*uid);
	} else if (passwd_order() != PASSWD_NSS &&
	    passwd_file_find(user, uid, &pw_gid) == 1) {
		/* The passwd file settles it without NSS (passwd.h). */
		pw = &from_file;
		from_file.pw_uid = *uid;
		from_file.pw_gid = pw_gid;
	} else if ((pw = getpwnam(user)) != NULL)
		*uid = pw->pw_uid;
	else {
		buf_printf(err, "RunAsUser %s: unknown user", user);
		return -1;
	}
	if (colon == NULL || *colon == '\0') {
		if (pw == NULL) {
			buf_printf(err, "RunAsUser %s: uid without a passwd "
			    "entry needs an explicit :group", spec);
			return -1;
		}
		*gid = pw->pw_gid;
	} else if (parse_id(colon, &n) == 0)
		*gid = (gid_t)n;
	else if ((gr = getgrnam(colon)) != NULL)
		*gid = gr->gr_gid;
	else {
		buf_printf(err, "RunAsUser %s: unknown group %s", spec, colon);
		return -1;
	}
	if (*uid == 0) {
		buf_printf(err, "RunAsUser %s: is root", spec);
		return -1;
	}
	return 0;
}

int
priv_drop_to(const char *spec, struct buf *err)
{
	uid_t uid, ru, eu, su;
	gid_t gid, rg, eg, sg;

	if (priv_resolve(spec, &uid, &gid, err) < 0)
		return -1;
	if (setgroups(1, &gid) < 0 || setresgid(gid, gid, gid) < 0 ||
	    setresuid(uid, uid, uid) < 0) {
		buf_printf(err, "cannot switch to %s: %s", spec,
		    strerror(errno));
		return -1;
	}
	if (getresuid(&ru, &eu, &su) < 0 || getresgid(&rg, &eg, &sg) < 0 ||
	    ru != uid || eu != uid || su != uid ||
	    rg != gid || eg != gid || sg != gid) {
		buf_printf(err, "switch to %s did not take effect", spec);
		return -1;
	}
	if (setuid(0) == 0 || setgid(0) == 0) {
		buf_printf(err, "root regained after switching to %s", spec);
		return -1;
	}
	return 0;
}

/* A session comes to hold secrets: the TLS key once STARTTLS has read
 * it, AUTH passwords.  Every session runs as the same user, so without
 * this one taken over by a client could ptrace() another and read them;
 * not dumpable, it cannot (and leaves no core with them either).  And
 * nothing it might execute could gain privileges. */
static void
harden(void)
{
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	(void)prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
}

int
priv_session(const char *run_as, int allow_root, struct buf *err)
{
	int r = 0;

	if (geteuid() != 0)
		;		/* started as the user it runs as */
	else if (run_as != NULL && run_as[0] != '\0')
		r = priv_drop_to(run_as, err);
	else if (!allow_root) {
		buf_printf(err, "refusing to run an SMTP session as root: set "
		    "O RunAsUser=smmta (or O SessionAsRoot=True to allow it)");
		r = -1;
	}
	if (r == 0)
		harden();
	return r;
}
