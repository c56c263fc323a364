/* daemon.h - the -bd listener: one fresh process per connection. */
#ifndef SOCKMAIL_DAEMON_H
#define SOCKMAIL_DAEMON_H

struct cf;

/* Serve the listening sockets fds[0..n) (from systemd), or, when n == 0,
 * bind every DaemonPortOptions entry.  Forks one child per connection;
 * at most MaxDaemonChildren at a time; SIGTERM stops accepting and waits
 * for the sessions to finish.  Returns a sysexits.h code. */
int	daemon_main(struct cf *, const int *fds, int n, int foreground);

/* Parse one DaemonPortOptions value ("Family=inet, Port=smtp, Addr=...")
 * and bind a listening socket; -1 with a message in err. */
struct buf;
int	daemon_bind(const char *opts, struct buf *err);

#endif
