/* tls_int.h - what the files of tls/ share (tls.c, tls_gnutls.c,
 * tls_files.c, tls_trust.c, tls_names.c); not for other modules, which
 * use tls.h.  GnuTLS's headers are used for types and constants only:
 * its functions are called through tlsi_fn, filled by dlopen(). */
#ifndef SOCKMAIL_TLS_INT_H
#define SOCKMAIL_TLS_INT_H

#include <gnutls/gnutls.h>	/* types and constants only: nothing is linked */
#include <gnutls/x509.h>
#include <stddef.h>

struct buf;
struct tls_files;
struct tls_info;

/* A server session (struct tls of tls.h). */
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
struct tlsi_fns {
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
	int		(*alert_send)(gnutls_session_t, gnutls_alert_level_t,
			    gnutls_alert_description_t);
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
};

/* The table, filled by tlsi_load() (tls_gnutls.c). */
extern struct tlsi_fns tlsi_fn;

/* Load GnuTLS and resolve tlsi_fn: 0, or -1 with err set.  Cheap once
 * loaded; a failure is remembered. */
int	tlsi_load(struct buf *err);
/* b as a GnuTLS datum (no copy). */
void	tlsi_datum(gnutls_datum_t *, struct buf *);

/* Read an open file into out, at most TLS_FILE_MAX octets, in one
 * allocation (it may hold a key); what and path are for err.  0 or -1
 * (tls_files.c). */
int	tlsi_read_all(int fd, const char *what, const char *path,
	    struct buf *out, struct buf *err);

/* The CAs of CACertFile and CACertPath into t's credentials, and a
 * client certificate requested when there is one; problems are added
 * to warn (tls_trust.c). */
void	tlsi_trust(struct tls *, struct tls_files *, struct buf *warn);
/* ${verify} and the names of the client's certificate (tls_trust.c). */
void	tlsi_peer_info(struct tls *, struct tls_info *);

/* Subject, issuer and CN of the certificate der, in sendmail's forms
 * (tls_names.c). */
void	tlsi_names(const gnutls_datum_t *der, struct tls_info *);

#endif
