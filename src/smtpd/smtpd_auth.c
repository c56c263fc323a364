/* smtpd_auth.c - SMTP AUTH (RFC 4954): who is offered it, the command
 * and its challenge/response exchange.
 *
 * The SASL library (sasl.c) is loaded by the first AUTH command; EHLO
 * offers the configured AuthMechanisms without it.  With AuthOptions p
 * (the default) a network client is offered AUTH only inside TLS, so a
 * password never crosses the network in the clear; a local client (a
 * pipe, a terminal) is offered it too: its lines never leave the host.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mail/cf.h"
#include "lib/log.h"
#include "lib/lookup.h"
#include "sasl.h"
#include "mail/smtpcmd.h"
#include "smtpd_int.h"

/* RFC 4954 4: sasl-mech = 1*20(UPPER-ALPHA / DIGIT / "-" / "_"). */
#define MECH_MAX	20
/* The largest decoded line, and its NUL. */
#define AUTH_DEC_MAX	(SMTP_AUTH_LINE_MAX / 4 * 3 + 4)
/* A challenge larger than this is not one a plaintext mechanism sends. */
#define AUTH_CHAL_MAX	4096

int
smtpd_auth_offered(const struct session *s)
{
	const char *m = s->cf->auth.mechanisms;

	if (!s->esmtp || s->auth_user[0] != '\0' || m == NULL ||
	    (s->dport.mods & DPM_A) ||
	    m[strspn(m, " \t,")] == '\0')
		return 0;
	if (s->peer.network && s->tls == NULL &&
	    (s->cf->auth.options & AUTHOPT_p))
		return 0;
	return 1;
}

void
smtpd_auth_reset(struct session *s)
{
	s->auth_user[0] = '\0';
	s->auth_mech[0] = '\0';
}

/* The next word of AuthMechanisms (blanks or commas between them) at
 * *pp: its start and length, or NULL at the end. */
static const char *
next_mech(const char **pp, size_t *n)
{
	const char *p = *pp, *w;

	p += strspn(p, " \t,");
	w = p;
	p += strcspn(p, " \t,");
	*pp = p;
	*n = (size_t)(p - w);
	return *n > 0 ? w : NULL;
}

/* A word that can be a SASL mechanism name (RFC 4954 4). */
static int
mech_name_ok(const char *w, size_t n)
{
	size_t i;

	if (n == 0 || n > MECH_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!((w[i] >= 'A' && w[i] <= 'Z') ||
		    (w[i] >= 'a' && w[i] <= 'z') ||
		    (w[i] >= '0' && w[i] <= '9') || w[i] == '-' ||
		    w[i] == '_'))
			return 0;
	return 1;
}

/* Is mech (upper case) one of AuthMechanisms? */
static int
mech_configured(const struct cf *cf, const char *mech)
{
	const char *p = cf->auth.mechanisms, *w;
	size_t n;

	while (p != NULL && (w = next_mech(&p, &n)) != NULL)
		if (n == strlen(mech) && strncasecmp(w, mech, n) == 0)
			return 1;
	return 0;
}

void
smtpd_auth_ehlo(struct session *s)
{
	char line[512];
	const char *p = s->cf->auth.mechanisms, *w;
	size_t len = 0, n, i;

	/* One blank between names, in upper case; a word that is no
	 * mechanism name, or more than fits one reply line, is left out. */
	while ((w = next_mech(&p, &n)) != NULL) {
		if (!mech_name_ok(w, n) || len + n + 2 > sizeof(line))
			continue;
		line[len++] = ' ';
		for (i = 0; i < n; i++)
			line[len++] = (w[i] >= 'a' && w[i] <= 'z') ?
			    w[i] - 32 : w[i];
	}
	line[len] = '\0';
	if (len > 0)
		smtpd_reply(s, "250-AUTH%s", line);
}

/* "MECH [initial-response]": the mechanism in upper case into mech, the
 * response (or NULL) into *ir.  0, or -1 on bad syntax. */
