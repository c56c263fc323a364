/* safefile.h - may a file that sets policy be trusted?
 *
 * A class file (Fw, F{R}) or a map (access, aliases, virtusertable)
 * decides who may relay and what is delivered where: if someone other
 * than its owner could change it, that someone could open the relay.
 * The configuration file read by root (or set-group-ID) decides more: it
 * names the programs the mailers run.  As sendmail's safefile checks
 * (without DontBlameSendmail), sockmail refuses such a file and says why.
 *
 * A file is only as safe as the directories on its path: whoever may
 * write to one of them may rename the file away and put another in its
 * place, however the file itself is protected.  So each directory from
 * "/" down, and each one a symbolic link on the way leads through, must
 * be owned by root or by us and be writable by no one else, as
 * sendmail's SafeDirPath: a sticky directory (/tmp) is the exception,
 * since others may add names to it but not replace ours.  The checks
 * look at what fstat() said of the descriptor that is read (the file
 * cannot be swapped between check and read); the directories cannot be
 * checked through that descriptor and are looked at by name, after the
 * open.
 */
#ifndef SOCKMAIL_SAFEFILE_H
#define SOCKMAIL_SAFEFILE_H

#include <sys/stat.h>

struct buf;

/* NULL if st is a regular file that only its owner can change, and its
 * owner is root or the user we run as (group write is allowed for our own
 * group only: a user's private group under umask 002); else what is
 * wrong, with the fix. */
const char	*safefile_why(const struct stat *st);

/* 0 if every directory on the way to path (relative paths from the
 * working directory) is safe as the header says, with group write again
 * allowed for our own group; else -1 and one line appended to why:
 * "directory DIR is writable by its group (fix: chmod go-w DIR)".  A
 * name that cannot be looked at (missing) gives no verdict: the open
 * says what is wrong. */
int		 safefile_dirs(const char *path, struct buf *why);

/* The configuration file at path, as fstat() of its descriptor gave st:
 * 0 if this process is not privileged (not root, not set-group-ID: the
 * file can do no more than its reader), or the file and its directories
 * are safe; else -1 and one line appended to why, naming path and the
 * fix. */
int		 safefile_config(const char *path, const struct stat *st,
		    struct buf *why);

#endif
