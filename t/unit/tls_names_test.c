/* tls_names_test.c - the names of a client certificate (tls_names.c):
 * the one-line form of a DN, escaped, and a DN too long for it, which
 * must be no name at all rather than its first RDNs.  GnuTLS is not
 * loaded: tlsi_fn gets a fake certificate of the test's AVAs. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "lib/log.h"
#include "tls/tls.h"
#include "tls/tls_int.h"
#include "tap.h"

struct fake_ava {
	int		 rdn;
	const char	*oid, *value;
	size_t		 len;		/* 0: strlen(value) */
};

static const struct fake_ava *subject_avas, *issuer_avas;
static int subject_dn, issuer_dn;	/* their addresses stand for the DNs */

static int
fake_crt_init(gnutls_x509_crt_t *c)
{
	*c = NULL;
	return 0;
}

static void
fake_crt_deinit(gnutls_x509_crt_t c)
{
	(void)c;
}

static int
fake_crt_import(gnutls_x509_crt_t c, const gnutls_datum_t *d,
    gnutls_x509_crt_fmt_t f)
{
	(void)c;
	(void)d;
	(void)f;
	return 0;
}

static int
fake_get_subject(gnutls_x509_crt_t c, gnutls_x509_dn_t *dn)
{
	(void)c;
	*dn = (gnutls_x509_dn_t)&subject_dn;
	return 0;
}

static int
fake_get_issuer(gnutls_x509_crt_t c, gnutls_x509_dn_t *dn)
{
	(void)c;
	*dn = (gnutls_x509_dn_t)&issuer_dn;
	return 0;
}

/* The iava'th AVA of RDN irdn, as GnuTLS gives it. */
static int
fake_get_ava(gnutls_x509_dn_t dn, int irdn, int iava, gnutls_x509_ava_st *ava)
{
	const struct fake_ava *a = (void *)dn == (void *)&subject_dn ?
	    subject_avas : issuer_avas;
	int n = 0;

	for (; a->oid != NULL; a++) {
		if (a->rdn != irdn || n++ != iava)
			continue;
		memset(ava, 0, sizeof(*ava));
		ava->oid.data = (unsigned char *)(uintptr_t)a->oid;
		ava->oid.size = (unsigned)strlen(a->oid);
		ava->value.data = (unsigned char *)(uintptr_t)a->value;
		ava->value.size = (unsigned)(a->len ? a->len : strlen(a->value));
		return 0;
	}
	return GNUTLS_E_ASN1_ELEMENT_NOT_FOUND;
}

static void
names(const struct fake_ava *subj, const struct fake_ava *iss,
    struct tls_info *ti)
{
	gnutls_datum_t der = { NULL, 0 };

	subject_avas = subj;
	issuer_avas = iss;
	memset(ti, 0, sizeof(*ti));
	tlsi_names(&der, ti);
}

#define O	"2.5.4.10"
#define CN	"2.5.4.3"
#define OU	"2.5.4.11"
#define DC	"0.9.2342.19200300.100.1.25"

static char x240[241];

int
main(void)
{
	static const struct fake_ava ca[] = {
		{ 0, O, "Org CA", 0 }, { 1, CN, "Test CA", 0 }, { 0, NULL, NULL, 0 }
	};
	static const struct fake_ava trusted[] = {
		{ 0, O, "Org", 0 }, { 1, CN, "trusted", 0 }, { 0, NULL, NULL, 0 }
	};
	static const struct fake_ava escaped[] = {
		{ 0, O, "a/b+c\\d", 0 }, { 1, OU, "x", 0 }, { 1, OU, "y", 0 },
		{ 2, CN, "t\001\xe9", 0 }, { 0, NULL, NULL, 0 }
	};
	/* O="x\" then CN="y" once read like O="x/CN=y" */
	static const struct fake_ava bs1[] = {
		{ 0, O, "x\\", 0 }, { 1, CN, "y", 0 }, { 0, NULL, NULL, 0 }
	};
	static const struct fake_ava bs2[] = {
		{ 0, O, "x/CN=y", 0 }, { 0, NULL, NULL, 0 }
	};
	struct fake_ava longdn[] = {
		{ 0, O, "Org", 0 }, { 1, CN, "trusted", 0 }, { 2, DC, x240, 0 },
		{ 0, NULL, NULL, 0 }
	};
	static const struct fake_ava longoid[] = {
		{ 0, O, "Org", 0 },
		{ 1, "1.2.3.4.5.6.7.8.9.10.11.12.13.14.15.16.17.18.19.20.21.22."
		    "23.24.25.26.27.28.29.30", "v", 0 }, { 0, NULL, NULL, 0 }
	};
	struct tls_info ti;
	char buf[TLS_XDN_MAX];
	size_t n;

	log_init("tls_names_test", LOG_TO_STDERR);
	tlsi_fn.crt_init = fake_crt_init;
	tlsi_fn.crt_deinit = fake_crt_deinit;
	tlsi_fn.crt_import = fake_crt_import;
	tlsi_fn.crt_get_subject = fake_get_subject;
	tlsi_fn.crt_get_issuer = fake_get_issuer;
	tlsi_fn.dn_get_rdn_ava = fake_get_ava;
	memset(x240, 'x', 240);

	names(trusted, ca, &ti);
	is_str(ti.cert_subject, "/O=Org/CN=trusted", "subject");
	is_str(ti.cert_issuer, "/O=Org+20CA/CN=Test+20CA", "issuer, xtext");
	is_str(ti.cn_subject, "trusted", "cn_subject");

	names(escaped, ca, &ti);
	/* one-line: /O=a\/b\+c\\d/OU=x+OU=y/CN=t\x01\xE9, then xtext */
	is_str(ti.cert_subject,
	    "/O=a+5C/b+5C+2Bc+5C+5Cd/OU=x+2BOU=y/CN=t+5Cx01+5CxE9",
	    "'/', '+' and '\\' escaped, '+' joins one RDN's AVAs, other "
	    "octets \\xHH");

	names(bs1, ca, &ti);
	snprintf(buf, sizeof(buf), "%s", ti.cert_subject);
	names(bs2, ca, &ti);
	ok(strcmp(buf, ti.cert_subject) != 0,
	    "O=\"x\\\" CN=y and O=\"x/CN=y\" have different names (%s, %s)",
	    buf, ti.cert_subject);

	names(longdn, ca, &ti);
	is_str(ti.cert_subject, TLS_DN_TOOLONG,
	    "/O=Org/CN=trusted/DC=<240 x's> (261 octets) is no name, not "
	    "/O=Org/CN=trusted");
	is_str(ti.cert_issuer, "/O=Org+20CA/CN=Test+20CA",
	    "... its issuer is still read");
	is_str(ti.cn_subject, "trusted", "... and its CN");
	names(trusted, longdn, &ti);
	is_str(ti.cert_issuer, TLS_DN_TOOLONG, "the same for an issuer");

	/* the longest that fits: 255 octets */
	n = 255 - strlen("/O=Org/CN=trusted/DC=");
	x240[n] = '\0';
	names(longdn, ca, &ti);
	is_int(strlen(ti.cert_subject), 255, "a name of 255 octets fits");
	x240[n] = 'x';
	x240[n + 1] = '\0';
	names(longdn, ca, &ti);
	is_str(ti.cert_subject, TLS_DN_TOOLONG, "one of 256 does not");

	names(longoid, ca, &ti);
	is_str(ti.cert_subject, TLS_DN_TOOLONG,
	    "an OID too long to show whole makes no name either");
	return done_testing();
}
