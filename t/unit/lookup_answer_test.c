/* lookup_answer_test.c - the session takes from its lookup helper only
 * what it would take from its own lookups (issue 15, item 9): a client
 * host name that is a host name, a status in range, a user lookup of 1,
 * 0 or -1.  The real helper (lookup.c, a forked process on a socket
 * pair) is driven with a lookup function that answers garbage; nothing
 * in a production session can make it do so. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/lookup.h"
#include "lib/passwd.h"
#include "mail/cf.h"
#include "mail/policy.h"
#include "smtpd/smtpd_int.h"
#include "tap.h"

static char dir[] = "/tmp/lookup_answer_test.XXXXXX";

/* What the helper answers.  It is a copy of this process from its
 * first lookup on, so the answer comes from the question: a user name
 * "stN" is answered N; an address 192.0.2.N gets case N of rdns[]. */
static const struct {
	int		 status;
	const char	*name;
	size_t		 len;
} rdns[] = {
	{ RDNS_OK, "mx.example", 10 },
	{ RDNS_OK, "a b\r\nX-Evil: 1", 14 },
	{ RDNS_FORGED, "mx.example\0evil", 15 },
	{ 9, "mx.example", 10 },
	{ RDNS_UNKNOWN, "", 0 },
};

static int
fake(void *arg, int op, const char *a, const char *b, struct buf *out,
    struct buf *err)
{
	size_t i;

	(void)arg;
	(void)b;
	(void)err;
	if (op == LOOKUP_USER)
		return atoi(a + 2);
	i = (size_t)atoi(a + strlen("192.0.2."));
	if (i >= sizeof(rdns) / sizeof(rdns[0]))
		return -1;
	buf_add(out, rdns[i].name, rdns[i].len);
	return rdns[i].status;
}

static void
put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL || fputs(text, f) == EOF || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

/* The pure check: status and name as the helper gave them. */
static void
test_answer(void)
{
	char name[256];
	static const char nul[] = "mx.example\0.evil.example";

	is_int(smtpd_rdns_answer(RDNS_OK, "mx.example", 10, name,
	    sizeof(name)), RDNS_OK, "a host name with OK is taken");
	is_str(name, "mx.example", "... with its name");
	is_int(smtpd_rdns_answer(RDNS_FORGED, "mx.example", 10, name,
	    sizeof(name)), RDNS_FORGED, "FORGED with a host name is taken");
	is_int(smtpd_rdns_answer(RDNS_OK, "a b\r\nX-Evil: 1", 14, name,
	    sizeof(name)), RDNS_FAIL, "OK with no host name is FAIL");
	is_str(name, "", "... and no name");
	is_int(smtpd_rdns_answer(RDNS_OK, nul, sizeof(nul) - 1, name,
	    sizeof(name)), RDNS_FAIL, "a name with a NUL inside is FAIL");
	is_int(smtpd_rdns_answer(RDNS_OK, "192.0.2.1", 9, name,
	    sizeof(name)), RDNS_FAIL, "an address as a name is FAIL");
	is_int(smtpd_rdns_answer(RDNS_OK, "mx.example", 10, name, 10),
	    RDNS_FAIL, "a name that does not fit is FAIL");
	is_int(smtpd_rdns_answer(RDNS_FAIL, "mx.example", 10, name,
	    sizeof(name)), RDNS_FAIL, "FAIL stays FAIL");
	is_str(name, "", "... without the name it came with");
	is_int(smtpd_rdns_answer(RDNS_TEMP, "", 0, name, sizeof(name)),
	    RDNS_TEMP, "TEMP stays TEMP");
	is_int(smtpd_rdns_answer(RDNS_UNKNOWN, "mx.example", 10, name,
	    sizeof(name)), RDNS_TEMP, "UNKNOWN is no answer: TEMP");
	is_int(smtpd_rdns_answer(42, "mx.example", 10, name, sizeof(name)),
	    RDNS_TEMP, "a status outside the enum is TEMP");
	is_str(name, "", "... without a name");
	is_int(smtpd_rdns_answer(-7, "", 0, name, sizeof(name)), RDNS_TEMP,
	    "a negative status is TEMP");
}

/* One client lookup of a session through the helper: case i. */
static void
client(struct cf *cf, int i, enum rdns want, const char *want_name,
    const char *what)
{
	struct session s;

	memset(&s, 0, sizeof(s));
	s.cf = cf;
	s.peer.network = 1;
	snprintf(s.peer.ip, sizeof(s.peer.ip), "192.0.2.%d", i);
	smtpd_client_lookup(&s);
	is_int(s.resolve, want, "client name, %s: ${client_resolve}", what);
	is_str(s.client_name, want_name, "client name, %s: the name", what);
	ok(strchr(s.relay, '\n') == NULL && strchr(s.relay, '\r') == NULL,
	    "client name, %s: no line end in the relay \"%s\"", what,
	    vis(s.relay));
}

int
main(void)
{
	struct cf cf;
	struct buf why = BUF_INIT;
	char nss[80], pw[80];

	test_answer();

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	/* A user not in the passwd file goes to NSS, which is the
	 * helper; the aliases are none (nothing of the host is read). */
	snprintf(nss, sizeof(nss), "%s/nsswitch.conf", dir);
	snprintf(pw, sizeof(pw), "%s/passwd", dir);
	put(nss, "passwd: files ldap\n");
	put(pw, "root:x:0:0:root:/root:/bin/sh\n");
	passwd_set_files(nss, pw);
	cf_defaults(&cf);
	free(cf.alias_file);
	cf.alias_file = NULL;
	lookup_isolate(fake, NULL, -1, -1, 5000);

	is_int(policy_local_user(&cf, "st7", &why), -1,
	    "user lookup: the helper's 7 is a temporary failure, no user");
	is_int(policy_local_user(&cf, "st-5", &why), -1,
	    "user lookup: -5 is a temporary failure too");
	is_int(policy_local_user(&cf, "st1", &why), 1,
	    "user lookup: 1 is a user");
	is_int(policy_local_user(&cf, "st0", &why), 0,
	    "user lookup: 0 is no user");
	ok(lookup_helper_pid() > 0 && lookup_helper_pid() != getpid(),
	    "the answers came from a helper process");

	client(&cf, 0, RDNS_OK, "mx.example", "a good name");
	client(&cf, 1, RDNS_FAIL, "", "OK with a header in the name");
	client(&cf, 2, RDNS_FAIL, "", "FORGED with a NUL in the name");
	client(&cf, 3, RDNS_TEMP, "", "status 9");
	client(&cf, 4, RDNS_TEMP, "", "status UNKNOWN");

	lookup_end();
	buf_free(&why);
	cf_free(&cf);
	unlink(nss);
	unlink(pw);
	rmdir(dir);
	return done_testing();
}
