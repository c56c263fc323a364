/* fmt.h - vsnprintf() for the formats a session formats all day.
 *
 * glibc's vsnprintf() goes through stdio (a string FILE, a jump table,
 * an xsputn call per piece): replies, log lines and qf lines cost a
 * session 8,000 instructions per message that way, 18% of the total
 * (callgrind, 100 pipelined 5 KB messages).  fmt_v() does the common
 * conversions itself: %s, %.*s, %.Ns, %c, %d %i %u with l, ll or z, and
 * %%; a format with anything else (a width, a flag, %o, %x, %p, ...) goes
 * to vsnprintf() whole.  Same result, same return value, same
 * truncation as vsnprintf().
 */
#ifndef SOCKMAIL_FMT_H
#define SOCKMAIL_FMT_H

#include <stdarg.h>
#include <stddef.h>

int	fmt_v(char *dst, size_t size, const char *fmt, va_list ap)
	    __attribute__((format(printf, 3, 0)));

#endif
