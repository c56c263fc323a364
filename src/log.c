/* log.c - logging to syslog facility mail and to stderr. */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "buf.h"

static const char *log_tag = "sendmail";
static int log_dest = LOG_TO_STDERR;
static int log_opened;

void
log_init(const char *tag, int dest)
{
	log_tag = tag;
	log_dest = dest;
	if (log_opened) {
		closelog();
		log_opened = 0;
	}
}

void
log_set_dest(int dest)
{
	log_dest = dest;
}

static void
vlog(int pri, const char *fmt, va_list ap, int with_errno)
{
	char msg[2048];
	int saved = errno;
	int n;

	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (n < 0)
		return;
	if (with_errno && (size_t)n < sizeof(msg))
		snprintf(msg + n, sizeof(msg) - (size_t)n, ": %s",
		    strerror(saved));
	if (log_dest & LOG_TO_SYSLOG) {
		if (!log_opened) {
			/* LOG_NDELAY off: connect at the first message. */
			openlog(log_tag, LOG_PID, LOG_MAIL);
			log_opened = 1;
		}
		syslog(pri, "%s", msg);
	}
	if (log_dest & LOG_TO_STDERR)
		fprintf(stderr, "%s: %s\n", log_tag, msg);
	errno = saved;
}

#define LOGFN(name, pri, e)				\
void							\
name(const char *fmt, ...)				\
{							\
	va_list ap;					\
	va_start(ap, fmt);				\
	vlog(pri, fmt, ap, e);				\
	va_end(ap);					\
}

LOGFN(log_info, LOG_INFO, 0)
LOGFN(log_notice, LOG_NOTICE, 0)
LOGFN(log_warn, LOG_WARNING, 0)
LOGFN(log_warnx_errno, LOG_WARNING, 1)
LOGFN(log_err, LOG_ERR, 0)

void
log_die(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_ERR, fmt, ap, 0);
	va_end(ap);
	exit(code);
}

void
log_die_errno(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_ERR, fmt, ap, 1);
	va_end(ap);
	exit(code);
}

void
log_escape(struct buf *out, const char *s, size_t n, size_t max)
{
	size_t i;

	for (i = 0; i < n && i < max; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c >= 0x7f || c == '\\')
			buf_printf(out, "\\%03o", c);
		else
			buf_addc(out, c);
	}
	if (i < n)
		buf_adds(out, "...");
}
