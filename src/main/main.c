/* main.c - sendmail's command line: pick the role, the config, and go.
 *
 * One binary, many roles (doc/DESIGN.md 1): the role follows argv[0] and the
 * flags.  The order at the top of main() is fixed: make fds 0-2 safe,
 * scrub what a set-group-ID caller could smuggle in, parse flags, read the
 * configuration, then run the mode.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sysexits.h>
#include <unistd.h>

#include "mail/aliases.h"
#include "lib/buf.h"
#include "mail/cf.h"
#include "tools/cfcheck.h"
#include "daemon.h"
#include "lib/log.h"
#include "lib/priv.h"
#include "tools/mailq.h"
#include "tools/makemap.h"
#include "qrun/qrun.h"
#include "smtpd/smtpd.h"
#include "lib/title.h"

#define MAX_OVERRIDES	64

struct opts {
	char		 mode;		/* the X of -bX */
	char		 cfsel;		/* 'c' or 'm' from -A, or 0 */
	int		 foreground;	/* -bD */
	const char	*cfpath;	/* -C */
	const char	*tag;		/* -L */
	const char	*over[MAX_OVERRIDES];	/* -O / -o, in order */
	char		 over_short[MAX_OVERRIDES];
	int		 nover;
	int		 unsafe;	/* -C or an option a caller may not set */
	int		 show_version;	/* -d0 or -d0.N */
	const char	*qflag;		/* -q as given ("-q", "-q10m"), or NULL */
};

#ifndef SOCKMAIL_VERSION
#define SOCKMAIL_VERSION "0.1"
#endif

static const char usage_text[] =
    "usage: sendmail [-Ac|-Am] [-bs|-bd|-bD|-bi|-bp|-bC|-bV] [-C file] "
    "[-q] [-L tag] [-O option=value] [-oXvalue]\n";

static void
usage(const char *why)
{
	fprintf(stderr, "sendmail: %s\n%s", why, usage_text);
	exit(EX_USAGE);
}

/* --help: what each mode does, on stdout, and success. */
static void __attribute__((noreturn))
help(void)
{
	printf("%s"
	    "  -bs        one SMTP session on stdin/stdout (inetd, -Am -bs)\n"
	    "  -bd, -bD   the listener (in the background; -bD in the "
	    "foreground)\n"
	    "  -bi        rebuild the aliases map (newaliases)\n"
	    "  -bp        list the queue (mailq)\n"
	    "  -bC        check the configuration and the files it names\n"
	    "  -q         one queue run (as root): deliver to local users\n"
	    "  -bV, --version  print the version\n"
	    "  -Ac, -Am   use submit.cf / sendmail.cf; -C file: another one\n"
	    "  -L tag     the syslog tag\n"
	    "  -O name=value, -oXvalue  set an option\n"
	    "See sendmail(8).\n", usage_text);
	exit(EX_OK);
}

/* -bV, --version, and -d0.N before the mode, as sendmail's -d0.1 does:
 * "Version" first, so that scripts reading sendmail's line read ours. */
static void
version(FILE *f)
{
	fprintf(f, "Version sockmail %s (the sendmail 8.17 interface)\n"
	    " Compiled with: STARTTLS SASLv2 GDBM BERKELEYDB-READ "
	    "SOCKETACTIVATION\n", SOCKMAIL_VERSION);
}

/* fds 0, 1 and 2 must be open, or a file we open could become one. */
static void
sane_fds(void)
{
	int fd;

	for (fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) < 0 &&
		    open("/dev/null", O_RDWR) != fd)
			_exit(EX_OSERR);
}

/* Running set-group-ID: trust nothing from the caller. */
static void
scrub_environment(void)
{
	const char *tz = getenv("TZ");
	char tzbuf[128] = "";

	if (getegid() == getgid() && geteuid() == getuid())
		return;
	if (tz != NULL && strlen(tz) < sizeof(tzbuf) && tz[0] != '/' &&
	    strstr(tz, "..") == NULL)
		strcpy(tzbuf, tz);
	clearenv();
	setenv("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", 1);
	if (tzbuf[0] != '\0')
		setenv("TZ", tzbuf, 1);
}

static const char *
flag_arg(int argc, char **argv, int *i, const char *rest)
{
	if (*rest != '\0')
		return rest;
	if (*i + 1 >= argc)
		usage("option needs an argument");
	return argv[++*i];
}

