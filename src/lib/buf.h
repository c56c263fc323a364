/* buf.h - length-counted, growing byte string.
 *
 * Every piece of text that comes from outside (the network, a config file,
 * the command line) is held in a struct buf.  Growth is overflow-checked;
 * on allocation failure the process exits with EX_TEMPFAIL (a session that
 * cannot allocate cannot do anything safely, and nothing has been
 * acknowledged that is not already on disk).
 */
#ifndef SOCKMAIL_BUF_H
#define SOCKMAIL_BUF_H

#include <stddef.h>
#include <stdarg.h>

struct buf {
	char   *s;	/* always NUL-terminated when len > 0 or cap > 0 */
	size_t  len;
	size_t  cap;
};

#define BUF_INIT { NULL, 0, 0 }

/* What to do when memory runs out (log and exit: log_init() sets it, so
 * that this floor needs no logger); without one, a line on stderr and
 * _exit(EX_TEMPFAIL). */
void	 buf_on_nomem(void (*hook)(void));

/* Append s[0..n) to out with control bytes, backslash and non-ASCII
 * escaped as \ooo, at most max bytes of input (then "...").  Text that
 * came from a peer goes through this before it is logged or shown. */
void	 buf_escape(struct buf *, const char *s, size_t n, size_t max);

void	 buf_reserve(struct buf *, size_t extra);
void	 buf_add(struct buf *, const void *, size_t);
void	 buf_adds(struct buf *, const char *);
void	 buf_addc(struct buf *, int);
void	 buf_addu(struct buf *, unsigned long long);	/* decimal */
void	 buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 buf_vprintf(struct buf *, const char *, va_list)
	    __attribute__((format(printf, 2, 0)));
void	 buf_reset(struct buf *);
void	 buf_free(struct buf *);
const char *buf_str(const struct buf *);	/* "" for an empty buffer */

/* xmalloc family: exit(EX_TEMPFAIL) with a log line on failure. */
void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);

#endif
