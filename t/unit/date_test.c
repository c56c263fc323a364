/* date_test.c - the hand-made date formats agree with strftime(). */
#include <stdlib.h>
#include <time.h>

#include "lib/date.h"
#include "tap.h"

static void
check(time_t t, const char *tz)
{
	char got[64], want[64];
	struct tm tm;

	setenv("TZ", tz, 1);
	tzset();
	localtime_r(&t, &tm);
	date_rfc5322(got, sizeof(got), t);
	strftime(want, sizeof(want), "%a, %d %b %Y %H:%M:%S %z", &tm);
	is_str(got, want, "RFC 5322 date for %lld in %s", (long long)t, tz);
	date_syslog(got, sizeof(got), t);
	strftime(want, sizeof(want), "%b %e %H:%M:%S", &tm);
	is_str(got, want, "syslog date for %lld in %s", (long long)t, tz);
}

int
main(void)
{
	static const char *zones[] = {
		"UTC", "Europe/Berlin", "America/St_Johns", "Asia/Kolkata",
		"Pacific/Chatham", "America/Los_Angeles"
	};
	static const time_t times[] = {
		0, 951782400, 1795631655, 1774746000, 4102444799, 1700000000
	};
	char small[8];
	size_t i, j;

	for (i = 0; i < sizeof(zones) / sizeof(zones[0]); i++)
		for (j = 0; j < sizeof(times) / sizeof(times[0]); j++)
			check(times[j], zones[i]);
	date_rfc5322(small, sizeof(small), 0);
	is_int((long)strlen(small), 7, "a short buffer is filled and terminated");
	return done_testing();
}
