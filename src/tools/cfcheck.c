/* cfcheck.c - sendmail -bC looks at the files sessions use (cfcheck.h). */
#include "cfcheck.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mail/aliases.h"
#include "lib/bdb_dl.h"
#include "lib/buf.h"
#include "mail/cf.h"
#include "lib/file.h"
#include "mail/map.h"
#include "lib/priv.h"
#include "mail/queue.h"

/* The queue: usable, and owned by the user sessions run as. */
static int
check_queue(const struct cf *cf, FILE *out)
{
	struct buf err = BUF_INIT;
	struct stat st;
	uid_t uid;
	gid_t gid;
	int fd, bad = 0;

	if ((fd = queue_open_dir(cf->queue.dir, cf->use_msp, &err)) < 0) {
		fprintf(out, "sendmail: %s\n", buf_str(&err));
		buf_free(&err);
		return 1;
	}
	if (geteuid() == 0 && cf->run_as_user != NULL &&
	    cf->run_as_user[0] != '\0' && fstat(fd, &st) == 0) {
		if (priv_resolve(cf->run_as_user, &uid, &gid, &err) < 0) {
			fprintf(out, "sendmail: %s\n", buf_str(&err));
			bad = 1;
		} else if (st.st_uid != uid) {
			fprintf(out, "sendmail: %s: queue directory is owned by "
			    "uid %lu, but sessions run as %s (uid %lu) and "
			    "cannot write to it; fix: chown %s %s\n",
			    cf->queue.dir, (unsigned long)st.st_uid,
			    cf->run_as_user, (unsigned long)uid,
			    cf->run_as_user, cf->queue.dir);
			bad = 1;
		}
	}
	close(fd);
	buf_free(&err);
	return bad;
}

/* A lookup that -bC makes as a session would. */
typedef int (*look_fn)(const struct cf *, const void *what, struct buf *err);

static int
look_map(const struct cf *cf, const void *what, struct buf *err)
{
	const struct cf_map *k = what;
	struct buf val = BUF_INIT;
	int r;

	r = map_lookup(cf, k->name, "sockmail -bC", &val, err);
	map_close_all();
	buf_free(&val);
	return r;
}

static int
look_aliases(const struct cf *cf, const void *what, struct buf *err)
{
	struct buf val = BUF_INIT;
	int r;

	(void)what;
	r = aliases_lookup(cf->alias_file, "postmaster", &val, err);
	aliases_close();
	buf_free(&val);
	return r;
}

/* Sessions run as RunAsUser (priv_session()): as root, -bC makes the
 * lookup in a child switched to that user, so that it finds what they
 * would (a map they cannot read; one they own is theirs, not unsafe). */
static int
as_session(const struct cf *cf, look_fn look, const void *what,
    struct buf *err)
{
	struct buf ignored = BUF_INIT;
	char b[512];
	ssize_t n;
	uid_t uid;
	gid_t gid;
	pid_t pid;
	int p[2], st;

	if (geteuid() != 0 || cf->run_as_user == NULL ||
	    cf->run_as_user[0] == '\0' ||
	    priv_resolve(cf->run_as_user, &uid, &gid, &ignored) < 0) {
		buf_free(&ignored);	/* check_queue() says so */
		return look(cf, what, err);
	}
	buf_free(&ignored);
	fflush(NULL);
	if (pipe2(p, O_CLOEXEC) == -1)
		pid = -1;
	else if ((pid = fork()) == -1) {
		close(p[0]);
		close(p[1]);
	}
	if (pid == -1) {
		buf_printf(err, "cannot fork to look as %s: %s",
		    cf->run_as_user, strerror(errno));
		return -1;
	}
	if (pid == 0) {
		close(p[0]);
		st = priv_drop_to(cf->run_as_user, err) < 0 ? -1 :
		    look(cf, what, err);
		if (err->len > 0)
			(void)!write(p[1], err->s, err->len);
		_exit(st < 0 ? 1 : 0);
	}
	close(p[1]);
	while ((n = read(p[0], b, sizeof(b))) > 0 ||
	    (n < 0 && errno == EINTR))
		if (n > 0)
			buf_add(err, b, (size_t)n);
	close(p[0]);
	while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
		;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (err->len == 0)
		buf_printf(err, "the lookup as %s failed", cf->run_as_user);
	return -1;
}

