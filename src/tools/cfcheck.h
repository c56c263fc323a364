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

/* Notices, not problems: what the file asks for that sockmail will not
 * do, and what it does instead.  sockmail runs no rewriting rules (S and
 * R lines): one line for each ruleset an administrator writes or relies
 * on (check_rcpt, Local_check_mail, tls_client, ...), for each FEATURE
 * recognised by its rulesets (greet_pause, ratecontrol, conncontrol,
 * delay_checks), one for the rest; and one for each tag of access map
 * keys that has no effect (GreetPause:, ClientRate:, ...), counted in
 * the map's text beside the map. */
void	cfcheck_skipped(const struct cf *, FILE *out);

#endif
