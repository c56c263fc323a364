/* passwd_test.c - which nsswitch.conf lines let the passwd file answer,
 * and which passwd lines count as entries (as glibc's files module reads
 * them). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/passwd.h"
#include "tap.h"

static char dir[] = "/tmp/passwd_test.XXXXXX";
static char nss_path[64], pw_path[64];
static int nss_calls;
static int nss_answer;

static void
put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL || fputs(text, f) == EOF || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

static enum passwd_order
order_for(const char *nsswitch)
{
	put(nss_path, nsswitch);
	passwd_set_files(nss_path, pw_path);
	return passwd_order();
}

static int
fake_nss(const char *name)
{
	(void)name;
	nss_calls++;
	return nss_answer;
}

int
main(void)
{
	static const struct {
		const char *conf;
		enum passwd_order want;
	} orders[] = {
		{ "passwd: files\n", PASSWD_FILES_ONLY },
		{ "passwd:files", PASSWD_FILES_ONLY },
		{ "  passwd :\tfiles   # the file only\n", PASSWD_FILES_ONLY },
		{ "passwd: files systemd\n", PASSWD_FILES_FIRST },
		{ "passwd: files ldap [NOTFOUND=return]\n", PASSWD_FILES_FIRST },
		{ "passwd: files [NOTFOUND=return] ldap\n", PASSWD_NSS },
		{ "passwd: files[SUCCESS=continue] ldap\n", PASSWD_NSS },
		{ "passwd: compat\n", PASSWD_NSS },
		{ "passwd: sss files\n", PASSWD_NSS },
		{ "passwd: filesx\n", PASSWD_NSS },
		{ "passwd:\n", PASSWD_NSS },
		{ "group: files\nhosts: files dns\n", PASSWD_NSS },
		{ "passwdx: files\n", PASSWD_NSS },
		{ "# passwd: files\n", PASSWD_NSS },
		{ "shadow: files\npasswd: files systemd\ngroup: files\n",
		    PASSWD_FILES_FIRST },
	};
	uid_t uid = 0;
	gid_t gid = 0;
	size_t i;
	char big[6000];

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(nss_path, sizeof(nss_path), "%s/nsswitch.conf", dir);
	snprintf(pw_path, sizeof(pw_path), "%s/passwd", dir);

	for (i = 0; i < sizeof(orders) / sizeof(orders[0]); i++)
		is_int(order_for(orders[i].conf), orders[i].want,
		    "nsswitch.conf \"%s\"", vis(orders[i].conf));
	unlink(nss_path);
	passwd_set_files(nss_path, pw_path);
	is_int(passwd_order(), PASSWD_NSS, "no nsswitch.conf: NSS decides");

	put(pw_path,
	    "root:x:0:0:root:/root:/bin/bash\n"
	    "  # a comment: not an entry\n"
	    "#ghost:x:5:5::/:/bin/sh\n"
	    "\n"
	    "   spaced:x:1001:1002:lead blanks:/home/s:/bin/sh\n"
	    "short:x:1003:1003\n"
	    "baduid:x:abc:1:x:/:/bin/sh\n"
	    "badgid:x:7:-1:x:/:/bin/sh\n"
	    "rootx:x:8:8::/:/bin/sh\n"
	    "john:x:1000:100:John:/home/john:/bin/sh\n"
	    "last:x:1004:1005::/home/last:/bin/sh");
	ok(passwd_file_find("root", &uid, &gid) == 1 && uid == 0 && gid == 0,
	    "root is found, uid 0 gid 0");
	ok(passwd_file_find("john", &uid, &gid) == 1 && uid == 1000 &&
	    gid == 100, "john: uid 1000 gid 100");
	ok(passwd_file_find("spaced", &uid, &gid) == 1 && uid == 1001 &&
	    gid == 1002, "leading blanks are skipped, as glibc does");
	ok(passwd_file_find("last", &uid, &gid) == 1 && uid == 1004,
	    "a last line without a newline counts");
	is_int(passwd_file_find("ghost", NULL, NULL), 0, "commented out");
	is_int(passwd_file_find("short", NULL, NULL), 0,
	    "a line with too few fields is no entry");
	is_int(passwd_file_find("baduid", NULL, NULL), 0, "non-numeric uid");
	is_int(passwd_file_find("badgid", NULL, NULL), 0, "non-numeric gid");
	is_int(passwd_file_find("roo", NULL, NULL), 0, "a prefix is no match");
	ok(passwd_file_find("rootx", &uid, NULL) == 1 && uid == 8,
	    "rootx is not root");
	is_int(passwd_file_find("Root", NULL, NULL), 0, "names are exact");
	is_int(passwd_file_find("", NULL, NULL), 0, "the empty name");
	is_int(passwd_file_find("root:x", NULL, NULL), 0, "a name with ':'");
	is_int(passwd_file_find("nobody", NULL, NULL), 0, "absent");

	/* By uid (the local user of a -bs session), from the file alone. */
	{
		char name[64];

		is_int(order_for("passwd: files\n"), PASSWD_FILES_ONLY,
		    "files only, for the uid lookups");
		ok(passwd_uid_name(1000, name, sizeof(name)) == 1 &&
		    strcmp(name, "john") == 0, "uid 1000 is john");
		ok(passwd_uid_name(1001, name, sizeof(name)) == 1 &&
		    strcmp(name, "spaced") == 0, "uid 1001, leading blanks");
		ok(passwd_uid_name(0, name, sizeof(name)) == 1 &&
		    strcmp(name, "root") == 0, "uid 0: the first entry, root");
		is_int(passwd_uid_name(5, name, sizeof(name)), 0,
		    "a commented-out uid is no entry");
		is_int(passwd_uid_name(1003, name, sizeof(name)), 0,
		    "nor one on a short line");
		is_int(passwd_uid_name(4242, name, sizeof(name)), 0,
		    "an absent uid, with files only: 0");
		is_int(passwd_uid_name(1000, name, 4), 0,
		    "a name that does not fit is not taken");
		passwd_set_files(nss_path, pw_path);
	}

	/* Lines longer than the reader's buffer: it cannot tell. */
	memset(big, 'g', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	{
		char *text = malloc(sizeof(big) + 200);

		snprintf(text, sizeof(big) + 200,
		    "long:x:1:1:%s:/:/bin/sh\nafter:x:2:2::/:/bin/sh\n", big);
		put(pw_path, text);
		free(text);
	}
	is_int(passwd_file_find("after", NULL, NULL), -1,
	    "after a 6 KB line: -1, NSS must decide");
	/* Many entries: the buffer refills across reads. */
	{
		FILE *f = fopen(pw_path, "w");

		for (i = 0; i < 3000; i++)
			fprintf(f, "user%zu:x:%zu:100::/home/u:/bin/sh\n",
			    i, 2000 + i);
		fclose(f);
	}
	ok(passwd_file_find("user2999", &uid, NULL) == 1 && uid == 4999,
	    "the 3000th of 3000 entries (about 100 KB)");
	ok(passwd_file_find("user1234", &uid, NULL) == 1 && uid == 3234,
	    "one in the middle");
	is_int(passwd_file_find("user3000", NULL, NULL), 0, "one past them");
	unlink(pw_path);
	is_int(passwd_file_find("root", NULL, NULL), -1, "no passwd file: -1");

	/* The decision: the file first, NSS where it cannot settle it. */
	put(pw_path, "root:x:0:0:root:/root:/bin/bash\n");
	order_for("passwd: files\n");
	nss_calls = 0;
	nss_answer = 1;
	ok(passwd_user_exists("root", fake_nss) == 1 && nss_calls == 0,
	    "files only: root from the file, NSS not asked");
	ok(passwd_user_exists("nobody", fake_nss) == 0 && nss_calls == 0,
	    "files only: absent from the file is no user, NSS not asked");
	order_for("passwd: files systemd\n");
	ok(passwd_user_exists("root", fake_nss) == 1 && nss_calls == 0,
	    "files then more: root from the file");
	ok(passwd_user_exists("dynamic", fake_nss) == 1 && nss_calls == 1,
	    "files then more: a name not in the file goes to NSS");
	nss_answer = -1;
	ok(passwd_user_exists("dynamic", fake_nss) == -1 && nss_calls == 2,
	    "... and its failure is a failure, not 'no such user'");
	nss_answer = 0;
	order_for("passwd: sss files\n");
	ok(passwd_user_exists("root", fake_nss) == 0 && nss_calls == 3,
	    "another source first: NSS answers even for root");
	order_for("passwd: files\n");
	unlink(pw_path);
	nss_answer = 1;
	ok(passwd_user_exists("root", fake_nss) == 1 && nss_calls == 4,
	    "an unreadable passwd file: NSS answers");

	/* The real thing, for the record: root exists here. */
	passwd_set_files("/etc/nsswitch.conf", "/etc/passwd");
	is_int(passwd_getpwnam("root"), 1, "getpwnam_r: root exists");
	is_int(passwd_user_exists("root", passwd_getpwnam), 1,
	    "root exists whatever this machine's nsswitch.conf says");
	is_int(passwd_getpwnam("no-such-user-sockmail-test"), 0,
	    "getpwnam_r: an absent user is 0, not a failure");

	rmdir(dir);
	return done_testing();
}
