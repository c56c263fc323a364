/* smtpd_reply.c - what the session says back: reply lines, the log line
 * of a refusal, the count of refused commands (MaxBadCommands), and the
 * timeouts the session waits with.  At the bottom of src/smtpd/: it calls
 * no other smtpd file.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/buf.h"
#include "mail/cf.h"
#include "lib/fmt.h"
#include "lib/log.h"
#include "smtpd_int.h"

/* One reply line: smtpd_reply(), smtpd_bad() and smtpd_slack() all say
 * it this way, with one limit. */
static void
vreply(struct session *s, const char *fmt, va_list ap)
{
	char line[1200];
	int n;

	n = fmt_v(line, sizeof(line) - 2, fmt, ap);
	if (n < 0 || (size_t)n >= sizeof(line) - 2) {
		/* A reply never needs this much; refuse rather than cut. */
		n = snprintf(line, sizeof(line), "451 4.3.0 Reply too long");
	}
	memcpy(line + n, "\r\n", 2);
	io_write(&s->io, line, (size_t)n + 2);
}

void
smtpd_reply(struct session *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreply(s, fmt, ap);
	va_end(ap);
}

void
smtpd_log_reject(struct session *s, const char *what, const char *arg,
    const char *reply)
{
	struct buf e = BUF_INIT;

	buf_escape(&e, arg, strlen(arg), 300);
	log_notice("NOQUEUE: %s=%s, relay=%s, reject=%s", what, buf_str(&e),
	    s->relay, reply);
	buf_free(&e);
}

void
smtpd_bad(struct session *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreply(s, fmt, ap);
	va_end(ap);
	smtpd_count_bad(s);
}

/* A pipelining client sends its group before it reads a reply: one
 * refused MAIL or one RCPT past the limit brings the rest of the group
 * in with errors it could not have avoided.  Counting those would end,
 * with 421, a session whose mail the client will only try again; a
 * client that keeps on past SMTPD_SLACK is not pipelining but looping. */
void
smtpd_slack(struct session *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreply(s, fmt, ap);
	va_end(ap);
	if (++s->nslack > SMTPD_SLACK)
		smtpd_count_bad(s);
}

void
smtpd_count_bad(struct session *s)
{
	s->nbad++;
	if (s->cf->lim.max_bad_commands > 0 && s->nbad >= s->cf->lim.max_bad_commands) {
		smtpd_reply(s, "421 4.7.0 %s Too many errors, closing "
		    "connection", s->host);
		log_notice("NOQUEUE: too many errors (%d) from %s, closing",
		    s->nbad, s->relay);
		s->done = 1;
	}
}

int
smtpd_secs_ms(int secs)
{
	return secs > INT_MAX / 1000 ? INT_MAX : secs * 1000;
}
