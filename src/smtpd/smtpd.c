/* smtpd.c - the SMTP server session: connection, commands, envelope. */
#include "smtpd.h"
#include "smtpd_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <limits.h>
#include <sys/time.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "lib/ascii.h"
#include "mail/body.h"
#include "mail/cf.h"
#include "lib/date.h"
#include "lib/fmt.h"
#include "lib/load.h"
#include "lib/log.h"
#include "lib/lookup.h"
#include "lib/passwd.h"
#include "mail/policy.h"
#include "lib/priv.h"
#include "mail/smtpcmd.h"
#include "tls/tls.h"
#include "lib/title.h"

#define SESSION_VERSION	"sockmail 0.1"
/* MaxRecipientsPerMessage=0 means no limit to sendmail; memory per
 * recipient is still memory, so "no limit" stops here. */
#define RCPT_HARD_MAX	10000

/* sendmail's check of a HELO/EHLO name: ASCII letters, digits and
 * "[].-_#:" (names and address literals), at most 256 octets; trailing
 * blanks are fine, anything after them is not.  AllowBogusHELO lifts it. */
static int
helo_name_ok(const char *p)
{
	size_t n = strcspn(p, " \t");

	if (n == 0 || n > 256 || p[n + strspn(p + n, " \t")] != '\0')
		return 0;
	for (; n > 0; n--, p++)
		if (!is_alpha(*p) && !is_digit(*p) &&
		    strchr("[].-_#:", *p) == NULL)
			return 0;
	return 1;
}

static void
cmd_helo(struct session *s, char *arg, int esmtp)
{
	size_t i;

	arg += strspn(arg, " \t");
	if (arg[0] == '\0' && !s->cf->allow_bogus_helo) {
		smtpd_bad(s, "501 5.0.0 %s requires domain address",
		    esmtp ? "EHLO" : "HELO");
		return;
	}
	if (!helo_name_ok(arg) && !s->cf->allow_bogus_helo) {
		smtpd_bad(s, "501 5.0.0 Invalid domain name");
		smtpd_log_reject(s, esmtp ? "ehlo" : "helo", arg,
		    "501 5.0.0 Invalid domain name");
		return;
	}
	smtpd_tx_reset(s);
	/* Keep it printable: it goes into Received: and the logs. */
	for (i = 0; arg[i] != '\0' && i < sizeof(s->helo) - 1; i++)
		s->helo[i] = (arg[i] > ' ' && arg[i] < 0x7f) ? arg[i] : '?';
	s->helo[i] = '\0';
	s->helo_seen = 1;
	s->esmtp = esmtp;
	if (!esmtp) {
		smtpd_reply(s, "250 %s Hello %s, pleased to meet you",
		    s->host, s->relay);
		return;
	}
	smtpd_reply(s, "250-%s Hello %s, pleased to meet you", s->host,
	    s->relay);
	smtpd_reply(s, "250-ENHANCEDSTATUSCODES");
	smtpd_reply(s, "250-PIPELINING");
	smtpd_reply(s, "250-8BITMIME");
	if (s->cf->lim.max_message_size > 0)
		smtpd_reply(s, "250-SIZE %ld", s->cf->lim.max_message_size);
	else
		smtpd_reply(s, "250-SIZE");
	if (!(s->cf->privacy & PRIV_NORECEIPTS))
		smtpd_reply(s, "250-DSN");
	smtpd_reply(s, "250-SMTPUTF8");
	smtpd_reply(s, "250-CHUNKING");
	if (smtpd_tls_offered(s))
		smtpd_reply(s, "250-STARTTLS");
	if (smtpd_auth_offered(s))
		smtpd_auth_ehlo(s);
	smtpd_reply(s, "250 HELP");
}

/* MAIL FROM's AUTH= (RFC 4954 5).  Ignored unless the client has
 * authenticated; then kept if it names the authenticated user or is
 * "<>" (sendmail's default trust_auth), else replaced by the user: the
 * client may not claim to submit for someone else.  -1: malformed. */
static int
auth_param(struct session *s, const char *v)
{
	char dec[sizeof(s->auth_user) + 2];

	if (s->auth_user[0] == '\0' || s->tx.auth_param != NULL)
		return 0;
	if (strlen(v) > 500 || smtpcmd_xtext_decode(v, NULL, 0) < 0) {
		smtpd_bad(s, "501 5.5.4 Syntax error in AUTH parameter");
		return -1;
	}
	if (smtpcmd_xtext_decode(v, dec, sizeof(dec)) >= 0 &&
	    (strcmp(dec, "<>") == 0 || strcmp(dec, s->auth_user) == 0))
		s->tx.auth_param = xstrdup(v);
	return 0;
}

