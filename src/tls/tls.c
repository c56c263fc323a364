/* tls.c - server-side STARTTLS through GnuTLS, loaded by dlopen(). */
#include "tls.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gnutls/gnutls.h>	/* types and constants only: nothing is linked */
#include <gnutls/x509.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/dl.h"
#include "lib/io.h"

#define GNUTLS_SONAME	"libgnutls.so.30"
/* A certificate chain or a key larger than this is not one. */
#define TLS_FILE_MAX	(1024 * 1024)
/* Non-fatal errors in a row (warning alerts, renegotiation requests)
 * before the peer is taken to be playing games. */
#define TLS_NONFATAL_MAX 16
/* CACertPath: files read at most (/etc/ssl/certs has about 150). */
#define TLS_CADIR_MAX	2048

struct tls {
	gnutls_session_t			 session;
	gnutls_certificate_credentials_t	 cred;
	int					 rfd, wfd;
	int					 nonfatal;
	int					 request;	/* a client
							 * certificate */
};

/* The GnuTLS functions sockmail calls; ciphersuite_get may be missing
 * (before 3.7.3). */
static struct {
	int		(*global_init)(void);
	int		(*cred_alloc)(gnutls_certificate_credentials_t *);
	void		(*cred_free)(gnutls_certificate_credentials_t);
	int		(*set_key_mem2)(gnutls_certificate_credentials_t,
			    const gnutls_datum_t *, const gnutls_datum_t *,
			    gnutls_x509_crt_fmt_t, const char *, unsigned int);
	int		(*init)(gnutls_session_t *, unsigned int);
	void		(*deinit)(gnutls_session_t);
	int		(*priority_set_direct)(gnutls_session_t, const char *,
			    const char **);
	int		(*credentials_set)(gnutls_session_t,
			    gnutls_credentials_type_t, void *);
	void		(*transport_set_int2)(gnutls_session_t, int, int);
	void		(*handshake_set_timeout)(gnutls_session_t,
			    unsigned int);
	int		(*handshake)(gnutls_session_t);
	int		(*get_direction)(gnutls_session_t);
	ssize_t		(*record_recv)(gnutls_session_t, void *, size_t);
	ssize_t		(*record_send)(gnutls_session_t, const void *,
			    size_t);
	size_t		(*check_pending)(gnutls_session_t);
	int		(*bye)(gnutls_session_t, gnutls_close_request_t);
	const char	*(*strerror)(int);
	int		(*error_is_fatal)(int);
	gnutls_protocol_t (*protocol_get_version)(gnutls_session_t);
	const char	*(*protocol_get_name)(gnutls_protocol_t);
	gnutls_cipher_algorithm_t (*cipher_get)(gnutls_session_t);
	const char	*(*cipher_get_name)(gnutls_cipher_algorithm_t);
	size_t		(*cipher_get_key_size)(gnutls_cipher_algorithm_t);
	const char	*(*ciphersuite_get)(gnutls_session_t);
	/* Client certificates. */
	int		(*set_trust_mem)(gnutls_certificate_credentials_t,
			    const gnutls_datum_t *, gnutls_x509_crt_fmt_t);
	void		(*server_set_request)(gnutls_session_t,
			    gnutls_certificate_request_t);
	const gnutls_datum_t *(*get_peers)(gnutls_session_t, unsigned int *);
	int		(*verify_peers)(gnutls_session_t,
			    gnutls_typed_vdata_st *, unsigned int,
			    unsigned int *);
	int		(*crt_init)(gnutls_x509_crt_t *);
	void		(*crt_deinit)(gnutls_x509_crt_t);
	int		(*crt_import)(gnutls_x509_crt_t, const gnutls_datum_t *,
			    gnutls_x509_crt_fmt_t);
	int		(*crt_get_subject)(gnutls_x509_crt_t,
			    gnutls_x509_dn_t *);
	int		(*crt_get_issuer)(gnutls_x509_crt_t, gnutls_x509_dn_t *);
	int		(*dn_get_rdn_ava)(gnutls_x509_dn_t, int, int,
			    gnutls_x509_ava_st *);
} fn;

