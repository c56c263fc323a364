/* smtpd_tls.c - TLS for the session: STARTTLS (RFC 3207) and SMTPS
 * (M=s, RFC 8314 implicit TLS).  GnuTLS is loaded (tls/tls.h) only when
 * a client asks for it; the certificate and key were opened before
 * privileges were dropped.
 */
#include <string.h>
#include <sysexits.h>

#include "lib/buf.h"
#include "mail/cf.h"
#include "lib/log.h"
#include "lib/lookup.h"
#include "tls/tls.h"
#include "smtpd_int.h"

int
smtpd_tls_offered(const struct session *s)
{
	return s->tls_ok == 1 && s->tls == NULL;
}

/* The handshake failed: the client is no longer speaking SMTP in the
 * clear and cannot be spoken to in TLS, so say nothing and close. */
static void
starttls_failed(struct session *s, int code, const char *why)
{
	log_warn("STARTTLS=server, error: accept failed=%d, reason=%s, "
	    "relay=%s", code, why, s->relay);
	tls_end(s->tls, 1, 0);
	s->tls = NULL;
	s->io.werror = 1;	/* nothing more goes out in the clear */
	s->done = 1;
	s->exit_code = EX_PROTOCOL;
}

/* STARTTLS cannot be done now: reply and return 1; else 0. */
static int
starttls_refused(struct session *s, const char *arg)
{
	if (arg[strspn(arg, " \t")] != '\0')
		smtpd_bad(s, "501 5.5.4 Syntax error (no parameters allowed)");
	else if (s->tls != NULL)
		smtpd_bad(s, "503 5.5.1 TLS already active");
	else if (s->tls_ok == 0)	/* not configured, or a local client */
		smtpd_bad(s, "502 5.5.1 STARTTLS not offered");
	else if (s->tls_ok < 0)
		smtpd_reply(s, "454 4.7.0 TLS not available");
	else if (s->tx.active)
		smtpd_bad(s, "503 5.5.1 STARTTLS not allowed in a mail "
		    "transaction");
	else
		return 0;
	return 1;
}

/* The handshake is done: log it as sendmail does.  sendmail logs the
 * cert-subject line at LogLevel 12 and more, with or without a
 * certificate; sockmail, which does not grade its logs, when the client
 * presented one. */
static void
starttls_log(struct session *s)
{
	struct tls_info *ti = &s->tls_info;

	log_info("STARTTLS=server, relay=%s, version=%s, verify=%s, "
	    "cipher=%s, bits=%d/%d", s->relay, ti->version, ti->verify,
	    ti->cipher, ti->bits, ti->bits);
	if (!ti->cert)
		return;
	if (ti->cn_status != NULL)
		log_info("STARTTLS=server, relay=%s, field=cn_subject, "
		    "status=%s", s->relay, ti->cn_status);
	/* xtext: printable, no blanks, nothing to escape */
	log_info("STARTTLS=server, cert-subject=%.256s, cert-issuer=%.256s, "
	    "verifymsg=%s", ti->cert_subject, ti->cert_issuer,
	    ti->verify_msg);
}

/* A verified client certificate may let the client relay (sendmail's
 * RelayTLS); decided once, for the rest of the session. */
static void
starttls_relay(struct session *s)
{
	struct tls_info *ti = &s->tls_info;
	struct access r;

	if (strcmp(ti->verify, "OK") != 0)
		return;
	switch (access_cert(s->cf, ti->cert_issuer, ti->cert_subject, &r)) {
	case ACC_RELAY:
		s->tls_relay = 1;
		log_info("STARTTLS=server, relay=%s, access=%s, relaying "
		    "allowed by the client certificate", s->relay, r.key);
		break;
	case ACC_TEMP:
		s->tls_relay = -1;
		break;
	default:
		break;
	}
}

/* TLSPriority, else by the port: where TLS is required (SMTPS, or a
 * submission port: M=a, Port 587, Name=MSA) the strict default, where
 * it is opportunistic (25) the wide one (tls/tls.h says why). */
