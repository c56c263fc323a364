/* smtpd_data.c - receiving a message: DATA and BDAT, into the queue.
 *
 * Only CRLF "." CRLF ends DATA.  A bare CR or LF from a network peer
 * ends the session with 421 (so no end-of-data trick can ever start a
 * second message); a local peer (pipe, terminal) may end lines with LF.
 * Lines are dot-unstuffed and stored with LF ends: headers as H lines of
 * the qf, the body in df.  Nothing is acknowledged before queue_commit()
 * made it durable.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "mail/body.h"
#include "mail/cf.h"
#include "lib/date.h"
#include "lib/log.h"
#include "mail/policy.h"
#include "mail/smtpcmd.h"
#include "smtpd_int.h"

static void
log_reject_msg(struct session *s, const char *reply)
{
	char from[ADDR_MAX_PATH + 3];

	snprintf(from, sizeof(from), "<%s>", s->tx.from);
	smtpd_log_reject(s, "from", from, reply);
}

/* RFC 3848 and 6531 names: S for TLS, A for AUTH (after EHLO only). */
static const char *
protocol(const struct session *s)
{
	static const char *const names[2][2][2] = {
		{ { "ESMTP", "ESMTPA" }, { "ESMTPS", "ESMTPSA" } },
		{ { "UTF8SMTP", "UTF8SMTPA" }, { "UTF8SMTPS", "UTF8SMTPSA" } },
	};
	int tls = s->tls != NULL, auth = s->auth_user[0] != '\0';

	if (s->tx.smtputf8 || s->esmtp)
		return names[s->tx.smtputf8 != 0][tls][auth];
	return tls ? "SMTPS" : "SMTP";
}

static void
received_header(struct session *s, struct body *b)
{
	char date[DATE_RFC5322_MAX];
	struct buf *h = &b->hdrs;

	date_rfc5322(date, sizeof(date), time(NULL));
	buf_adds(h, "H??Received: from ");
	if (s->helo_seen) {
		buf_adds(h, s->helo);
		buf_adds(h, " (");
		buf_adds(h, s->relay);
		buf_adds(h, ")");
	} else
		buf_adds(h, s->relay);
	if (s->auth_user[0] != '\0')	/* sendmail's ${auth_type} clause */
		buf_adds(h, "\n\t(authenticated bits=0)");
	buf_adds(h, "\n\tby ");
	buf_adds(h, s->host);
	buf_adds(h, " (sockmail) with ");
	buf_adds(h, protocol(s));
	buf_adds(h, " id ");
	buf_adds(h, s->qm->id);
	if (s->tls != NULL)	/* where sendmail's ${tls_version} clause is */
		buf_printf(h, "\n\t(version=%s cipher=%s bits=%d verify=%s)",
		    s->tls_info.version, s->tls_info.cipher,
		    s->tls_info.bits, s->tls_info.verify);
	if (s->tx.nrcpts == 1) {
		buf_adds(h, "\n\tfor <");
		buf_adds(h, s->tx.rcpts[0].addr);
		buf_adds(h, ">");
	}
	buf_adds(h, "; ");
	buf_adds(h, date);
	buf_addc(h, '\n');
}

/* Open the queue files and prepare to receive.  0, or -1 after a reply. */
static int
message_begin(struct session *s, int dot_mode)
{
	struct body *b;
	int e;

	if (s->qm == NULL)
		s->qm = xmalloc(sizeof(*s->qm));
	e = queue_begin(s->qm, s->dirfd, s->cf->queue.file_mode,
	    s->cf->queue.commit_syncfs);
	if (e != 0) {
		s->qm->dffd = s->qm->tffd = -1;
		log_err("NOQUEUE: SYSERR: cannot create queue files in %s: "
		    "%s", s->cf->queue.dir, strerror(e));
		if (e == ENOSPC || e == EDQUOT)
			smtpd_reply(s, "452 4.3.1 Insufficient disk space; "
			    "try again later");
		else
			smtpd_reply(s, "451 4.3.0 Queue unavailable; try "
			    "again later");
		return -1;
	}
	b = xmalloc(sizeof(*b));
	body_init(b, s->qm, s->cf->lim.max_message_size, dot_mode, s->io.lf_ok);
	if (s->cf->lim.max_headers_length > 0)
		b->max_hdrs = (size_t)s->cf->lim.max_headers_length;
	s->tx.body = b;
	received_header(s, b);
	return 0;
}