static struct dl_lib lib = { GNUTLS_SONAME, NULL, NULL };

/* --- loading ------------------------------------------------------------ */

#define R(field, name)	DL_FN(fn.field, l, name, msg)

/* The symbols, then gnutls_global_init(). */
static int
resolve(struct dl_lib *l, struct buf *msg)
{
	int r;

	R(global_init, "gnutls_global_init");
	R(cred_alloc, "gnutls_certificate_allocate_credentials");
	R(cred_free, "gnutls_certificate_free_credentials");
	R(set_key_mem2, "gnutls_certificate_set_x509_key_mem2");
	R(init, "gnutls_init");
	R(deinit, "gnutls_deinit");
	R(priority_set_direct, "gnutls_priority_set_direct");
	R(credentials_set, "gnutls_credentials_set");
	R(transport_set_int2, "gnutls_transport_set_int2");
	R(handshake_set_timeout, "gnutls_handshake_set_timeout");
	R(handshake, "gnutls_handshake");
	R(get_direction, "gnutls_record_get_direction");
	R(record_recv, "gnutls_record_recv");
	R(record_send, "gnutls_record_send");
	R(check_pending, "gnutls_record_check_pending");
	R(bye, "gnutls_bye");
	R(strerror, "gnutls_strerror");
	R(error_is_fatal, "gnutls_error_is_fatal");
	R(protocol_get_version, "gnutls_protocol_get_version");
	R(protocol_get_name, "gnutls_protocol_get_name");
	R(cipher_get, "gnutls_cipher_get");
	R(cipher_get_name, "gnutls_cipher_get_name");
	R(cipher_get_key_size, "gnutls_cipher_get_key_size");
	R(set_trust_mem, "gnutls_certificate_set_x509_trust_mem");
	R(server_set_request, "gnutls_certificate_server_set_request");
	R(get_peers, "gnutls_certificate_get_peers");
	R(verify_peers, "gnutls_certificate_verify_peers");
	R(crt_init, "gnutls_x509_crt_init");
	R(crt_deinit, "gnutls_x509_crt_deinit");
	R(crt_import, "gnutls_x509_crt_import");
	R(crt_get_subject, "gnutls_x509_crt_get_subject");
	R(crt_get_issuer, "gnutls_x509_crt_get_issuer");
	R(dn_get_rdn_ava, "gnutls_x509_dn_get_rdn_ava");
	/* Optional: GnuTLS before 3.7.3 lacks it. */
	*(void **)(void *)&fn.ciphersuite_get = dl_sym(l,
	    "gnutls_ciphersuite_get", 0, msg);
	if (msg->len > 0)
		return -1;
	if ((r = fn.global_init()) < 0) {
		buf_printf(msg, "gnutls_global_init: %s", fn.strerror(r));
		return -1;
	}
	return 0;
}

static int
load(struct buf *err)
{
	return dl_load(&lib, resolve, err);
}

/* --- the files ---------------------------------------------------------- */

static int
open_regular(const char *what, const char *path, struct stat *st,
    struct buf *err)
{
	int fd;

