/* tls_gnutls.c - the GnuTLS functions tls/ calls, resolved by dlopen()
 * when a session first needs them (see tls.h). */
#include "tls.h"

#include <stddef.h>

#include "lib/buf.h"
#include "lib/dl.h"
#include "tls_int.h"

#define GNUTLS_SONAME	"libgnutls.so.30"

struct tlsi_fns tlsi_fn;

static struct dl_lib lib = { GNUTLS_SONAME, NULL, NULL };

/* --- loading ------------------------------------------------------------ */

#define R(field, name)	DL_FN(tlsi_fn.field, l, name, msg)

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
	R(alert_send, "gnutls_alert_send");
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
	*(void **)(void *)&tlsi_fn.ciphersuite_get = dl_sym(l,
	    "gnutls_ciphersuite_get", 0, msg);
	if (msg->len > 0)
		return -1;
	if ((r = tlsi_fn.global_init()) < 0) {
		buf_printf(msg, "gnutls_global_init: %s", tlsi_fn.strerror(r));
		return -1;
	}
	return 0;
}

int
tlsi_load(struct buf *err)
{
	return dl_load(&lib, resolve, err);
}

void
tlsi_datum(gnutls_datum_t *d, struct buf *b)
{
	d->data = (unsigned char *)b->s;
	d->size = (unsigned int)b->len;
}