static void
log_accept(struct session *s, struct body *b, long long size)
{
	struct buf mid = BUF_INIT;
	size_t i;

	buf_escape(&mid, b->msgid, strlen(b->msgid), 200);
	log_info("%s: from=<%s>, size=%lld, class=0, nrcpts=%zu, msgid=%s, "
	    "%sproto=%s, %s%s%srelay=%s", s->qm->id, s->tx.from, size,
	    s->tx.nrcpts, buf_str(&mid),
	    s->tx.body_8bitmime ? "bodytype=8BITMIME, " : "", protocol(s),
	    s->dport.name[0] ? "daemon=" : "", s->dport.name,
	    s->dport.name[0] ? ", " : "", s->relay);
	for (i = 0; i < s->tx.nrcpts; i++) {
		const char *r = s->tx.rcpts[i].addr, *at = strrchr(r, '@');

		log_info("%s: to=<%s>, delay=00:00:00, mailer=%s, pri=%lld, "
		    "stat=queued", s->qm->id, r,
		    policy_domain_is_local(s->cf, at ? at + 1 : "") ?
		    "local" : "esmtp",
		    size + 30000LL * (long long)s->tx.nrcpts);
	}
	buf_free(&mid);
}

/* Why the message cannot be accepted, as a reply; NULL if it can. */
static const char *
verdict(struct session *s, struct body *b, char *tmp, size_t tmpsz)
{
	if (b->bare)
		return "554 5.6.0 Message has a bare CR or LF";
	if (b->nul == 2 || (b->nul && s->cf->reject_nul))
		return "554 5.6.1 NUL byte not allowed";
	if (b->toobig) {
		snprintf(tmp, tmpsz, "552 5.3.4 Message size exceeds fixed "
		    "maximum message size (%ld)", s->cf->lim.max_message_size);
		return tmp;
	}
	if (b->toolong)
		return "554 5.6.0 Message has a line over 1000 octets";
	if (b->hdrbig) {
		snprintf(tmp, tmpsz, "552 5.6.0 Headers too large (%zu max)",
		    b->max_hdrs);
		return tmp;
	}
	if (s->cf->lim.max_hop_count > 0 && b->hops >= s->cf->lim.max_hop_count) {
		snprintf(tmp, tmpsz, "554 5.4.6 Too many hops %d (%d max)",
		    b->hops, s->cf->lim.max_hop_count);
		return tmp;
	}
	return NULL;
}