	/* O_NONBLOCK: a FIFO put there must not hang the session. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) ==
	    -1) {
		buf_printf(err, "%s %s: %s", what, path, strerror(errno));
		return -1;
	}
	if (fstat(fd, st) == -1 || !S_ISREG(st->st_mode)) {
		buf_printf(err, "%s %s: not a regular file", what, path);
		close(fd);
		return -1;
	}
	return fd;
}

static const char *
nonempty(const char *s)
{
	return s != NULL && s[0] != '\0' ? s : NULL;
}

/* CACertFile and CACertPath, unless TLSSrvOptions has V.  The file is
 * opened now, like the certificate; a failure is kept for STARTTLS to
 * report.  The directory is read at STARTTLS (trust_dir()). */
static void
ca_open(const struct tls_conf *cf, struct tls_files *f)
{
	struct buf err = BUF_INIT;
	struct stat st;

	if (cf->srv_options & TLSSRV_V)
		return;
	f->cafile = nonempty(cf->ca_file);
	f->cadir = nonempty(cf->ca_path);
	if (f->cafile != NULL && (f->cafd = open_regular("CACertFile",
	    f->cafile, &st, &err)) == -1)
		snprintf(f->caerr, sizeof(f->caerr), "%s", buf_str(&err));
	buf_free(&err);
}

int
tls_files_open(const struct tls_conf *cf, struct tls_files *f, struct buf *err)
{
	struct stat st;

	f->certfd = f->keyfd = f->cafd = -1;
	f->cafile = f->cadir = NULL;
	f->caerr[0] = '\0';
	f->certpath = cf->cert_file;
	f->keypath = cf->key_file;
	if (f->certpath == NULL || f->certpath[0] == '\0' ||
	    f->keypath == NULL || f->keypath[0] == '\0')
		return 0;
	f->certfd = open_regular("ServerCertFile", f->certpath, &st, err);
	if (f->certfd == -1)
		return -1;
	/* As sendmail: no key that others could read or replace.  The mode
	 * checked is the file's own; a symbolic link to it is fine (certbot's
	 * live/ directory is made of them). */
	f->keyfd = open_regular("ServerKeyFile", f->keypath, &st, err);
	if (f->keyfd != -1 && !(st.st_mode & (S_IWGRP | S_IWOTH | S_IROTH))) {
		ca_open(cf, f);
		return 1;
	}
	if (f->keyfd != -1)
		buf_printf(err, "ServerKeyFile %s: unsafe mode %04o "
		    "(group- or world-writable or world-readable)", f->keypath,
		    (unsigned)(st.st_mode & 07777));
	tls_files_close(f);
	return -1;
}

void
tls_files_close(struct tls_files *f)
{
	if (f->certfd >= 0)
		close(f->certfd);
	if (f->keyfd >= 0)
		close(f->keyfd);
	if (f->cafd >= 0)
		close(f->cafd);
	f->certfd = f->keyfd = f->cafd = -1;
}

static int
read_all(int fd, const char *what, const char *path, struct buf *out,
    struct buf *err)
{
	char tmp[4096];
	struct stat st;
	ssize_t n;

	/* One allocation: a realloc() would leave copies of the key behind. */
	if (fstat(fd, &st) == 0 && st.st_size > 0 && st.st_size <= TLS_FILE_MAX)
		buf_reserve(out, (size_t)st.st_size + 1);
	for (;;) {
		n = read(fd, tmp, sizeof(tmp));
		if (n == 0)
			break;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			buf_printf(err, "%s %s: %s", what, path,
			    strerror(errno));
			explicit_bzero(tmp, sizeof(tmp));
			return -1;
		}
		if (out->len + (size_t)n > TLS_FILE_MAX) {
			buf_printf(err, "%s %s: larger than %d octets", what,
			    path, TLS_FILE_MAX);
			explicit_bzero(tmp, sizeof(tmp));
			return -1;
		}
		buf_add(out, tmp, (size_t)n);
	}
	explicit_bzero(tmp, sizeof(tmp));
	return 0;
}

/* Free a buffer that held a private key without leaving it in the heap. */
static void
wipe(struct buf *b)
{
	if (b->s != NULL)
		explicit_bzero(b->s, b->cap);
	buf_free(b);
}

/* --- the session -------------------------------------------------------- */

static void
datum(gnutls_datum_t *d, struct buf *b)
{
	d->data = (unsigned char *)b->s;
	d->size = (unsigned int)b->len;
}

