/* cfcheck.h - sendmail -bC: what sessions would trip over, said now.
 *
 * A session finds a root-owned queue, an unsafe or missing map, or a
 * stale aliases map only when mail arrives, and then answers 4xx all
 * day.  -bC looks at the same files once, as an administrator runs it
 * after a change, and says what is wrong and the fix.
 */
#ifndef SOCKMAIL_CFCHECK_H
#define SOCKMAIL_CFCHECK_H

#include <stdio.h>

struct cf;

/* Write one line per problem (and per warning) to out; returns the
 * number of problems (warnings do not count). */
int	cfcheck_files(const struct cf *, FILE *out);

#endif