/* All of the message is in: commit it or say why not. */
static void
message_end(struct session *s)
{
	struct body *b = s->tx.body;
	struct buf ctl = BUF_INIT, auth = BUF_INIT;
	struct qenv env;
	const char *no;
	char tmp[160], caddr[72];
	int e;

	body_end(b);		/* BDAT: a last line without CRLF */
	if ((no = verdict(s, b, tmp, sizeof(tmp))) != NULL) {
		queue_abort(s->qm);
		smtpd_reply(s, "%s", no);
		log_reject_msg(s, no);
		goto out;
	}
	if (s->tx.discard) {
		/* The access map said DISCARD: take it and keep nothing. */
		queue_abort(s->qm);
		log_info("%s: from=<%s>, size=%zu, nrcpts=%zu, relay=%s, "
		    "discarded (access map)", s->qm->id, s->tx.from,
		    (size_t)(s->qm->df_bytes + b->hdrs.len), s->tx.nrcpts,
		    s->relay);
		s->nnoise = s->nslack = 0;
		smtpd_reply(s, "250 2.0.0 %s Message accepted for delivery",
		    s->qm->id);
		goto out;
	}
	memset(&env, 0, sizeof(env));
	env.ctime = time(NULL);
	env.sender = s->tx.from;
	env.envid = s->tx.envid;
	if (s->tx.auth_param != NULL)
		env.auth = s->tx.auth_param;
	else if (s->auth_user[0] != '\0') {
		/* No AUTH= given: the authenticated user, as sendmail. */
		smtpcmd_xtext_encode(s->auth_user, &auth);
		env.auth = buf_str(&auth);
	}
	env.ret = s->tx.ret;
	env.body_8bitmime = s->tx.body_8bitmime;
	env.has_8bit = b->has8bit;
	env.smtputf8 = s->tx.smtputf8;
	env.client_macro = s->relay;
	if (strchr(s->peer.ip, ':') != NULL) {	/* as sendmail: IPv6:addr */
		snprintf(caddr, sizeof(caddr), "IPv6:%s", s->peer.ip);
		env.client_addr = caddr;
	} else
		env.client_addr = s->peer.ip;
	if (s->dport.name[0] != '\0')
		env.daemon_name = s->dport.name;
	env.proto = protocol(s);
	env.helo = s->helo;
	env.rcpts = s->tx.rcpts;
	env.nrcpts = s->tx.nrcpts;
	env.size = (long long)(s->qm->df_bytes + b->hdrs.len);
	env.df_size = s->qm->df_bytes;
	queue_format_qf(&ctl, &env, &b->hdrs);
	e = queue_commit(s->qm, &ctl);
	if (e != 0) {
		log_err("%s: SYSERR: queue commit failed in %s: %s, message "
		    "refused", s->qm->id, s->cf->queue.dir, strerror(e));
		if (e == ENOSPC || e == EDQUOT)
			smtpd_reply(s, "452 4.3.1 Insufficient disk space; "
			    "try again later");
		else
			smtpd_reply(s, "451 4.3.0 Error writing the queue; "
			    "try again later");
		goto out;
	}
	s->nmsgs++;
	s->nnoise = s->nslack = 0;	/* a client that sends mail may
					 * idle between, and pipeline */
	log_accept(s, b, env.size);
	smtpd_reply(s, "250 2.0.0 %s Message accepted for delivery",
	    s->qm->id);
out:
	buf_free(&ctl);
	buf_free(&auth);
	smtpd_tx_reset(s);
}

/* The connection failed while a message was coming in. */
static void
message_lost(struct session *s, enum io_status st, const char *where)
{
	log_notice("%s: lost input channel from %s during %s (%s)",
	    s->qm->id, s->relay, where,
	    st == IO_TIMEOUT ? "timeout" : st == IO_EOF ? "EOF" : "error");
	if (st == IO_TIMEOUT)
		smtpd_reply(s, "421 4.4.2 %s Timeout during message transfer; "
		    "closing", s->host);
	queue_abort(s->qm);
	smtpd_tx_reset(s);
	s->done = 1;
}

/* DATA or BDAT without a transaction to take it.  Right after a refused
 * MAIL or RCPTs that were all refused, a pipelining client could not
 * know (RFC 2920 3.1): smtpd_slack().  Any other time it is a client
 * that does not follow the protocol: counted. */
static void
no_transaction(struct session *s, const char *reply)
{
	if (s->tx.active ? s->tx.rcpt_tried : s->mail_refused)
		smtpd_slack(s, "%s", reply);
	else
		smtpd_bad(s, "%s", reply);
}

