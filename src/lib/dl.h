/* dl.h - optional libraries through dlopen().
 *
 * GDBM and GnuTLS are loaded by the first call that needs them and never
 * linked, so a session that does not use one never maps it (doc/DESIGN.md 9),
 * as systemd loads its optional libraries.  A library is loaded at most
 * once per process; a failure is remembered and reported again, never
 * retried.
 */
#ifndef SOCKMAIL_DL_H
#define SOCKMAIL_DL_H

struct buf;

struct dl_lib {
	const char	*soname;	/* "libgdbm.so.6" */
	void		*handle;	/* NULL until loaded */
	char		*error;		/* the remembered failure */
};

/* Resolve the caller's function table: dl_sym() for each symbol, then
 * any library set-up; 0, or -1 with msg set. */
typedef int (*dl_resolve_fn)(struct dl_lib *, struct buf *msg);

/* Load lib (RTLD_NOW | RTLD_LOCAL) and resolve it; 0, or -1 with the
 * reason (one line, no newline) added to err.  Cheap once loaded. */
int	dl_load(struct dl_lib *, dl_resolve_fn, struct buf *err);

/* One symbol, or NULL; the first failure of a required symbol is
 * described in msg (it names library and symbol). */
void	*dl_sym(struct dl_lib *, const char *name, int required,
	    struct buf *msg);

/* dlsym() returns void *; POSIX makes the conversion to a function
 * pointer valid.  DL_FN stores it in a function-pointer lvalue. */
#define DL_FN(lvalue, lib, name, msg) \
	(*(void **)(void *)&(lvalue) = dl_sym((lib), (name), 1, (msg)))

#endif
