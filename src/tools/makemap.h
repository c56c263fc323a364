/* makemap.h - makemap(8): build a lookup map from text on stdin. */
#ifndef SOCKMAIL_MAKEMAP_H
#define SOCKMAIL_MAKEMAP_H

#include <stddef.h>

struct buf;

/* Parse map text ("key<blanks>value" lines, comments, blank lines) and
 * call cb(arg, key, value) for each entry.  flags: MM_* below.  delim is
 * the key/value separator, 0 for runs of blanks; comment the comment
 * character.  Per-line errors go into err as "NAME: line N: ..." lines.
 * Returns the number of bad lines, or -1 if cb stopped the parse. */
#define MM_NOFOLD	0x01	/* -f: keep the case of keys */
#define MM_EMPTY_OK	0x02	/* -e: allow an empty value */
#define MM_REPLACE	0x04	/* -r: a later duplicate key replaces */

typedef int (*makemap_cb)(void *arg, const char *key, const char *value,
    unsigned line, struct buf *err);

int	makemap_parse(const char *name, const char *text, size_t len,
	    int flags, int delim, int comment, makemap_cb cb, void *arg,
	    struct buf *err);

/* The makemap command: argv as given.  Returns a sysexits code. */
int	makemap_main(int argc, char **argv);

#endif
