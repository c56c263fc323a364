/* smtpd_int.h - what the files of src/smtpd/ share: the session and the
 * helpers its commands use.  Private to src/smtpd/; other folders see
 * only smtpd.h.
 *
 * The files call downward only, never in a circle:
 *   smtpd.c		the session's start, the command loop, the verb table
 *   smtpd_helo.c	HELO/EHLO (asks smtpd_tls and smtpd_auth what is
 *			offered)
 *   smtpd_mail.c, smtpd_rcpt.c, smtpd_data.c	the envelope and the message
 *   smtpd_tls.c	STARTTLS, SMTPS (forgets an AUTH: smtpd_auth)
 *   smtpd_auth.c	AUTH (over sasl.c)
 *   smtpd_param.c	ESMTP parameters of MAIL and RCPT
 *   smtpd_peer.c	who the client is
 *   smtpd_tx.c		the transaction's reset
 *   smtpd_reply.c	replies, refusals and their count: calls no smtpd
 *			file
 */
#ifndef SOCKMAIL_SMTPD_INT_H
#define SOCKMAIL_SMTPD_INT_H

#include <stddef.h>

#include "mail/access.h"
#include "mail/addr.h"
#include "lib/buf.h"
#include "mail/dport.h"
#include "lib/io.h"
#include "mail/queue.h"
#include "dns/rdns.h"
#include "tls/tls.h"

struct cf;
struct smtp_param;

struct peer {
	int	 network;	/* a network client: an inet socket, or an
				 * AF_UNIX one unless UnixSocketTrusted */
	int	 unix_sock;	/* ... that AF_UNIX socket (no address) */
	char	 ip[64];	/* "" unless an inet socket */
	int	 port;
	char	 local_ip[64];
	int	 local_port;
	char	 unix_path[64];	/* the AF_UNIX socket's name, printable */
};

/* The transaction: made at MAIL, dropped at RSET, HELO/EHLO or the end of
 * DATA / BDAT LAST. */
struct tx {
	int		 active;
	char		 from[ADDR_MAX_PATH + 1];
	long long	 size_param;
	int		 body_8bitmime;
	int		 smtputf8;
	int		 ret;
	char		*envid;
	struct qrcpt	*rcpts;
	size_t		 nrcpts, rcap;
	int		 bdat;		/* a BDAT transfer is under way */
	int		 bdat_failed;	/* a chunk failed: discard until LAST */
	int		 discard;	/* the access map said DISCARD */
	int		 bad_rcpts;	/* recipients refused (BadRcptThrottle) */
	int		 throttled;	/* ... and the throttle was logged */
	int		 rcpt_tried;	/* a RCPT reached the recipient checks */
	char		*auth_param;	/* MAIL AUTH= (xtext), trusted, or NULL */
	struct body	*body;		/* receiving state for DATA / BDAT */
};

struct session {
	struct cf	*cf;
	struct io	 io;
	struct peer	 peer;
	struct dport	 dport;		/* DaemonPortOptions entry; name "" if none */
	int		 dirfd;		/* the queue directory */
	int		 may_relay;
	int		 helo_seen, esmtp;
	int		 nbad;
	int		 nnoise;	/* MaxNOOPCommands' count */
	int		 nslack;	/* smtpd_slack()'s count */
	int		 mail_refused;	/* the last MAIL was refused */
	int		 done;		/* close after this reply */
	unsigned	 nmsgs;
	char		 host[256];	/* $j */
	char		 helo[256];
	/* for logs and Received: "[ip]", "name [ip]", "name [ip] (may be
	 * forged)" or "user@localhost" */
	char		 relay[352];
	char		 client_name[256];	/* ${client_name}: PTR name */
	enum rdns	 resolve;		/* ${client_resolve} */
	struct tx	 tx;
	struct qmsg	*qm;		/* allocated at the first message */
	int		 conn_checked;	/* conn_access looked up (at the first MAIL) */
	struct access	 conn_access;	/* the access map on the client's address */
	int		 exit_code;	/* sysexits.h; 0 unless the session failed */
	/* STARTTLS: offered when tls_ok is 1 (cert and key opened), refused
	 * with 454 when -1 (configured but unusable). */
	int		 tls_ok;
	struct tls_files tls_files;
	struct tls	*tls;		/* TLS is active */
	struct tls_info	 tls_info;
	/* The client's verified certificate lets it relay (access map
	 * CERTISSUER:/CERTSUBJECT:, found at the handshake): 1; the map
	 * could not be read: -1 (a RCPT it would decide is 451). */
	int		 tls_relay;
	/* AUTH (RFC 4954): the authenticated identity ("" before), which
	 * lets the client relay, and its mechanism.  Forgotten at STARTTLS. */
	char		 auth_user[256];
	char		 auth_mech[24];
};