static void
add_override(struct opts *o, const char *v, char kind)
{
	if (o->nover >= MAX_OVERRIDES)
		usage("too many -O/-o options");
	o->over[o->nover] = v;
	o->over_short[o->nover++] = kind;
	/* Only a few options are harmless in a caller's hands. */
	if (kind == 'o' ? (strchr("imeL", v[0]) == NULL)
	    : (strncasecmp(v, "LogLevel=", 9) != 0))
		o->unsafe = 1;
}

static void
parse_flags(int argc, char **argv, struct opts *o)
{
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (strcmp(a, "--help") == 0)
			help();
		if (strcmp(a, "--version") == 0) {
			o->mode = 'V';
			continue;
		}
		switch (a[1]) {
		case 'A':
			if ((a[2] != 'c' && a[2] != 'm') || a[3] != '\0')
				usage("-A takes c or m");
			o->cfsel = a[2];
			break;
		case 'b':
			if (a[2] == '\0' || a[3] != '\0')
				usage("-b takes one letter");
			o->mode = a[2];
			o->foreground = a[2] == 'D';
			break;
		case 'C':
			o->cfpath = flag_arg(argc, argv, &i, a + 2);
			o->unsafe = 1;
			break;
		case 'L':
			o->tag = flag_arg(argc, argv, &i, a + 2);
			break;
		case 'O':
			add_override(o, flag_arg(argc, argv, &i, a + 2), 'O');
			break;
		case 'o':
			if (a[2] == '\0')
				usage("-o needs an option letter");
			add_override(o, a + 2, 'o');
			break;
		case 'd':	/* debugging: only -d0 (the version) shows */
			if (a[2] == '0' && (a[3] == '\0' || a[3] == '.'))
				o->show_version = 1;
			break;
		case 'q':
			o->qflag = a;
			break;
		case 'v': case 'i': case 'U': case 'n': case 'G':
			break;	/* verbose, compatibility: no effect */
		default:
			fprintf(stderr, "sendmail: option %s is not available "
			    "in this version\n", a);
			exit(EX_USAGE);
		}
	}
	(void)i;
}

/* -q alone is one queue run (doc/qrun.md).  Periodic runs (-q10m
 * beside -bd, the line every init script has) and the -q forms that
 * pick messages are not built yet: beside -bd the interval is ignored
 * with a warning, so that such a daemon still listens; alone, refused. */
static void
queue_flag(struct opts *o)
{
	if (o->qflag == NULL)
		return;
	if (o->mode == 'd' || o->mode == 'D') {
		fprintf(stderr, "sendmail: %s: periodic queue runs beside -bd "
		    "are not implemented yet, the interval is ignored; fix: "
		    "run `sendmail -q' from a timer (cron or systemd)\n",
		    o->qflag);
		return;
	}
	if (strcmp(o->qflag, "-q") != 0) {
		fprintf(stderr, "sendmail: %s is not available in this "
		    "version: only -q (one queue run) is; an interval needs "
		    "-bd, and -qf, -qI, -qR, -qS come later\n", o->qflag);
		exit(EX_USAGE);
	}
	if (o->mode == 'm')
		o->mode = 'q';
}

/* doc/DESIGN.md 1: -bm, -bs and -t read submit.cf if it exists; every other
 * mode reads sendmail.cf; -Ac / -Am force; -C names the file. */
static const char *
choose_cf(const struct opts *o)
{
	static const char msp[] = SYSCONFDIR "/submit.cf";
	static const char mta[] = SYSCONFDIR "/sendmail.cf";

	if (o->cfpath != NULL)
		return o->cfpath;
	if (o->cfsel == 'c')
		return msp;
	if (o->cfsel == 'm')
		return mta;
	if ((o->mode == 'm' || o->mode == 's') && access(msp, R_OK) == 0)
		return msp;
	return mta;
}

static void
load_cf(struct cf *cf, const char *path, const struct opts *o)
{
	struct buf err = BUF_INIT;
	int i, r;

	/* doc/DESIGN.md 3: a privileged process refuses a configuration
	 * that others could have written; cf_read() checks it by fstat() of
	 * the descriptor it reads (lib/safefile.h), before using a line. */
	cf_defaults(cf);
	if (cf_read(cf, path, &err) < 0) {
		/* Only -bs logs to syslog alone (main()); say it there too. */
		if (o->mode == 's')
			fprintf(stderr, "sendmail: %s\n", buf_str(&err));
		log_die(EX_CONFIG, "%s", buf_str(&err));
	}
	for (i = 0; i < o->nover; i++) {
		if (o->over_short[i] == 'o' && strcmp(o->over[i], "i") == 0)
			continue;	/* -oi: IgnoreDots, for submission */
		r = o->over_short[i] == 'O' ?
		    cf_set_option(cf, o->over[i], &err) :
		    cf_set_short_option(cf, o->over[i], &err);
		if (r < 0) {
			fprintf(stderr, "sendmail: %s\n", buf_str(&err));
			exit(EX_CONFIG);
		}
	}
	buf_free(&err);
}

