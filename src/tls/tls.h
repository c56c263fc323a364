/* tls.h - server-side STARTTLS (RFC 3207) through GnuTLS, by dlopen().
 *
 * libgnutls.so.30 is loaded (RTLD_NOW | RTLD_LOCAL) when a client says
 * STARTTLS and never linked: a session that does not use TLS never maps
 * it, because start-up cost is what a process per connection pays
 * (doc/DESIGN.md 9).  The certificate and key files, and CACertFile, are
 * opened before the session drops its privileges (the key is usually
 * readable by root only) and read only at STARTTLS.
 *
 * Errors are written to err as one line without a newline.
 */
#ifndef SOCKMAIL_TLS_H
#define SOCKMAIL_TLS_H

#include <stddef.h>

struct buf;
struct io_ops;

/* TLSSrvOptions letters (sendmail's), as bits. */
#define TLSSRV_V	0x0001	/* V: do not request a client certificate */
#define TLSSRV_C	0x0002	/* C: no server certificate (not implemented) */

/* The default priorities (GnuTLS's syntax) when TLSPriority is not set.
 *
 * Where TLS is opportunistic (an MTA's port 25, RFC 3207), any TLS is
 * better than the clear text the peer would otherwise send, so every
 * version and suite GnuTLS's NORMAL still allows is kept, TLS 1.0 and 1.1
 * with their CBC-SHA1 suites too: an old peer gets them rather than no
 * encryption.  %SERVER_PRECEDENCE makes our order win, so a modern peer
 * gets TLS 1.3 or an AEAD suite of 1.2 whatever it lists first.
 *
 * Where TLS is required (submission, 587 with STARTTLS and 465, RFC
 * 8314), the clients are mail programs that have had TLS 1.2 for a
 * decade, and a password follows: TLS 1.2 and 1.3 only (RFC 8996), AEAD
 * suites only (no CBC, no SHA-1 MAC), forward secrecy only. */
#define TLS_PRIORITY_OPPORTUNISTIC	"NORMAL:%SERVER_PRECEDENCE"
#define TLS_PRIORITY_REQUIRED \
	"NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-CIPHER-ALL:" \
	"+AES-256-GCM:+CHACHA20-POLY1305:+AES-128-GCM:+AES-256-CCM:" \
	"+AES-128-CCM:-MAC-ALL:+AEAD:-KX-ALL:+ECDHE-ECDSA:+ECDHE-RSA:" \
	"+DHE-RSA:%SERVER_PRECEDENCE"

/* What the configuration says about the server side (the sendmail.cf
 * options named; the strings belong to the caller). */
struct tls_conf {
	char	*cert_file;		/* ServerCertFile (PEM) */
	char	*key_file;		/* ServerKeyFile (PEM) */
	char	*ca_file;		/* CACertFile: CAs for client certs */
	char	*ca_path;		/* CACertPath: a directory of them */
	int	 srv_options;		/* TLSSrvOptions, TLSSRV_* */
	char	*priority;		/* TLSPriority (sockmail), GnuTLS's */
};

/* The configured certificate and key, opened early; and the CAs that
 * client certificates are verified against (CACertFile, CACertPath),
 * unless TLSSrvOptions has V. */
struct tls_files {
	int		 certfd, keyfd;	/* -1 when not open */
	int		 cafd;		/* CACertFile, -1 when not open */
	const char	*certpath, *keypath;	/* the cf's strings */
	const char	*cafile, *cadir;	/* NULL: none, or not wanted */
	char		 caerr[300];	/* why CACertFile is not open, or "" */
};

/* A distinguished name as sendmail has it (OpenSSL's X509_NAME_oneline()
 * into sendmail's buffer of MAXNAME octets), then xtext-encoded: at most
 * three times as long. */
#define TLS_DN_MAX	256
#define TLS_XDN_MAX	(3 * (TLS_DN_MAX - 1) + 1)
/* What a name that does not fit is instead: no name (it starts with no
 * '/'), so no CERTISSUER: or CERTSUBJECT: entry can match it. */
#define TLS_DN_TOOLONG	"BadCertificateTooLong"

/* The connection's TLS parameters, for logs and the Received: header,
 * and sendmail's macros on the client's certificate.  ${verify} is one
 * of OK (verified), NO (none presented), NOT (none requested: no CA
 * configured or loaded, or TLSSrvOptions V), FAIL (presented, not
 * verified) or TEMP (the verification itself failed for want of memory).
 * sendmail's NONE (no STARTTLS) and SOFTWARE (a failed handshake) have
 * no tls_info: the first has no TLS clause, the second ends the session. */
struct tls_info {
	char		 version[16];	/* "TLSv1.3" */
	char		 cipher[80];	/* "TLS_AES_256_GCM_SHA384" */
	int		 bits;		/* 256 */
	const char	*verify;	/* ${verify} */
	const char	*verify_msg;	/* why, in OpenSSL's words: "ok" */
	int		 cert;		/* a certificate was presented */
	/* "/C=US/O=Example/CN=Example+20CA", xtext ("" without a
	 * certificate, TLS_DN_TOOLONG for a name that does not fit): the
	 * keys of the access map's CERTISSUER: and CERTSUBJECT: entries. */
	char		 cert_subject[TLS_XDN_MAX];
	char		 cert_issuer[TLS_XDN_MAX];
	/* The subject's first CN, xtext, or sendmail's placeholder
	 * (BadCertificateUnknown, ...TooLong, ...ContainsNUL) with the
	 * reason in cn_status (else NULL). */
	char		 cn_subject[TLS_XDN_MAX];
	const char	*cn_status;
};

struct tls;

/* Open ServerCertFile and ServerKeyFile (call before dropping
 * privileges).  1: both open; 0: not configured; -1: not usable, err
 * says why (missing, not a regular file, a key that is group- or
 * world-writable or world-readable) and no file stays open.  With 1,
 * CACertFile is opened too unless TLSSrvOptions has V; a CACertFile
 * that cannot be opened is not an error: caerr says why, and STARTTLS
 * asks for no client certificate unless CACertPath has one. */
int	tls_files_open(const struct tls_conf *, struct tls_files *,
	    struct buf *err);
void	tls_files_close(struct tls_files *);

/* Load GnuTLS, read the files (and close them), make the credentials
 * and a server session on rfd/wfd with the priority string (NULL:
 * TLS_PRIORITY_OPPORTUNISTIC).  NULL with err set if any of it fails.  The CAs are read
 * too (CACertPath now, as the caller is); with at least one the session
 * will ask the client for a certificate.  Problems with them are not
 * failures: they are described in warn ("" if none). */
struct tls *tls_prepare(struct tls_files *, const char *priority, int rfd,
	    int wfd, struct buf *warn, struct buf *err);

/* The handshake, within timeout_ms (0: no limit).  The fds are made
 * non-blocking.  0, or -1 with *code (a GnuTLS error code) and err (its
 * text) set. */
int	tls_handshake(struct tls *, int timeout_ms, int *code,
	    struct buf *err);

/* After the handshake: the parameters, and the client's certificate
 * verified against the CAs. */
void	tls_get_info(struct tls *, struct tls_info *);

/* For io_set_transport(): record_recv/record_send on the session. */
extern const struct io_ops tls_io_ops;

/* Send close_notify (within timeout_ms) unless skip_bye, then free
 * everything.  NULL is fine. */
void	tls_end(struct tls *, int skip_bye, int timeout_ms);

#endif
