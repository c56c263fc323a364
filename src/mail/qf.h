/* qf.h - the queue control file (qf) format, both ways: reading sendmail
 * V8 control files and writing them, ours and sendmail's.
 *
 * This is the one place that knows the format (doc/queue-format.md):
 * queue.c owns the files, ids, locks and the commit and asks here for
 * the text; the session describes its message with struct qenv and
 * struct qrcpt; mailq reads with qf_read_fd().  qf_parse() accepts
 * every control file sendmail 8.17 writes and refuses one that sendmail
 * would refuse or misread: no version line first, an unknown version,
 * a line it does not know, no final "." ("truncated control file"), or
 * data after it.  Values are kept as stored (xtext stays encoded,
 * addresses keep their angle brackets, headers keep their folds), so
 * that qf_format() of a parsed file gives the same control file back;
 * qf_format_env() writes a session's message through the same writer,
 * so what the session writes is what the reader reads (qf_test ties the
 * two together).
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

/* DSN NOTIFY bits of a recipient */
#define QN_SET		0x01	/* NOTIFY= was given */
#define QN_SUCCESS	0x02
#define QN_FAILURE	0x04
#define QN_DELAY	0x08

/* A recipient: what the session keeps of RCPT TO (smtpd.h) and what a
 * control file's Q and R lines say.  Written as "Q<orcpt>" and
 * "R<flags>:<addr>", the flags from notify: "PN" and S, F, D for the
 * NOTIFY= given, "PFD" (RFC 3461's default) without one. */
struct qrcpt {
	char		*addr;		/* mailbox without angle brackets */
	char		*orcpt;		/* ORCPT as received ("rfc822;a+2Bb@c"), or NULL */
	unsigned	 notify;	/* QN_* */
};

/* What else a control file keeps of recipient i (sendmail writes these
 * lines; a session does not): kept so that a file written back is the
 * file that was read.  struct qrcpt cannot grow instead, as the session
 * initialises it field by field. */
struct qf_rextra {
	char	*flags;		/* the letters as stored, e.g. "PFD" */
	unsigned bits;		/* QF_R_* from flags */
	int	 bare;		/* the address was stored without <> */
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
	struct qrcpt	 *rcpts;	/* R lines (and their Q lines) */
	struct qf_rextra *rextra;	/* one per rcpts[i]; NULL: written
					 * as the session writes them */
	size_t		  nrcpts;
	struct qf_header *hdrs;
	size_t		  nhdrs;
	const struct buf *hlines;	/* H lines already in the file's form
					 * (the session's headers, as body.c
					 * keeps them), written after hdrs;
					 * NULL from qf_parse() */
	int	 terminated;	/* the final "." was seen */
};

/* A message as the session hands it over at the end of DATA. */
struct qenv {
	time_t		 ctime;
	const char	*sender;	/* without brackets; "" for <> */
	const char	*envid;		/* DSN ENVID as received (xtext) or NULL */
	const char	*auth;		/* AUTH= (xtext) or NULL: the A line */
	int		 ret;		/* 0 none, 1 FULL, 2 HDRS */
	int		 body_8bitmime;	/* BODY=8BITMIME given */
	int		 has_8bit;	/* body had octets >= 0x80 */
	int		 smtputf8;
	const char	*client_macro;	/* $_ : "[1.2.3.4]" or "user@localhost" */
	const char	*client_addr;	/* ${client_addr} or "" */
	const char	*proto;		/* $r: SMTP, ESMTP, ESMTPSA, ... */
	const char	*helo;		/* $s */
	const char	*daemon_name;	/* ${daemon_name} or NULL */
	const struct qrcpt *rcpts;
	size_t		 nrcpts;
	long long	 size;		/* df + header octets */
	unsigned long long df_size;	/* octets in df, recorded in the qf */
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

/* Recipient i's address as the file stores it ("<bob@example.org>"),
 * appended to out. */
void	 qf_rcpt_addr(struct buf *out, const struct qf *q, size_t i);

/* Write q as a control file (sendmail's line order, terminated by
 * "."), appending to out.  Newlines in envelope values become spaces;
 * header values are written as stored. */
void	 qf_format(struct buf *out, const struct qf *q);

/* The control file of a message a session received: e's envelope, its
 * recipients, then hdrs (the H lines, already formatted), through
 * qf_format().  The priority is sendmail's: size + 30000 (its
 * RecipientFactor) per recipient. */
void	 qf_format_env(struct buf *out, const struct qenv *e,
	    const struct buf *hdrs);

#endif
