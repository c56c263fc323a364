/* lookup.h - a session's lookups, answered by a helper process.
 *
 * Looking up a user (NSS), a map (GDBM) or the client's host name (the
 * resolver) brings code and data into the process that does it: NSS
 * modules such as libnss_systemd or LDAP, libgdbm, the resolver's state.
 * They cost hundreds of KB of mapped pages and stay for the rest of the
 * session.  So once a session has dropped its privileges it calls
 * lookup_isolate(); its first lookup forks a helper (same user, same
 * configuration, none of the client's descriptors) that answers the
 * session's lookups over a socket pair, one at a time, and goes when the
 * session does.  If the helper cannot be started the session does the
 * lookup itself: a lookup is never refused for want of a helper.
 */
#ifndef SOCKMAIL_LOOKUP_H
#define SOCKMAIL_LOOKUP_H

struct buf;

/* The lookups a session asks for (the op of lookup_ask()). */
enum lookup_op {
	LOOKUP_USER = 'U',	/* a: user name; getpwnam(): 1, 0, -1 */
	LOOKUP_RDNS = 'R'	/* a: address, b: "retrans retry"; out: name */
};

/* What the helper runs for a request: op and two strings in, a result
 * and two texts out (out: the answer, err: why it failed). */
typedef int (*lookup_fn)(void *arg, int op, const char *a, const char *b,
    struct buf *out, struct buf *err);

/* From now on, lookups go to a helper running fn(arg, ...).  rfd and wfd
 * are the client's connection, which the helper must not hold; a reply
 * that takes longer than timeout_ms is a failure. */
void	lookup_isolate(lookup_fn fn, void *arg, int rfd, int wfd,
	    int timeout_ms);

/* Start the helper now, if it is not running: before the session holds
 * what the helper should never see (the TLS key, the session's keys, a
 * client's password), since a helper is a copy of the session as it was
 * when it was forked.  From then on no helper is forked: if this one
 * dies or is killed for a late answer, later lookups fail (-1, a 451 for
 * the client) rather than copy the secrets into a new process.  Called
 * at STARTTLS and before AUTH reads a credential. */
void	lookup_prestart(void);

/* The same without starting one: from now on no helper is forked (AUTH
 * calls it: its command line may hold a password already). */
void	lookup_seal(void);

/* 1 in a session that has a helper to ask (0 in the helper itself, and
 * when lookup_isolate() was never called). */
int	lookup_isolated(void);

/* Ask: returns what fn returned, with out and err filled as fn filled
 * them.  If the helper fails (dies, times out) the answer is -1 with err
 * saying so; if none can be started, fn runs here. */
int	lookup_ask(int op, const char *a, const char *b, struct buf *out,
	    struct buf *err);

/* Let the helper go (at the end of the session): it exits by itself. */
void	lookup_end(void);

/* The helper's process id, -1 if none runs (for tests and logs). */
int	lookup_helper_pid(void);

#endif
