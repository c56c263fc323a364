/* tls_trust.c - the CAs that client certificates are verified against
 * (CACertFile, CACertPath), and the verification (see tls.h). */
#include "tls.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/buf.h"
#include "tls_int.h"

/* CACertPath: files read at most (/etc/ssl/certs has about 150). */
#define TLS_CADIR_MAX	2048

/* --- the CAs for client certificates ---------------------------------- */

/* Add one problem to the warnings, "; " between them. */
static void
note(struct buf *warn, const char *what)
{
	if (warn->len > 0)
		buf_adds(warn, "; ");
	buf_adds(warn, what);
}

/* The PEM certificates of an open file as trusted CAs: how many, 0 with
 * the reason in why. */
static int
trust_fd(struct tls *t, int fd, const char *what, const char *path,
    struct buf *why)
{
	struct buf pem = BUF_INIT;
	gnutls_datum_t d;
	int r = 0;

	if (tlsi_read_all(fd, what, path, &pem, why) == 0) {
		tlsi_datum(&d, &pem);
		r = tlsi_fn.set_trust_mem(t->cred, &d, GNUTLS_X509_FMT_PEM);
		if (r < 0)
			buf_printf(why, "%s %s: %s", what, path,
			    tlsi_fn.strerror(r));
		else if (r == 0)
			buf_printf(why, "%s %s: no certificate in it", what,
			    path);
	}
	buf_free(&pem);
	return r > 0 ? r : 0;
}

/* Is name one of CACertPath's certificate files (*.pem, *.crt)? */
static int
ca_name(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && n > 4 && (strcmp(name + n - 4, ".pem") == 0 ||
	    strcmp(name + n - 4, ".crt") == 0);
}

/* CACertPath: the CAs of the *.pem and *.crt files of a directory;
 * how many.  It is read here, at STARTTLS, as RunAsUser, not opened
 * before the privilege drop: CA directories are world-readable
 * (/etc/ssl/certs), and opening it early would cost one more descriptor
 * in every session.  Files are opened relative to the directory's
 * descriptor, close-on-exec; symbolic links are followed, as
 * /etc/ssl/certs is made of them.  Unusable files are counted and the
 * first one named. */
static int
trust_dir(struct tls *t, const char *path, struct buf *warn)
{
	struct buf why = BUF_INIT, first = BUF_INIT;
	struct dirent *de;
	struct stat st;
	DIR *d = NULL;
	int dfd, fd, n = 0, k, files = 0, bad = 0;

	if ((dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    (d = fdopendir(dfd)) == NULL) {
		buf_printf(&why, "CACertPath %s: %s", path, strerror(errno));
		note(warn, buf_str(&why));
		if (dfd != -1)
			close(dfd);
		buf_free(&why);
		return 0;
	}
	while ((de = readdir(d)) != NULL && files < TLS_CADIR_MAX) {
		if (!ca_name(de->d_name))
			continue;
		files++;
		buf_reset(&why);
		fd = openat(dfd, de->d_name, O_RDONLY | O_CLOEXEC | O_NOCTTY |
		    O_NONBLOCK);
		if (fd == -1)
			buf_printf(&why, "file %s: %s", de->d_name,
			    strerror(errno));
		else if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode))
			buf_printf(&why, "file %s: not a regular file",
			    de->d_name);
		else if ((k = trust_fd(t, fd, "file", de->d_name, &why)) > 0)
			n += k;
		if (fd != -1)
			close(fd);
		if (why.len > 0 && bad++ == 0)
			buf_adds(&first, buf_str(&why));
	}
	closedir(d);
	if (bad > 0) {
		buf_reset(&why);
		buf_printf(&why, "CACertPath %s: %d of %d files not usable "
		    "(%s)", path, bad, files, buf_str(&first));
		note(warn, buf_str(&why));
	} else if (files == 0) {
		buf_printf(&why, "CACertPath %s: no *.pem or *.crt file",
		    path);
		note(warn, buf_str(&why));
	}
	buf_free(&why);
	buf_free(&first);
	return n;
}

/* The CAs that client certificates are verified against.  With at
 * least one, the session asks for a client certificate (and does not
 * require one: GNUTLS_CERT_REQUEST).  Problems are warnings. */