/* Credentials and a server session; 0 or -1 with err set. */
static int
setup(struct tls *t, struct tls_files *f, struct buf *cert, struct buf *key,
    const char *priority, struct buf *err)
{
	gnutls_datum_t c, k;
	const char *pos = NULL;
	int r;

	if ((r = fn.cred_alloc(&t->cred)) < 0) {
		t->cred = NULL;
		buf_printf(err, "credentials: %s", fn.strerror(r));
		return -1;
	}
	datum(&c, cert);
	datum(&k, key);
	if ((r = fn.set_key_mem2(t->cred, &c, &k, GNUTLS_X509_FMT_PEM, NULL,
	    0)) < 0) {
		buf_printf(err, "ServerCertFile %s, ServerKeyFile %s: %s",
		    f->certpath, f->keypath, fn.strerror(r));
		return -1;
	}
	/* Tickets would need a key shared by all session processes. */
	if ((r = fn.init(&t->session, GNUTLS_SERVER | GNUTLS_NONBLOCK |
	    GNUTLS_NO_SIGNAL | GNUTLS_NO_TICKETS)) < 0) {
		t->session = NULL;
		buf_printf(err, "gnutls_init: %s", fn.strerror(r));
		return -1;
	}
	if ((r = fn.priority_set_direct(t->session, priority, &pos)) < 0) {
		buf_printf(err, "TLSPriority \"%s\": %s", priority,
		    fn.strerror(r));
		if (pos != NULL)
			buf_printf(err, " at \"%.40s\"", pos);
		return -1;
	}
	if ((r = fn.credentials_set(t->session, GNUTLS_CRD_CERTIFICATE,
	    t->cred)) < 0) {
		buf_printf(err, "credentials: %s", fn.strerror(r));
		return -1;
	}
	fn.transport_set_int2(t->session, t->rfd, t->wfd);
	return 0;
}

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

	if (read_all(fd, what, path, &pem, why) == 0) {
		datum(&d, &pem);
		r = fn.set_trust_mem(t->cred, &d, GNUTLS_X509_FMT_PEM);
		if (r < 0)
			buf_printf(why, "%s %s: %s", what, path,
			    fn.strerror(r));
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
static void
trust(struct tls *t, struct tls_files *f, struct buf *warn)
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
		fn.server_set_request(t->session, GNUTLS_CERT_REQUEST);
		t->request = 1;
	} else if (f->cafile != NULL || f->cadir != NULL)
		note(warn, "no CA certificate, no client certificate "
		    "requested");
	buf_free(&why);
}

struct tls *
tls_prepare(struct tls_files *f, const char *priority, int rfd, int wfd,
    struct buf *warn, struct buf *err)
{
	struct buf cert = BUF_INIT, key = BUF_INIT;
	struct tls *t = NULL;

	if (load(err) == -1 ||
	    read_all(f->certfd, "ServerCertFile", f->certpath, &cert,
	    err) == -1 ||
	    read_all(f->keyfd, "ServerKeyFile", f->keypath, &key, err) == -1)
		goto out;
	t = xcalloc(1, sizeof(*t));
	t->rfd = rfd;
	t->wfd = wfd;
	if (setup(t, f, &cert, &key, priority != NULL && priority[0] != '\0' ?
	    priority : "NORMAL", err) == -1) {
		tls_end(t, 1, 0);
		t = NULL;
	} else
		trust(t, f, warn);
out:
	tls_files_close(f);	/* read once: the secret is in GnuTLS now */
	wipe(&key);
	buf_free(&cert);
	return t;
}

/* Wait until the fd GnuTLS was blocked on is ready; deadline 0: no
 * limit.  0 ready, -1 timed out or failed. */
static int
wait_ready(struct tls *t, long long deadline)
{
	struct pollfd pfd;
	long long left;
	int n;

	pfd.events = fn.get_direction(t->session) ? POLLOUT : POLLIN;
	pfd.fd = pfd.events == POLLOUT ? t->wfd : t->rfd;
	for (;;) {
		left = -1;
		if (deadline != 0 && (left = deadline - io_now_ms()) < 0)
			left = 0;
		pfd.revents = 0;
		n = poll(&pfd, 1, left > 1000000000 ? 1000000000 : (int)left);
		if (n > 0)
			return 0;
		if (n == 0 || errno != EINTR)
			return -1;
	}
}

static int
set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl == -1 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

