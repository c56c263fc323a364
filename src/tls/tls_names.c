/* tls_names.c - the names of a certificate as sendmail has them:
 * distinguished names in OpenSSL's one-line form, xtext-encoded, and
 * the subject's CN (see struct tls_info in tls.h). */
#include "tls.h"

#include <string.h>

#include "lib/log.h"
#include "tls_int.h"

/* --- the client's certificate ----------------------------------------- */

/* OpenSSL's short names for the attributes of names (what sendmail
 * shows); any other is shown as its OID (OpenSSL knows a few more
 * names, rarely seen in certificates). */
static const struct {
	const char	*oid, *name;
} attrs[] = {
	{ "2.5.4.3", "CN" }, { "2.5.4.4", "SN" }, { "2.5.4.5", "serialNumber" },
	{ "2.5.4.6", "C" }, { "2.5.4.7", "L" }, { "2.5.4.8", "ST" },
	{ "2.5.4.9", "street" }, { "2.5.4.10", "O" }, { "2.5.4.11", "OU" },
	{ "2.5.4.12", "title" }, { "2.5.4.13", "description" },
	{ "2.5.4.15", "businessCategory" }, { "2.5.4.17", "postalCode" },
	{ "2.5.4.41", "name" }, { "2.5.4.42", "GN" }, { "2.5.4.43", "initials" },
	{ "2.5.4.44", "generationQualifier" }, { "2.5.4.46", "dnQualifier" },
	{ "2.5.4.65", "pseudonym" }, { "2.5.4.97", "organizationIdentifier" },
	{ "0.9.2342.19200300.100.1.1", "UID" },
	{ "0.9.2342.19200300.100.1.25", "DC" },
	{ "1.2.840.113549.1.9.1", "emailAddress" },
	{ "1.3.6.1.4.1.311.60.2.1.1", "jurisdictionL" },
	{ "1.3.6.1.4.1.311.60.2.1.2", "jurisdictionST" },
	{ "1.3.6.1.4.1.311.60.2.1.3", "jurisdictionC" },
};

#define OID_CN	"2.5.4.3"

/* The attribute's OID as text (GnuTLS gives it with its NUL or not):
 * 0, or -1 when it does not fit (never shown cut short: two OIDs would
 * look the same). */
static int
ava_oid(const gnutls_x509_ava_st *ava, char *oid, size_t size)
{
	size_t n = ava->oid.size;

	if (n > 0 && ava->oid.data[n - 1] == '\0')
		n--;
	if (n >= size) {
		oid[0] = '\0';
		return -1;
	}
	memcpy(oid, ava->oid.data, n);
	oid[n] = '\0';
	return 0;
}

static const char *
attr_name(const char *oid)
{
	size_t i;

	for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++)
		if (strcmp(attrs[i].oid, oid) == 0)
			return attrs[i].name;
	return oid;
}

/* Must an octet of a value be escaped with a backslash?  '/' and '+'
 * (X509_NAME_oneline()), and the backslash itself, which OpenSSL leaves
 * alone: with it, the value "x\" before "/CN=y" would read like the
 * value "x/CN=y", two certificates' names one. */
#define ESCAPED(c)	((c) == '/' || (c) == '+' || (c) == '\\')

/* Octets a value takes: an escaped octet two, octets outside ' '..'~'
 * four (backslash, 'x' and two hex digits). */
static size_t
oneline_len(const unsigned char *v, size_t n)
{
	size_t i, len = 0;

	for (i = 0; i < n; i++)
		len += ESCAPED(v[i]) ? 2 : v[i] < ' ' || v[i] > '~' ? 4 : 1;
	return len;
}

/* The name as OpenSSL 3's X509_NAME_oneline() writes it into sendmail's
 * buffer of TLS_DN_MAX octets: "/C=US/O=Org/OU=a+OU=b/CN=name" ('+'
 * joins the values of one RDN), values escaped as above.  0, or -1 when
 * it does not fit: OpenSSL (and so sendmail) ends the name at the first
 * entry that does not fit, and what is left of it may be another
 * certificate's whole name ("/O=Org/CN=trusted" for
 * "/O=Org/CN=trusted/DC=..."), so such a name is no name at all.
 * (OpenSSL's special case of a GeneralString of UCS-4 characters is not
 * copied.) */