/* "root", or the number. */
static void
add_user(struct buf *b, uid_t uid)
{
	struct passwd *pw = getpwuid(uid);

	if (pw != NULL)
		buf_adds(b, pw->pw_name);
	else
		buf_addu(b, uid);
}

static void
add_group(struct buf *b, gid_t gid)
{
	struct group *gr = getgrgid(gid);

	if (gr != NULL)
		buf_adds(b, gr->gr_name);
	else
		buf_addu(b, gid);
}

/* Format, owner, mode and who may write the map file db, into d; its
 * format (MAP_FMT_UNKNOWN, and *missing, if there is no such file). */
static enum map_format
describe(const char *db, struct stat *st, int *missing, struct buf *d)
{
	enum map_format f = MAP_FMT_UNKNOWN;
	int fd;

	*missing = 0;
	memset(st, 0, sizeof(*st));
	fd = open(db, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd == -1 || fstat(fd, st) == -1) {
		*missing = errno == ENOENT;
		buf_printf(d, "%s: %s", db, *missing ? "missing" :
		    strerror(errno));
		if (fd != -1)
			close(fd);
		return f;
	}
	f = S_ISREG(st->st_mode) ? bdb_dl_format(fd) : MAP_FMT_UNKNOWN;
	close(fd);
	buf_printf(d, "%s: %s, owner ", db, bdb_dl_format_name(f));
	add_user(d, st->st_uid);
	buf_addc(d, ':');
	add_group(d, st->st_gid);
	buf_printf(d, ", mode %04o, writable by ",
	    (unsigned)(st->st_mode & 07777));
	if (st->st_mode & S_IWOTH)
		buf_adds(d, "anyone");
	else {
		add_user(d, st->st_uid);
		if (st->st_mode & S_IWGRP) {
			buf_adds(d, " and group ");
			add_group(d, st->st_gid);
		}
	}
	return f;
}

/* Can the sessions' user read st (their only group is their own)?  If
 * not, 0 and the fix for db added to d. */
static int
session_reads(const struct cf *cf, const struct stat *st, const char *db,
    struct buf *d)
{
	struct buf ignored = BUF_INIT;
	uid_t uid;
	gid_t gid;
	int r;

	if (geteuid() != 0 || cf->run_as_user == NULL ||
	    cf->run_as_user[0] == '\0' ||
	    priv_resolve(cf->run_as_user, &uid, &gid, &ignored) < 0)
		r = 1;	/* as who runs -bC, or said elsewhere */
	else if (st->st_uid == uid)
		r = (st->st_mode & S_IRUSR) != 0;
	else if (st->st_gid == gid)
		r = (st->st_mode & S_IRGRP) != 0;
	else
		r = (st->st_mode & S_IROTH) != 0;
	if (!r) {
		buf_printf(d, "; sessions run as %s and cannot read it; fix: "
		    "chgrp ", cf->run_as_user);
		add_group(d, gid);
		buf_printf(d, " %s; chmod g+r,g-w %s", db, db);
	}
	buf_free(&ignored);
	return r;
}
/* What -bC says of one map file db (label: "map NAME: " or ""), after
 * the lookup look() made as a session: nothing if it is sockmail's GDBM
 * and usable (or optional and missing); one line if it is sendmail's
 * Berkeley DB; if unusable, the lookup's error and a line with the
 * file's format, owner and mode and the fix (rebuild: the command).
 * Returns 1 for a problem. */
static int
report(const struct cf *cf, const char *label, const char *db, int r,
    const struct buf *err, const char *rebuild, FILE *out)
{
	struct buf d = BUF_INIT;
	enum map_format f;
	struct stat st;
	int missing;

	f = describe(db, &st, &missing, &d);
	if (r >= 0 && (missing || f == MAP_FMT_GDBM)) {
		buf_free(&d);
		return 0;
	}
	if (r >= 0) {
		fprintf(out, "sendmail: %s%s; read with %s\n", label, d.s,
		    BDB_SONAME);
		buf_free(&d);
		return 0;
	}
	fprintf(out, "sendmail: %s%s\n", label, buf_str(err));
	if (st.st_mode != 0 && !session_reads(cf, &st, db, &d))
		;
	else if (strstr(buf_str(err), "fix:") == NULL)
		buf_printf(&d, "; fix: %s", rebuild);
	fprintf(out, "sendmail: %s%s\n", label, d.s);
	buf_free(&d);
	return 1;
}

