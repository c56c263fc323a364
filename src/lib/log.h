/* log.h - logging to syslog facility mail (and stderr for commands).
 *
 * Lines follow sendmail's shape: "QID: key=value, key=value".  Text that
 * came from a peer must go through buf_escape() before it is logged.
 */
#ifndef SOCKMAIL_LOG_H
#define SOCKMAIL_LOG_H

#include <stddef.h>

struct buf;

enum log_dest {
	LOG_TO_SYSLOG = 1,	/* facility mail */
	LOG_TO_STDERR = 2	/* "sendmail: message" on stderr */
};

void	log_init(const char *tag, int dest);
void	log_set_dest(int dest);
/* The syslog socket, -1 while none is open (a helper process keeps it). */
int	log_fd(void);
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_notice(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx_errno(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_err(const char *, ...) __attribute__((format(printf, 1, 2)));
/* Log at LOG_ERR and exit with the given sysexits.h code. */
void	log_die(int code, const char *, ...)
	    __attribute__((format(printf, 2, 3), noreturn));
/* Same, with ": strerror(errno)" appended. */
void	log_die_errno(int code, const char *, ...)
	    __attribute__((format(printf, 2, 3), noreturn));

#endif
