/* log.c - logging to syslog facility mail and to stderr. */
#include "log.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <sysexits.h>
#include <unistd.h>

#include "buf.h"
#include "date.h"
#include "fmt.h"

/* The tag is copied: argv's memory, where -L's value lives, becomes the
 * process title (lib/title.c), and a pointer into it would log as
 * whatever ps shows, the client's name included.  Kept to what a syslog
 * tag may hold (RFC 3164: alphanumerics, at most 32), with "._-" as
 * sendmail's own tags use; anything else becomes '_'. */
#define LOG_TAG_MAX	32
static char log_tag[LOG_TAG_MAX + 1] = "sendmail";
static int log_dest = LOG_TO_STDERR;
static int log_opened;	/* the socket was tried */
static int log_fd_ = -1;

static void
log_nomem(void)
{
	log_die(EX_TEMPFAIL, "out of memory");
}

void
log_init(const char *tag, int dest)
{
	size_t i;

	buf_on_nomem(log_nomem);
	for (i = 0; tag[i] != '\0' && i < LOG_TAG_MAX; i++) {
		unsigned char c = (unsigned char)tag[i];

		log_tag[i] = (isalnum(c) && c < 0x80) || c == '.' || c == '_' ||
		    c == '-' ? (char)c : '_';
	}
	log_tag[i] = '\0';
	if (i == 0)
		memcpy(log_tag, "sendmail", sizeof("sendmail"));
	log_dest = dest;
	if (log_fd_ >= 0)
		close(log_fd_);
	log_fd_ = -1;
	log_opened = 0;
}

int
log_fd(void)
{
	return log_fd_;
}

void
log_set_dest(int dest)
{
	log_dest = dest;
}

/* A small syslog(3) client: one datagram per line to /dev/log, in the
 * RFC 3164 shape "<pri>Mmm dd hh:mm:ss tag[pid]: text".  glibc's syslog()
 * costs several thousand instructions a line (stdio, a memstream); a
 * session logs at least two lines a message.  The socket is opened at
 * the first line; if there is no syslog daemon the lines are dropped,
 * as syslog(3) does. */
static void
send_syslog(int pri, const char *msg, size_t len)
{
	struct sockaddr_un sun;
	char line[2300], date[DATE_SYSLOG_MAX];
	int n;

	if (log_fd_ < 0 && !log_opened) {
		log_opened = 1;
		log_fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		strcpy(sun.sun_path, "/dev/log");
		if (log_fd_ >= 0 && connect(log_fd_, (struct sockaddr *)&sun,
		    sizeof(sun)) < 0) {
			close(log_fd_);
			log_fd_ = -1;
		}
	}
	if (log_fd_ < 0)
		return;
	date_syslog(date, sizeof(date), time(NULL));
	n = snprintf(line, sizeof(line), "<%d>%s %s[%ld]: %.*s",
	    LOG_MAIL | pri, date, log_tag, (long)getpid(), (int)len, msg);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	(void)send(log_fd_, line, (size_t)n, MSG_NOSIGNAL);
}

static void
vlog(int pri, const char *fmt, va_list ap, int with_errno)
{
	char msg[2048];
	int saved = errno;
	int n;

	n = fmt_v(msg, sizeof(msg), fmt, ap);
	if (n < 0)
		return;
	if (with_errno && (size_t)n < sizeof(msg))
		n += snprintf(msg + n, sizeof(msg) - (size_t)n, ": %s",
		    strerror(saved));
	if (log_dest & LOG_TO_SYSLOG)
		send_syslog(pri, msg, (size_t)n < sizeof(msg) ? (size_t)n :
		    sizeof(msg) - 1);
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
