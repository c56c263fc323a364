/* policy.c - relay policy and local recipient checks. */
#include "policy.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "access.h"
#include "addr.h"
#include "aliases.h"
#include "lib/lookup.h"
#include "lib/passwd.h"
#include "lib/buf.h"
#include "cf.h"
#include "lib/log.h"
#include "map.h"

/* Does ip match entry: an address, a dotted prefix ("10.1", "10.1."),
 * "[addr]", or a CIDR block "10.0.0.0/8" / "2001:db8::/32"? */
static int
ip_matches(const char *ip, const char *entry)
{
	unsigned char a[16], b[16];
	char tmp[64], *slash;
	size_t n = strlen(entry);
	int af, bits, i;

	if (n >= sizeof(tmp))
		return 0;
	if (entry[0] == '[' && entry[n - 1] == ']') {
		memcpy(tmp, entry + 1, n - 2);
		tmp[n - 2] = '\0';
		if (strncasecmp(tmp, "IPv6:", 5) == 0)
			memmove(tmp, tmp + 5, strlen(tmp + 5) + 1);
		return strcasecmp(tmp, ip) == 0;
	}
	memcpy(tmp, entry, n + 1);
	if ((slash = strchr(tmp, '/')) != NULL) {
		*slash = '\0';
		af = strchr(tmp, ':') ? AF_INET6 : AF_INET;
		bits = atoi(slash + 1);
		if (inet_pton(af, tmp, a) != 1 || inet_pton(af, ip, b) != 1)
			return 0;
		if (bits < 0 || bits > (af == AF_INET ? 32 : 128))
			return 0;
		for (i = 0; bits > 0; i++, bits -= 8) {
			unsigned char m = bits >= 8 ? 0xff :
			    (unsigned char)(0xff << (8 - bits));

			if ((a[i] & m) != (b[i] & m))
				return 0;
		}
		return 1;
	}
	if (strcasecmp(ip, tmp) == 0)
		return 1;
	/* sendmail-style network prefix: "192.168.1" matches 192.168.1.x */
	if (strchr(tmp, ':') == NULL && isdigit((unsigned char)tmp[0])) {
		if (tmp[n - 1] == '.')
			tmp[--n] = '\0';
		return strncmp(ip, tmp, n) == 0 && ip[n] == '.';
	}
	return 0;
}

int
policy_ip_is_loopback(const char *ip)
{
	return strncmp(ip, "127.", 4) == 0 || strcmp(ip, "::1") == 0 ||
	    strncmp(ip, "::ffff:127.", 11) == 0;
}

int
policy_client_may_relay(const struct cf *cf, const char *ip, int local)
{
	const struct strlist *r;
	size_t i;

	if (local || policy_ip_is_loopback(ip))
		return 1;
	if ((r = cf_class(cf, "R")) == NULL)
		return 0;
	for (i = 0; i < r->n; i++)
		if (ip_matches(ip, r->v[i]))
			return 1;
	return 0;
}

int
policy_client_name_may_relay(const struct cf *cf, const char *name)
{
	return cf_class_has(cf, "w", name) || policy_domain_is_relay(cf, name);
}

int
policy_domain_is_local(const struct cf *cf, const char *domain)
{
	if (domain[0] == '\0')
		return 1;
	return cf_class_has(cf, "w", domain);
}

int
policy_domain_is_relay(const struct cf *cf, const char *domain)
{
	const struct strlist *r = cf_class(cf, "R");
	size_t i, dl = strlen(domain), el;

	if (r == NULL || domain[0] == '\0' || domain[0] == '[')
		return 0;
	for (i = 0; i < r->n; i++) {
		const char *e = r->v[i];

		el = strlen(e);
		if (el == 0 || isdigit((unsigned char)e[el - 1]) || e[0] == '[')
			continue;	/* an address entry, not a domain */
		if (e[el - 1] == '.')
			el--;
		if (dl == el && strncasecmp(domain, e, el) == 0)
			return 1;
		if (dl > el && domain[dl - el - 1] == '.' &&
		    strncasecmp(domain + dl - el, e, el) == 0)
			return 1;
	}
	return 0;
}

/* Is there an aliases map at all?  Asked once per process (a session is
 * one process), so a site without aliases pays nothing per RCPT and never
 * loads libgdbm. */
static int
aliases_exist(const struct cf *cf)
{
	static int state;	/* 0 unknown, 1 none, 2 some */
	char db[PATH_MAX];
	struct stat st;

	if (state != 0)
		return state == 2;
	if (cf->alias_file == NULL || cf->alias_file[0] == '\0')
		state = 1;
	else if (snprintf(db, sizeof(db), "%s.db", cf->alias_file) <
	    (int)sizeof(db) && stat(db, &st) < 0 && errno == ENOENT &&
	    stat(cf->alias_file, &st) < 0 && errno == ENOENT)
		state = 1;	/* neither map nor text: no aliases */
	else
		state = 2;	/* a map, or text without a map: look */
	return state == 2;
}

