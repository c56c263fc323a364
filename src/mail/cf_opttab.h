/* cf_opttab.h - the tables of sendmail.cf options, what cf_opttab.c
 * holds and cf_opt.c reads; not for other modules.  The tables are data
 * only: cf_opt.c looks names up in them and parses and stores values.
 */
#ifndef SOCKMAIL_CF_OPTTAB_H
#define SOCKMAIL_CF_OPTTAB_H

#include <limits.h>
#include <stddef.h>

enum otype {
	OT_UNIMPL,	/* known to sendmail, not implemented: listed */
	OT_STR, OT_BOOL, OT_INT, OT_LONG, OT_MODE, OT_PRIV, OT_DMODE, OT_8BIT,
	OT_LIST, OT_ALIAS, OT_TIMEOUT, OT_QTIMEOUT, OT_GREET, OT_COMMIT, OT_DPI,
	OT_AUTHOPT, OT_TLSSRV, OT_SECS
};

/* flag: for OT_STR how an empty value is taken, for OT_LONG suffixes */
#define S_KEEP		0	/* store "" */
#define S_NULL		1	/* store NULL */
#define S_REQ		2	/* error */
#define N_SUFFIX	1	/* k, m, g multipliers allowed */
#define F_LATER		0x80	/* for a part not built yet: cfi_pending */

struct opt {
	const char	*name;
	char		 letter;
	unsigned char	 type;
	unsigned char	 flag;
	unsigned short	 off;
	long		 min, max;
};

/* Every option, sorted by strcasecmp() (cf_opt.c searches it). */
extern const struct opt	cfi_opts[];
extern const size_t	cfi_nopts;

/* Timeout.<name>: default unit ('#' = a count), whether a bare
 * "Timeout=value" sets it, and the field (NOFLD: not implemented). */
struct tmo {
	const char	*name;
	char		 unit;
	unsigned char	 star;
	unsigned short	 off;
};
#define NOFLD	USHRT_MAX

/* Timeout.<name>, sorted by strcasecmp() as cfi_opts[]. */
extern const struct tmo	cfi_tmos[];
extern const size_t	cfi_ntmos;

/* PrivacyOptions: a word and the PRIV_* bits it sets. */
struct privword {
	const char	*word;
	int		 bits;
};
extern const struct privword cfi_privwords[];
extern const size_t	cfi_nprivwords;

/* An option kept for a part not built yet, and what -bC says of it. */
struct pending {
	const char	*name;
	const char	*then;		/* what -bC says about it */
};
extern const struct pending cfi_pending[];
extern const size_t	cfi_npending;

#endif
