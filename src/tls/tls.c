/* tls.c - server-side STARTTLS through GnuTLS, loaded by dlopen(): a
 * session on the connection's fds, the handshake within a timeout, the
 * record layer as io's transport, and its end.  GnuTLS is loaded in
 * tls_gnutls.c; the files, the CAs and the names of certificates are in
 * tls_files.c, tls_trust.c and tls_names.c. */
#include "tls.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/io.h"
#include "tls_int.h"

/* Non-fatal errors in a row (warning alerts, renegotiation requests)
 * before the peer is taken to be playing games. */
#define TLS_NONFATAL_MAX 16

/* Free a buffer that held a private key without leaving it in the heap. */
static void
wipe(struct buf *b)
{
	if (b->s != NULL)
		explicit_bzero(b->s, b->cap);
	buf_free(b);
}

/* --- the session -------------------------------------------------------- */

/* Credentials and a server session; 0 or -1 with err set. */
static int
setup(struct tls *t, struct tls_files *f, struct buf *cert, struct buf *key,
    const char *priority, struct buf *err)
{
	gnutls_datum_t c, k;
	const char *pos = NULL;
	int r;

	if ((r = tlsi_fn.cred_alloc(&t->cred)) < 0) {
		t->cred = NULL;
		buf_printf(err, "credentials: %s", tlsi_fn.strerror(r));
		return -1;
	}
	tlsi_datum(&c, cert);
	tlsi_datum(&k, key);
	if ((r = tlsi_fn.set_key_mem2(t->cred, &c, &k, GNUTLS_X509_FMT_PEM,
	    NULL, 0)) < 0) {
		buf_printf(err, "ServerCertFile %s, ServerKeyFile %s: %s",
		    f->certpath, f->keypath, tlsi_fn.strerror(r));
		return -1;
	}
	/* Tickets would need a key shared by all session processes. */
	if ((r = tlsi_fn.init(&t->session, GNUTLS_SERVER | GNUTLS_NONBLOCK |
	    GNUTLS_NO_SIGNAL | GNUTLS_NO_TICKETS)) < 0) {
		t->session = NULL;
		buf_printf(err, "gnutls_init: %s", tlsi_fn.strerror(r));
		return -1;
	}
	if ((r = tlsi_fn.priority_set_direct(t->session, priority, &pos)) < 0) {
		buf_printf(err, "TLSPriority \"%s\": %s", priority,
		    tlsi_fn.strerror(r));
		if (pos != NULL)
			buf_printf(err, " at \"%.40s\"", pos);
		return -1;
	}
	if ((r = tlsi_fn.credentials_set(t->session, GNUTLS_CRD_CERTIFICATE,
	    t->cred)) < 0) {
		buf_printf(err, "credentials: %s", tlsi_fn.strerror(r));
		return -1;
	}
	tlsi_fn.transport_set_int2(t->session, t->rfd, t->wfd);
	return 0;
}

struct tls *
tls_prepare(struct tls_files *f, const char *priority, int rfd, int wfd,
    struct buf *warn, struct buf *err)
{
	struct buf cert = BUF_INIT, key = BUF_INIT;
	struct tls *t = NULL;

	if (tlsi_load(err) == -1 ||
	    tlsi_read_all(f->certfd, "ServerCertFile", f->certpath, &cert,
	    err) == -1 ||
	    tlsi_read_all(f->keyfd, "ServerKeyFile", f->keypath, &key,
	    err) == -1)
		goto out;
	t = xcalloc(1, sizeof(*t));
	t->rfd = rfd;
	t->wfd = wfd;
	if (setup(t, f, &cert, &key, priority != NULL && priority[0] != '\0' ?
	    priority : TLS_PRIORITY_OPPORTUNISTIC, err) == -1) {
		tls_end(t, 1, 0);
		t = NULL;
	} else
		tlsi_trust(t, f, warn);
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

	pfd.events = tlsi_fn.get_direction(t->session) ? POLLOUT : POLLIN;
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
	tlsi_fn.handshake_set_timeout(t->session, timeout_ms > 0 ?
	    (unsigned)timeout_ms : 0);
	for (;;) {
		r = tlsi_fn.handshake(t->session);
		if (r == 0)
			return 0;
		if (r == GNUTLS_E_INTERRUPTED)
			continue;
		if (r == GNUTLS_E_AGAIN) {
			if (wait_ready(t, deadline) == 0)
				continue;
			r = GNUTLS_E_TIMEDOUT;
		} else if (!tlsi_fn.error_is_fatal(r) &&
		    ++nonfatal < TLS_NONFATAL_MAX)
			continue;
		*code = r;
		buf_adds(err, tlsi_fn.strerror(r));
		return -1;
	}
}

void
tls_get_info(struct tls *t, struct tls_info *ti)
{
	gnutls_cipher_algorithm_t c = tlsi_fn.cipher_get(t->session);
	const char *v, *name = NULL;

	v = tlsi_fn.protocol_get_name(tlsi_fn.protocol_get_version(t->session));
	if (v == NULL)
		v = "unknown";
	/* sendmail (OpenSSL) says TLSv1.3 where GnuTLS says TLS1.3. */
	if (strncmp(v, "TLS1", 4) == 0)
		snprintf(ti->version, sizeof(ti->version), "TLSv%s", v + 3);
	else
		snprintf(ti->version, sizeof(ti->version), "%s", v);
	if (tlsi_fn.ciphersuite_get != NULL)
		name = tlsi_fn.ciphersuite_get(t->session);
	if (name == NULL)
		name = tlsi_fn.cipher_get_name(c);
	snprintf(ti->cipher, sizeof(ti->cipher), "%s",
	    name != NULL ? name : "unknown");
	ti->bits = (int)tlsi_fn.cipher_get_key_size(c) * 8;
	tlsi_peer_info(t, ti);
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
		*ev = tlsi_fn.get_direction(t->session) ? POLLOUT : POLLIN;
		errno = EAGAIN;
		return -1;
	case GNUTLS_E_INTERRUPTED:
		errno = EINTR;
		return -1;
	case GNUTLS_E_PREMATURE_TERMINATION:
		return 0;	/* the TCP connection ended without close_notify */
	case GNUTLS_E_REHANDSHAKE:
		/* A client's renegotiation: never done (each costs the
		 * server a handshake), and ignoring it would leave the client
		 * waiting.  It gets the no_renegotiation alert, and the
		 * session ends now. */
		(void)tlsi_fn.alert_send(t->session, GNUTLS_AL_WARNING,
		    GNUTLS_A_NO_RENEGOTIATION);
		errno = EPROTO;
		return -1;
	}
	if (!tlsi_fn.error_is_fatal((int)r) &&
	    ++t->nonfatal < TLS_NONFATAL_MAX) {
		/* A warning alert: not for us, read on. */
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

	return record_result(t, tlsi_fn.record_recv(t->session, p, n), ev);
}

static ssize_t
tls_send(void *ctx, const void *p, size_t n, short *ev)
{
	struct tls *t = ctx;

	return record_result(t, tlsi_fn.record_send(t->session, p, n), ev);
}

static size_t
tls_pending(void *ctx)
{
	struct tls *t = ctx;

	return tlsi_fn.check_pending(t->session);
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
		while ((r = tlsi_fn.bye(t->session, GNUTLS_SHUT_WR)) ==
		    GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED)
			if (r == GNUTLS_E_AGAIN && wait_ready(t, deadline) == -1)
				break;
	}
	if (t->session != NULL)
		tlsi_fn.deinit(t->session);
	if (t->cred != NULL)
		tlsi_fn.cred_free(t->cred);
	free(t);
}
