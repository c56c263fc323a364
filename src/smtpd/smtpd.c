/* smtpd.c - the SMTP server session: its start, the banner, the command
 * loop and the dispatcher, which hands each command to its handler
 * (smtpd_int.h) by one table of verbs.
 */
#include "smtpd.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "mail/cf.h"
#include "lib/date.h"
#include "lib/load.h"
#include "lib/log.h"
#include "lib/lookup.h"
#include "lib/passwd.h"
#include "mail/policy.h"
#include "lib/priv.h"
#include "mail/smtpcmd.h"
#include "tls/tls.h"
#include "smtpd_int.h"

#define SESSION_VERSION	"sockmail 0.1"	/* for HELP; $v is the number */

static void
cmd_rset(struct session *s, char *arg)
{
	(void)arg;
	smtpd_tx_reset(s);
	smtpd_reply(s, "250 2.0.0 Reset state");
}

static void
cmd_noop(struct session *s, char *arg)
{
	(void)arg;
	smtpd_reply(s, "250 2.0.0 OK");
}

static void
cmd_quit(struct session *s, char *arg)
{
	(void)arg;
	smtpd_reply(s, "221 2.0.0 %s closing connection", s->host);
	s->done = 1;
}

static void	cmd_help(struct session *, char *);

/* The one table of the verbs a session knows: adding a command is a
 * row here (and its name in smtpcmd.c).  In the order HELP lists them.
 * flags: IN_BDAT, allowed in the middle of a BDAT transfer (RFC 3030:
 * only RSET, QUIT, NOOP and BDAT are); NOISE, a command that moves no
 * mail, which a client could repeat for ever to hold a session (and a
 * MaxDaemonChildren slot) open; HELP_EOL, HELP ends a line after it.
 * fn: the handler, which answers; NULL for a verb sendmail knows and
 * sockmail does not do (502).  offered: NULL, or whether the session
 * offers the verb now, for HELP (the handler itself refuses it when it
 * is not).  V_HTTP and V_UNKNOWN are no commands but what the parser
 * calls a line that is not SMTP; dispatch() answers them. */
#define IN_BDAT		1
#define NOISE		2
#define HELP_EOL	4
static const struct cmd {
	enum smtp_verb	  verb;
	int		  flags;
	void		(*fn)(struct session *, char *arg);
	int		(*offered)(const struct session *);
} cmd_table[] = {
	{ V_HELO,	NOISE,			smtpd_cmd_helo,	NULL },
	{ V_EHLO,	NOISE,			smtpd_cmd_ehlo,	NULL },
	{ V_MAIL,	0,			smtpd_cmd_mail,	NULL },
	{ V_RCPT,	0,			smtpd_cmd_rcpt,	NULL },
	{ V_DATA,	0,			smtpd_cmd_data,	NULL },
	{ V_BDAT,	IN_BDAT | HELP_EOL,	smtpd_cmd_bdat,	NULL },
	{ V_RSET,	IN_BDAT | NOISE,	cmd_rset,	NULL },
	{ V_NOOP,	IN_BDAT | NOISE,	cmd_noop,	NULL },
	{ V_QUIT,	IN_BDAT,		cmd_quit,	NULL },
	{ V_HELP,	IN_BDAT | NOISE,	cmd_help,	NULL },
	{ V_VRFY,	NOISE,			smtpd_cmd_vrfy,	NULL },
	{ V_EXPN,	NOISE,			smtpd_cmd_expn,	NULL },
	{ V_STARTTLS,	0,			smtpd_cmd_starttls,
	    smtpd_tls_offered },
	{ V_AUTH,	0,			smtpd_cmd_auth,
	    smtpd_auth_offered },
	{ V_ETRN,	0,			NULL,		NULL },
	{ V_VERB,	0,			NULL,		NULL },
	{ V_TURN,	0,			NULL,		NULL },
};
#define NCMDS	(sizeof(cmd_table) / sizeof(cmd_table[0]))

static const struct cmd *
cmd_find(enum smtp_verb v)
{
	size_t i;

	for (i = 0; i < NCMDS; i++)
		if (cmd_table[i].verb == v)
			return &cmd_table[i];
	return NULL;
}

