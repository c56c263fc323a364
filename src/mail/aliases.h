/* aliases.h - the aliases map: text file -> GDBM map, and lookups.
 *
 * GDBM is loaded with dlopen() on first use (libgdbm.so.6), so a session
 * that never looks up an alias never maps the library.  Keys are alias
 * names lower-cased, without a trailing NUL; values are the right-hand
 * side with continuation lines joined, leading/trailing blanks removed.
 * The map is written to "DB.tmpPID" and renamed over DB, so a reader never
 * sees a half-built map.  The map file is the alias file name + ".db".
 */
#ifndef SOCKMAIL_ALIASES_H
#define SOCKMAIL_ALIASES_H

#include <stddef.h>

struct buf;

typedef int (*alias_cb)(void *arg, const char *lhs, const char *rhs,
    unsigned line);

/* Parse alias text: "name: value, value" lines, continuation lines begin
 * with a blank, '#' comments, blank lines.  Calls cb for each alias with
 * the key form of the name (dequoted, lower-cased) and the normalised
 * value (cb returning -1 stops).  Errors: "NAME: line N: reason" into err, and
 * parsing continues; returns the number of errors (0 = clean). */
int	aliases_parse(const char *name, const char *text, size_t len,
	    alias_cb cb, void *arg, struct buf *err);

/* newaliases: read textpath, build textpath".db".  Per-line errors go
 * into err (complete lines); returns a sysexits code (EX_OK, or
 * EX_DATAERR when some lines were bad but the map was built from the
 * rest) and sets *count to the number of aliases. */
int	aliases_build(const char *textpath, long *count, struct buf *err);

/* Look name up (case-insensitive) in the map of textpath.  Returns 1 and
 * the value in out if found, 0 if not, -1 on a temporary error (map
 * unreadable, GDBM missing); err explains. */
int	aliases_lookup(const char *textpath, const char *name, struct buf *out,
	    struct buf *err);

/* Close a map kept open by aliases_lookup() (a session closes at exit). */
void	aliases_close(void);

#endif