static int
alias_known(const struct cf *cf, const char *name, struct buf *why)
{
	struct buf val = BUF_INIT, err = BUF_INIT;
	int r;

	if (!aliases_exist(cf))
		return 0;
	r = aliases_lookup(cf->alias_file, name, &val, &err);
	if (r < 0) {
		log_warn("alias lookup failed: %s", buf_str(&err));
		buf_printf(why, "alias map unavailable");
	}
	buf_free(&val);
	buf_free(&err);
	return r;
}

/* A session asks about the same few local parts again and again (many
 * messages per connection, one list of recipients): it remembers its
 * last answers (not the temporary failures).  A session is one short
 * process, so an alias or user added meanwhile is seen by the next. */
#define UCACHE_N	8
#define UCACHE_LEN	64
static struct {
	char	 local[UCACHE_LEN];
	int	 known;
} ucache[UCACHE_N];
static unsigned ucache_next;

static int
ucache_get(const char *local)
{
	size_t i;

	for (i = 0; i < UCACHE_N; i++)
		if (ucache[i].local[0] != '\0' &&
		    strcmp(ucache[i].local, local) == 0)
			return ucache[i].known;
	return -1;
}

static int
ucache_put(const char *local, int known)
{
	size_t n = strlen(local), k = ucache_next++ % UCACHE_N;

	if (known >= 0 && n > 0 && n < UCACHE_LEN) {
		memcpy(ucache[k].local, local, n + 1);
		ucache[k].known = known;
	}
	return known;
}

static int
local_user(const struct cf *cf, const char *local, struct buf *why);

static int
local_keeps_case(const struct cf *cf)
{
	const struct cf_mailer *m = cf_mailer(cf, "local");

	return m != NULL && m->flags != NULL && strchr(m->flags, 'u') != NULL;
}

int
policy_local_user(const struct cf *cf, const char *local, struct buf *why)
{
	int r;

	if (strcasecmp(local, "postmaster") == 0)
		return 1;	/* RFC 5321 4.5.1 */
	if ((r = ucache_get(local)) >= 0)
		return r;
	return ucache_put(local, local_user(cf, local, why));
}

/* getpwnam(), in the session's lookup helper once it has one: NSS
 * modules beyond the passwd file are loaded there, not here. */
static int
nss_user(const char *name)
{
	struct buf out = BUF_INIT, err = BUF_INIT;
	int r;

	if (!lookup_isolated())
		return passwd_getpwnam(name);
	r = lookup_ask(LOOKUP_USER, name, NULL, &out, &err);
	if (r < -1 || r > 1) {
		/* 1, 0 or -1 is all getpwnam() can say: anything else is
		 * no answer, and no user is assumed to exist on it. */
		log_warn("passwd lookup of %s: the lookup helper answered "
		    "%d; taken as a temporary failure", name, r);
		r = -1;
	} else if (r < 0)
		log_warn("passwd lookup of %s failed: %s", name,
		    err.len > 0 ? buf_str(&err) : "NSS error");
	buf_free(&out);
	buf_free(&err);
	return r;
}

/* 1, 0 or -1 (why says so). */
static int
user_exists(const char *name, struct buf *why)
{
	int r = passwd_user_exists(name, nss_user);

	if (r < 0 && why->len == 0)
		buf_adds(why, "user database unavailable");
	return r;
}

static int
local_user(const struct cf *cf, const char *local, struct buf *why)
{
	char name[ADDR_MAX_PATH + 1], *plus;
	size_t i;
	int r;

	for (i = 0; local[i] != '\0' && i < sizeof(name) - 1; i++)
		name[i] = (char)tolower((unsigned char)local[i]);
	name[i] = '\0';
	if ((r = alias_known(cf, name, why)) != 0)
		return r;
	if ((r = user_exists(local, why)) != 0)
		return r;
	/* Local user names fold to lower case unless the local mailer has
	 * F=u (sendmail's rule: John@here is john). */
	if (strcmp(name, local) != 0 && !local_keeps_case(cf) &&
	    (r = user_exists(name, why)) != 0)
		return r;
	/* user+detail: the user decides what the detail means. */
	if ((plus = strchr(name, '+')) != NULL && plus != name) {
		*plus = '\0';
		if ((r = alias_known(cf, name, why)) != 0)
			return r;
		memcpy(name, local, (size_t)(plus - name));
		if ((r = user_exists(name, why)) != 0)
			return r;
	}
	return 0;
}

