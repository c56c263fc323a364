/* smtpd_rcpt.c - RCPT TO: is the recipient one this host takes, or may
 * the client relay to it?  And VRFY and EXPN, which ask about a local
 * user without sending anything.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "mail/cf.h"
#include "lib/log.h"
#include "mail/policy.h"
#include "mail/smtpcmd.h"
#include "smtpd_int.h"

/* MaxRecipientsPerMessage=0 means no limit to sendmail; memory per
 * recipient is still memory, so "no limit" stops here. */
#define RCPT_HARD_MAX	10000

/* RCPT parameters: NOTIFY and ORCPT (RFC 3461). */
static int
rcpt_params(struct session *s, char *rest, struct qrcpt *r)
{
	struct smtp_param p[SMTP_MAX_PARAMS];
	int i, n;

	if ((n = smtpd_params(s, rest, p)) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		const char *k = p[i].key, *v = p[i].value;

		if (smtpd_dsn_refused(s, k))
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
		    r->orcpt == NULL && smtpcmd_orcpt_ok(v))
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

/* The access map and the relay policy on the recipient a (rc as text,
 * arg as the client wrote it): 0, take it (acc says whether it is
 * DISCARDed), or -1, refused: the reply is given (not counted toward
 * MaxBadCommands: a refused recipient is no protocol error). */
static int
rcpt_check(struct session *s, const struct addr *a, const char *rc,
    char *arg, struct access *acc)
{
	struct buf why = BUF_INIT;
	enum rcpt_verdict v;

	switch (access_to(s->cf, a, acc)) {
	case ACC_REJECT:
	case ACC_TEMP:
		smtpd_reply(s, "%s", acc->reply);
		smtpd_log_reject(s, "to", arg, acc->reply);
		if (acc->act == ACC_REJECT)
			s->tx.bad_rcpts++;
		return -1;
	default:
		break;		/* DISCARD: once the recipient is accepted */
	}
	/* An authenticated client may relay (doc/DESIGN.md 6); kept apart from
	 * may_relay so that STARTTLS can forget it.  So may one whose
	 * certificate the access map names. */
	v = policy_rcpt(s->cf, a, s->may_relay || s->auth_user[0] != '\0' ||
	    s->tls_relay > 0, &why);
	/* To:domain RELAY: relaying to it, like class R. */
	if (v == RCPT_DENIED && acc->act == ACC_RELAY && !addr_has_routing(a))
		v = RCPT_OK_RELAY;
	/* The certificate might have let it: not known, the map failed. */
	if (v == RCPT_DENIED && s->tls_relay < 0) {
		v = RCPT_TEMPFAIL;
		buf_adds(&why, "451 4.3.0 access map unavailable for the "
		    "client certificate");
	}
	if (v != RCPT_OK_LOCAL && v != RCPT_OK_RELAY) {
		rcpt_verdict_reply(s, v, rc, arg, &why);
		/* For BadRcptThrottle only: as in sendmail, a recipient
		 * refused by policy is no bad command (a list's message to
		 * 30 departed users must not end the session, or its good
		 * recipients would be deferred again and again). */
		if (v != RCPT_TEMPFAIL &&
		    !(v == RCPT_DENIED && s->resolve == RDNS_TEMP))
			s->tx.bad_rcpts++;
		buf_free(&why);
		return -1;
	}
	buf_free(&why);
	return 0;
}

void
smtpd_cmd_rcpt(struct session *s, char *arg)
{
	struct qrcpt r = { NULL, NULL, 0 };
	struct addr a;
	struct tx *t = &s->tx;
	const char *rest, *err = NULL;
	char rc[ADDR_MAX_PATH + 1];
	struct access acc;

	if (!t->active) {
		if (s->mail_refused)	/* pipelined after the refused MAIL */
			smtpd_slack(s, "503 5.0.0 Need MAIL before RCPT");
		else
			smtpd_bad(s, "503 5.0.0 Need MAIL before RCPT");
		return;
	}
	t->rcpt_tried = 1;	/* a DATA after it may be pipelined */
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
		/* RFC 5321 4.5.3.1.10: the client sends the rest later. */
		smtpd_slack(s, "452 4.5.3 Too many recipients");
		smtpd_log_reject(s, "to", arg, "452 4.5.3 Too many recipients");
		return;
	}
	if (rcpt_params(s, (char *)rest, &r) < 0 ||
	    rcpt_check(s, &a, rc, arg, &acc) < 0)
		goto out;
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

void
smtpd_cmd_vrfy(struct session *s, char *arg)
{
	cmd_vrfy(s, arg, 0);
}

void
smtpd_cmd_expn(struct session *s, char *arg)
{
	cmd_vrfy(s, arg, 1);
}