void
tlsi_trust(struct tls *t, struct tls_files *f, struct buf *warn)
{
	struct buf why = BUF_INIT;
	int n = 0;

	if (f->caerr[0] != '\0')
		note(warn, f->caerr);
	if (f->cafd >= 0) {
		n += trust_fd(t, f->cafd, "CACertFile", f->cafile, &why);
		if (why.len > 0)
			note(warn, buf_str(&why));
	}
	if (f->cadir != NULL)
		n += trust_dir(t, f->cadir, warn);
	if (n > 0) {
		tlsi_fn.server_set_request(t->session, GNUTLS_CERT_REQUEST);
		t->request = 1;
	} else if (f->cafile != NULL || f->cadir != NULL)
		note(warn, "no CA certificate, no client certificate "
		    "requested");
	buf_free(&why);
}

/* --- the client's certificate ----------------------------------------- */

/* Why the certificate did not verify, in the words of OpenSSL's
 * X509_verify_cert_error_string() that sendmail logs, most basic
 * reason first (OpenSSL stops at the first). */
static const char *
verify_text(unsigned int status, int self_signed)
{
	static const struct {
		unsigned int	 bit;
		const char	*text;
	} why[] = {
		{ GNUTLS_CERT_SIGNER_NOT_FOUND, NULL },
		{ GNUTLS_CERT_SIGNER_NOT_CA, "invalid CA certificate" },
		{ GNUTLS_CERT_SIGNER_CONSTRAINTS_FAILURE,
		    "invalid CA certificate" },
		{ GNUTLS_CERT_PURPOSE_MISMATCH,
		    "unsuitable certificate purpose" },
		{ GNUTLS_CERT_REVOKED, "certificate revoked" },
		{ GNUTLS_CERT_SIGNATURE_FAILURE,
		    "certificate signature failure" },
		{ GNUTLS_CERT_INSECURE_ALGORITHM,
		    "CA signature digest algorithm too weak" },
		{ GNUTLS_CERT_NOT_ACTIVATED, "certificate is not yet valid" },
		{ GNUTLS_CERT_EXPIRED, "certificate has expired" },
	};
	size_t i;

	if (status == 0)
		return "ok";
	for (i = 0; i < sizeof(why) / sizeof(why[0]); i++)
		if (status & why[i].bit)
			return why[i].text != NULL ? why[i].text :
			    self_signed ? "self-signed certificate" :
			    "unable to get local issuer certificate";
	return "unspecified certificate verification error";
}

/* Verify the chain against the CAs, for a TLS client (as OpenSSL does
 * for a server: a certificate whose extended key usage excludes
 * clientAuth does not verify). */
static void
verify(struct tls *t, struct tls_info *ti)
{
	static char client_auth[] = GNUTLS_KP_TLS_WWW_CLIENT;
	gnutls_typed_vdata_st purpose;
	unsigned int status = 0;
	int r;

	memset(&purpose, 0, sizeof(purpose));
	purpose.type = GNUTLS_DT_KEY_PURPOSE_OID;
	purpose.data = (unsigned char *)client_auth;
	r = tlsi_fn.verify_peers(t->session, &purpose, 1, &status);
	if (r < 0) {
		ti->verify = r == GNUTLS_E_MEMORY_ERROR ? "TEMP" : "FAIL";
		ti->verify_msg = tlsi_fn.strerror(r);
		return;
	}
	ti->verify = status == 0 ? "OK" : "FAIL";
	ti->verify_msg = verify_text(status, ti->cert_subject[0] != '\0' &&
	    strcmp(ti->cert_subject, ti->cert_issuer) == 0);
}

/* ${verify} and the names of the client's certificate. */
void
tlsi_peer_info(struct tls *t, struct tls_info *ti)
{
	const gnutls_datum_t *der;
	unsigned int n = 0;

	ti->cert = 0;
	ti->cert_subject[0] = ti->cert_issuer[0] = ti->cn_subject[0] = '\0';
	ti->cn_status = NULL;
	ti->verify_msg = "ok";
	if (!t->request) {
		ti->verify = "NOT";
		return;
	}
	if ((der = tlsi_fn.get_peers(t->session, &n)) == NULL || n == 0) {
		ti->verify = "NO";
		return;
	}
	ti->cert = 1;
	tlsi_names(&der[0], ti);
	verify(t, ti);
}