static const char *
tls_priority(const struct session *s)
{
	const char *p = s->cf->tls.priority;

	if (p != NULL && p[0] != '\0')
		return p;
	if ((s->dport.mods & (DPM_s | DPM_a)) || s->dport.port == 587 ||
	    s->dport.port == 465 || strcasecmp(s->dport.name, "MSA") == 0 ||
	    s->peer.local_port == 587 || s->peer.local_port == 465)
		return TLS_PRIORITY_REQUIRED;
	return TLS_PRIORITY_OPPORTUNISTIC;
}

/* RFC 3207. */
/* Load GnuTLS and make a TLS session on the connection.  Everything that
 * can fail for want of a library or a usable certificate fails here,
 * while a reply can still be said in the clear.  -1 (logged) or 0. */
static int
tls_start(struct session *s)
{
	struct buf err = BUF_INIT, warn = BUF_INIT;

	/* The key is read and the session's secrets made from here on: a
	 * lookup helper forked later would hold copies of them. */
	lookup_prestart();
	s->tls = tls_prepare(&s->tls_files, tls_priority(s), s->io.rfd,
	    s->io.wfd, &warn, &err);
	if (warn.len > 0)
		log_warn("STARTTLS=server: %s, relay=%s", buf_str(&warn),
		    s->relay);
	if (s->tls == NULL)
		log_err("STARTTLS=server, error: %s, relay=%s", buf_str(&err),
		    s->relay);
	buf_free(&warn);
	buf_free(&err);
	return s->tls == NULL ? -1 : 0;
}

/* The handshake; then all I/O goes through TLS.  -1: the session is
 * over (starttls_failed). */
static int
tls_finish(struct session *s)
{
	struct buf err = BUF_INIT;
	int code = 0;

	if (tls_handshake(s->tls, smtpd_secs_ms(s->cf->to.starttls), &code,
	    &err) < 0) {
		starttls_failed(s, code, buf_str(&err));
		buf_free(&err);
		return -1;
	}
	buf_free(&err);
	io_set_transport(&s->io, &tls_io_ops, s->tls);
	tls_get_info(s->tls, &s->tls_info);
	starttls_log(s);
	starttls_relay(s);
	return 0;
}

/* RFC 3207. */
void
smtpd_cmd_starttls(struct session *s, char *arg)
{
	size_t n;

	if (starttls_refused(s, arg))
		return;
	if (tls_start(s) < 0) {
		s->tls_ok = -1;
		smtpd_reply(s, "454 4.7.0 TLS not available");
		return;
	}
	smtpd_reply(s, "220 2.0.0 Ready to start TLS");
	if (io_flush(&s->io) < 0) {
		tls_end(s->tls, 1, 0);
		s->tls = NULL;
		return;
	}
	/* Commands pipelined after STARTTLS were sent in the clear; read
	 * after the handshake they would pass for protected ones
	 * (CVE-2011-0411). */
	if ((n = io_discard_input(&s->io)) > 0)
		log_notice("STARTTLS=server: discarded %zu octets sent after "
		    "STARTTLS before the handshake, relay=%s", n, s->relay);
	if (tls_finish(s) < 0)
		return;
	/* RFC 3207 4.2: forget what the client said in the clear; it must
	 * say EHLO again.  That includes an AUTH done in the clear (with
	 * AuthOptions lacking p): it was not protected. */
	smtpd_tx_reset(s);
	smtpd_auth_reset(s);
	s->helo_seen = s->esmtp = 0;
	s->helo[0] = '\0';
}

/* M=s (SMTPS, RFC 8314 implicit TLS): the handshake comes first, before
 * the banner, and nothing is ever said in the clear.  -1: no session. */
int
smtpd_smtps_begin(struct session *s)
{
	if (s->tls_ok != 1) {
		log_err("NOQUEUE: SYSERR: SMTPS (M=s) on %s port %d needs "
		    "ServerCertFile and ServerKeyFile; closing, relay=%s",
		    s->peer.local_ip, s->peer.local_port, s->relay);
		s->exit_code = EX_CONFIG;
		return -1;
	}
	if (tls_start(s) < 0) {
		s->exit_code = EX_UNAVAILABLE;
		return -1;
	}
	return tls_finish(s);
}
