/* dport.c - DaemonPortOptions values and the entry of a connection. */
#include "dport.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "lib/buf.h"
#include "cf.h"

static int
port_of(const char *v)
{
	char *end;
	long n;

	if (strcasecmp(v, "smtp") == 0)
		return 25;
	if (strcasecmp(v, "submission") == 0)
		return 587;
	if (strcasecmp(v, "smtps") == 0 || strcasecmp(v, "submissions") == 0)
		return 465;
	n = strtol(v, &end, 10);
	if (*v == '\0' || *end != '\0' || n <= 0 || n > 65535)
		return -1;
	return (int)n;
}

static int
modifiers(const char *v, unsigned *mods)
{
	static const char letters[] = "aAEfOsS";
	static const unsigned bits[] = {
		DPM_a, DPM_A, DPM_E, DPM_f, DPM_O, DPM_s, DPM_S
	};
	const char *p;

	for (; *v != '\0'; v++) {
		if ((p = strchr(letters, *v)) != NULL)
			*mods |= bits[p - letters];
		else if (strchr("bcChu", *v) == NULL)
			return -1;
	}
	return 0;
}

/* Keys sendmail knows that change nothing here. */
static int
ignored_key(const char *k)
{
	static const char *const keys[] = {
		"InputMailFilters", "Listen", "ReceiveSize", "SendSize",
		"children", "DeliveryMode", "refuseLA", "delayLA", "queueLA",
	};
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcasecmp(k, keys[i]) == 0)
			return 1;
	return 0;
}

int
dport_parse(const char *value, struct dport *d, struct buf *err)
{
	char tmp[512], *kv, *save = NULL;

	memset(d, 0, sizeof(*d));
	d->family = AF_INET;
	d->port = 25;
	if (strlen(value) >= sizeof(tmp)) {
		buf_printf(err, "DaemonPortOptions too long");
		return -1;
	}
	strcpy(tmp, value);
	for (kv = strtok_r(tmp, ",", &save); kv != NULL;
	    kv = strtok_r(NULL, ",", &save)) {
		char *eq, *k = kv + strspn(kv, " \t");

		if (*k == '\0')
			continue;
		if ((eq = strchr(k, '=')) == NULL) {
			buf_printf(err, "DaemonPortOptions: \"%s\" is not "
			    "Key=value", k);
			return -1;
		}
		*eq++ = '\0';
		k[strcspn(k, " \t")] = '\0';
		eq += strspn(eq, " \t");
		eq[strcspn(eq, " \t")] = '\0';
		if (strcasecmp(k, "Port") == 0 || strcasecmp(k, "P") == 0) {
			if ((d->port = port_of(eq)) < 0)
				goto bad;
		} else if (strcasecmp(k, "Addr") == 0 ||
		    strcasecmp(k, "A") == 0) {
			if (strlen(eq) >= sizeof(d->addr))
				goto bad;
			strcpy(d->addr, eq);
		} else if (strcasecmp(k, "Family") == 0 ||
		    strcasecmp(k, "F") == 0) {
			if (strcasecmp(eq, "inet6") == 0)
				d->family = AF_INET6;
			else if (strcasecmp(eq, "inet") == 0)
				d->family = AF_INET;
			else
				goto bad;
		} else if (strcasecmp(k, "Name") == 0 ||
		    strcasecmp(k, "N") == 0) {
			if (strlen(eq) >= sizeof(d->name))
				goto bad;
			strcpy(d->name, eq);
		} else if (strcasecmp(k, "Modifiers") == 0 ||
		    strcasecmp(k, "M") == 0) {
			if (modifiers(eq, &d->mods) < 0)
				goto bad;
		} else if (!ignored_key(k)) {
			buf_printf(err, "DaemonPortOptions: unknown key %s", k);
			return -1;
		}
		continue;
bad:
		buf_printf(err, "DaemonPortOptions: bad %s=%s", k, eq);
		return -1;
	}
	if (d->addr[0] != '\0') {
		unsigned char a[16];

		if (inet_pton(d->family, d->addr, a) != 1) {
			buf_printf(err, "DaemonPortOptions: bad Addr=%s",
			    d->addr);
			return -1;
		}
	}
	return 0;
}

static int
wildcard(const char *addr)
{
	return addr[0] == '\0' || strcmp(addr, "0.0.0.0") == 0 ||
	    strcmp(addr, "::") == 0;
}

/* Same address, as binary (so "::1" and "0::1" are one). */
static int
same_addr(const char *a, const char *b)
{
	unsigned char x[16], y[16];
	int fa = strchr(a, ':') ? AF_INET6 : AF_INET;
	int fb = strchr(b, ':') ? AF_INET6 : AF_INET;

	if (fa != fb || inet_pton(fa, a, x) != 1 || inet_pton(fb, b, y) != 1)
		return 0;
	return memcmp(x, y, fa == AF_INET ? 4 : 16) == 0;
}

int
dport_find(const struct cf *cf, const char *local_ip, int local_port,
    struct dport *d, struct buf *err)
{
	const struct strlist *l = &cf->daemon_port_options;
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (dport_parse(l->v[i], d, err) < 0)
			return -1;
		if (d->port == local_port &&
		    (wildcard(d->addr) || same_addr(d->addr, local_ip)))
			return 1;
	}
	memset(d, 0, sizeof(*d));
	return 0;
}
