/* load.h - the load average, for RefuseLA. */
#ifndef SOCKMAIL_LOAD_H
#define SOCKMAIL_LOAD_H

struct cf;

/* Is the machine too busy for a new connection?  RefuseLA (default 12
 * times the processors online, as sendmail; 0: never): 1 and *la set
 * when the 1-minute load average reached it, else 0. */
int	load_refuse(const struct cf *, int *la);

#endif