/* The verbs of the table with a handler, those offered now. */
static void
cmd_help(struct session *s, char *arg)
{
	struct buf b = BUF_INIT;
	size_t i;

	(void)arg;
	smtpd_reply(s, "214-2.0.0 This is %s", SESSION_VERSION);
	smtpd_reply(s, "214-2.0.0 Commands:");
	for (i = 0; i < NCMDS; i++) {
		const struct cmd *c = &cmd_table[i];

		if (c->fn == NULL || (c->offered != NULL && !c->offered(s)))
			continue;
		buf_printf(&b, " %s", smtpcmd_name(c->verb));
		if (c->flags & HELP_EOL) {
			smtpd_reply(s, "214-2.0.0  %s", buf_str(&b));
			buf_reset(&b);
		}
	}
	if (b.len > 0)
		smtpd_reply(s, "214-2.0.0  %s", buf_str(&b));
	buf_free(&b);
	smtpd_reply(s, "214 2.0.0 End of HELP info");
}

/* MaxNOOPCommands: more commands that move no mail than that since the
 * session began or last queued a message close it.  (Refused commands
 * have MaxBadCommands; this bounds the polite ones.) */
static int
too_noisy(struct session *s, enum smtp_verb v)
{
	if (s->cf->lim.max_noop_commands <= 0 ||
	    ++s->nnoise <= s->cf->lim.max_noop_commands)
		return 0;
	smtpd_reply(s, "421 4.7.0 %s Too many commands that move no mail, "
	    "closing connection", s->host);
	log_notice("NOQUEUE: possible SMTP attack: command=%s, count=%d, "
	    "relay=%s", smtpcmd_name(v), s->nnoise, s->relay);
	s->done = 1;
	return 1;
}

static void
dispatch(struct session *s, char *line)
{
	struct buf e = BUF_INIT;
	char *arg;
	enum smtp_verb v = smtpcmd_verb(line, &arg);
	const struct cmd *c = cmd_find(v);
	int flags = c != NULL ? c->flags : 0;

	if (s->tx.bdat && v != V_UNKNOWN && !(flags & IN_BDAT)) {
		smtpd_bad(s, "503 5.5.1 Only BDAT, RSET, NOOP or QUIT during "
		    "a BDAT transfer");
		return;
	}
	if ((flags & NOISE) && too_noisy(s, v))
		return;
	if (c != NULL && c->fn != NULL)
		c->fn(s, arg);
	else if (c != NULL)
		smtpd_bad(s, "502 5.5.1 %s not implemented", smtpcmd_name(v));
	else if (v == V_HTTP) {
		smtpd_reply(s, "421 4.7.0 %s This is a mail server, not a "
		    "web proxy; closing", s->host);
		smtpd_log_reject(s, "command", line, "421 HTTP command");
		s->done = 1;
	} else {
		buf_escape(&e, line, strlen(line), 40);
		smtpd_bad(s, "500 5.5.1 Command unrecognized: \"%s\"",
		    buf_str(&e));
		buf_free(&e);
	}
}

static void
session_host(struct session *s)
{
	const char *j = cf_macro(s->cf, "j");

	while (j != NULL && (*j == ' ' || *j == '\t'))
		j++;		/* "Dj host" is "Djhost" to a reader */
	if (j != NULL && j[0] != '\0')
		snprintf(s->host, sizeof(s->host), "%s", j);
	else if (gethostname(s->host, sizeof(s->host) - 1) < 0)
		strcpy(s->host, "localhost");
	s->host[sizeof(s->host) - 1] = '\0';
	cf_set_macro(s->cf, "j", s->host);
}

/* Greeting, with early-talker detection on network peers. */
static int
greet(struct session *s)
{
	struct buf b = BUF_INIT;
	char date[DATE_RFC5322_MAX];
	size_t n;

	if (s->peer.network && io_pending(&s->io, s->cf->lim.greet_pause_ms)) {
		smtpd_reply(s, "554 5.5.0 %s Refused: you talked before my "
		    "greeting", s->host);
		log_notice("NOQUEUE: rejecting early talker from %s", s->relay);
		io_flush(&s->io);
		return -1;
	}
	date_rfc5322(date, sizeof(date), time(NULL));
	cf_set_macro(s->cf, "b", date);
	cf_expand(s->cf, s->cf->smtp_greeting != NULL ?
	    s->cf->smtp_greeting : "$j Sockmail $v; $b", &b);
	/* As sendmail: "ESMTP" after the host name, the first word. */
	n = strcspn(buf_str(&b), " ");
	smtpd_reply(s, "220 %.*s ESMTP%s", (int)n, buf_str(&b),
	    buf_str(&b) + n);
	buf_free(&b);
	return 0;
}