static int
parse_auth(char *arg, char mech[MECH_MAX + 1], char **ir)
{
	size_t n = 0;
	char *p = arg;

	for (; (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
	    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'; p++) {
		if (n == MECH_MAX)
			return -1;
		mech[n++] = (*p >= 'a' && *p <= 'z') ? *p - 32 : *p;
	}
	mech[n] = '\0';
	if (n == 0)
		return -1;
	*ir = NULL;
	if (*p == '\0')
		return 0;
	if (*p != ' ' || p[1] == '\0' || strchr(p + 1, ' ') != NULL)
		return -1;
	*ir = p + 1;
	return 0;
}

/* Send a challenge as "334 base64".  -1 if it cannot be encoded. */
static int
challenge(struct session *s, const char *out, size_t outlen)
{
	char b64[AUTH_CHAL_MAX];
	size_t n;

	if (saslsrv_encode64(out, outlen, b64, sizeof(b64), &n) == -1)
		return -1;
	io_write(&s->io, "334 ", 4);
	io_write(&s->io, b64, n);
	io_write(&s->io, "\r\n", 2);
	return 0;
}

/* The client's answer to a challenge, decoded into dec.  1: have it;
 * 0: the exchange ended (a reply was given, or the peer is gone). */
static int
response(struct session *s, char *line, char *dec, size_t *declen)
{
	enum io_status st;
	size_t len;

	/* Timeout.auth, not Timeout.command, for an answer to a challenge */
	s->io.timeout_ms = smtpd_secs_ms(s->cf->to.auth);
	st = io_getline(&s->io, line, SMTP_AUTH_LINE_MAX - 1, &len);
	s->io.timeout_ms = smtpd_secs_ms(s->cf->to.command);
	switch (st) {
	case IO_OK:
		break;
	case IO_TIMEOUT:
		smtpd_reply(s, "421 4.4.2 %s Timeout waiting for input; "
		    "closing", s->host);
		s->done = 1;
		return 0;
	case IO_TOOLONG:
	case IO_BARECR:
		smtpd_reply(s, "501 5.5.2 Bad AUTH response line");
		smtpd_count_bad(s);
		return 0;
	case IO_OVERRUN:
		smtpd_reply(s, "421 4.7.0 %s Line too long, closing", s->host);
		s->done = 1;
		return 0;
	default:		/* EOF, error */
		s->done = 1;
		return 0;
	}
	if (strcmp(line, "*") == 0) {
		smtpd_reply(s, "501 5.7.0 AUTH aborted");
		smtpd_count_bad(s);
		return 0;
	}
	if (saslsrv_decode64(line, len, dec, AUTH_DEC_MAX, declen) == -1) {
		smtpd_reply(s, "501 5.5.2 Cannot decode response");
		smtpd_count_bad(s);
		return 0;
	}
	return 1;
}

static void
auth_ok(struct session *s, struct saslsrv *sv, const char *mech)
{
	struct buf e = BUF_INIT;
	const char *u = saslsrv_username(sv);

	if (u == NULL || u[0] == '\0' || strlen(u) >= sizeof(s->auth_user)) {
		log_err("AUTH=server, relay=%s, mech=%s: no usable user name "
		    "from SASL", s->relay, mech);
		smtpd_reply(s, "454 4.7.0 Temporary authentication failure");
		return;
	}
	snprintf(s->auth_user, sizeof(s->auth_user), "%s", u);
	snprintf(s->auth_mech, sizeof(s->auth_mech), "%s", mech);
	buf_escape(&e, u, strlen(u), 256);
	log_info("AUTH=server, relay=%s, authid=%s, mech=%s, bits=0",
	    s->relay, buf_str(&e), mech);
	buf_free(&e);
	smtpd_reply(s, "235 2.0.0 OK Authenticated");
}

static void
auth_failed(struct session *s, struct saslsrv *sv, const char *mech,
    enum saslsrv_res r)
{
	struct buf e = BUF_INIT;
	const char *why;
	int code;

	why = saslsrv_reason(sv, &code);
	buf_escape(&e, why, strlen(why), 200);
	log_warn("AUTH failure (%s): %s (%d), relay=%s", mech, buf_str(&e),
	    code, s->relay);
	buf_free(&e);
	if (r == SASLSRV_NOMECH) {
		smtpd_reply(s, "504 5.5.4 Mechanism %s not supported", mech);
		smtpd_count_bad(s);
	} else if (r == SASLSRV_TEMP)
		smtpd_reply(s, "454 4.7.0 Temporary authentication failure");
	else {
		/* Counted, so that guessing passwords ends the session. */
		smtpd_reply(s, "535 5.7.8 Authentication credentials invalid");
		smtpd_count_bad(s);
	}
}

/* The exchange, from the (optional) initial response to the verdict. */
static void
exchange(struct session *s, struct saslsrv *sv, const char *mech, char *ir)
{
	char *line = xmalloc(SMTP_AUTH_LINE_MAX), *dec = xmalloc(AUTH_DEC_MAX);
	const char *out;
	size_t outlen, declen = 0;
	enum saslsrv_res r;

	/* "=" is an initial response of zero length (RFC 4954 4). */
	if (ir != NULL && strcmp(ir, "=") != 0 &&
	    saslsrv_decode64(ir, strlen(ir), dec, AUTH_DEC_MAX, &declen) == -1) {
		smtpd_reply(s, "501 5.5.2 Cannot decode AUTH parameter");
		smtpd_count_bad(s);
		goto out;
	}
	r = saslsrv_start(sv, mech, ir != NULL ? dec : NULL, declen, &out,
	    &outlen);
	while (r == SASLSRV_CONTINUE) {
		if (challenge(s, out, outlen) == -1) {
			r = SASLSRV_TEMP;
			break;
		}
		if (!response(s, line, dec, &declen))
			goto out;
		r = saslsrv_step(sv, dec, declen, &out, &outlen);
	}
	if (r == SASLSRV_OK)
		auth_ok(s, sv, mech);
	else
		auth_failed(s, sv, mech, r);
out:
	/* The decoded responses held a password. */
	explicit_bzero(dec, AUTH_DEC_MAX);
	explicit_bzero(line, SMTP_AUTH_LINE_MAX);
	free(dec);
	free(line);
}

/* Wipe the input the client's AUTH data came through: the rest of the
 * command line (the initial response, in the session's line buffer) and
 * every octet of the input buffer but those not read yet (a pipelined
 * command).  Its start was handed out (the command, the responses); its
 * end may hold an earlier fill's octets, the start of a long line. */
static void
wipe_input(struct session *s, char *arg)
{
	explicit_bzero(arg, strlen(arg));
	io_wipe_read(&s->io);
}

static void
auth_cmd(struct session *s, char *arg)
{
	struct saslsrv_peer p;
	struct saslsrv *sv;
	struct buf err = BUF_INIT;
	char mech[MECH_MAX + 1], *ir;

	if (s->auth_user[0] != '\0') {
		smtpd_reply(s, "503 5.5.0 Already Authenticated");
		smtpd_count_bad(s);
		return;
	}
	if (!smtpd_auth_offered(s)) {
		smtpd_reply(s, "503 5.3.3 AUTH not available");
		smtpd_count_bad(s);
		return;
	}
	if (s->tx.active) {
		smtpd_reply(s, "503 5.5.0 AUTH not permitted during a mail "
		    "transaction");
		smtpd_count_bad(s);
		return;
	}
	if (parse_auth(arg, mech, &ir) == -1) {
		smtpd_reply(s, "501 5.5.4 Syntax error in AUTH parameters");
		smtpd_count_bad(s);
		return;
	}
	if (!mech_configured(s->cf, mech)) {
		smtpd_reply(s, "504 5.5.4 Mechanism %s not supported", mech);
		smtpd_count_bad(s);
		return;
	}
	memset(&p, 0, sizeof(p));
	p.fqdn = s->host;
	p.remote_ip = s->peer.network ? s->peer.ip : NULL;
	p.remote_port = s->peer.port;
	p.tls = s->tls != NULL;
	if ((sv = saslsrv_new(s->cf, &p, &err)) == NULL) {
		log_err("AUTH=server, relay=%s, error: %s", s->relay,
		    buf_str(&err));
		smtpd_reply(s, "454 4.7.0 Temporary authentication failure");
		buf_free(&err);
		return;
	}
	exchange(s, sv, mech, ir);
	saslsrv_free(sv);
}

void
smtpd_cmd_auth(struct session *s, char *arg)
{
	/* This line may hold a password already, and the exchange will:
	 * no lookup helper may be forked from this memory from now on. */
	lookup_seal();
	auth_cmd(s, arg);
	/* Refused or not, the client may have sent a password. */
	wipe_input(s, arg);
}
