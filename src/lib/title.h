/* title.h - what ps(1) shows for the listener and the sessions it forks.
 *
 * As sendmail does, a long-lived process replaces its command line with
 * what it is doing ("sendmail: MTA: accepting connections").  The text
 * goes where argv's strings and then the environment's were (the
 * environment moves to the heap), so a title can be as long as the two.
 * Only the listener takes the memory over (title_init()); a session
 * started by inetd or systemd never does, and title_set() is then a
 * no-op that costs nothing.
 */
#ifndef SOCKMAIL_TITLE_H
#define SOCKMAIL_TITLE_H

/* Note argv and the environment as main() got them (before any
 * setenv()). */
void	title_save(int argc, char **argv, char **envp);

/* Take the memory over.  argv's strings are gone afterwards: parse the
 * command line first.  Returns 0, or -1 if titles cannot be set. */
int	title_init(void);

/* "sendmail: " and the formatted text. */
void	title_set(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));

#endif
