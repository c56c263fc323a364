/* passwd.h - is there such a user?  The passwd file first, NSS after.
 *
 * getpwnam() costs a session more than its answer: glibc parses
 * nsswitch.conf, reads /etc/passwd through stdio, and for a name that is
 * not there loads the next module (libnss_systemd, LDAP, ...).  Measured
 * on Debian 12 (doc/ARCHITECTURE.md): 150 KB of a 2 MB session for a user
 * in /etc/passwd, 700 KB for one that is not.  When nsswitch.conf names
 * "files" first for passwd (and no [action] after it), an entry in the
 * passwd file is exactly what getpwnam() returns, so that file is read
 * here, with read(2) and a fixed buffer.  Whatever the file cannot settle
 * (a name not in it while more sources follow, any other nsswitch.conf,
 * an unreadable file) goes to getpwnam() through the caller's function,
 * which may run it in another process (lookup.h).
 */
#ifndef SOCKMAIL_PASSWD_H
#define SOCKMAIL_PASSWD_H

#include <sys/types.h>

/* What nsswitch.conf says about the passwd database. */
enum passwd_order {
	PASSWD_FILES_ONLY,	/* "files": the file is the whole answer */
	PASSWD_FILES_FIRST,	/* "files" then more: a miss asks NSS */
	PASSWD_NSS		/* anything else: NSS answers */
};

/* Other files than /etc/nsswitch.conf and /etc/passwd (tests). */
void	passwd_set_files(const char *nsswitch, const char *passwd);

/* The order for passwd in the nsswitch file (read once, remembered). */
enum passwd_order passwd_order(void);

/* Find name in the passwd file: 1 found (*uid, *gid set if not NULL),
 * 0 not there, -1 cannot tell (unreadable, a line too long to read). */
int	passwd_file_find(const char *name, uid_t *uid, gid_t *gid);

/* Is name a user?  1 yes, 0 no, -1 the lookup failed (try later).  nss
 * is getpwnam() as the caller wants it run: 1 found, 0 not, -1 failed. */
int	passwd_user_exists(const char *name, int (*nss)(const char *name));

/* The name of uid (getpwuid()'s answer) into name: 1 found, 0 no such
 * uid, -1 cannot tell or it does not fit.  The passwd file settles it
 * when nsswitch.conf lists files first, as for names: no NSS module is
 * loaded for a user the file has. */
int	passwd_uid_name(uid_t uid, char *name, size_t len);

/* getpwnam_r() in this process, in the same terms: 1, 0 or -1 (the
 * sources failed, as opposed to "no such user"). */
int	passwd_getpwnam(const char *name);

#endif