static int
dn_oneline(gnutls_x509_dn_t dn, char *out, size_t size)
{
	static const char hex[] = "0123456789ABCDEF";
	gnutls_x509_ava_st ava;
	const unsigned char *v;
	const char *name;
	char oid[80];
	size_t len = 0, i, need;
	int irdn, iava;

	out[0] = '\0';
	for (irdn = 0; ; irdn++) {
		for (iava = 0;
		    tlsi_fn.dn_get_rdn_ava(dn, irdn, iava, &ava) == 0; iava++) {
			if (ava_oid(&ava, oid, sizeof(oid)) == -1)
				return -1;
			name = attr_name(oid);
			v = ava.value.data;
			need = 1 + strlen(name) + 1 +
			    oneline_len(v, ava.value.size);
			if (len + need > size - 1)
				return -1;
			out[len++] = iava == 0 ? '/' : '+';
			memcpy(out + len, name, strlen(name));
			len += strlen(name);
			out[len++] = '=';
			for (i = 0; i < ava.value.size; i++) {
				if (v[i] < ' ' || v[i] > '~') {
					out[len++] = '\\';
					out[len++] = 'x';
					out[len++] = hex[v[i] >> 4];
					out[len++] = hex[v[i] & 0xf];
					continue;
				}
				if (ESCAPED(v[i]))
					out[len++] = '\\';
				out[len++] = (char)v[i];
			}
			out[len] = '\0';
		}
		if (iava == 0)
			return 0;
	}
}

/* sendmail's xtextify(s, "<>\")"): '+', backslash, '(', ')', '<', '>',
 * '"' and octets outside '!'..'~' (NUL included, before strchr() sees
 * it) as "+HH".  out has 3 * n + 1 octets. */
static void
xtext(const unsigned char *s, size_t n, char *out)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] < '!' || s[i] > '~' || strchr("+\\()<>\"", s[i])) {
			*out++ = '+';
			*out++ = hex[s[i] >> 4];
			*out++ = hex[s[i] & 0xf];
		} else
			*out++ = (char)s[i];
	}
	*out = '\0';
}

/* ${cert_subject} or ${cert_issuer} (what names which): the name, or
 * TLS_DN_TOOLONG (logged), which no access map key matches. */
static void
xdn(gnutls_x509_dn_t dn, char *out, const char *what)
{
	char raw[TLS_DN_MAX];

	if (dn_oneline(dn, raw, sizeof(raw)) == -1) {
		strcpy(out, TLS_DN_TOOLONG);
		log_warn("STARTTLS=server, field=cert_%s, status=the "
		    "certificate %s does not fit in %d octets in its one-line "
		    "form: it is %s, which matches no access map entry",
		    what, what, TLS_DN_MAX - 1, TLS_DN_TOOLONG);
		return;
	}
	xtext((const unsigned char *)raw, strlen(raw), out);
}

/* ${cn_subject}: the subject's first CN, or sendmail's placeholder. */
static void
cn_subject(gnutls_x509_dn_t dn, struct tls_info *ti)
{
	gnutls_x509_ava_st ava;
	char oid[80];
	int irdn, iava;

	for (irdn = 0; ; irdn++) {
		for (iava = 0;
		    tlsi_fn.dn_get_rdn_ava(dn, irdn, iava, &ava) == 0; iava++) {
			if (ava_oid(&ava, oid, sizeof(oid)) == -1 ||
			    strcmp(oid, OID_CN) != 0)
				continue;
			if (ava.value.size >= TLS_DN_MAX - 1) {
				strcpy(ti->cn_subject, "BadCertificateTooLong");
				ti->cn_status = "CN too long";
			} else if (memchr(ava.value.data, '\0',
			    ava.value.size) != NULL) {
				strcpy(ti->cn_subject,
				    "BadCertificateContainsNUL");
				ti->cn_status = "CN contains NUL";
			} else
				xtext(ava.value.data, ava.value.size,
				    ti->cn_subject);
			return;
		}
		if (iava == 0)
			break;
	}
	strcpy(ti->cn_subject, "BadCertificateUnknown");
	ti->cn_status = "failed to extract CN";
}

/* Subject, issuer and CN of the certificate der. */
void
tlsi_names(const gnutls_datum_t *der, struct tls_info *ti)
{
	gnutls_x509_crt_t crt;
	gnutls_x509_dn_t dn;

	strcpy(ti->cn_subject, "BadCertificateUnknown");
	ti->cn_status = "failed to extract CN";
	if (tlsi_fn.crt_init(&crt) < 0)
		return;
	if (tlsi_fn.crt_import(crt, der, GNUTLS_X509_FMT_DER) == 0) {
		if (tlsi_fn.crt_get_subject(crt, &dn) == 0) {
			xdn(dn, ti->cert_subject, "subject");
			ti->cn_status = NULL;
			cn_subject(dn, ti);
		}
		if (tlsi_fn.crt_get_issuer(crt, &dn) == 0)
			xdn(dn, ti->cert_issuer, "issuer");
	}
	tlsi_fn.crt_deinit(crt);
}
