/* smtpd_peer.c - who the client is: its address (from the socket, never
 * from the client), the name it goes by in the logs and Received:, and
 * its host name, which may let it relay.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/buf.h"
#include "mail/cf.h"
#include "lib/log.h"
#include "lib/lookup.h"
#include "lib/passwd.h"
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

/* The name of the AF_UNIX socket a client came in by, for the logs and
 * Received: printable, "@" for an abstract one, "" when it has none. */
static void
unix_name(int fd, char *name, size_t len)
{
	struct sockaddr_un un;
	socklen_t n = sizeof(un);
	size_t i, k = 0, plen;

	name[0] = '\0';
	if (getsockname(fd, (struct sockaddr *)&un, &n) < 0 ||
	    n <= offsetof(struct sockaddr_un, sun_path))
		return;
	plen = n - offsetof(struct sockaddr_un, sun_path);
	for (i = 0; i < plen && k + 1 < len; i++) {
		unsigned char c = (unsigned char)un.sun_path[i];

		if (c == '\0' && i > 0)
			break;
		name[k++] = c == '\0' ? '@' : c > ' ' && c < 0x7f &&
		    c != '[' && c != ']' ? (char)c : '?';
	}
	name[k] = '\0';
}

/* Who is on the other end?  Only the socket says; never the client.
 * Only a descriptor that is not a socket at all (a pipe, a terminal) is a
 * local client; a socket without a peer (a listening socket handed over
 * by "inetd wait" or an activator without --accept) is refused: -1.  An
 * AF_UNIX peer is local only with UnixSocketTrusted: anyone may be
 * behind such a socket (a TLS terminator or a container's proxy passes
 * remote clients on), so by default it is a network client without an
 * address: no relaying, lines end in CRLF. */
int
smtpd_find_peer(int fd, int unix_trusted, struct peer *p)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	memset(p, 0, sizeof(*p));
	if (getpeername(fd, (struct sockaddr *)&ss, &len) < 0)
		return errno == ENOTSOCK ? 0 : -1;
	if (ss.ss_family == AF_INET || ss.ss_family == AF_INET6)
		sockaddr_text(&ss, p->ip, sizeof(p->ip), &p->port);
	else if (ss.ss_family == AF_UNIX && unix_trusted)
		return 0;
	else {
		p->network = p->unix_sock = 1;
		if (ss.ss_family == AF_UNIX)
			unix_name(fd, p->unix_path, sizeof(p->unix_path));
		return 0;
	}
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

/* The user of a local session, for $_ and Received:, from the real uid
 * (the person who ran the program): never from $USER, which that person
 * sets as they like. */
static void
local_user(char *name, size_t len)
{
	/* The real uid's entry (passwd file first, NSS only when the file
	 * cannot say), never $USER, which the caller sets. */
	if (passwd_uid_name(getuid(), name, len) != 1 || name[0] == '\0' ||
	    strpbrk(name, " \t\r\n,") != NULL)
		snprintf(name, len, "uid%lu", (unsigned long)getuid());
}

void
smtpd_set_relay(struct session *s)
{
	char user[64];

	if (!s->peer.network) {
		local_user(user, sizeof(user));
		snprintf(s->relay, sizeof(s->relay), "%s@localhost", user);
	} else if (s->peer.unix_sock)
		snprintf(s->relay, sizeof(s->relay), "[UNIX%s%s]",
		    s->peer.unix_path[0] ? ":" : "", s->peer.unix_path);
	else if (s->resolve == RDNS_OK || s->resolve == RDNS_FORGED)
		snprintf(s->relay, sizeof(s->relay), "%s [%s%s]%s",
		    s->client_name, v6(s), s->peer.ip,
		    s->resolve == RDNS_FORGED ? " (may be forged)" : "");
	else
		snprintf(s->relay, sizeof(s->relay), "[%s%s]", v6(s),
		    s->peer.ip);
	title_set("MTA: server %s", s->relay);	/* forked by -bd only */
}

enum rdns
smtpd_rdns_answer(int status, const char *got, size_t len, char *name,
    size_t namelen)
{
	if (namelen > 0)
		name[0] = '\0';
	switch (status) {
	case RDNS_OK:
	case RDNS_FORGED:
		/* A name, without a NUL inside, that fits, as rdns_lookup()
		 * would have taken it. */
		if (memchr(got, '\0', len) != NULL || len >= namelen ||
		    !rdns_name_ok(got))
			return RDNS_FAIL;
		memcpy(name, got, len + 1);
		return (enum rdns)status;
	case RDNS_FAIL:
	case RDNS_TEMP:
		return (enum rdns)status;
	default:	/* RDNS_UNKNOWN, or no enum rdns at all */
		return RDNS_TEMP;
	}
}

/* The client's host name, looked up once, at the first MAIL: never
 * before the banner, and not at all in a session that sends no mail.
 * For the logs and the Received: header, for Connect: entries by name
 * and for relaying from hosts in class w or R; only a name that resolves
 * back to the client's address counts for policy. */
void
smtpd_client_lookup(struct session *s)
{
	int r;

	if (!s->peer.network || s->peer.unix_sock)
		return;		/* no address to look up */
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
		r = lookup_ask(LOOKUP_RDNS, s->peer.ip, t.s, &name, &err);
		if (r < 0)
			log_warn("%s: %s", s->peer.ip, buf_str(&err));
		/* The helper is trusted no more than the resolver: what it
		 * says passes the checks of the session's own lookups. */
		s->resolve = smtpd_rdns_answer(r, buf_str(&name), name.len,
		    s->client_name, sizeof(s->client_name));
		if (r >= 0 && r != (int)s->resolve)
			log_warn("%s: the lookup helper answered status %d "
			    "with no usable host name; taken as %s",
			    s->peer.ip, r, rdns_word(s->resolve));
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