/* smtpd_reply.c: one reply line (the CRLF is added); the NOQUEUE log
 * line of a refusal. */
void	smtpd_reply(struct session *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	smtpd_log_reject(struct session *, const char *what, const char *arg,
	    const char *reply);
/* Refuse one command: reply, count toward MaxBadCommands. */
void	smtpd_bad(struct session *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Count one refused command toward MaxBadCommands (421 at the limit). */
void	smtpd_count_bad(struct session *);
/* Refuse a command that a pipelining client sent before it could read
 * an earlier refusal (RFC 2920): a RCPT after a refused MAIL or past
 * MaxRecipientsPerMessage, DATA after refused recipients, the chunks of
 * a refused message.  The first SMTPD_SLACK of them since the session
 * began or last queued a message are only answered, the rest counted
 * as smtpd_bad() counts. */
#define SMTPD_SLACK	1000
void	smtpd_slack(struct session *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Seconds to milliseconds for the io layer and poll(), capped. */
int	smtpd_secs_ms(int secs);

/* smtpd_tx.c: forget the transaction (and abort its queue files). */
void	smtpd_tx_reset(struct session *);

/* smtpd_param.c: the ESMTP parameters of MAIL or RCPT split into p[]
 * (SMTP_MAX_PARAMS of them): their count, or -1 (refused, counted) if
 * they are malformed or come after HELO.  smtpd_dsn_refused(): is key
 * k a DSN parameter while DSN is not offered?  1: refused, counted. */
int	smtpd_params(struct session *, char *rest, struct smtp_param *p);
int	smtpd_dsn_refused(struct session *, const char *k);

/* smtpd_peer.c: who is on the other end of fd (-1: a socket without a
 * peer, which is refused; unix_trusted: UnixSocketTrusted); s->relay
 * from what is known of the client; the client's host name, looked up
 * (once, at the first MAIL), and whether it lets the client relay. */
int	smtpd_find_peer(int fd, int unix_trusted, struct peer *);
void	smtpd_set_relay(struct session *);
void	smtpd_client_lookup(struct session *);
/* What the lookup helper answered for the client's name (its status
 * and the name's len octets), checked as rdns_lookup() checks its own
 * answers: a status outside enum rdns is RDNS_TEMP, a name that is no
 * host name (or does not fit in namelen) RDNS_FAIL.  name gets the name
 * for RDNS_OK and RDNS_FORGED, "" otherwise.  Pure, for the unit tests. */
enum rdns smtpd_rdns_answer(int status, const char *got, size_t len,
	    char *name, size_t namelen);

/* The commands: each handler gets the text after the verb (smtpcmd.h's
 * smtpcmd_verb()) and answers it.  smtpd_helo.c: */
void	smtpd_cmd_helo(struct session *, char *arg);
void	smtpd_cmd_ehlo(struct session *, char *arg);

/* smtpd_mail.c, smtpd_rcpt.c: MAIL, RCPT, VRFY, EXPN. */
void	smtpd_cmd_mail(struct session *, char *arg);
void	smtpd_cmd_rcpt(struct session *, char *arg);
void	smtpd_cmd_vrfy(struct session *, char *arg);
void	smtpd_cmd_expn(struct session *, char *arg);

/* smtpd_tls.c: is STARTTLS offered now (for EHLO and HELP)?  The
 * command; SMTPS, the handshake before the banner (-1: no session). */
int	smtpd_tls_offered(const struct session *);
void	smtpd_cmd_starttls(struct session *, char *arg);
int	smtpd_smtps_begin(struct session *);

/* smtpd_data.c: DATA and BDAT. */
void	smtpd_cmd_data(struct session *, char *arg);
void	smtpd_cmd_bdat(struct session *, char *arg);

/* smtpd_auth.c: may the client say AUTH now (for EHLO and HELP)?  The
 * EHLO line; the command; forgetting an authentication (STARTTLS). */
int	smtpd_auth_offered(const struct session *);
void	smtpd_auth_ehlo(struct session *);	/* the 250-AUTH line */
void	smtpd_cmd_auth(struct session *, char *arg);
void	smtpd_auth_reset(struct session *);

#endif
