/* dsn.h - the text of a delivery status notification (a bounce, a
 * delay warning, a return receipt) for a queued message.
 *
 * RFC 3461 (NOTIFY, RET, ENVID, ORCPT), RFC 6522 multipart/report,
 * RFC 3464 message/delivery-status, RFC 3463 status codes, in sendmail's
 * wording (doc/dsn.md).  The queue runner collects what happened to each
 * recipient into struct dsn_rcpt, asks dsn_due() whether anything must
 * be reported, and if so queues what dsn_build() or dsn_write() produce
 * as a new message with envelope sender <> to dsn_return_to().  This
 * module only formats: it opens, locks and queues nothing.
 *
 * Everything the envelope or a remote server supplied (addresses, ORCPT,
 * ENVID, diagnostics, host names, the transcript) is made single-line,
 * 7-bit and length-capped before it is written, so that none of it can
 * start a header field or a MIME part; the multipart boundary is checked
 * against all of the included text.
 */
#ifndef SOCKMAIL_DSN_H
#define SOCKMAIL_DSN_H

#include <stddef.h>
#include <time.h>

struct buf;
struct qf;

#define DSN_FIELD_MAX	800	/* octets kept of one envelope value */

enum dsn_action {
	DSN_FAILED,
	DSN_DELAYED,
	DSN_DELIVERED,
	DSN_RELAYED,	/* to a mailer that does not speak DSN */
	DSN_EXPANDED	/* by an alias or list */
};

/* One recipient's result. */
struct dsn_rcpt {
	const char	*addr;		/* final recipient, without <> */
	const char	*orcpt;		/* ORCPT as stored ("rfc822;a+2Bb@c"), or NULL */
	unsigned	 notify;	/* QN_* (mail/qf.h) */
	enum dsn_action	 action;
	const char	*status;	/* "5.1.1"; NULL: 5.0.0, 4.0.0, 2.0.0 */
	const char	*diag;		/* "smtp; 550 5.1.1 ... User unknown", or NULL */
	const char	*remote_mta;	/* host name talked to, or NULL */
	time_t		 last_attempt;	/* 0: the report's time */
	time_t		 retry_until;	/* DSN_DELAYED: Will-Retry-Until, 0: none */
};

struct dsn_msg {
	const struct qf	*qf;		/* sender, Z (ENVID), F (RET), T, $_ */
	const char	*qid;		/* the original's queue id (postmaster copy) */
	const char	*headers;	/* the original's header text, LF ends, */
	size_t		 hlen;		/* without the empty line after it */
	int		 body_fd;	/* the df, read with pread() from 0; -1: none */
	const char	*received_from;	/* Received-From-MTA; NULL: from $_ */
	const char	*reporting_mta;	/* $j */
	const char	*new_id;	/* the report's queue id */
	time_t		 now;
	long		 warn_after;	/* Timeout.queuewarn (s), for a delay's
					 * Subject; 0: the message's age */
	unsigned long long max_return;	/* originals bigger than this go back
					 * as headers only; 0: no limit */
	const char	*transcript;	/* lines for "Transcript of session",
					 * or NULL: the diagnostics */
	const char	*message;	/* the reason for the log line, or NULL */
	const char	*postmaster;	/* non-NULL: a double bounce, to this
					 * address (DoubleBounceAddress) */
	const struct dsn_rcpt *rcpts;
	size_t		 nrcpts;
};

/* Is recipient r reported in m's DSN?  NOTIFY=NEVER: never; NOTIFY=
 * given: the actions it names (SUCCESS covers delivered, relayed and
 * expanded); none given: failures and delays.  A postmaster copy
 * reports every failure and nothing else. */
int	 dsn_wanted(const struct dsn_msg *m, const struct dsn_rcpt *r);

/* 1 if a report is due: some recipient is wanted, and the report has
 * somewhere to go (a message from <> gets none, unless m->postmaster
 * is set).  0 otherwise. */
int	 dsn_due(const struct dsn_msg *m);

/* The envelope recipient of the report: the original sender without
 * its angle brackets, or m->postmaster. */
const char *dsn_return_to(const struct dsn_msg *m, struct buf *out);

/* The complete report (headers, empty line, body; LF line ends) appended
 * to out.  0, or -1 with the reason in err (no report due, the df could
 * not be read). */
int	 dsn_build(const struct dsn_msg *m, struct buf *out, struct buf *err);

/* The same written to fd (e.g. the new message's df and header text, as
 * the caller splits it); the original's body is copied in pieces, not
 * held in memory.  0, or -1 with the reason in err. */
int	 dsn_write(const struct dsn_msg *m, int fd, struct buf *err);

/* What sendmail logs for a report, after the original's id:
 * "<new-id>: DSN: <reason>", "<new-id>: sender notify: <subject>" for a
 * delay, "<new-id>: postmaster notify: <reason>". */
void	 dsn_log_text(const struct dsn_msg *m, struct buf *out);

#endif
