/* date.c - RFC 5322 and syslog timestamps. */
#include "date.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* tmp[0..n) into out, cut to fit and NUL-terminated. */
static void
copy_out(char *out, size_t outsz, const char *tmp, size_t n)
{
	if (outsz == 0)
		return;
	if (n >= outsz)
		n = outsz - 1;
	memcpy(out, tmp, n);
	out[n] = '\0';
}

void
date_rfc5322(char *out, size_t outsz, time_t t)
{
	char tmp[DATE_RFC5322_MAX], *p = tmp;
	struct tm tm;
	long off, year;

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
	copy_out(out, outsz, tmp, (size_t)(p - tmp));
}

void
date_syslog(char *out, size_t outsz, time_t t)
{
	char tmp[DATE_SYSLOG_MAX], *p = tmp;
	struct tm tm;

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
	copy_out(out, outsz, tmp, (size_t)(p - tmp));
}
