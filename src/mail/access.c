/* access.c - the access map: Connect:, From: and To: checks. */
#include "access.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "lib/ascii.h"
#include "lib/buf.h"
#include "cf.h"
#include "lib/log.h"
#include "map.h"

#define ACCESS_MAP	"access"

/* Does s start with the keyword kw, ending there (end or blank)? */
static int
keyword(const char *s, const char *kw)
{
	size_t n = strlen(kw);

	return strncasecmp(s, kw, n) == 0 &&
	    (s[n] == '\0' || s[n] == ' ' || s[n] == '\t');
}

static void
temp(struct access *r, const char *why)
{
	r->act = ACC_TEMP;
	snprintf(r->reply, sizeof(r->reply), "451 4.3.0 %s", why);
}

void
access_error(const char *s, struct access *r)
{
	char dsn[16] = "", text[ACCESS_REPLY_MAX];
	size_t n, i;
	int code;

	if (*s == '"')
		s++;
	n = strspn(s, "0123456789.");
	if (n > 0 && n < sizeof(dsn) && s[n] == ':') {
		int a, b, c, len = 0;

		memcpy(dsn, s, n);
		dsn[n] = '\0';
		if (sscanf(dsn, "%1d.%3d.%3d%n", &a, &b, &c, &len) != 3 ||
		    (size_t)len != n) {
			temp(r, "Temporary system failure (bad access map "
			    "entry)");
			return;
		}
		s += n + 1;
	}
	if (!is_digit(s[0]) || !is_digit(s[1]) || !is_digit(s[2]) ||
	    (s[0] != '4' && s[0] != '5') ||
	    (s[3] != '\0' && s[3] != ' ' && s[3] != '"') ||
	    (dsn[0] != '\0' && dsn[0] != s[0])) {
		temp(r, "Temporary system failure (bad access map entry)");
		return;
	}
	code = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
	s += 3;
	while (*s == ' ')
		s++;
	/* The text goes to the client: one line, printable. */
	for (i = 0; s[i] != '\0' && i < sizeof(text) - 64; i++)
		text[i] = (s[i] < 0x20 || s[i] == 0x7f) ? '?' : s[i];
	if (i > 0 && text[i - 1] == '"')
		i--;
	text[i] = '\0';
	if (dsn[0] == '\0')
		snprintf(dsn, sizeof(dsn), "%c.7.1", '0' + code / 100);
	r->act = ACC_REJECT;
	snprintf(r->reply, sizeof(r->reply), "%d %s %.400s", code, dsn,
	    i > 0 ? text : "Access denied");
}

void
access_value(const char *v, const char *what, struct access *r)
{
	while (*v == ' ' || *v == '\t')
		v++;
	r->reply[0] = '\0';
	if (keyword(v, "OK"))
		r->act = ACC_OK;
	else if (keyword(v, "RELAY"))
		r->act = ACC_RELAY;
	else if (keyword(v, "DISCARD"))
		r->act = ACC_DISCARD;
	else if (keyword(v, "SKIP"))
		r->act = ACC_NONE;
	else if (keyword(v, "REJECT")) {
		r->act = ACC_REJECT;
		snprintf(r->reply, sizeof(r->reply), "550 5.7.1 %sAccess "
		    "denied", what);
	} else if (strncasecmp(v, "ERROR:", 6) == 0)
		access_error(v + 6, r);
	else
		temp(r, "Temporary system failure (bad access map entry)");
}

/* Look the key k up: 1 found (the value in v), 0 none, -1 the lookup
 * failed (logged; r says 451). */
static int
fetch(const struct cf *cf, struct buf *k, struct buf *v, struct access *r)
{
	struct buf err = BUF_INIT;
	int rc;

	rc = map_lookup(cf, ACCESS_MAP, buf_str(k), v, &err);
	if (rc < 0) {
		log_warn("access map lookup of %s failed: %s", buf_str(k),
		    buf_str(&err));
		temp(r, "Temporary system failure (access map unavailable)");
	}
	buf_free(&err);
	return rc;
}

/* Look up "tag" "key" (tag may be "") as makemap stores keys, folded to
 * lower case ("Connect:" is stored "connect:"); then, in a map built
 * with makemap -f (keys keep their case, which certificate entries
 * need), with the tag as sendmail writes it ("Connect:" and the rest in
 * lower case).  As fetch(); k is the key last looked up. */
static int
get(const struct cf *cf, const char *tag, const char *key, struct buf *k,
    struct buf *v, struct access *r)
{
	size_t i;
	int rc;

	buf_reset(k);
	for (i = 0; tag[i] != '\0'; i++)
		buf_addc(k, lower((unsigned char)tag[i]));
	for (i = 0; key[i] != '\0'; i++)
		buf_addc(k, lower((unsigned char)key[i]));
	rc = fetch(cf, k, v, r);
	if (rc != 0 || tag[0] == '\0')
		return rc;
	memcpy(k->s, tag, strlen(tag));
	return fetch(cf, k, v, r);
}

/* Look up "tag:key", then the untagged "key".  Returns 1 when an entry
 * decided (r filled, SKIP included), 0 when there is none. */
static int
lookup(const struct cf *cf, const char *tag, const char *key,
    const char *what, struct access *r)
{
	struct buf k = BUF_INIT, v = BUF_INIT;
	int pass, rc = 0;

	for (pass = 0; pass < 2 && rc == 0; pass++) {
		rc = get(cf, pass == 0 ? tag : "", key, &k, &v, r);
		if (rc < 0)
			rc = 1;
		else if (rc == 1) {
			access_value(buf_str(&v), what, r);
			if (r->act == ACC_TEMP)
				log_warn("access map: bad value for %s: %s",
				    buf_str(&k), buf_str(&v));
		}
	}
	if (rc == 1)
		snprintf(r->key, sizeof(r->key), "%s", buf_str(&k));
	buf_free(&k);
	buf_free(&v);
	return rc;
}

