/* smtpd_peer.c - who the client is: its address (from the socket, never
 * from the client), the name it goes by in the logs and Received:, and
 * its host name, which may let it relay.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/buf.h"
#include "mail/cf.h"
#include "lib/log.h"
#include "lib/lookup.h"
#include "mail/policy.h"
#include "lib/title.h"
#include "smtpd_int.h"

/* An inet address as text (an IPv4 peer of an IPv6 socket as a.b.c.d)
 * and its port. */
static void
sockaddr_text(const struct sockaddr_storage *ss, char *ip, size_t len,
    int *port)
{
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)ss;

		inet_ntop(AF_INET, &in->sin_addr, ip, (socklen_t)len);
		*port = ntohs(in->sin_port);
	} else {
		const struct sockaddr_in6 *in6 =
		    (const struct sockaddr_in6 *)ss;

		inet_ntop(AF_INET6, &in6->sin6_addr, ip, (socklen_t)len);
		if (strncmp(ip, "::ffff:", 7) == 0 && strchr(ip, '.'))
			memmove(ip, ip + 7, strlen(ip + 7) + 1);
		*port = ntohs(in6->sin6_port);
	}
}

/* Who is on the other end?  Only the socket says; never the client.
 * Only a descriptor that is not a socket at all (a pipe, a terminal) is a
 * local client; a socket without a peer (a listening socket handed over
 * by "inetd wait" or an activator without --accept) is refused: -1. */
int
smtpd_find_peer(int fd, struct peer *p)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	memset(p, 0, sizeof(*p));
	if (getpeername(fd, (struct sockaddr *)&ss, &len) < 0)
		return errno == ENOTSOCK ? 0 : -1;
	if (ss.ss_family == AF_INET || ss.ss_family == AF_INET6)
		sockaddr_text(&ss, p->ip, sizeof(p->ip), &p->port);
	else
		return 0;	/* AF_UNIX: local */
	p->network = 1;
	len = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
		sockaddr_text(&ss, p->local_ip, sizeof(p->local_ip),
		    &p->local_port);
	return 0;
}

/* sendmail writes an IPv6 client as [IPv6:2001:db8::1]. */
static const char *
v6(const struct session *s)
{
	return strchr(s->peer.ip, ':') != NULL ? "IPv6:" : "";
}

void
smtpd_set_relay(struct session *s)
{
	const char *user = getenv("USER");

	if (!s->peer.network)
		snprintf(s->relay, sizeof(s->relay), "%s@localhost",
		    user != NULL && user[0] != '\0' && strlen(user) < 64 &&
		    strpbrk(user, " \t\r\n,") == NULL ? user : "local");
	else if (s->resolve == RDNS_OK || s->resolve == RDNS_FORGED)
		snprintf(s->relay, sizeof(s->relay), "%s [%s%s]%s",
		    s->client_name, v6(s), s->peer.ip,
		    s->resolve == RDNS_FORGED ? " (may be forged)" : "");
	else
		snprintf(s->relay, sizeof(s->relay), "[%s%s]", v6(s),
		    s->peer.ip);
	title_set("MTA: server %s", s->relay);	/* forked by -bd only */
}

/* The client's host name, looked up once, at the first MAIL: never
 * before the banner, and not at all in a session that sends no mail.
 * For the logs and the Received: header, for Connect: entries by name
 * and for relaying from hosts in class w or R; only a name that resolves
 * back to the client's address counts for policy. */
void
smtpd_client_lookup(struct session *s)
{
	if (!s->peer.network)
		return;
	if (policy_ip_is_loopback(s->peer.ip)) {
		/* This host: the submission program's relay and local
		 * filters come this way, a connection per message; the
		 * resolver would read four files to say "localhost". */
		strcpy(s->client_name, "localhost");
		s->resolve = RDNS_OK;
	} else if (lookup_isolated()) {
		struct buf t = BUF_INIT, name = BUF_INIT, err = BUF_INIT;

		buf_printf(&t, "%d %d", s->cf->to.res_retrans,
		    s->cf->to.res_retry);
		s->resolve = (enum rdns)lookup_ask(LOOKUP_RDNS, s->peer.ip,
		    t.s, &name, &err);
		if ((int)s->resolve < 0) {
			log_warn("%s: %s", s->peer.ip, buf_str(&err));
			s->resolve = RDNS_TEMP;
		}
		snprintf(s->client_name, sizeof(s->client_name), "%s",
		    buf_str(&name));
		buf_free(&t);
		buf_free(&name);
		buf_free(&err);
	} else {
		rdns_set_timeouts(s->cf->to.res_retrans,
		    s->cf->to.res_retry);
		s->resolve = rdns_lookup(s->peer.ip, s->client_name,
		    sizeof(s->client_name));
	}
	smtpd_set_relay(s);
	if (s->resolve == RDNS_OK &&
	    policy_client_name_may_relay(s->cf, s->client_name))
		s->may_relay = 1;
}
