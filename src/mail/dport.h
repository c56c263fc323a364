/* dport.h - DaemonPortOptions: the addresses the MTA listens on, and
 * what each means for a session that arrived there.
 *
 * "Family=inet, Name=MSA, Port=587, Addr=192.0.2.1, M=Ea".  The listener
 * binds every entry; a session (whoever accepted its connection: the
 * listener, inetd, systemd) finds its entry by the local address of its
 * socket, so the units for ports 25 and 587 can run the same command and
 * still give the MSA its rules.
 */
#ifndef SOCKMAIL_DPORT_H
#define SOCKMAIL_DPORT_H

struct buf;
struct cf;

/* M= modifiers that mean something to sockmail (sendmail's letters). */
#define DPM_a	0x01	/* AUTH required before MAIL */
#define DPM_A	0x02	/* AUTH not offered */
#define DPM_E	0x04	/* no ETRN */
#define DPM_f	0x08	/* addresses must be fully qualified */
#define DPM_O	0x10	/* optional: the listener goes on if it cannot bind */
#define DPM_s	0x20	/* SMTPS: TLS from the first byte (RFC 8314) */
#define DPM_S	0x40	/* STARTTLS not offered */

struct dport {
	int		 family;	/* AF_INET (default) or AF_INET6 */
	int		 port;		/* default 25 */
	char		 addr[64];	/* Addr=, "" for any */
	char		 name[32];	/* Name=, "" for none */
	unsigned	 mods;		/* DPM_* */
};

/* Parse one value.  0, or -1 with the reason in err.  Letters of M= that
 * sockmail has no use for (b, c, C, h, u: client-side or rewriting
 * matters) are accepted and ignored; unknown keys and letters are errors. */
int	dport_parse(const char *value, struct dport *, struct buf *err);

/* The entry for a connection that arrived at local_ip:local_port: the
 * first one with that port whose Addr is the same or unset (or a
 * wildcard).  1 found (d filled), 0 none, -1 a bad entry (err). */
int	dport_find(const struct cf *, const char *local_ip, int local_port,
	    struct dport *d, struct buf *err);

#endif
