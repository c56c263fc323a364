/* load.c - the load average, for RefuseLA.
 *
 * Read from /proc/loadavg, as sendmail does on Linux (LA_PROCSTR): three
 * system calls, made only while RefuseLA is on. */
#include "load.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>


/* The 1-minute load average, truncated; -1 if it cannot be read. */
static int
load_now(void)
{
	char buf[64], *end;
	ssize_t n;
	double v;
	int fd;

	if ((fd = open("/proc/loadavg", O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	v = strtod(buf, &end);
	if (end == buf || v < 0 || v > 1e6)
		return -1;
	return (int)v;
}

int
load_refuse(long limit, int *la)
{
	long cpus;

	if (limit == 0 || (*la = load_now()) < 0)
		return 0;
	if (limit < 0) {	/* the default: 12 per processor */
		if (*la < 12)
			return 0;	/* below it whatever the count */
		cpus = sysconf(_SC_NPROCESSORS_ONLN);
		limit = 12 * (cpus > 0 ? cpus : 1);
	}
	return *la >= limit;
}
