/* smtpd_mail.c - MAIL FROM: the sender, its parameters (RFC 1870, 6152,
 * 6531, 3461, 4954) and the checks that may refuse the transaction
 * before it starts: access map, size, disk space.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mail/cf.h"
#include "mail/smtpcmd.h"
#include "smtpd_int.h"

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

/* MAIL FROM parameters (RFC 1870, 6152, 6531, 3461, 4954). */
static int
mail_params(struct session *s, char *rest)
{
	struct smtp_param p[SMTP_MAX_PARAMS];
	struct tx *t = &s->tx;
	char *end;
	int i, n;

	if ((n = smtpd_params(s, rest, p)) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		const char *k = p[i].key, *v = p[i].value;

		if (smtpd_dsn_refused(s, k))
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
		/* A client refused as a whole that goes on trying: counted,
		 * as sendmail counts every command of such a session. */
		smtpd_bad(s, "%s", c->reply);
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

/* MAIL in a session without a transaction: its checks, then the
 * transaction, or a reply that refuses it. */
static void
mail_begin(struct session *s, char *arg)
{
	struct addr a;
	const char *rest, *err = NULL;
	long max = s->cf->lim.max_message_size;
	/* UTF-8 is parsed, then refused below unless SMTPUTF8 was given. */
	int flags = ADDR_ALLOW_NULL | (s->esmtp ? ADDR_ALLOW_UTF8 : 0);

	if (!s->helo_seen && (s->cf->privacy & PRIV_NEEDMAILHELO)) {
		smtpd_bad(s, "503 5.0.0 Need HELO or EHLO before MAIL");
		return;
	}
	if ((s->dport.mods & DPM_a) && s->auth_user[0] == '\0') {
		smtpd_bad(s, "530 5.7.0 Authentication required");
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
		/* Counted: a client that repeats it is not sending mail. */
		smtpd_bad(s, "552 5.3.4 Message size exceeds fixed maximum "
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

/* Whether the MAIL is refused decides how the RCPTs and the DATA
 * pipelined after it count (smtpd_slack()). */
void
smtpd_cmd_mail(struct session *s, char *arg)
{
	if (s->tx.active) {
		smtpd_bad(s, "503 5.5.0 Sender already specified");
		return;
	}
	mail_begin(s, arg);
	s->mail_refused = !s->tx.active;
}
