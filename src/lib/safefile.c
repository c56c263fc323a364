/* safefile.c - may a file that sets policy be trusted (safefile.h)? */
#include "safefile.h"

#include <unistd.h>

const char *
safefile_why(const struct stat *st)
{
	if (!S_ISREG(st->st_mode))
		return "not a regular file";
	if (st->st_mode & S_IWOTH)
		return "writable by anyone (fix: chmod o-w)";
	if ((st->st_mode & S_IWGRP) && st->st_gid != getegid())
		return "writable by its group (fix: chmod g-w)";
	if (st->st_uid != 0 && st->st_uid != geteuid())
		return "owned by another user (fix: chown root)";
	return NULL;
}
