/* rdns.h - the client's host name: sendmail's ${client_name} and
 * ${client_resolve}.
 *
 * The name is the PTR record of the peer's address, believed only when a
 * forward lookup of that name gives the address back.  Both go through
 * the C library's resolver (getnameinfo, getaddrinfo), so /etc/hosts,
 * nsswitch.conf and resolv.conf apply (its timeout and attempts unless
 * Timeout.resolver.retrans and .retry say otherwise).  The
 * session asks at the first MAIL, never before the banner.
 */
#ifndef SOCKMAIL_RDNS_H
#define SOCKMAIL_RDNS_H

#include <stddef.h>

enum rdns {
	RDNS_UNKNOWN,	/* not looked up (yet), or not a network peer */
	RDNS_OK,	/* PTR name whose addresses include the peer's */
	RDNS_FAIL,	/* no PTR record, or not a usable host name */
	RDNS_FORGED,	/* PTR name that does not resolve back */
	RDNS_TEMP	/* the resolver failed: try again later */
};

/* The resolver's time per try and number of tries (Timeout.resolver.
 * retrans and .retry); 0 keeps resolv.conf's.  Call before a lookup. */
void		rdns_set_timeouts(int retrans_s, int retry);

/* Look up ip (text, as getpeername gave it).  name gets the PTR name
 * (without a trailing dot) for RDNS_OK and RDNS_FORGED, "" otherwise. */
enum rdns	rdns_lookup(const char *ip, char *name, size_t namelen);

/* "OK", "FAIL", "FORGED", "TEMP" (sendmail's words), "" for UNKNOWN. */
const char	*rdns_word(enum rdns);

/* Is s a host name we would put in a header: letters, digits, '-' and
 * '_' in labels of 1-63 octets, dot-separated, not all-numeric at the
 * end (so "1.2.3.4" is not a name)?  Exposed for the unit tests. */
int		rdns_name_ok(const char *s);

#endif
