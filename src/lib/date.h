/* date.h - the two date formats a session writes, without strftime()
 * (which costs more per call than the rest of a log line). */
#ifndef SOCKMAIL_DATE_H
#define SOCKMAIL_DATE_H

#include <stddef.h>
#include <time.h>

#define DATE_RFC5322_MAX	40	/* "Wed, 25 Nov 2026 18:34:15 +0000" */
#define DATE_SYSLOG_MAX		20	/* "Nov 25 18:34:15" */

/* RFC 5322 date-time in local time, e.g. "Wed, 25 Nov 2026 18:34:15 +0100". */
void	date_rfc5322(char *out, size_t outsz, time_t);
/* RFC 3164 timestamp in local time, "Nov  5 08:04:15". */
void	date_syslog(char *out, size_t outsz, time_t);

#endif