/* Is the line an AUTH command?  (Without cutting it up.) */
static int
is_auth(const char *line)
{
	return strncasecmp(line, "AUTH", 4) == 0 &&
	    (line[4] == ' ' || line[4] == '\0');
}

static void
session_loop(struct session *s)
{
	char line[SMTP_AUTH_LINE_MAX];
	enum io_status st;
	size_t len;

	while (!s->done) {
		s->io.timeout_ms = smtpd_secs_ms(s->cf->to.command);
		/* Read up to the AUTH limit (12288 octets with CRLF, RFC 4954
		 * 4), then hold every other command to 1000 (RFC 5321). */
		st = io_getline(&s->io, line, SMTP_AUTH_LINE_MAX - 1, &len);
		if (st == IO_OK && len > SMTP_LINE_MAX - 2 &&
		    !is_auth(line))
			st = IO_TOOLONG;
		if (st == IO_EOF || st == IO_ERROR) {
			if (s->tx.active)
				log_notice("%s: lost input channel from %s "
				    "in a transaction",
				    s->qm ? s->qm->id : "NOQUEUE", s->relay);
			return;
		}
		if (st == IO_TIMEOUT) {
			smtpd_reply(s, "421 4.4.2 %s Timeout waiting for "
			    "input; closing", s->host);
			log_notice("NOQUEUE: timeout waiting for input from "
			    "%s", s->relay);
			return;
		}
		if (st == IO_OVERRUN) {
			smtpd_reply(s, "421 4.7.0 %s Command line too long, "
			    "closing", s->host);
			log_notice("NOQUEUE: command line overrun from %s, "
			    "closing", s->relay);
			return;
		}
		if (st == IO_TOOLONG)
			smtpd_bad(s, "500 5.5.2 Line too long (limit %d "
			    "octets)", SMTP_LINE_MAX);
		else if (st == IO_BARECR)
			smtpd_bad(s, "500 5.5.2 Bare CR or LF in command not "
			    "allowed");
		else if (memchr(line, '\0', len) != NULL)
			/* The parsers would see the line up to the NUL, a
			 * filter in front of us all of it: act on none. */
			smtpd_bad(s, "500 5.5.2 NUL octet in command not "
			    "allowed");
		else
			dispatch(s, line);
		if (s->io.werror)
			return;
	}
}

/* The session cannot start: say so with 421 and leave. */
static int
refuse_start(struct session *s, int code, const char *why)
{
	log_err("NOQUEUE: SYSERR: %s", why);
	smtpd_reply(s, "421 4.3.0 %s Service not available, try again later",
	    s->host[0] ? s->host : "localhost");
	io_flush(&s->io);
	return code;
}

/* The session's lookups, in its helper process (lookup.h). */
static int
serve_lookup(void *arg, int op, const char *a, const char *b,
    struct buf *out, struct buf *err)
{
	char name[256];
	int retrans = 0, retry = 0, r;

	switch (op) {
	case LOOKUP_USER:
		return passwd_getpwnam(a);
	case LOOKUP_RDNS:
		if (sscanf(b, "%d %d", &retrans, &retry) == 2)
			rdns_set_timeouts(retrans, retry);
		r = (int)rdns_lookup(a, name, sizeof(name));
		buf_adds(out, name);
		return r;
	}
	(void)arg;
	buf_printf(err, "unknown lookup %d", op);
	return -1;
}

/* What a session needs before its banner: its DaemonPortOptions entry,
 * the TLS files, fewer privileges, the lookup helper, the queue, a load
 * low enough.  EX_OK, or the code to exit with (the client was told). */
