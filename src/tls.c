/* tls.c - server-side STARTTLS through GnuTLS, loaded by dlopen(). */
#include "tls.h"

#include <errno.h>
#include <fcntl.h>
#include <gnutls/gnutls.h>	/* types and constants only: nothing is linked */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "cf.h"
#include "dl.h"
#include "io.h"

#define GNUTLS_SONAME	"libgnutls.so.30"
/* A certificate chain or a key larger than this is not one. */
#define TLS_FILE_MAX	(1024 * 1024)
/* Non-fatal errors in a row (warning alerts, renegotiation requests)
 * before the peer is taken to be playing games. */
#define TLS_NONFATAL_MAX 16

struct tls {
	gnutls_session_t			 session;
	gnutls_certificate_credentials_t	 cred;
	int					 rfd, wfd;
	int					 nonfatal;
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

int
tls_files_open(const struct cf *cf, struct tls_files *f, struct buf *err)
{
	struct stat st;

	f->certfd = f->keyfd = -1;
	f->certpath = cf->server_cert_file;
	f->keypath = cf->server_key_file;
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
	if (f->keyfd != -1 && !(st.st_mode & (S_IWGRP | S_IWOTH | S_IROTH)))
		return 1;
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
	f->certfd = f->keyfd = -1;
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

struct tls *
tls_prepare(struct tls_files *f, const char *priority, int rfd, int wfd,
    struct buf *err)
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
	}
out:
	tls_files_close(f);	/* read once: the secret is in GnuTLS now */
	wipe(&key);
	buf_free(&cert);
	return t;
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
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
		if (deadline != 0 && (left = deadline - now_ms()) < 0)
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
	long long deadline = timeout_ms > 0 ? now_ms() + timeout_ms : 0;
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
	long long deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 1);
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
