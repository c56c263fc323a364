/* qrun_int.h - what the files of src/qrun/ share: the request the
 * bookkeeper (RunAsUser) sends root for one recipient, and root's reply.
 *
 * A request is a fixed header with the lengths, sent by sendmsg() with
 * the df's descriptor (SCM_RIGHTS), then the id, recipient, sender and
 * header text.  The reader caps every length before it reads, refuses
 * NUL, CR and LF in the one-line fields, and trusts nothing else either:
 * whoever wrote the queue chose all of it.
 */
#ifndef SOCKMAIL_QRUN_INT_H
#define SOCKMAIL_QRUN_INT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

struct cf;
struct buf;

#define QR_MAGIC	0x71727231u	/* "qrr1" */
#define QR_IDMAX	32
#define QR_ADDRMAX	512		/* recipient and sender, octets */
#define QR_HDRMAX	(2u << 20)	/* header text, octets */
#define QR_TEXTMAX	400		/* root's status text */

struct qr_req {
	char		 id[QR_IDMAX + 1];
	char		 rcpt[QR_ADDRMAX + 1];	/* without <> */
	char		 sender[QR_ADDRMAX + 1];	/* without <>, "" for <> */
	char		*hdrs;			/* malloc()ed, hlen octets */
	size_t		 hlen;
	int64_t		 ctime;			/* for the From line */
	int		 dffd;			/* -1 if none came */
};

struct qr_rep {
	int32_t		 code;			/* sysexits: 0 delivered */
	char		 dsn[8];		/* "2.0.0", "4.3.0" ... */
	char		 text[QR_TEXTMAX];	/* "Sent", "Deferred: ..." */
};

/* qrun_proto.c.  0, or -1 (the peer went away or broke the rules;
 * err says which when not NULL). */
int	qr_send_req(int sock, const struct qr_req *);
int	qr_recv_req(int sock, struct qr_req *, struct buf *err);
void	qr_req_free(struct qr_req *);
int	qr_send_rep(int sock, const struct qr_rep *);
int	qr_recv_rep(int sock, struct qr_rep *);
void	qr_rep_set(struct qr_rep *, int code, const char *dsn,
	    const char *text);

/* qrun_book.c: the bookkeeper's run, already as RunAsUser; sock is its
 * end of the pair.  Returns a sysexits code for its exit. */
int	qr_book_run(const struct cf *, int sock);

/* qrun_qf.c, as the bookkeeper: rewrite qf<id> as q without the
 * recipients done[] marks (status[i]: recipient i's new M line, or
 * NULL), locked, durable; *lockfd becomes the new file's.  Remove the
 * message (qf, then df).  0, or -1 with err. */
struct qf;
int	qr_qf_rewrite(int dirfd, const char *id, const struct qf *q,
	    const unsigned char *done, char *const *status, mode_t mode,
	    int *lockfd, struct buf *err);
int	qr_qf_remove(int dirfd, const char *id, struct buf *err);

/* qrun_local.c: root's answer to one request (it forks the delivery
 * child, which closes sock).  Never fails: every refusal is a reply. */
void	qr_local_deliver(const struct cf *, const struct qr_req *, int sock,
	    struct qr_rep *);

#endif
