/* qf.h - reading (and re-writing) sendmail V8 queue control files.
 *
 * The format is described in doc/queue-format.md.  qf_parse() accepts
 * every control file sendmail 8.17 writes and refuses one that sendmail
 * would refuse or misread: no version line first, an unknown version,
 * a line it does not know, no final "." ("truncated control file"), or
 * data after it.  Values are kept as stored (xtext stays encoded,
 * addresses keep their angle brackets, headers keep their folds), so
 * that qf_format() of a parsed file gives the same control file back.
 */
#ifndef SOCKMAIL_QF_H
#define SOCKMAIL_QF_H

#include <stddef.h>
#include <time.h>

struct buf;

#define QF_VERSION	8		/* the only version written */
#define QF_MAXSIZE	(16L << 20)	/* qf_read refuses larger files */

/* Recipient flag bits, from the letters before the ':' of an R line. */
#define QF_R_PRIMARY	0x01	/* P: named in the envelope */
#define QF_R_NOTIFY	0x02	/* N: NOTIFY= was given */
#define QF_R_SUCCESS	0x04	/* S */
#define QF_R_FAILURE	0x08	/* F */
#define QF_R_DELAY	0x10	/* D: notify on delay (not "done") */
#define QF_R_BCC	0x20	/* B: internal Bcc */
#define QF_R_ALIAS	0x40	/* A: controlling user is an alias */

struct qf_rcpt {
	char	*addr;		/* as stored, e.g. "<bob@example.org>" */
	char	*flags;		/* the letters, e.g. "PFD" */
	unsigned bits;		/* QF_R_* from flags */
	char	*orcpt;		/* Q line (xtext, "rfc822;..."), or NULL */
	char	*final_rcpt;	/* r line ("RFC822; ..."), or NULL */
	char	*status;	/* M line just before it, or NULL */
	char	*ctladdr;	/* C line in force, or NULL */
};

struct qf_macro {
	char	*name;		/* "_", "r", "daemon_flags" (no braces) */
	char	*value;
};

struct qf_header {
	char	*cond;		/* between the '?'s ("" for "??"), or NULL */
	char	*name;		/* field name, before the ':' */
	char	*value;		/* after the ':', with leading blank and
				 * folds ("\n\t...") exactly as stored */
};

struct qf {
	char	*id;		/* from the file name; NULL from qf_parse */
	int	 version;	/* V */
	int	 has_ctime;
	time_t	 ctime;		/* T: creation time */
	time_t	 dtime;		/* K: last delivery attempt, 0 = never */
	long	 attempts;	/* N */
	long	 priority;	/* P */
	char	*dfdir;		/* d, or NULL */
	char	*inode;		/* I, as stored, or NULL */
	char	*bodytype;	/* B: "7BIT", "8BITMIME", or NULL */
	char	*quarantine;	/* q, or NULL */
	char	*status;	/* M before S: last status, or NULL */
	char	*flags;		/* F letters, "" if none */
	char	*sender;	/* S as stored: "<a@b>", "<>" */
	char	*envid;		/* Z (xtext), or NULL */
	char	*auth;		/* A (xtext), or NULL */
	char	*deliver_by;	/* ! as stored ("N 3600"), or NULL */
	struct qf_macro	 *macros;
	size_t		  nmacros;
	struct qf_rcpt	 *rcpts;
	size_t		  nrcpts;
	struct qf_header *hdrs;
	size_t		  nhdrs;
	int	 terminated;	/* the final "." was seen */
};

/* Parse the control file in text[0..len).  0 on success; -1 with a
 * message ("line N: ...") in err, and q freed.  q need not be
 * initialised. */
int	 qf_parse(const char *text, size_t len, struct qf *q, struct buf *err);

/* Read and parse the file at path (not following a final symlink; at
 * most QF_MAXSIZE bytes).  q->id is the file name after its two-letter
 * prefix.  0, or -1 with "path: ..." in err. */
int	 qf_read(const char *path, struct qf *q, struct buf *err);

/* The same from an open file (e.g. one the caller holds locked), read
 * from offset 0; name is used for q->id and messages. */
int	 qf_read_fd(int fd, const char *name, struct qf *q, struct buf *err);

void	 qf_free(struct qf *q);

/* Value of macro name ("_", "daemon_flags"), or NULL. */
const char *qf_macro(const struct qf *q, const char *name);

/* Write q as a control file (sendmail's line order, terminated by
 * "."), appending to out.  Newlines in envelope values become spaces;
 * header values are written as stored. */
void	 qf_format(struct buf *out, const struct qf *q);

#endif
