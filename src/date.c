/* date.c - RFC 5322 and syslog timestamps. */
#include "date.h"

#include <stdio.h>
#include <stdlib.h>

static const char days[7][4] = {
	"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
};
static const char months[12][4] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};

static char *
two(char *p, int v)
{
	*p++ = (char)('0' + v / 10 % 10);
	*p++ = (char)('0' + v % 10);
	return p;
}

static char *
str(char *p, const char *s)
{
	while (*s != '\0')
		*p++ = *s++;
	return p;
}

void
date_rfc5322(char *out, size_t outsz, time_t t)
{
	char tmp[DATE_RFC5322_MAX], *p = tmp;
	struct tm tm;
	long off, year;
	size_t n;

	localtime_r(&t, &tm);
	off = tm.tm_gmtoff / 60;
	year = (long)tm.tm_year + 1900;
	p = str(p, days[tm.tm_wday % 7]);
	p = str(p, ", ");
	p = two(p, tm.tm_mday);
	*p++ = ' ';
	p = str(p, months[tm.tm_mon % 12]);
	*p++ = ' ';
	p = two(p, (int)(year / 100));
	p = two(p, (int)(year % 100));
	*p++ = ' ';
	p = two(p, tm.tm_hour);
	*p++ = ':';
	p = two(p, tm.tm_min);
	*p++ = ':';
	p = two(p, tm.tm_sec);
	*p++ = ' ';
	*p++ = off < 0 ? '-' : '+';
	off = labs(off);
	p = two(p, (int)(off / 60));
	p = two(p, (int)(off % 60));
	*p = '\0';
	n = (size_t)(p - tmp);
	if (outsz == 0)
		return;
	if (n >= outsz)
		n = outsz - 1;
	for (size_t i = 0; i < n; i++)
		out[i] = tmp[i];
	out[n] = '\0';
}

void
date_syslog(char *out, size_t outsz, time_t t)
{
	char tmp[DATE_SYSLOG_MAX], *p = tmp;
	struct tm tm;
	size_t n;

	localtime_r(&t, &tm);
	p = str(p, months[tm.tm_mon % 12]);
	*p++ = ' ';
	*p++ = tm.tm_mday < 10 ? ' ' : (char)('0' + tm.tm_mday / 10);
	*p++ = (char)('0' + tm.tm_mday % 10);
	*p++ = ' ';
	p = two(p, tm.tm_hour);
	*p++ = ':';
	p = two(p, tm.tm_min);
	*p++ = ':';
	p = two(p, tm.tm_sec);
	*p = '\0';
	n = (size_t)(p - tmp);
	if (outsz == 0)
		return;
	if (n >= outsz)
		n = outsz - 1;
	for (size_t i = 0; i < n; i++)
		out[i] = tmp[i];
	out[n] = '\0';
}