/* Split the ESMTP parameters of MAIL or RCPT; -1 (answered) if they
 * are malformed or come after HELO. */
static int
params(struct session *s, char *rest, struct smtp_param *p)
{
	const char *why = NULL;
	int n;

	n = smtpcmd_params(rest, p, SMTP_MAX_PARAMS, &why);
	if (n < 0) {
		smtpd_bad(s, "501 5.5.4 Syntax error in parameters: %s", why);
		return -1;
	}
	if (n > 0 && !s->esmtp) {
		smtpd_bad(s, "555 5.5.4 Parameters need EHLO");
		return -1;
	}
	return n;
}

/* PrivacyOptions=noreceipts (and goaway): DSN is not offered, so its
 * parameters are refused, as sendmail does (504 5.7.0). */
static int
dsn_refused(struct session *s, const char *k)
{
	if (!(s->cf->privacy & PRIV_NORECEIPTS) ||
	    (strcasecmp(k, "RET") != 0 && strcasecmp(k, "ENVID") != 0 &&
	    strcasecmp(k, "NOTIFY") != 0 && strcasecmp(k, "ORCPT") != 0))
		return 0;
	smtpd_bad(s, "504 5.7.0 %s: DSN is not offered here", k);
	return 1;
}

/* MAIL FROM parameters (RFC 1870, 6152, 6531, 3461, 4954). */
static int
mail_params(struct session *s, char *rest)
{
	struct smtp_param p[SMTP_MAX_PARAMS];
	struct tx *t = &s->tx;
	char *end;
	int i, n;

	if ((n = params(s, rest, p)) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		const char *k = p[i].key, *v = p[i].value;

		if (dsn_refused(s, k))
			return -1;
		if (strcasecmp(k, "SIZE") == 0 && v != NULL) {
			errno = 0;
			t->size_param = strtoll(v, &end, 10);
			if (*v < '0' || *v > '9' || *end != '\0' || errno) {
				smtpd_bad(s, "501 5.5.4 Bad SIZE value");
				return -1;
			}
		} else if (strcasecmp(k, "BODY") == 0 && v != NULL &&
		    (strcasecmp(v, "7BIT") == 0 || strcasecmp(v, "8BITMIME") == 0))
			t->body_8bitmime = strcasecmp(v, "8BITMIME") == 0;
		else if (strcasecmp(k, "SMTPUTF8") == 0 && v == NULL)
			t->smtputf8 = 1;
		else if (strcasecmp(k, "RET") == 0 && v != NULL &&
		    (strcasecmp(v, "FULL") == 0 || strcasecmp(v, "HDRS") == 0) &&
		    !t->ret)
			t->ret = strcasecmp(v, "FULL") == 0 ? 1 : 2;
		else if (strcasecmp(k, "ENVID") == 0 && v != NULL &&
		    t->envid == NULL && strlen(v) <= 100 &&
		    smtpcmd_xtext_decode(v, NULL, 0) >= 0)
			t->envid = xstrdup(v);
		else if (strcasecmp(k, "AUTH") == 0 && v != NULL) {
			if (auth_param(s, v) < 0)
				return -1;
		} else {
			smtpd_bad(s, "555 5.5.4 %s parameter unrecognized or "
			    "malformed", k);
			return -1;
		}
	}
	return 0;
}

/* The access map on the client (looked up at the first MAIL, so a
 * session that sends no mail opens no map) and on the sender.  -1: the
 * reply is given, the transaction must not start. */
static int
access_mail(struct session *s, const struct addr *a, const char *arg)
{
	struct access *c = &s->conn_access, r;

	if (!s->conn_checked) {
		s->conn_checked = 1;
		smtpd_client_lookup(s);
		if (access_connect(s->cf, s->peer.ip, s->resolve == RDNS_OK ?
		    s->client_name : NULL, c) == ACC_RELAY)
			s->may_relay = 1;
	}
	if (c->act == ACC_REJECT || c->act == ACC_TEMP) {
		smtpd_reply(s, "%s", c->reply);
		smtpd_log_reject(s, "connect", c->key, c->reply);
		return -1;
	}
	switch (access_from(s->cf, a, &r)) {
	case ACC_REJECT:
	case ACC_TEMP:
		smtpd_reply(s, "%s", r.reply);
		smtpd_log_reject(s, "from", arg, r.reply);
		return -1;
	case ACC_DISCARD:
		s->tx.discard = 1;
		break;
	default:
		break;
	}
	if (c->act == ACC_DISCARD)
		s->tx.discard = 1;
	return 0;
}