void
smtpd_cmd_data(struct session *s, char *arg)
{
	enum io_status st;
	size_t used;
	int end = 0;

	if (arg[0] != '\0') {
		smtpd_bad(s, "501 5.5.4 DATA takes no arguments");
		return;
	}
	if (!s->tx.active || s->tx.nrcpts == 0) {
		no_transaction(s, !s->tx.active ? "503 5.0.0 Need MAIL "
		    "command" : "503 5.0.0 Need RCPT (recipient)");
		return;
	}
	if (s->peer.network && io_pending(&s->io, 0)) {
		/* RFC 2920: DATA ends a pipelined group; the client must
		 * wait for 354.  Text already here may be smuggled. */
		smtpd_reply(s, "554 5.5.0 SMTP protocol error: data sent "
		    "before the 354 reply");
		log_reject_msg(s,
		    "554 traffic before 354");
		s->done = 1;
		return;
	}
	if (message_begin(s, 1) < 0)
		return;
	smtpd_reply(s, "354 Enter mail, end with \".\" on a line by itself");
	s->io.timeout_ms = smtpd_secs_ms(s->cf->to.datablock);
	while (!end) {
		if ((st = io_fill(&s->io)) != IO_OK) {
			message_lost(s, st, "message collect");
			return;
		}
		used = body_feed(s->tx.body, s->io.rbuf + s->io.rpos,
		    s->io.rlen - s->io.rpos, &end);
		s->io.rpos += used;
		if (s->tx.body->bare) {
			smtpd_reply(s, "421 4.5.0 %s Bare CR or LF in message "
			    "text not allowed; closing", s->host);
			log_reject_msg(s,
			    "421 4.5.0 bare CR/LF (possible smuggling)");
			queue_abort(s->qm);
			smtpd_tx_reset(s);
			s->done = 1;
			return;
		}
	}
	message_end(s);
}

/* Read and throw away n octets (a chunk we cannot take). 0 or -1. */
static int
discard(struct session *s, unsigned long long n, enum io_status *st)
{
	char sink[4096];
	size_t k;

	while (n > 0) {
		k = io_read(&s->io, sink, n < sizeof(sink) ? n : sizeof(sink),
		    st);
		if (k == 0)
			return -1;
		n -= k;
	}
	return 0;
}

/* Feed one BDAT chunk of n octets into the message. */
static int
take_chunk(struct session *s, unsigned long long n, enum io_status *st)
{
	size_t k;
	int end = 0;

	while (n > 0) {
		if ((*st = io_fill(&s->io)) != IO_OK)
			return -1;
		k = s->io.rlen - s->io.rpos;
		if (k > n)
			k = n;
		body_feed(s->tx.body, s->io.rbuf + s->io.rpos, k, &end);
		s->io.rpos += k;
		n -= k;
	}
	return 0;
}

void
smtpd_cmd_bdat(struct session *s, char *arg)
{
	unsigned long long size;
	enum io_status st = IO_OK;
	int last;

	if (smtpcmd_bdat(arg, &size, &last) < 0) {
		/* The chunk's length is unknown: we cannot stay in step. */
		smtpd_reply(s, "501 5.5.4 Syntax: BDAT size [LAST]; closing");
		smtpd_log_reject(s, "command", arg, "501 bad BDAT");
		s->done = 1;
		return;
	}
	s->io.timeout_ms = smtpd_secs_ms(s->cf->to.datablock);
	if (!s->tx.active || s->tx.nrcpts == 0 || s->tx.bdat_failed ||
	    (!s->tx.bdat && message_begin(s, 0) < 0)) {
		if (discard(s, size, &st) < 0) {
			s->done = 1;
			return;
		}
		if (s->tx.bdat_failed)	/* the rest of what it sent */
			smtpd_slack(s, "554 5.5.0 Message already refused; "
			    "send RSET");
		else if (!s->tx.active || s->tx.nrcpts == 0)
			no_transaction(s, "503 5.5.1 Need MAIL and RCPT "
			    "before BDAT");
		s->tx.bdat_failed = s->tx.active;
		if (last)
			smtpd_tx_reset(s);
		return;
	}
	s->tx.bdat = 1;
	if (take_chunk(s, size, &st) < 0) {
		message_lost(s, st, "BDAT");
		return;
	}
	if (last)
		message_end(s);
	else
		smtpd_reply(s, "250 2.0.0 %llu octets received", size);
}
