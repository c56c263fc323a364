/* rdns.c - the client's host name, confirmed by a forward lookup. */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <resolv.h>
#include <string.h>

#include "rdns.h"

union sa {
	struct sockaddr		sa;
	struct sockaddr_in	in;
	struct sockaddr_in6	in6;
};

static int
to_sa(const char *ip, union sa *u, socklen_t *len)
{
	memset(u, 0, sizeof(*u));
	if (inet_pton(AF_INET, ip, &u->in.sin_addr) == 1) {
		u->in.sin_family = AF_INET;
		*len = sizeof(u->in);
		return 1;
	}
	if (inet_pton(AF_INET6, ip, &u->in6.sin6_addr) == 1) {
		u->in6.sin6_family = AF_INET6;
		*len = sizeof(u->in6);
		return 1;
	}
	return 0;
}

static int
same_addr(const struct sockaddr *a, const union sa *u)
{
	if (a->sa_family != u->sa.sa_family)
		return 0;
	if (a->sa_family == AF_INET)
		return memcmp(&((const struct sockaddr_in *)a)->sin_addr,
		    &u->in.sin_addr, sizeof(u->in.sin_addr)) == 0;
	return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
	    &u->in6.sin6_addr, sizeof(u->in6.sin6_addr)) == 0;
}

static int
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int
is_label_char(unsigned char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
}

int
rdns_name_ok(const char *s)
{
	size_t label = 0, len = 0;
	int numeric = 1;	/* the current label is all digits */

	for (; s[len] != '\0'; len++) {
		unsigned char c = (unsigned char)s[len];

		if (c == '.') {
			if (label == 0)
				return 0;
			label = 0;
			numeric = 1;
			continue;
		}
		if (!is_label_char(c) || ++label > 63)
			return 0;
		if (!is_digit(c))
			numeric = 0;
	}
	return len > 0 && len <= 253 && label > 0 && !numeric;
}

/* A PTR answer we may not use is as good as none; a resolver that could
 * not answer is a temporary failure. */
static enum rdns
ni_error(int e)
{
	return e == EAI_AGAIN || e == EAI_MEMORY || e == EAI_SYSTEM ?
	    RDNS_TEMP : RDNS_FAIL;
}

enum rdns
rdns_lookup(const char *ip, char *name, size_t namelen)
{
	char host[NI_MAXHOST];
	struct addrinfo hints, *res, *ai;
	union sa u;
	socklen_t len;
	enum rdns r;
	size_t n;
	int e;

	if (namelen > 0)
		name[0] = '\0';
	if (!to_sa(ip, &u, &len))
		return RDNS_FAIL;
	e = getnameinfo(&u.sa, len, host, sizeof(host), NULL, 0,
	    NI_NAMEREQD);
	if (e != 0)
		return ni_error(e);
	n = strlen(host);
	if (n > 0 && host[n - 1] == '.')
		host[--n] = '\0';
	if (!rdns_name_ok(host) || n >= namelen)
		return RDNS_FAIL;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = u.sa.sa_family;
	hints.ai_socktype = SOCK_STREAM;
	e = getaddrinfo(host, NULL, &hints, &res);
	if (e == EAI_AGAIN || e == EAI_MEMORY || e == EAI_SYSTEM)
		return RDNS_TEMP;
	memcpy(name, host, n + 1);
	if (e != 0)
		return RDNS_FORGED;
	r = RDNS_FORGED;
	for (ai = res; ai != NULL && r != RDNS_OK; ai = ai->ai_next)
		if (same_addr(ai->ai_addr, &u))
			r = RDNS_OK;
	freeaddrinfo(res);
	return r;
}

void
rdns_set_timeouts(int retrans_s, int retry)
{
	if (retrans_s <= 0 && retry <= 0)
		return;
	/* glibc's getaddrinfo() and getnameinfo() use _res once it has
	 * been initialised (and resolv.conf has not changed since). */
	if (res_init() != 0)
		return;
	if (retrans_s > 0)
		_res.retrans = retrans_s;
	if (retry > 0)
		_res.retry = retry;
}

const char *
rdns_word(enum rdns r)
{
	switch (r) {
	case RDNS_OK:		return "OK";
	case RDNS_FAIL:		return "FAIL";
	case RDNS_FORGED:	return "FORGED";
	case RDNS_TEMP:		return "TEMP";
	default:		return "";
	}
}