static void
cmd_mail(struct session *s, char *arg)
{
	struct addr a;
	const char *rest, *err = NULL;
	long max = s->cf->lim.max_message_size;
	/* UTF-8 is parsed, then refused below unless SMTPUTF8 was given. */
	int flags = ADDR_ALLOW_NULL | (s->esmtp ? ADDR_ALLOW_UTF8 : 0);

	if (s->tx.active) {
		smtpd_bad(s, "503 5.5.0 Sender already specified");
		return;
	}
	if (!s->helo_seen && (s->cf->privacy & PRIV_NEEDMAILHELO)) {
		smtpd_bad(s, "503 5.0.0 Need HELO or EHLO before MAIL");
		return;
	}
	if ((s->dport.mods & DPM_a) && s->auth_user[0] == '\0') {
		smtpd_reply(s, "530 5.7.0 Authentication required");
		smtpd_log_reject(s, "from", arg,
		    "530 5.7.0 Authentication required");
		return;
	}
	if (addr_parse_path(arg, &a, &rest, flags, &err) < 0) {
		smtpd_bad(s, "501 5.1.7 Syntax error in sender address: %s",
		    err);
		smtpd_log_reject(s, "from", arg, "501 5.1.7");
		return;
	}
	if ((s->dport.mods & DPM_f) && !a.null && a.domain[0] == '\0') {
		smtpd_bad(s, "553 5.5.4 <%s>... Domain name required for "
		    "sender address %s", a.local, a.local);
		smtpd_log_reject(s, "from", arg, "553 5.5.4 Domain name "
		    "required");
		return;
	}
	if (mail_params(s, (char *)rest) < 0) {
		smtpd_tx_reset(s);
		return;
	}
	if (a.utf8 && !s->tx.smtputf8) {
		smtpd_bad(s, "553 5.6.7 UTF-8 address needs SMTPUTF8");
		smtpd_tx_reset(s);
		return;
	}
	if (max > 0 && s->tx.size_param > max) {
		smtpd_reply(s, "552 5.3.4 Message size exceeds fixed maximum "
		    "message size (%ld)", max);
		smtpd_log_reject(s, "from", arg, "552 5.3.4 too big");
		smtpd_tx_reset(s);
		return;
	}
	if (access_mail(s, &a, arg) < 0) {
		smtpd_tx_reset(s);
		return;
	}
	if (queue_space_ok(s->dirfd, s->cf->queue.min_free_blocks,
	    s->tx.size_param) < 0) {
		smtpd_reply(s, "452 4.3.1 Insufficient disk space; try again "
		    "later");
		smtpd_log_reject(s, "from", arg, "452 4.3.1 disk full");
		smtpd_tx_reset(s);
		return;
	}
	addr_format(&a, s->tx.from, sizeof(s->tx.from));
	s->tx.active = 1;
	smtpd_reply(s, "250 2.1.0 <%s>... Sender ok", s->tx.from);
}

/* RCPT parameters: NOTIFY and ORCPT (RFC 3461). */
static int
rcpt_params(struct session *s, char *rest, struct qrcpt *r)
{
	struct smtp_param p[SMTP_MAX_PARAMS];
	int i, n;

	if ((n = params(s, rest, p)) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		const char *k = p[i].key, *v = p[i].value;

		if (dsn_refused(s, k))
			return -1;
		if (strcasecmp(k, "NOTIFY") == 0 && v != NULL &&
		    !(r->notify & QN_SET)) {
			char tmp[64], *w, *save = NULL;

			if (strlen(v) >= sizeof(tmp))
				goto badparam;
			strcpy(tmp, v);
			r->notify = QN_SET;
			for (w = strtok_r(tmp, ",", &save); w != NULL;
			    w = strtok_r(NULL, ",", &save)) {
				if (strcasecmp(w, "SUCCESS") == 0)
					r->notify |= QN_SUCCESS;
				else if (strcasecmp(w, "FAILURE") == 0)
					r->notify |= QN_FAILURE;
				else if (strcasecmp(w, "DELAY") == 0)
					r->notify |= QN_DELAY;
				else if (strcasecmp(w, "NEVER") != 0 ||
				    strlen(v) != 5)
					goto badparam;
			}
		} else if (strcasecmp(k, "ORCPT") == 0 && v != NULL &&
		    r->orcpt == NULL && strchr(v, ';') != NULL &&
		    strlen(v) <= 500 && smtpcmd_xtext_decode(
		    strchr(v, ';') + 1, NULL, 0) >= 0)
			r->orcpt = xstrdup(v);
		else
			goto badparam;
	}
	return 0;
badparam:
	smtpd_bad(s, "555 5.5.4 %s parameter unrecognized or malformed",
	    p[i].key);
	return -1;
}