static void
init(struct access *r)
{
	r->act = ACC_NONE;
	r->reply[0] = '\0';
	r->key[0] = '\0';
}

enum access_act
access_connect(const struct cf *cf, const char *ip, const char *name,
    struct access *r)
{
	char key[80];
	char *cut;
	int v6;

	init(r);
	if (ip[0] == '\0' || cf_map(cf, ACCESS_MAP) == NULL)
		return r->act;		/* a local client, or no map */
	/* host.example.com, example.com, com; SKIP ends this part only */
	for (; name != NULL && name[0] != '\0'; name = strchr(name, '.')) {
		if (name[0] == '.')
			name++;
		if (lookup(cf, "Connect:", name, "", r)) {
			if (r->act != ACC_NONE)
				return r->act;
			break;
		}
	}
	if (strncasecmp(ip, "::ffff:", 7) == 0 && strchr(ip + 7, '.'))
		ip += 7;		/* an IPv4 peer on an IPv6 socket */
	v6 = strchr(ip, ':') != NULL;
	snprintf(key, sizeof(key), "%s%s", v6 ? "IPv6:" : "", ip);
	/* 192.0.2.1, 192.0.2, 192.0, 192; IPv6: group by group. */
	for (;;) {
		if (lookup(cf, "Connect:", key, "", r))
			return r->act;
		cut = strrchr(key, v6 ? ':' : '.');
		if (cut == NULL || (v6 && cut - key <= 5))
			return r->act;
		*cut = '\0';
		if (v6 && cut[-1] == ':')	/* "a::" -> "a" */
			cut[-1] = '\0';
	}
}

/* user@domain, the domain and each parent, user@. */
static enum access_act
address(const struct cf *cf, const char *tag, const struct addr *a,
    struct access *r)
{
	char what[ADDR_MAX_PATH * 2 + 16], full[ADDR_MAX_PATH * 2 + 2];
	char user[ADDR_MAX_PATH + 2];
	const char *d;

	init(r);
	if (cf_map(cf, ACCESS_MAP) == NULL)
		return ACC_NONE;	/* no map: no work for every RCPT */
	addr_format(a, full, sizeof(full));
	snprintf(what, sizeof(what), "<%s>... ", full);
	if (a->null)
		return lookup(cf, tag, "<>", what, r) ? r->act : ACC_NONE;
	if (a->domain[0] != '\0' && lookup(cf, tag, full, what, r))
		return r->act;
	for (d = a->domain; *d != '\0' && a->ip_literal == 0; ) {
		if (lookup(cf, tag, d, what, r))
			return r->act;
		if ((d = strchr(d, '.')) == NULL)
			break;
		d++;
	}
	if (a->ip_literal && lookup(cf, tag, a->domain, what, r))
		return r->act;
	snprintf(user, sizeof(user), "%s@", a->local);
	if (lookup(cf, tag, user, what, r))
		return r->act;
	return ACC_NONE;
}

enum access_act
access_from(const struct cf *cf, const struct addr *a, struct access *r)
{
	return address(cf, "From:", a, r);
}

enum access_act
access_to(const struct cf *cf, const struct addr *a, struct access *r)
{
	return address(cf, "To:", a, r);
}

/* A certificate's name as a key: "CERTISSUER:" or "CERTSUBJECT:" and
 * the name exactly as ${cert_issuer} or ${cert_subject} has it, case
 * kept (an entry of a map built by makemap -f).  Compared exactly,
 * whatever sendmail does: a CA may well give "/O=ORG/CN=TRUSTED" to
 * someone else than "/O=Org/CN=trusted", and a map whose keys were
 * folded to lower case cannot tell the two apart, so its entry counts
 * for neither (logged, with the fix).  As fetch(). */
static int
cert_get(const struct cf *cf, const char *tag, const char *dn,
    struct buf *k, struct buf *v, struct access *r)
{
	int rc;

	if (dn[0] != '/')
		return 0;	/* no name, or TLS_DN_TOOLONG: no entry */
	buf_reset(k);
	buf_adds(k, tag);
	buf_adds(k, dn);
	if ((rc = fetch(cf, k, v, r)) != 0)
		return rc;
	if ((rc = get(cf, tag, dn, k, v, r)) == 1)
		log_warn("access map: %s matches the client certificate only "
		    "with case ignored, and certificate names are compared "
		    "exactly: it does not count.  Build the map with "
		    "makemap -f, which keeps the keys' case", buf_str(k));
	return rc < 0 ? rc : 0;
}

static const char *
value_of(struct buf *v)
{
	return buf_str(v) + strspn(buf_str(v), " \t");
}

/* sendmail's RelayTLS ruleset.  Tagged keys only: an untagged entry is
 * not a certificate's. */
enum access_act
access_cert(const struct cf *cf, const char *issuer, const char *subject,
    struct access *r)
{
	struct buf k = BUF_INIT, v = BUF_INIT;
	int rc;

	init(r);
	if (cf_map(cf, ACCESS_MAP) == NULL)
		return r->act;
	rc = cert_get(cf, "CERTISSUER:", issuer, &k, &v, r);
	if (rc == 1 && keyword(value_of(&v), "SUBJECT")) {
		buf_reset(&v);
		rc = cert_get(cf, "CERTSUBJECT:", subject, &k, &v, r);
	}
	if (rc == 1 && keyword(value_of(&v), "RELAY")) {
		r->act = ACC_RELAY;
		snprintf(r->key, sizeof(r->key), "%s", buf_str(&k));
	}
	buf_free(&k);
	buf_free(&v);
	return r->act;
}
