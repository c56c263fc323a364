/* smtpd.h - one SMTP server session on an already connected channel.
 *
 * The same code serves inetd (-Am -bs, the socket on fds 0 and 1),
 * systemd Accept=yes (StandardInput=socket, or the socket as fd 3), the
 * -bd listener's forked child and a person at a terminal or a pipe
 * (a local, trusted client).
 */
#ifndef SOCKMAIL_SMTPD_H
#define SOCKMAIL_SMTPD_H

struct cf;

/* Run a session on rfd/wfd: find the peer, drop privileges, open the
 * queue, speak SMTP until QUIT or a fatal error.  Returns a sysexits.h
 * code for the process to exit with. */
int	smtpd_main(struct cf *, int rfd, int wfd);

#endif
