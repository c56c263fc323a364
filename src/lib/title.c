/* title.c - the process title (see title.h). */
#include "title.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"

extern char **environ;

static int arg_c;
static char **arg_v, **env_v;
static char *area;		/* NULL until title_init() */
static size_t area_len;

void
title_save(int argc, char **argv, char **envp)
{
	arg_c = argc;
	arg_v = argv;
	env_v = envp;
}

int
title_init(void)
{
	char *start, *end, **e;
	int i;

	if (area != NULL)
		return 0;
	if (arg_v == NULL || arg_c < 1 || arg_v[0] == NULL)
		return -1;
	/* The kernel lays argv's strings out one after another, then the
	 * environment's; take what is contiguous. */
	start = end = arg_v[0];
	for (i = 0; i < arg_c && arg_v[i] == end; i++)
		end += strlen(end) + 1;
	for (e = env_v; i == arg_c && e != NULL && *e == end; e++)
		end += strlen(end) + 1;
	/* Whatever of the environment still lives there moves out first. */
	for (e = environ; e != NULL && *e != NULL; e++)
		if (*e >= start && *e < end && (*e = strdup(*e)) == NULL)
			return -1;
	area = start;
	area_len = (size_t)(end - start);
	return 0;
}

void
title_set(const char *fmt, ...)
{
	static const char pre[] = "sendmail: ";
	char text[256];
	size_t n;
	va_list ap;

	if (area == NULL || area_len < sizeof(pre))
		return;
	va_start(ap, fmt);
	fmt_v(text, sizeof(text), fmt, ap);
	va_end(ap);
	n = sizeof(pre) - 1;
	memcpy(area, pre, n);
	strncpy(area + n, text, area_len - n - 1);
	area[area_len - 1] = '\0';
}
