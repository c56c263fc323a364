/* mailq.h - list a queue in sendmail's "mailq" / "-bp" format. */
#ifndef SOCKMAIL_MAILQ_H
#define SOCKMAIL_MAILQ_H

#include <stdio.h>

/* List the messages in queue_dir (its qf/ and df/ subdirectories when
 * they exist) on out, byte for byte as sendmail 8.17 -bp does.  Control
 * files that cannot be parsed are reported on stderr and left out.
 * Returns a sysexits.h code. */
int	mailq_main(const char *queue_dir, FILE *out);

#endif
