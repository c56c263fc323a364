/* daemon.h - the -bd listener: one fresh process per connection. */
#ifndef SOCKMAIL_DAEMON_H
#define SOCKMAIL_DAEMON_H

struct cf;

/* Serve the listening sockets fds[0..n) (from systemd), or, when n == 0,
 * bind every DaemonPortOptions entry.  Forks one child per connection;
 * at most MaxDaemonChildren at a time; SIGTERM stops accepting and waits
 * for the sessions to finish.  Returns a sysexits.h code. */
int	daemon_main(struct cf *, const int *fds, int n, int foreground);

/* Bind a listening socket for one DaemonPortOptions entry; -1 with a
 * message in err. */
struct buf;
struct dport;
int	daemon_bind(const struct dport *, struct buf *err);

#endif