int
tls_handshake(struct tls *t, int timeout_ms, int *code, struct buf *err)
{
	long long deadline = timeout_ms > 0 ? io_now_ms() + timeout_ms : 0;
	int r, nonfatal = 0;

	/* Our own poll() keeps the time; the io layer copes with EAGAIN. */
	if (set_nonblock(t->rfd) == -1 || set_nonblock(t->wfd) == -1) {
		*code = GNUTLS_E_PULL_ERROR;
		buf_printf(err, "fcntl: %s", strerror(errno));
		return -1;
	}
	fn.handshake_set_timeout(t->session, timeout_ms > 0 ?
	    (unsigned)timeout_ms : 0);
	for (;;) {
		r = fn.handshake(t->session);
		if (r == 0)
			return 0;
		if (r == GNUTLS_E_INTERRUPTED)
			continue;
		if (r == GNUTLS_E_AGAIN) {
			if (wait_ready(t, deadline) == 0)
				continue;
			r = GNUTLS_E_TIMEDOUT;
		} else if (!fn.error_is_fatal(r) &&
		    ++nonfatal < TLS_NONFATAL_MAX)
			continue;
		*code = r;
		buf_adds(err, fn.strerror(r));
		return -1;
	}
}

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

/* The attribute's OID as text (GnuTLS gives it with its NUL or not). */
static void
ava_oid(const gnutls_x509_ava_st *ava, char *oid, size_t size)
{
	size_t n = ava->oid.size;

	if (n >= size)
		n = size - 1;
	memcpy(oid, ava->oid.data, n);
	oid[n] = '\0';
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

/* Octets a value takes in X509_NAME_oneline(): '/' and '+' after a
 * backslash, octets outside ' '..'~' as backslash, 'x' and two hex
 * digits. */
static size_t
oneline_len(const unsigned char *v, size_t n)
{
	size_t i, len = 0;

	for (i = 0; i < n; i++)
		len += v[i] == '/' || v[i] == '+' ? 2 :
		    v[i] < ' ' || v[i] > '~' ? 4 : 1;
	return len;
}

/* The name as OpenSSL 3's X509_NAME_oneline() writes it into sendmail's
 * buffer of TLS_DN_MAX octets: "/C=US/O=Org/OU=a+OU=b/CN=name" ('+'
 * joins the values of one RDN), values escaped as above; an entry that
 * does not fit ends the name there.  (OpenSSL's special case of a
 * GeneralString of UCS-4 characters is not copied.) */
static void
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
		for (iava = 0; fn.dn_get_rdn_ava(dn, irdn, iava, &ava) == 0;
		    iava++) {
			ava_oid(&ava, oid, sizeof(oid));
			name = attr_name(oid);
			v = ava.value.data;
			need = 1 + strlen(name) + 1 +
			    oneline_len(v, ava.value.size);
			if (len + need > size - 1)
				return;
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
				if (v[i] == '/' || v[i] == '+')
					out[len++] = '\\';
				out[len++] = (char)v[i];
			}
			out[len] = '\0';
		}
		if (iava == 0)
			return;
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

static void
xdn(gnutls_x509_dn_t dn, char *out)
{
	char raw[TLS_DN_MAX];

	dn_oneline(dn, raw, sizeof(raw));
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
		for (iava = 0; fn.dn_get_rdn_ava(dn, irdn, iava, &ava) == 0;
		    iava++) {
			ava_oid(&ava, oid, sizeof(oid));
			if (strcmp(oid, OID_CN) != 0)
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
static void
names(const gnutls_datum_t *der, struct tls_info *ti)
{
	gnutls_x509_crt_t crt;
	gnutls_x509_dn_t dn;

	strcpy(ti->cn_subject, "BadCertificateUnknown");
	ti->cn_status = "failed to extract CN";
	if (fn.crt_init(&crt) < 0)
		return;
	if (fn.crt_import(crt, der, GNUTLS_X509_FMT_DER) == 0) {
		if (fn.crt_get_subject(crt, &dn) == 0) {
			xdn(dn, ti->cert_subject);
			ti->cn_status = NULL;
			cn_subject(dn, ti);
		}
		if (fn.crt_get_issuer(crt, &dn) == 0)
			xdn(dn, ti->cert_issuer);
	}
	fn.crt_deinit(crt);
}

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
	r = fn.verify_peers(t->session, &purpose, 1, &status);
	if (r < 0) {
		ti->verify = r == GNUTLS_E_MEMORY_ERROR ? "TEMP" : "FAIL";
		ti->verify_msg = fn.strerror(r);
		return;
	}
	ti->verify = status == 0 ? "OK" : "FAIL";
	ti->verify_msg = verify_text(status, ti->cert_subject[0] != '\0' &&
	    strcmp(ti->cert_subject, ti->cert_issuer) == 0);
}

/* ${verify} and the names of the client's certificate. */
static void
peer_info(struct tls *t, struct tls_info *ti)
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
	if ((der = fn.get_peers(t->session, &n)) == NULL || n == 0) {
		ti->verify = "NO";
		return;
	}
	ti->cert = 1;
	names(&der[0], ti);
	verify(t, ti);
}

