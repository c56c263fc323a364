/* safefile.h - may a file that sets policy be trusted?
 *
 * A class file (Fw, F{R}) or a map (access, aliases, virtusertable)
 * decides who may relay and what is delivered where: if someone other
 * than its owner could change it, that someone could open the relay.
 * As sendmail's safefile checks (without DontBlameSendmail), sockmail
 * refuses such a file and says why.
 */
#ifndef SOCKMAIL_SAFEFILE_H
#define SOCKMAIL_SAFEFILE_H

#include <sys/stat.h>

/* NULL if st is a regular file that only its owner can change, and its
 * owner is root or the user we run as (group write is allowed for our own
 * group only: a user's private group under umask 002); else what is
 * wrong, with the fix. */
const char	*safefile_why(const struct stat *st);

#endif