/* Relaying denied: when the client's name could not be looked up, say
 * so (a name in class w or R might have let it relay); when the
 * resolver failed, 450, so that the client tries again later. */
static void
relay_denied(struct session *s, const char *rc, char *arg)
{
	const char *code = "550 5.7.1";
	char why[400], line[500];

	switch (s->resolve) {
	case RDNS_TEMP:
		code = "450 4.4.0";
		snprintf(why, sizeof(why), "Relaying temporarily denied. "
		    "Cannot resolve PTR record for %s", s->peer.ip);
		break;
	case RDNS_FORGED:
		snprintf(why, sizeof(why), "Relaying denied. IP name possibly "
		    "forged %s", s->client_name);
		break;
	case RDNS_FAIL:
		snprintf(why, sizeof(why), "Relaying denied. IP name lookup "
		    "failed [%s]", s->peer.ip);
		break;
	default:
		snprintf(why, sizeof(why), "Relaying denied");
		break;
	}
	smtpd_reply(s, "%s <%s>... %s", code, rc, why);
	snprintf(line, sizeof(line), "%s %s", code, why);
	smtpd_log_reject(s, "to", arg, line);
}

static void
rcpt_verdict_reply(struct session *s, enum rcpt_verdict v, const char *rc,
    char *arg, struct buf *why)
{
	switch (v) {
	case RCPT_UNKNOWN:
		smtpd_reply(s, "550 5.1.1 <%s>... User unknown", rc);
		smtpd_log_reject(s, "to", arg, "550 5.1.1 User unknown");
		break;
	case RCPT_DENIED:
		relay_denied(s, rc, arg);
		break;
	case RCPT_ERROR:
		smtpd_reply(s, "%s", buf_str(why));
		smtpd_log_reject(s, "to", arg, buf_str(why));
		break;
	default:
		smtpd_reply(s, "451 4.3.0 <%s>... Temporary lookup failure",
		    rc);
		smtpd_log_reject(s, "to", arg, buf_str(why));
		break;
	}
}

/* BadRcptThrottle: once that many recipients of this transaction were
 * refused, every further RCPT waits BadRcptThrottleDelay first, which
 * slows a dictionary attack down to a crawl and costs nobody else
 * anything (the session is its own process). */
