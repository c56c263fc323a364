/* tls.h - server-side STARTTLS (RFC 3207) through GnuTLS, by dlopen().
 *
 * libgnutls.so.30 is loaded (RTLD_NOW | RTLD_LOCAL) when a client says
 * STARTTLS and never linked: a session that does not use TLS never maps
 * it, because start-up cost is what a process per connection pays
 * (DESIGN.md 9).  The certificate and key files are opened before the
 * session drops its privileges (the key is usually readable by root only)
 * and read only at STARTTLS.
 *
 * Errors are written to err as one line without a newline.
 */
#ifndef SOCKMAIL_TLS_H
#define SOCKMAIL_TLS_H

#include <stddef.h>

struct buf;
struct cf;
struct io_ops;

/* The configured certificate and key, opened early. */
struct tls_files {
	int		 certfd, keyfd;	/* -1 when not open */
	const char	*certpath, *keypath;	/* the cf's strings */
};

/* The connection's TLS parameters, for logs and the Received: header. */
struct tls_info {
	char	version[16];	/* "TLSv1.3" */
	char	cipher[80];	/* "TLS_AES_256_GCM_SHA384" */
	int	bits;		/* 256 */
};

struct tls;

/* Open ServerCertFile and ServerKeyFile (call before dropping
 * privileges).  1: both open; 0: not configured; -1: not usable, err
 * says why (missing, not a regular file, a key that is group- or
 * world-writable or world-readable) and no file stays open. */
int	tls_files_open(const struct cf *, struct tls_files *, struct buf *err);
void	tls_files_close(struct tls_files *);

/* Load GnuTLS, read the files (and close them), make the credentials
 * and a server session on rfd/wfd with the priority string (NULL:
 * "NORMAL").  NULL with err set if any of it fails. */
struct tls *tls_prepare(struct tls_files *, const char *priority, int rfd,
	    int wfd, struct buf *err);

/* The handshake, within timeout_ms (0: no limit).  The fds are made
 * non-blocking.  0, or -1 with *code (a GnuTLS error code) and err (its
 * text) set. */
int	tls_handshake(struct tls *, int timeout_ms, int *code,
	    struct buf *err);

void	tls_get_info(struct tls *, struct tls_info *);

/* For io_set_transport(): record_recv/record_send on the session. */
extern const struct io_ops tls_io_ops;

/* Send close_notify (within timeout_ms) unless skip_bye, then free
 * everything.  NULL is fine. */
void	tls_end(struct tls *, int skip_bye, int timeout_ms);

#endif
