/* sasl.h - the server side of SMTP AUTH (RFC 4954) through Cyrus SASL,
 * by dlopen().
 *
 * libsasl2.so.2 is loaded (RTLD_NOW | RTLD_LOCAL) at the first AUTH
 * command of a session and never linked: a session whose client never
 * says AUTH never maps it (doc/DESIGN.md 9).  EHLO advertises the configured
 * AuthMechanisms without asking the library; a mechanism it turns out not
 * to have is refused at AUTH.
 *
 * The SASL options that decide where passwords come from (pwcheck_method,
 * auxprop_plugin, sasldb_path, mech_list) are answered from sockmail's
 * configuration by a getopt callback, which Cyrus SASL asks before any
 * Sendmail.conf file.
 *
 * Only authentication: no security layer is ever negotiated (max_ssf 0),
 * so the connection is never wrapped by SASL.
 */
#ifndef SOCKMAIL_SASL_H
#define SOCKMAIL_SASL_H

#include <stddef.h>

struct buf;
struct cf;

/* What one step of an exchange came to. */
enum saslsrv_res {
	SASLSRV_OK,		/* authenticated */
	SASLSRV_CONTINUE,	/* send the challenge, read a response */
	SASLSRV_NOMECH,		/* the library has no such mechanism */
	SASLSRV_BADAUTH,	/* the client failed: wrong credentials, bad
				 * response, unknown user */
	SASLSRV_TEMP		/* the library failed: not the client's fault */
};

/* Where the session is, for sasl_server_new(). */
struct saslsrv_peer {
	const char	*fqdn;		/* $j */
	const char	*local_ip;	/* NULL for a local client */
	int		 local_port;
	const char	*remote_ip;
	int		 remote_port;
	int		 tls;		/* TLS is active */
};

struct saslsrv;

/* Load libsasl2 and sasl_server_init() it (once per process), then make
 * a connection context.  NULL with err set (one line) if any of it
 * fails. */
struct saslsrv *saslsrv_new(const struct cf *, const struct saslsrv_peer *,
	    struct buf *err);

/* Start the exchange with mech.  in is the decoded initial response, or
 * NULL when the client sent none (no argument; "=" is an empty one).
 * out and outlen: the next challenge (valid until the next call). */
enum saslsrv_res saslsrv_start(struct saslsrv *, const char *mech,
	    const char *in, size_t inlen, const char **out, size_t *outlen);

/* One more step with the client's decoded response. */
enum saslsrv_res saslsrv_step(struct saslsrv *, const char *in, size_t inlen,
	    const char **out, size_t *outlen);

/* After SASLSRV_OK: the authenticated user (SASL_USERNAME). */
const char *saslsrv_username(struct saslsrv *);

/* Why the last step failed, for the log: the library's text and code. */
const char *saslsrv_reason(struct saslsrv *, int *code);

void	saslsrv_free(struct saslsrv *);

/* Base64 (RFC 4648) through the library, which must be loaded (after
 * saslsrv_new()).  decode: 0, or -1 if in is not base64 or does not fit
 * out[outmax] with a NUL after it; encode: 0, or -1 if it does not fit. */
int	saslsrv_decode64(const char *in, size_t inlen, char *out,
	    size_t outmax, size_t *outlen);
int	saslsrv_encode64(const char *in, size_t inlen, char *out,
	    size_t outmax, size_t *outlen);

#endif