static void
rcpt_throttle(struct session *s)
{
	struct timespec ts;

	if (s->cf->lim.bad_rcpt_throttle <= 0 ||
	    s->tx.bad_rcpts < s->cf->lim.bad_rcpt_throttle)
		return;
	if (!s->tx.throttled) {
		s->tx.throttled = 1;
		log_notice("NOQUEUE: Possible SMTP RCPT flood, throttling, "
		    "relay=%s", s->relay);
	}
	io_flush(&s->io);
	ts.tv_sec = s->cf->lim.bad_rcpt_delay;
	ts.tv_nsec = 0;
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void
cmd_rcpt(struct session *s, char *arg)
{
	struct qrcpt r = { NULL, NULL, 0 };
	struct buf why = BUF_INIT;
	struct addr a;
	struct tx *t = &s->tx;
	const char *rest, *err = NULL;
	char rc[ADDR_MAX_PATH + 1];
	enum rcpt_verdict v;
	struct access acc;

	if (!t->active) {
		smtpd_bad(s, "503 5.0.0 Need MAIL before RCPT");
		return;
	}
	rcpt_throttle(s);
	if (addr_parse_path(arg, &a, &rest,
	    t->smtputf8 ? ADDR_ALLOW_UTF8 : 0, &err) < 0) {
		smtpd_bad(s, "501 5.1.3 Syntax error in recipient address: %s",
		    err);
		smtpd_log_reject(s, "to", arg, "501 5.1.3 bad address");
		return;
	}
	addr_format(&a, rc, sizeof(rc));
	/* M=f; RFC 5321 4.5.1: <Postmaster> alone is always good. */
	if ((s->dport.mods & DPM_f) && a.domain[0] == '\0' &&
	    strcasecmp(a.local, "postmaster") != 0) {
		smtpd_bad(s, "553 5.5.4 <%s>... Domain name required", rc);
		smtpd_log_reject(s, "to", arg, "553 5.5.4 Domain name "
		    "required");
		return;
	}
	if (t->nrcpts >= (s->cf->lim.max_rcpts > 0 ? (size_t)s->cf->lim.max_rcpts :
	    RCPT_HARD_MAX)) {
		smtpd_reply(s, "452 4.5.3 Too many recipients");
		smtpd_log_reject(s, "to", arg, "452 4.5.3 Too many recipients");
		return;
	}
	if (rcpt_params(s, (char *)rest, &r) < 0)
		goto out;
	switch (access_to(s->cf, &a, &acc)) {
	case ACC_REJECT:
	case ACC_TEMP:
		smtpd_reply(s, "%s", acc.reply);
		smtpd_log_reject(s, "to", arg, acc.reply);
		if (acc.act == ACC_REJECT) {
			t->bad_rcpts++;
			smtpd_count_bad(s);
		}
		goto out;
	default:
		break;		/* DISCARD: once the recipient is accepted */
	}
	/* An authenticated client may relay (doc/DESIGN.md 6); kept apart from
	 * may_relay so that STARTTLS can forget it.  So may one whose
	 * certificate the access map names. */
	v = policy_rcpt(s->cf, &a, s->may_relay || s->auth_user[0] != '\0' ||
	    s->tls_relay > 0, &why);
	/* To:domain RELAY: relaying to it, like class R. */
	if (v == RCPT_DENIED && acc.act == ACC_RELAY && !addr_has_routing(&a))
		v = RCPT_OK_RELAY;
	/* The certificate might have let it: not known, the map failed. */
	if (v == RCPT_DENIED && s->tls_relay < 0) {
		v = RCPT_TEMPFAIL;
		buf_adds(&why, "451 4.3.0 access map unavailable for the "
		    "client certificate");
	}
	if (v != RCPT_OK_LOCAL && v != RCPT_OK_RELAY) {
		rcpt_verdict_reply(s, v, rc, arg, &why);
		if (v != RCPT_TEMPFAIL &&
		    !(v == RCPT_DENIED && s->resolve == RDNS_TEMP)) {
			t->bad_rcpts++;
			smtpd_count_bad(s);	/* dictionary attacks count too */
		}
		goto out;
	}
	if (t->nrcpts == t->rcap) {
		t->rcap = t->rcap ? t->rcap * 2 : 4;
		t->rcpts = xrealloc(t->rcpts, t->rcap * sizeof(*t->rcpts));
	}
	r.addr = xstrdup(rc);
	t->rcpts[t->nrcpts++] = r;
	if (acc.act == ACC_DISCARD)
		t->discard = 1;		/* the whole message, as sendmail */
	r.orcpt = NULL;
	smtpd_reply(s, "250 2.1.5 <%s>... Recipient ok", rc);
out:
	free(r.orcpt);
	buf_free(&why);
}

static void
cmd_vrfy(struct session *s, char *arg, int expn)
{
	struct buf why = BUF_INIT;
	struct addr a;
	const char *rest, *err = NULL;
	char local[ADDR_MAX_PATH + 1];
	int r;

	if (expn && (s->cf->privacy & PRIV_NOEXPN)) {
		smtpd_reply(s, "502 5.7.0 Sorry, we do not allow this "
		    "operation");
		return;
	}
	if (!expn && (s->cf->privacy & PRIV_NOVRFY)) {
		smtpd_reply(s, "252 2.5.2 Cannot VRFY user; try RCPT to "
		    "attempt delivery (or try finger)");
		return;
	}
	if (!s->helo_seen && (s->cf->privacy &
	    (expn ? PRIV_NEEDEXPNHELO : PRIV_NEEDVRFYHELO))) {
		smtpd_bad(s, "503 5.0.0 I demand that you introduce yourself "
		    "first");
		return;
	}
	if (addr_parse_path(arg, &a, &rest, 0, &err) < 0 || *rest != '\0') {
		smtpd_bad(s, "501 5.5.2 Argument required: a local user");
		return;
	}
	if (!policy_domain_is_local(s->cf, a.domain) ||
	    addr_has_routing(&a) ||
	    addr_unquote_local(&a, local, sizeof(local)) < 0) {
		smtpd_reply(s, "252 2.5.2 Cannot VRFY a non-local address");
		return;
	}
	r = policy_local_user(s->cf, local, &why);
	if (r > 0)
		smtpd_reply(s, "250 2.1.5 <%s@%s>", local, s->host);
	else if (r == 0)
		smtpd_reply(s, "550 5.1.1 <%s>... User unknown", local);
	else
		smtpd_reply(s, "451 4.3.0 Temporary lookup failure");
	buf_free(&why);
}

static void
cmd_help(struct session *s)
{
	smtpd_reply(s, "214-2.0.0 This is %s", SESSION_VERSION);
	smtpd_reply(s, "214-2.0.0 Commands:");
	smtpd_reply(s, "214-2.0.0   HELO EHLO MAIL RCPT DATA BDAT");
	smtpd_reply(s, "214-2.0.0   RSET NOOP QUIT HELP VRFY EXPN%s%s",
	    smtpd_tls_offered(s) ? " STARTTLS" : "",
	    smtpd_auth_offered(s) ? " AUTH" : "");
	smtpd_reply(s, "214 2.0.0 End of HELP info");
}

/* One static table: verb, whether it is allowed in the middle of a BDAT
 * transfer (RFC 3030: only RSET, QUIT, NOOP and BDAT are), and whether it
 * is "noise": a command that moves no mail, which a client could repeat
 * for ever to hold a session (and a MaxDaemonChildren slot) open. */
#define IN_BDAT	1
#define NOISE	2
static const struct {
	enum smtp_verb	verb;
	int		flags;
} cmd_table[] = {
	{ V_HELO, NOISE }, { V_EHLO, NOISE }, { V_MAIL, 0 }, { V_RCPT, 0 },
	{ V_DATA, 0 }, { V_BDAT, IN_BDAT }, { V_RSET, IN_BDAT | NOISE },
	{ V_NOOP, IN_BDAT | NOISE }, { V_QUIT, IN_BDAT },
	{ V_VRFY, NOISE }, { V_EXPN, NOISE }, { V_HELP, IN_BDAT | NOISE },
	{ V_STARTTLS, 0 }, { V_AUTH, 0 }, { V_ETRN, 0 }, { V_VERB, 0 },
	{ V_TURN, 0 },
};

static int
verb_flags(enum smtp_verb v)
{
	size_t i;

	for (i = 0; i < sizeof(cmd_table) / sizeof(cmd_table[0]); i++)
		if (cmd_table[i].verb == v)
			return cmd_table[i].flags;
	return 0;
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

	if (s->tx.bdat && v != V_UNKNOWN && !(verb_flags(v) & IN_BDAT)) {
		smtpd_bad(s, "503 5.5.1 Only BDAT, RSET, NOOP or QUIT during "
		    "a BDAT transfer");
		return;
	}
	if ((verb_flags(v) & NOISE) && too_noisy(s, v))
		return;
	switch (v) {
	case V_HELO:	cmd_helo(s, arg, 0); break;
	case V_EHLO:	cmd_helo(s, arg, 1); break;
	case V_MAIL:	cmd_mail(s, arg); break;
	case V_RCPT:	cmd_rcpt(s, arg); break;
	case V_DATA:	smtpd_cmd_data(s, arg); break;
	case V_BDAT:	smtpd_cmd_bdat(s, arg); break;
	case V_RSET:
		smtpd_tx_reset(s);
		smtpd_reply(s, "250 2.0.0 Reset state");
		break;
	case V_NOOP:	smtpd_reply(s, "250 2.0.0 OK"); break;
	case V_QUIT:
		smtpd_reply(s, "221 2.0.0 %s closing connection", s->host);
		s->done = 1;
		break;
	case V_VRFY:	cmd_vrfy(s, arg, 0); break;
	case V_EXPN:	cmd_vrfy(s, arg, 1); break;
	case V_HELP:	cmd_help(s); break;
	case V_HTTP:
		smtpd_reply(s, "421 4.7.0 %s This is a mail server, not a "
		    "web proxy; closing", s->host);
		smtpd_log_reject(s, "command", line, "421 HTTP command");
		s->done = 1;
		break;
	case V_STARTTLS: smtpd_cmd_starttls(s, arg); break;
	case V_AUTH:	smtpd_cmd_auth(s, arg); break;
	case V_ETRN: case V_VERB: case V_TURN:
		smtpd_bad(s, "502 5.5.1 %s not implemented", smtpcmd_name(v));
		break;
	default:
		buf_escape(&e, line, strlen(line), 40);
		smtpd_bad(s, "500 5.5.1 Command unrecognized: \"%s\"",
		    buf_str(&e));
		buf_free(&e);
		break;
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
	if (cf_macro(s->cf, "v") == NULL)
		cf_set_macro(s->cf, "v", SESSION_VERSION);
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

int
smtpd_main(struct cf *cf, int rfd, int wfd)
{
	struct session s;
	struct buf err = BUF_INIT;
	struct timeval tv;
	int code = EX_OK, la;

	/* A peer that goes away is an EPIPE for the I/O layer to report,
	 * so the transaction is cleaned up, not a signal that kills us. */
	signal(SIGPIPE, SIG_IGN);
	memset(&s, 0, offsetof(struct session, io));
	memset(&s.peer, 0, sizeof(s) - offsetof(struct session, peer));
	s.cf = cf;
	s.dirfd = -1;
	s.tls_files.certfd = s.tls_files.keyfd = s.tls_files.cafd = -1;
	if (smtpd_find_peer(rfd, &s.peer) < 0) {
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
	/* The DaemonPortOptions entry the connection came in by: its name
	 * and modifiers (M=Ea on the MSA port, ...). */
	if (s.peer.network && dport_find(cf, s.peer.local_ip,
	    s.peer.local_port, &s.dport, &err) < 0) {
		code = refuse_start(&s, EX_CONFIG, buf_str(&err));
		goto out;
	}
	/* A pipe or a terminal is a local client: TLS would protect
	 * nothing.  The key is usually readable by root only: open it now,
	 * read it only at STARTTLS; GnuTLS is not loaded before then. */
	if (s.peer.network && !(s.dport.mods & DPM_S)) {
		s.tls_ok = tls_files_open(&cf->tls, &s.tls_files, &err);
		if (s.tls_ok < 0)
			log_warn("STARTTLS=server: %s; STARTTLS not offered",
			    buf_str(&err));
		buf_reset(&err);
	}
	/* Before the first byte is read from the network. */
	if (priv_session(cf->run_as_user, cf->allow_root_session, &err) < 0) {
		code = refuse_start(&s, EX_NOPERM, buf_str(&err));
		goto out;
	}
	/* From here on, user, map and name lookups are a helper's. */
	lookup_isolate(serve_lookup, cf, rfd, wfd,
	    smtpd_secs_ms(cf->to.command));
	if (s.peer.network) {
		tv.tv_sec = cf->to.command;
		tv.tv_usec = 0;
		setsockopt(wfd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	}
	s.dirfd = queue_open_dir(cf->queue.dir, cf->use_msp, &err);
	if (s.dirfd < 0) {
		code = refuse_start(&s, EX_TEMPFAIL, buf_str(&err));
		goto out;
	}
	/* RefuseLA, whoever accepted the connection (the listener checks
	 * too, before it forks). */
	if (s.peer.network && load_refuse(cf->lim.refuse_la, &la)) {
		log_notice("NOQUEUE: rejecting connection from %s: load "
		    "average: %d", s.relay, la);
		if (!(s.dport.mods & DPM_s))
			smtpd_reply(&s, "421 4.3.2 %s Too busy, try again "
			    "later", s.host);
		io_flush(&s.io);
		code = EX_TEMPFAIL;
		goto out;
	}
	s.may_relay = policy_client_may_relay(cf, s.peer.ip, !s.peer.network);
	if ((s.dport.mods & DPM_s) && smtpd_smtps_begin(&s) < 0)
		s.io.werror = 1;	/* nothing may go out in the clear */
	else if (greet(&s) == 0)
		session_loop(&s);
	smtpd_tx_reset(&s);
	io_flush(&s.io);
	if (s.tls != NULL)
		tls_end(s.tls, s.io.werror, smtpd_secs_ms(cf->to.command));
	if (s.exit_code != 0)
		code = s.exit_code;
out:
	lookup_end();
	tls_files_close(&s.tls_files);
	free(s.qm);
	if (s.dirfd >= 0)
		close(s.dirfd);
	buf_free(&err);
	return code;
}