/* Every K map kept in a file: it opens (safe, not damaged), or is
 * optional (-o) and absent. */
static int
check_maps(const struct cf *cf, FILE *out)
{
	static const char *const file_classes[] = {
		"hash", "btree", "dbm", "gdbm", NULL
	};
	struct buf err = BUF_INIT, db = BUF_INIT, fix = BUF_INIT;
	struct buf label = BUF_INIT;
	size_t i, j;
	int bad = 0, r;

	for (i = 0; i < cf->nmaps; i++) {
		const struct cf_map *k = &cf->maps[i];

		for (j = 0; file_classes[j] != NULL &&
		    strcasecmp(k->mclass, file_classes[j]) != 0; j++)
			;
		if (file_classes[j] == NULL || k->file == NULL)
			continue;
		buf_reset(&err);
		buf_reset(&db);
		buf_reset(&fix);
		buf_reset(&label);
		r = as_session(cf, look_map, k, &err);
		buf_printf(&db, "%s.db", k->file);
		buf_printf(&fix, "makemap %s %s < %s", k->mclass, k->file,
		    k->file);
		buf_printf(&label, "map %s: ", k->name);
		bad += report(cf, label.s, db.s, r, &err, fix.s, out);
	}
	buf_free(&err);
	buf_free(&db);
	buf_free(&fix);
	buf_free(&label);
	return bad;
}

/* The aliases map: there and readable if the text is, and not older. */
static int
check_aliases(const struct cf *cf, FILE *out)
{
	struct buf db = BUF_INIT, err = BUF_INIT;
	struct stat ts, ds;
	int bad = 0, r;

	if (cf->alias_file == NULL || cf->alias_file[0] == '\0' ||
	    stat(cf->alias_file, &ts) < 0)
		return 0;	/* no aliases: sessions look up none */
	buf_printf(&db, "%s.db", cf->alias_file);
	if (stat(db.s, &ds) < 0) {
		fprintf(out, "sendmail: %s: %s (sessions answer 451 for local "
		    "recipients); fix: newaliases\n", db.s, strerror(errno));
		bad = 1;
	} else {
		r = as_session(cf, look_aliases, NULL, &err);
		if ((bad = report(cf, "", db.s, r, &err, "newaliases",
		    out)) == 0 && (ts.st_mtim.tv_sec > ds.st_mtim.tv_sec ||
		    (ts.st_mtim.tv_sec == ds.st_mtim.tv_sec &&
		    ts.st_mtim.tv_nsec > ds.st_mtim.tv_nsec)))
			fprintf(out, "sendmail: warning: %s is older than %s; "
			    "fix: newaliases\n", db.s, cf->alias_file);
	}
	buf_free(&db);
	buf_free(&err);
	return bad;
}

int
cfcheck_files(const struct cf *cf, FILE *out)
{
	return check_queue(cf, out) + check_maps(cf, out) +
	    check_aliases(cf, out);
}

/* --- what -bC says sockmail will not do -------------------------------- */

#define FOR_SENDING	"it is for sending, and sockmail's SMTP client is " \
			"not built yet"

/* Rulesets an administrator writes or relies on, and what sockmail does
 * in their place (doc/sendmail.8, ACCESS MAP). */
static const struct {
	const char	*name;
	const char	*instead;
} notable[] = {
	{ "check_relay", "sockmail looks up Connect: in the access map "
	    "itself, at the first MAIL" },
	{ "check_mail", "sockmail looks up From: in the access map itself" },
	{ "check_rcpt", "sockmail looks up To: in the access map and decides "
	    "relaying itself (class R, RELAY entries, AUTH, CERTISSUER:)" },
	{ "check_compat", "nothing is checked between sender and recipient" },
	{ "check_data", "nothing is checked at DATA" },
	{ "check_eoh", "nothing is checked after the header" },
	{ "check_eom", "nothing is checked at the end of a message" },
	{ "check_etrn", "ETRN is not implemented (502)" },
	{ "check_expn", "PrivacyOptions (noexpn, goaway) decide EXPN" },
	{ "check_vrfy", "PrivacyOptions (novrfy, goaway) decide VRFY" },
	{ "trust_auth", "the AUTH= of MAIL is kept only if it names the "
	    "authenticated user or is <>" },
	{ "srv_features", "every client is offered the same extensions "
	    "(DaemonPortOptions M= and AuthOptions decide)" },
	{ "tls_client", "no client is required to use TLS; a verified "
	    "certificate may relay by CERTISSUER: or CERTSUBJECT:" },
	{ "clt_features", FOR_SENDING },
	{ "try_tls", FOR_SENDING },
	{ "tls_server", FOR_SENDING },
	{ "tls_rcpt", FOR_SENDING },
	{ "authinfo", FOR_SENDING },
};