/* systemd socket activation (sd_listen_fds(3) protocol, read directly:
 * LISTEN_PID must be us; fds start at 3).  Returns the count. */
static int
listen_fds(int *fds, int max)
{
	const char *pid = getenv("LISTEN_PID"), *n = getenv("LISTEN_FDS");
	char *end;
	long k;
	int i;

	if (pid == NULL || n == NULL)
		return 0;
	if (strtol(pid, &end, 10) != (long)getpid() || *end != '\0')
		return 0;
	k = strtol(n, &end, 10);
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	if (*end != '\0' || k <= 0)
		return 0;
	if (k > max)
		k = max;
	for (i = 0; i < k; i++) {
		fds[i] = 3 + i;
		fcntl(fds[i], F_SETFD, FD_CLOEXEC);
	}
	return (int)k;
}

static int
is_listening(int fd)
{
	int v = 0;
	socklen_t len = sizeof(v);

	return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &len) == 0 && v;
}

/* A relative queue, alias, certificate, key or CA path would break after
 * the daemon's chdir. */
static void
absolutize(char **path)
{
	char *abs;

	if (*path == NULL || (*path)[0] == '/')
		return;
	if ((abs = realpath(*path, NULL)) != NULL) {
		free(*path);
		*path = abs;
	}
}

static int
run_smtp(struct cf *cf, int daemon_mode, int foreground)
{
	int fds[16], n = listen_fds(fds, 16);

	if (n > 0 && !is_listening(fds[0])) {
		/* Accept=yes with the connected socket as fd 3. */
		return smtpd_main(cf, fds[0], fds[0]);
	}
	if (n > 0 || daemon_mode) {
		absolutize(&cf->queue.dir);
		absolutize(&cf->alias_file);
		absolutize(&cf->tls.cert_file);
		absolutize(&cf->tls.key_file);
		absolutize(&cf->tls.ca_file);
		absolutize(&cf->tls.ca_path);
		return daemon_main(cf, fds, n, n > 0 ? 1 : foreground);
	}
	return smtpd_main(cf, 0, 1);
}

/* Without RunAsUser a session started as root would have no one to be.
 * Debian's stock sendmail.cf sets none (its sendmail starts as root and
 * changes user per delivery), so the default is the account the install
 * creates for the MTA, when it exists; without it, say so here, where a
 * person sees it: the session's 421 reason goes only to syslog.  0, or
 * -1 when sessions will be refused. */
#define DEFAULT_RUN_AS	"smmta"
static int run_as_defaulted;

static int
default_run_as(struct cf *cf, int quiet)
{
	struct buf err = BUF_INIT;
	uid_t uid;
	gid_t gid;
	int r = 0;

	if (geteuid() != 0 || cf->allow_root_session ||
	    (cf->run_as_user != NULL && cf->run_as_user[0] != '\0'))
		return 0;
	if (priv_resolve(DEFAULT_RUN_AS, &uid, &gid, &err) == 0) {
		free(cf->run_as_user);
		cf->run_as_user = xstrdup(DEFAULT_RUN_AS);
		run_as_defaulted = 1;
	} else {
		if (!quiet)
			fprintf(stderr, "sendmail: %s sets no RunAsUser and "
			    "there is no %s account (%s): SMTP sessions will "
			    "be refused (421); fix: O RunAsUser=user in %s, or "
			    "create the account: useradd -r -s "
			    "/usr/sbin/nologin %s\n", cf->path, DEFAULT_RUN_AS,
			    buf_str(&err), cf->path, DEFAULT_RUN_AS);
		r = -1;
	}
	buf_free(&err);
	return r;
}

