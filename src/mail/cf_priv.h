/* cf_priv.h - what cf.c, cf_opt.c and cf_read.c share; not for other
 * modules (they use cf.h).  The parsers both cf_opt.c and cf_read.c use
 * are in cf.c, so that cf_read.c calls cf_opt.c and not the other way
 * round. */
#ifndef SOCKMAIL_CF_PRIV_H
#define SOCKMAIL_CF_PRIV_H

#include <stddef.h>

struct buf;
struct cf;
struct cf_class;
struct cf_macro;
struct cf_mailer;
struct cf_map;
struct strlist;

#define ISWS(c)		((c) == ' ' || (c) == '\t')
#define ISDIGIT(c)	((c) >= '0' && (c) <= '9')

/* Where errors go and what they are prefixed with. */
struct pctx {
	struct cf	*cf;
	const char	*file;		/* NULL: the command line, no prefix */
	size_t		 line;
	struct buf	*err;
};

/* Replace p->err with "FILE: line N: " and the message; return -1. */
int	 cfi_err(struct pctx *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* The same, ending in ' "s[0..n)"' (escaped). */
int	 cfi_errq(struct pctx *, const char *, const char *, size_t);

char	*cfi_skipws(const char *);
void	 cfi_rtrim(char *);
void	*cfi_grow(void *, size_t, size_t);
void	 cfi_strlist_addn(struct strlist *, const char *, size_t);
/* A decimal number, optionally negative; with suffix, k, m or g
 * (powers of 1024) may follow.  0, or -1 if malformed or too large. */
int	 cfi_parse_num(const char *, int suffix, long *);

struct cf_macro *cfi_macro_find(const struct cf *, const char *, size_t);
void	 cfi_macro_setn(struct cf *, const char *, size_t, const char *,
	    size_t);
struct cf_class *cfi_class_find(const struct cf *, const char *, size_t);
struct cf_class *cfi_class_get(struct cf *, const char *, size_t);
void	 cfi_mailer_free(struct cf_mailer *);
void	 cfi_map_free(struct cf_map *);

/* A macro or class name at s ("what" for messages): one character or
 * {name}; *name and *n say where it is in s.  Returns the text after
 * it, or NULL after an error. */
char	*cfi_parse_name(struct pctx *, const char *what, char *s,
	    char **name, size_t *n);
/* A macro definition after the D (or in the M one-letter option), in
 * cf.c; an O line after the 'O', in cf_opt.c.  Both cut their text in
 * place. */
int	 cfi_macro_def(struct pctx *, char *);
int	 cfi_option(struct pctx *, char *);

#endif
