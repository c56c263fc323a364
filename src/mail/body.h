/* body.h - the message text state machine shared by DATA and BDAT.
 *
 * Only CRLF ends a line from a network peer; a bare CR or LF sets
 * b->bare (in DATA the caller must then end the session: nothing after it
 * can be trusted to be text or commands).  A local peer (a pipe, a
 * terminal) may end lines with LF.  In DATA a lone "." ends the message
 * and a leading dot is removed.  Header lines are kept as qf "H??" lines
 * in b->hdrs (at most max_hdrs octets); body lines go to the df
 * through queue_df_line() with LF ends.  No I/O besides that; memory is
 * fixed whatever the message size.  Fuzzed by fuzz/fuzz_body.c.
 */
#ifndef SOCKMAIL_BODY_H
#define SOCKMAIL_BODY_H

#include <stddef.h>

#include "lib/buf.h"
#include "smtpcmd.h"

struct qmsg;

/* The whole header section, kept in memory: MaxHeadersLength (sendmail's
 * default; at most 1 MB, so memory stays bounded). */
#define BODY_DEFAULT_HEADERS	32768

struct body {
	struct qmsg	*qm;		/* where body lines go */
	long long	 max_size;	/* MaxMessageSize, 0 = none */
	int	 dot_mode;	/* DATA: dot-stuffing, "." ends */
	int	 lf_ok;		/* LF alone ends a line (local peer) */
	int	 in_headers;
	int	 hdr_open;	/* a field is open: continuation lines join it */
	int	 cr;		/* a CR is pending */
	int	 bare;		/* a bare CR or LF was seen */
	int	 toolong;	/* a line over 1000 octets with its CRLF */
	int	 toobig;	/* over max_size: no longer stored */
	int	 nul;		/* 1: NUL in the body, 2: in the headers */
	int	 hdrbig;	/* header section over max_hdrs */
	size_t	 max_hdrs;	/* MaxHeadersLength; BODY_DEFAULT_HEADERS */
	int	 has8bit;
	int	 lover;		/* the current line overflowed */
	int	 chunk_nul, chunk_high;	/* seen ahead of the line being fed */
	int	 hops;		/* Received: headers seen */
	long long size;		/* octets of text, LF line ends */
	size_t	 llen;
	struct buf hdrs;	/* "H??Name: value\n" lines */
	char	 msgid[200];	/* Message-Id: value, for the log */
	char	 line[SMTP_LINE_MAX + 1];
};

void	body_init(struct body *, struct qmsg *, long long max_size,
	    int dot_mode, int lf_ok);
/* Feed raw octets.  Returns how many were used; *end is set when the
 * DATA terminator was seen (the rest of p is the next command).  In DATA
 * it stops at a bare CR or LF. */
size_t	body_feed(struct body *, const char *p, size_t n, int *end);
/* No more input (BDAT LAST): a last line without CRLF is kept. */
void	body_end(struct body *);
void	body_free(struct body *);

#endif