/* FEATUREs recognised by a ruleset that m4 writes for them only. */
enum { F_GREET, F_RATE, F_CONN, F_DELAY };
static const struct {
	const char	*ruleset;
	const char	*feature;
} features[] = {
	{ "greet_pause", "greet_pause" },
	{ "RateControl", "ratecontrol" },
	{ "ConnControl", "conncontrol" },
	{ "checkmail", "delay_checks" },	/* check_mail, renamed */
};

/* Access map tags sendmail's rulesets look up and sockmail does not
 * (it honours Connect:, From:, To:, CERTISSUER:, CERTSUBJECT:). */
static const struct {
	const char	*tag;
	const char	*instead;
} ignored_tags[] = {
	{ "GreetPause", "sockmail's GreetPause option sets one pause for "
	    "all clients" },
	{ "ClientRate", "ConnectionRateThrottle limits the connections per "
	    "second on each listening socket, of all clients together" },
	{ "ClientConn", "MaxDaemonChildren limits the sessions of all "
	    "clients together" },
	{ "Spam", "FRIEND and HATER (delay_checks) are not honoured" },
	{ "Srv_Features", "every client is offered the same extensions" },
	{ "TLS_Clt", "no client is required to use TLS" },
	{ "Compat", "nothing is checked between sender and recipient" },
	{ "QGRP", "queue groups are not supported" },
	{ "Clt_Features", FOR_SENDING },
	{ "Try_TLS", FOR_SENDING },
	{ "TLS_Srv", FOR_SENDING },
	{ "TLS_Rcpt", FOR_SENDING },
	{ "AuthInfo", FOR_SENDING },
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* The R lines of ruleset name (all its S lines); -1 if it is not there. */
static int
rules_of(const struct cf *cf, const char *name)
{
	size_t i;
	int n = -1;

	for (i = 0; i < cf->nrulesets; i++)
		if (strcmp(cf->rulesets[i].name, name) == 0)
			n = (n < 0 ? 0 : n) + cf->rulesets[i].rules;
	return n;
}

/* Did ruleset i's name come before (a second S line for it)? */
static int
repeat(const struct cf *cf, size_t i)
{
	size_t j;

	for (j = 0; j < i; j++)
		if (strcmp(cf->rulesets[j].name, cf->rulesets[i].name) == 0)
			return 1;
	return 0;
}

/* Does a line of its own name this ruleset? */
static int
named(const char *name)
{
	size_t j;

	if (strncmp(name, "Local_", 6) == 0)
		return 1;
	for (j = 0; j < NELEM(notable); j++)
		if (strcmp(name, notable[j].name) == 0)
			return 1;
	for (j = 0; j < NELEM(features); j++)
		if (strcmp(name, features[j].ruleset) == 0)
			return 1;
	return 0;
}

/* "(no rules)", "(1 rule)", "(N rules)" */
static const char *
rules_text(int n, char *b, size_t size)
{
	if (n == 0)
		return "no rules";
	snprintf(b, size, "%d rule%s", n, n == 1 ? "" : "s");
	return b;
}

static void
feature_line(const struct cf *cf, int f, FILE *out)
{
	fprintf(out, "sendmail: %s: FEATURE(%s) has no effect (its ruleset "
	    "%s is not run); ", cf->path, features[f].feature,
	    features[f].ruleset);
	switch (f) {
	case F_GREET:
		fprintf(out, "sockmail's GreetPause option (now %d ms) sets "
		    "one pause for all clients\n", cf->lim.greet_pause_ms);
		break;
	case F_RATE:
		fprintf(out, "ConnectionRateThrottle (now %d%s) limits the "
		    "connections per second on each listening socket, of all "
		    "clients together\n", cf->lim.conn_rate_throttle,
		    cf->lim.conn_rate_throttle == 0 ? ", no limit" : "");
		break;
	case F_CONN:
		fprintf(out, "MaxDaemonChildren (now %d%s) limits the "
		    "sessions of all clients together\n",
		    cf->lim.max_daemon_children,
		    cf->lim.max_daemon_children == 0 ? ", no limit" : "");
		break;
	default:
		fprintf(out, "sockmail refuses by Connect: and From: entries "
		    "at MAIL, not after RCPT, and Spam: entries have no "
		    "effect\n");
	}
}

/* One line per ruleset that matters to an administrator, per FEATURE
 * recognised, and one for the rest. */
static void
rulesets_lines(const struct cf *cf, FILE *out)
{
	size_t i, others = cf->nrulesets_lost;
	const char *name;
	char b[32];
	int n;

	for (i = 0; i < NELEM(notable); i++)
		if ((n = rules_of(cf, notable[i].name)) >= 0)
			fprintf(out, "sendmail: %s: ruleset %s is not run (%s); "
			    "%s\n", cf->path, notable[i].name,
			    rules_text(n, b, sizeof(b)), notable[i].instead);
	/* Local_*: where an administrator adds rules of his own. */
	for (i = 0; i < cf->nrulesets; i++) {
		name = cf->rulesets[i].name;
		if (repeat(cf, i) || strncmp(name, "Local_", 6) != 0)
			continue;
		n = rules_of(cf, name);
		fprintf(out, "sendmail: %s: ruleset %s is not run (%s); %s\n",
		    cf->path, name, rules_text(n, b, sizeof(b)), n == 0 ?
		    "rules added to it would have no effect" :
		    "its rules have no effect");
	}
	for (i = 0; i < NELEM(features); i++)
		if (rules_of(cf, features[i].ruleset) >= 0)
			feature_line(cf, (int)i, out);
	for (i = 0; i < cf->nrulesets; i++)
		others += !repeat(cf, i) && !named(cf->rulesets[i].name);
	if (others > 0)
		fprintf(out, "sendmail: %s: %zu other rulesets are not run "
		    "(address rewriting, and the helpers of those above); "
		    "sockmail does not rewrite addresses\n", cf->path, others);
}

/* The tag of an access map key ("GreetPause" of "GreetPause:192.0.2"),
 * as an index of ignored_tags, or -1. */
static int
ignored_tag(const char *key, size_t n)
{
	size_t i, t;

	for (t = 0; t < n && (isalpha((unsigned char)key[t]) ||
	    key[t] == '_'); t++)
		;
	if (t == 0 || t == n || key[t] != ':')
		return -1;
	for (i = 0; i < NELEM(ignored_tags); i++)
		if (strlen(ignored_tags[i].tag) == t &&
		    strncasecmp(key, ignored_tags[i].tag, t) == 0)
			return (int)i;
	return -1;
}

/* The access map's keys that sockmail ignores, counted in its text when
 * the text sits beside the map (makemap's input, /etc/mail/access): the
 * map itself can only be looked up, not listed.  No text, no lines. */
static void
access_lines(const struct cf *cf, FILE *out)
{
	const struct cf_map *k = cf_map(cf, "access");
	struct buf text = BUF_INIT;
	size_t count[NELEM(ignored_tags)], i, n;
	struct stat st;
	char *s, *e;
	int t;

	if (k == NULL || k->file == NULL || file_read(k->file, MAP_TEXT_MAX,
	    FILE_REG, &text, &st, NULL) != 0)
		return;
	memset(count, 0, sizeof(count));
	for (s = text.s; *s != '\0'; s = *e != '\0' ? e + 1 : e) {
		e = s + strcspn(s, "\n");
		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		n = strcspn(s, " \t\r\n");
		if (*s != '#' && (t = ignored_tag(s, n)) >= 0)
			count[t]++;
	}
	for (i = 0; i < NELEM(ignored_tags); i++)
		if (count[i] > 0)
			fprintf(out, "sendmail: %s: %s: in the access map has no "
			    "effect (%zu %s); %s\n", k->file,
			    ignored_tags[i].tag, count[i], count[i] == 1 ?
			    "entry" : "entries", ignored_tags[i].instead);
	buf_free(&text);
}

void
cfcheck_skipped(const struct cf *cf, FILE *out)
{
	rulesets_lines(cf, out);
	access_lines(cf, out);
}