/* What an "error:" entry of the virtusertable says, into why. */
static void
virtuser_error(const char *key, const char *v, const char *shown,
    struct buf *why)
{
	struct access r;

	if (strncasecmp(v, "nouser", 6) == 0 &&
	    (v[6] == '\0' || v[6] == ' ' || v[6] == '\t')) {
		buf_printf(why, "550 5.1.1 <%s>... User unknown", shown);
		return;
	}
	access_error(v, &r);
	if (r.act == ACC_TEMP) {
		log_warn("virtusertable: bad value for %s: error:%s", key, v);
		buf_adds(why, "451 4.3.0 Temporary system failure (bad "
		    "virtusertable entry)");
	} else
		buf_adds(why, r.reply);
}

/* The virtusertable (Kvirtuser) on local@domain, local unquoted: keys
 * user@domain, user+*@domain (for user+detail), user@domain, @domain.
 * 1: an entry (the address is ours), 0: none, 2: an "error:" entry (the
 * reply is in why), -1: the lookup failed. */
static int
virtuser(const struct cf *cf, const char *local, const char *domain,
    const char *shown, struct buf *why)
{
	struct buf key = BUF_INIT, val = BUF_INIT, err = BUF_INIT;
	const char *plus = strchr(local, '+');
	size_t i;
	int pass, r = 0;

	for (pass = 0; pass < 4 && r == 0; pass++) {
		buf_reset(&key);
		if (pass == 0)
			buf_printf(&key, "%s@%s", local, domain);
		else if (plus == NULL || plus == local) {
			if (pass < 3)
				continue;
			buf_printf(&key, "@%s", domain);
		} else if (pass == 1)
			buf_printf(&key, "%.*s+*@%s", (int)(plus - local),
			    local, domain);
		else if (pass == 2)
			buf_printf(&key, "%.*s@%s", (int)(plus - local), local,
			    domain);
		else
			buf_printf(&key, "@%s", domain);
		for (i = 0; i < key.len; i++)
			key.s[i] = (char)tolower((unsigned char)key.s[i]);
		r = map_lookup(cf, "virtuser", key.s, &val, &err);
	}
	if (r < 0) {
		log_warn("virtusertable lookup of %s failed: %s", buf_str(&key),
		    buf_str(&err));
		buf_adds(why, "virtusertable unavailable");
	} else if (r == 1 && strncasecmp(buf_str(&val), "error:", 6) == 0) {
		virtuser_error(buf_str(&key), buf_str(&val) + 6, shown, why);
		r = 2;
	}
	buf_free(&key);
	buf_free(&val);
	buf_free(&err);
	return r;
}

enum rcpt_verdict
policy_rcpt(const struct cf *cf, const struct addr *a, int may_relay,
    struct buf *why)
{
	char local[ADDR_MAX_PATH + 1], shown[ADDR_MAX_PATH * 2 + 2];
	int r, ours, virt;

	ours = policy_domain_is_local(cf, a->domain);
	virt = !ours && !a->ip_literal && cf_map(cf, "virtuser") != NULL &&
	    cf_class_has(cf, "VirtHost", a->domain);
	if (ours || virt) {
		/* user%host@here, host!user@here, "user@host"@here: a
		 * routing operator in a local address is a relay trick. */
		if (addr_has_routing(a) && !may_relay)
			return RCPT_DENIED;
		if (addr_unquote_local(a, local, sizeof(local)) < 0)
			return RCPT_UNKNOWN;
		if (a->domain[0] != '\0' && !a->ip_literal &&
		    cf_map(cf, "virtuser") != NULL) {
			addr_format(a, shown, sizeof(shown));
			switch (virtuser(cf, local, a->domain, shown, why)) {
			case 1:
				return RCPT_OK_LOCAL;
			case 2:
				return RCPT_ERROR;
			case -1:
				return RCPT_TEMPFAIL;
			default:
				break;
			}
		}
		if (virt)	/* RFC 5321 4.5.1: postmaster, in every domain */
			return strcasecmp(local, "postmaster") == 0 ?
			    RCPT_OK_LOCAL : RCPT_UNKNOWN;
		r = policy_local_user(cf, local, why);
		if (r < 0)
			return RCPT_TEMPFAIL;
		return r ? RCPT_OK_LOCAL : RCPT_UNKNOWN;
	}
	if (addr_has_routing(a) && !may_relay)
		return RCPT_DENIED;
	if (policy_domain_is_relay(cf, a->domain) || may_relay)
		return RCPT_OK_RELAY;
	return RCPT_DENIED;
}