static int
session_open(struct session *s, struct buf *err)
{
	struct cf *cf = s->cf;
	struct timeval tv;
	int la;

	/* The DaemonPortOptions entry the connection came in by: its name
	 * and modifiers (M=Ea on the MSA port, ...). */
	if (s->peer.network && dport_find(cf, s->peer.local_ip,
	    s->peer.local_port, &s->dport, err) < 0)
		return refuse_start(s, EX_CONFIG, buf_str(err));
	/* A pipe or a terminal is a local client: TLS would protect
	 * nothing.  The key is usually readable by root only: open it now,
	 * read it only at STARTTLS; GnuTLS is not loaded before then. */
	if (s->peer.network && !(s->dport.mods & DPM_S)) {
		s->tls_ok = tls_files_open(&cf->tls, &s->tls_files, err);
		if (s->tls_ok < 0)
			log_warn("STARTTLS=server: %s; STARTTLS not offered",
			    buf_str(err));
		buf_reset(err);
	}
	/* Before the first byte is read from the network. */
	if (priv_session(cf->run_as_user, cf->allow_root_session, err) < 0)
		return refuse_start(s, EX_NOPERM, buf_str(err));
	/* From here on, user, map and name lookups are a helper's. */
	lookup_isolate(serve_lookup, cf, s->io.rfd, s->io.wfd,
	    smtpd_secs_ms(cf->to.command));
	if (s->peer.network) {
		tv.tv_sec = cf->to.command;
		tv.tv_usec = 0;
		setsockopt(s->io.wfd, SOL_SOCKET, SO_SNDTIMEO, &tv,
		    sizeof(tv));
	}
	s->dirfd = queue_open_dir(cf->queue.dir, cf->use_msp, err);
	if (s->dirfd < 0)
		return refuse_start(s, EX_TEMPFAIL, buf_str(err));
	/* RefuseLA, whoever accepted the connection (the listener checks
	 * too, before it forks). */
	if (s->peer.network && load_refuse(cf->lim.refuse_la, &la)) {
		log_notice("NOQUEUE: rejecting connection from %s: load "
		    "average: %d", s->relay, la);
		if (!(s->dport.mods & DPM_s))
			smtpd_reply(s, "421 4.3.2 %s Too busy, try again "
			    "later", s->host);
		io_flush(&s->io);
		return EX_TEMPFAIL;
	}
	return EX_OK;
}

/* The banner (or the SMTPS handshake), the commands, the end of TLS.
 * The code to exit with. */
static int
session_run(struct session *s)
{
	struct cf *cf = s->cf;

	/* An untrusted AF_UNIX peer has no address that could let it. */
	s->may_relay = !s->peer.unix_sock &&
	    policy_client_may_relay(cf, s->peer.ip, !s->peer.network);
	if ((s->dport.mods & DPM_s) && smtpd_smtps_begin(s) < 0)
		s->io.werror = 1;	/* nothing may go out in the clear */
	else if (greet(s) == 0)
		session_loop(s);
	smtpd_tx_reset(s);
	io_flush(&s->io);
	if (s->tls != NULL)
		tls_end(s->tls, s->io.werror, smtpd_secs_ms(cf->to.command));
	return s->exit_code != 0 ? s->exit_code : EX_OK;
}

int
smtpd_main(struct cf *cf, int rfd, int wfd)
{
	struct session s;
	struct buf err = BUF_INIT;
	int code;

	/* A peer that goes away is an EPIPE for the I/O layer to report,
	 * so the transaction is cleaned up, not a signal that kills us. */
	signal(SIGPIPE, SIG_IGN);
	memset(&s, 0, offsetof(struct session, io));
	memset(&s.peer, 0, sizeof(s) - offsetof(struct session, peer));
	s.cf = cf;
	s.dirfd = -1;
	s.tls_files.certfd = s.tls_files.keyfd = s.tls_files.cafd = -1;
	if (smtpd_find_peer(rfd, cf->unix_socket_trusted, &s.peer) < 0) {
		log_err("NOQUEUE: SYSERR: the session's input is a socket "
		    "without a peer (a listening socket? inetd needs "
		    "\"nowait\", systemd-socket-activate --accept): %s",
		    strerror(errno));
		return EX_OSERR;
	}
	io_init(&s.io, rfd, wfd, smtpd_secs_ms(cf->to.command));
	s.io.lf_ok = !s.peer.network;
	smtpd_set_relay(&s);
	session_host(&s);
	if ((code = session_open(&s, &err)) == EX_OK)
		code = session_run(&s);
	lookup_end();
	tls_files_close(&s.tls_files);
	free(s.qm);
	if (s.dirfd >= 0)
		close(s.dirfd);
	buf_free(&err);
	return code;
}
