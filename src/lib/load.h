/* load.h - the load average, for RefuseLA. */
#ifndef SOCKMAIL_LOAD_H
#define SOCKMAIL_LOAD_H

/* Is the machine too busy for a new connection?  limit is RefuseLA: -1
 * for the default, 12 times the processors online, as sendmail's; 0:
 * never.  1 and *la set when the 1-minute load average reached it, else 0. */
int	load_refuse(long limit, int *la);

#endif