static int
check_cf(struct cf *cf)
{
	size_t i;
	int bad = 0;

	for (i = 0; i < cf->unimplemented.n; i++)
		fprintf(stderr, "sendmail: %s: option %s is not implemented "
		    "(ignored)\n", cf->path, cf->unimplemented.v[i]);
	for (i = 0; i < cf->pending.n; i++)
		fprintf(stderr, "sendmail: %s: option %s\n", cf->path,
		    cf->pending.v[i]);
	cfcheck_skipped(cf, stderr);
	if (default_run_as(cf, 0) < 0)
		bad = 1;
	else if (run_as_defaulted)
		fprintf(stderr, "sendmail: %s: RunAsUser is not set: SMTP "
		    "sessions started as root run as %s, the default\n",
		    cf->path, DEFAULT_RUN_AS);
	return cfcheck_files(cf, stderr) > 0 || bad ? EX_CONFIG : EX_OK;
}

static int
build_aliases(const struct cf *cf)
{
	struct buf err = BUF_INIT;
	long count = 0;
	int code;

	if (cf->alias_file == NULL || cf->alias_file[0] == '\0') {
		fprintf(stderr, "sendmail: no AliasFile configured\n");
		return EX_CONFIG;
	}
	code = aliases_build(cf->alias_file, &count, &err);
	if (err.len > 0)
		fprintf(stderr, "%s%s", buf_str(&err),
		    err.s[err.len - 1] == '\n' ? "" : "\n");
	if (code == EX_OK || code == EX_DATAERR)
		printf("%s: %ld aliases\n", cf->alias_file, count);
	buf_free(&err);
	return code;
}

int
main(int argc, char **argv, char **envp)
{
	struct opts o;
	struct cf cf;
	const char *prog;
	int code;

	sane_fds();
	title_save(argc, argv, envp);
	scrub_environment();
	memset(&o, 0, sizeof(o));
	prog = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	if (strcmp(prog, "makemap") == 0) {
		/* Needs no privilege: give up set-group-ID at once. */
		if (getegid() != getgid() && setgid(getgid()) < 0)
			_exit(EX_OSERR);
		return makemap_main(argc, argv);
	}
	o.mode = strcmp(prog, "mailq") == 0 ? 'p' :
	    strcmp(prog, "newaliases") == 0 ? 'i' :
	    strcmp(prog, "hoststat") == 0 ? 'h' :
	    strcmp(prog, "purgestat") == 0 ? 'H' :
	    strcmp(prog, "smtpd") == 0 ? 'd' : 'm';
	parse_flags(argc, argv, &o);
	queue_flag(&o);
	if (o.mode == 'V') {
		version(stdout);
		return EX_OK;
	}
	if (o.show_version)
		version(stdout);
	if (o.mode == 'h' || o.mode == 'H') {
		/* sendmail's HostStatusDirectory; sockmail keeps none. */
		printf("%s: sockmail keeps no host status (HostStatusDirectory "
		    "is not implemented); %s\n", o.mode == 'h' ? "hoststat" :
		    "purgestat", o.mode == 'h' ? "nothing to show" :
		    "nothing to purge");
		return EX_OK;
	}
	/* -C or an unsafe option from a non-root caller: give up the
	 * set-group-ID privilege before reading anything it names. */
	if (o.unsafe && getuid() != 0 && getegid() != getgid() &&
	    setgid(getgid()) < 0)
		_exit(EX_OSERR);
	log_init(o.tag ? o.tag : "sendmail",
	    o.mode == 's' ? LOG_TO_SYSLOG : LOG_TO_SYSLOG | LOG_TO_STDERR);
	load_cf(&cf, choose_cf(&o), &o);
	switch (o.mode) {
	case 's':
		/* -bs: inetd and systemd have no terminal; the 421 says it. */
		(void)default_run_as(&cf, !isatty(2));
		code = run_smtp(&cf, 0, 1);
		break;
	case 'd':
	case 'D':
		(void)default_run_as(&cf, 0);
		code = run_smtp(&cf, 1, o.foreground);
		break;
	case 'i':
		code = build_aliases(&cf);
		break;
	case 'p':
		code = mailq_main(cf.queue.dir, stdout);
		break;
	case 'C':
		code = check_cf(&cf);
		break;
	case 'q':
		(void)default_run_as(&cf, 0);
		code = qrun_main(&cf);
		break;
	default:
		fprintf(stderr, "sendmail: mode -b%c is not available in this "
		    "version (available: -bs -bd -bD -bi -bp -bC -bV)\n", o.mode);
		code = EX_USAGE;
		break;
	}
	fflush(stdout);
	cf_free(&cf);
	return code;
}