void
tls_get_info(struct tls *t, struct tls_info *ti)
{
	gnutls_cipher_algorithm_t c = fn.cipher_get(t->session);
	const char *v, *name = NULL;

	v = fn.protocol_get_name(fn.protocol_get_version(t->session));
	if (v == NULL)
		v = "unknown";
	/* sendmail (OpenSSL) says TLSv1.3 where GnuTLS says TLS1.3. */
	if (strncmp(v, "TLS1", 4) == 0)
		snprintf(ti->version, sizeof(ti->version), "TLSv%s", v + 3);
	else
		snprintf(ti->version, sizeof(ti->version), "%s", v);
	if (fn.ciphersuite_get != NULL)
		name = fn.ciphersuite_get(t->session);
	if (name == NULL)
		name = fn.cipher_get_name(c);
	snprintf(ti->cipher, sizeof(ti->cipher), "%s",
	    name != NULL ? name : "unknown");
	ti->bits = (int)fn.cipher_get_key_size(c) * 8;
	peer_info(t, ti);
}

/* --- the io transport --------------------------------------------------- */

/* A GnuTLS record result in read()/write() terms (see struct io_ops). */
static ssize_t
record_result(struct tls *t, ssize_t r, short *ev)
{
	if (r >= 0) {
		t->nonfatal = 0;
		return r;
	}
	switch (r) {
	case GNUTLS_E_AGAIN:
		*ev = fn.get_direction(t->session) ? POLLOUT : POLLIN;
		errno = EAGAIN;
		return -1;
	case GNUTLS_E_INTERRUPTED:
		errno = EINTR;
		return -1;
	case GNUTLS_E_PREMATURE_TERMINATION:
		return 0;	/* the TCP connection ended without close_notify */
	}
	if (!fn.error_is_fatal((int)r) && ++t->nonfatal < TLS_NONFATAL_MAX) {
		/* A warning alert or a renegotiation request: not for us,
		 * read on. */
		errno = EINTR;
		return -1;
	}
	errno = EPROTO;
	return -1;
}

static ssize_t
tls_recv(void *ctx, void *p, size_t n, short *ev)
{
	struct tls *t = ctx;

	return record_result(t, fn.record_recv(t->session, p, n), ev);
}

static ssize_t
tls_send(void *ctx, const void *p, size_t n, short *ev)
{
	struct tls *t = ctx;

	return record_result(t, fn.record_send(t->session, p, n), ev);
}

static size_t
tls_pending(void *ctx)
{
	struct tls *t = ctx;

	return fn.check_pending(t->session);
}

const struct io_ops tls_io_ops = { tls_recv, tls_send, tls_pending };

void
tls_end(struct tls *t, int skip_bye, int timeout_ms)
{
	long long deadline = io_now_ms() + (timeout_ms > 0 ? timeout_ms : 1);
	int r;

	if (t == NULL)
		return;
	if (t->session != NULL && !skip_bye) {
		/* close_notify, so the client knows nothing was cut off. */
		while ((r = fn.bye(t->session, GNUTLS_SHUT_WR)) ==
		    GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED)
			if (r == GNUTLS_E_AGAIN && wait_ready(t, deadline) == -1)
				break;
	}
	if (t->session != NULL)
		fn.deinit(t->session);
	if (t->cred != NULL)
		fn.cred_free(t->cred);
	free(t);
}
