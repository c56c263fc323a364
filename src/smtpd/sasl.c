/* sasl.c - SMTP AUTH through Cyrus SASL, loaded by dlopen(). */
#include "sasl.h"

#include <sasl/sasl.h>		/* types and constants only: nothing is linked */
#include <sasl/prop.h>
#include <sasl/saslutil.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "mail/cf.h"
#include "lib/dl.h"
#include "lib/log.h"

#define SASL_SONAME	"libsasl2.so.2"
/* sendmail's application name: plugins and an admin's Sendmail.conf
 * know it. */
#define SM_SASL_APPNAME	"Sendmail"
#define SM_SASL_SERVICE	"smtp"

struct saslsrv {
	sasl_conn_t	*conn;
	int		 last;		/* the last result code */
};

/* The libsasl2 functions sockmail calls. */
static struct {
	int		(*server_init)(const sasl_callback_t *, const char *);
	int		(*server_new)(const char *, const char *, const char *,
			    const char *, const char *,
			    const sasl_callback_t *, unsigned, sasl_conn_t **);
	int		(*server_start)(sasl_conn_t *, const char *,
			    const char *, unsigned, const char **, unsigned *);
	int		(*server_step)(sasl_conn_t *, const char *, unsigned,
			    const char **, unsigned *);
	int		(*getprop)(sasl_conn_t *, int, const void **);
	int		(*setprop)(sasl_conn_t *, int, const void *);
	void		(*dispose)(sasl_conn_t **);
	const char	*(*errstring)(int, const char *, const char **);
	const char	*(*errdetail)(sasl_conn_t *);
	int		(*decode64)(const char *, unsigned, char *, unsigned,
			    unsigned *);
	int		(*encode64)(const char *, unsigned, char *, unsigned,
			    unsigned *);
	struct propctx	*(*auxprop_getctx)(sasl_conn_t *);
	const struct propval *(*prop_get)(struct propctx *);
	void		(*prop_erase)(struct propctx *, const char *);
} fn;

static struct dl_lib lib = { SASL_SONAME, NULL, NULL };

/* The configuration the callbacks answer from: one per process. */
static const struct cf *opt_cf;

/* --- callbacks ---------------------------------------------------------- */

/* AuthMechanisms with blanks only between the names: the library splits
 * mech_list at white space, sendmail's users may write commas. */
static const char *
mech_list(const char *m)
{
	static char list[1024];
	size_t i;

	if (m == NULL || strlen(m) >= sizeof(list))
		return m;
	for (i = 0; m[i] != '\0'; i++)
		list[i] = m[i] == ',' ? ' ' : m[i];
	list[i] = '\0';
	return list;
}

/* SASL options from sockmail's configuration.  Anything not answered
 * here (SASL_FAIL) the library looks up in its own Sendmail.conf, if
 * there is one; these four it never does. */
static int
getopt_cb(void *ctx, const char *plugin, const char *option,
    const char **result, unsigned *len)
{
	const char *v = NULL;

	(void)ctx;
	(void)plugin;
	if (opt_cf == NULL || option == NULL)
		return SASL_FAIL;
	if (strcmp(option, "mech_list") == 0)
		v = mech_list(opt_cf->auth.mechanisms);
	else if (strcmp(option, "pwcheck_method") == 0)
		v = opt_cf->auth.pwcheck_method;
	else if (strcmp(option, "auxprop_plugin") == 0)
		v = opt_cf->auth.auxprop_plugin;
	else if (strcmp(option, "sasldb_path") == 0)
		v = opt_cf->auth.sasldb_path;
	if (v == NULL)
		return SASL_FAIL;
	*result = v;
	if (len != NULL)
		*len = (unsigned)strlen(v);
	return SASL_OK;
}

/* The library's own complaints (a sasldb it cannot open, a plugin that
 * does not load) go to our log, not to its "sasl" syslog identity;
 * failed passwords are logged by the session, once. */
static int
log_cb(void *ctx, int level, const char *message)
{
	struct buf e = BUF_INIT;

	(void)ctx;
	if (level > SASL_LOG_ERR || message == NULL)
		return SASL_OK;
	buf_escape(&e, message, strlen(message), 300);
	log_warn("AUTH=server: SASL: %s", buf_str(&e));
	buf_free(&e);
	return SASL_OK;
}

/* sasl_callback_t holds int (*)(void); a cast through void (*)(void)
 * says the conversion is meant (it is converted back by the library). */
#define CB(f)	((int (*)(void))(void (*)(void))(f))

static const sasl_callback_t callbacks[] = {
	{ SASL_CB_GETOPT, CB(getopt_cb), NULL },
	{ SASL_CB_LOG, CB(log_cb), NULL },
	{ SASL_CB_LIST_END, NULL, NULL }
};

/* --- loading ------------------------------------------------------------ */

#define R(field, name)	DL_FN(fn.field, l, name, msg)

/* The symbols, then sasl_server_init(): once, as the library wants. */
static int
resolve(struct dl_lib *l, struct buf *msg)
{
	int r;

	R(server_init, "sasl_server_init");
	R(server_new, "sasl_server_new");
	R(server_start, "sasl_server_start");
	R(server_step, "sasl_server_step");
	R(getprop, "sasl_getprop");
	R(setprop, "sasl_setprop");
	R(dispose, "sasl_dispose");
	R(errstring, "sasl_errstring");
	R(errdetail, "sasl_errdetail");
	R(decode64, "sasl_decode64");
	R(encode64, "sasl_encode64");
	R(auxprop_getctx, "sasl_auxprop_getctx");
	R(prop_get, "prop_get");
	R(prop_erase, "prop_erase");
	if (msg->len > 0)
		return -1;
	if ((r = fn.server_init(callbacks, SM_SASL_APPNAME)) != SASL_OK) {
		buf_printf(msg, "sasl_server_init: %s (%d)",
		    fn.errstring(r, NULL, NULL), r);
		return -1;
	}
	return 0;
}

/* --- a connection ------------------------------------------------------- */

/* sendmail's AuthOptions letters as SASL security flags.  'p' is not
 * among them: sockmail keeps plaintext mechanisms from clients without
 * TLS by not offering AUTH to them at all (smtpd.c). */
static unsigned
sec_flags(int opts)
{
	unsigned f = 0;

	if (opts & AUTHOPT_a)
		f |= SASL_SEC_NOACTIVE;
	if (opts & AUTHOPT_c)
		f |= SASL_SEC_PASS_CREDENTIALS;
	if (opts & AUTHOPT_d)
		f |= SASL_SEC_NODICTIONARY;
	if (opts & AUTHOPT_f)
		f |= SASL_SEC_FORWARD_SECRECY;
	if (opts & AUTHOPT_m)
		f |= SASL_SEC_MUTUAL_AUTH;
	if (opts & AUTHOPT_y)
		f |= SASL_SEC_NOANONYMOUS;
	return f;
}

/* "a.b.c.d;port", as sasl_server_new() wants it; NULL without one. */
static const char *
ipport(char *dst, size_t sz, const char *ip, int port)
{
	if (ip == NULL || ip[0] == '\0')
		return NULL;
	if ((size_t)snprintf(dst, sz, "%s;%d", ip, port) >= sz)
		return NULL;
	return dst;
}

struct saslsrv *
saslsrv_new(const struct cf *cf, const struct saslsrv_peer *p,
    struct buf *err)
{
	sasl_security_properties_t sp;
	struct saslsrv *s;
	char lip[80], rip[80];
	int r;

	opt_cf = cf;
	if (dl_load(&lib, resolve, err) == -1)
		return NULL;
	s = xmalloc(sizeof(*s));
	s->conn = NULL;
	s->last = SASL_OK;
	/* No realm configured: the library's default, the server's name,
	 * as sendmail (so "user" is user@$j in the sasldb). */
	r = fn.server_new(SM_SASL_SERVICE, p->fqdn, cf->auth.realm,
	    ipport(lip, sizeof(lip), p->local_ip, p->local_port),
	    ipport(rip, sizeof(rip), p->remote_ip, p->remote_port),
	    NULL, 0, &s->conn);
	if (r != SASL_OK) {
		buf_printf(err, "sasl_server_new: %s (%d)",
		    fn.errstring(r, NULL, NULL), r);
		saslsrv_free(s);
		return NULL;
	}
	/* Authentication only: no security layer, whatever the mechanism
	 * could offer (max_ssf 0, no buffer). */
	memset(&sp, 0, sizeof(sp));
	sp.min_ssf = 0;
	sp.max_ssf = 0;
	sp.maxbufsize = 0;
	sp.security_flags = sec_flags(cf->auth.options);
	if ((r = fn.setprop(s->conn, SASL_SEC_PROPS, &sp)) != SASL_OK) {
		buf_printf(err, "sasl_setprop(SASL_SEC_PROPS): %s (%d)",
		    fn.errstring(r, NULL, NULL), r);
		saslsrv_free(s);
		return NULL;
	}
	return s;
}

static enum saslsrv_res
result(struct saslsrv *s, int r, const char *o, unsigned olen,
    const char **out, size_t *outlen)
{
	s->last = r;
	*out = o != NULL ? o : "";
	*outlen = o != NULL ? olen : 0;
	switch (r) {
	case SASL_OK:
		return SASLSRV_OK;
	case SASL_CONTINUE:
		return SASLSRV_CONTINUE;
	case SASL_NOMECH:
		return SASLSRV_NOMECH;
	case SASL_FAIL:
	case SASL_NOMEM:
	case SASL_BUFOVER:
	case SASL_TRYAGAIN:
	case SASL_UNAVAIL:
	case SASL_BADPARAM:
	case SASL_NOTINIT:
		return SASLSRV_TEMP;
	default:	/* BADAUTH, NOUSER, BADPROT, NOAUTHZ, EXPIRED, ... */
		return SASLSRV_BADAUTH;
	}
}

enum saslsrv_res
saslsrv_start(struct saslsrv *s, const char *mech, const char *in,
    size_t inlen, const char **out, size_t *outlen)
{
	const char *o = NULL;
	unsigned olen = 0;
	int r;

	r = fn.server_start(s->conn, mech, in, (unsigned)inlen, &o, &olen);
	return result(s, r, o, olen, out, outlen);
}

enum saslsrv_res
saslsrv_step(struct saslsrv *s, const char *in, size_t inlen,
    const char **out, size_t *outlen)
{
	const char *o = NULL;
	unsigned olen = 0;
	int r;

	r = fn.server_step(s->conn, in, (unsigned)inlen, &o, &olen);
	return result(s, r, o, olen, out, outlen);
}

const char *
saslsrv_username(struct saslsrv *s)
{
	const void *v = NULL;

	if (fn.getprop(s->conn, SASL_USERNAME, &v) != SASL_OK || v == NULL)
		return NULL;
	return v;
}

const char *
saslsrv_reason(struct saslsrv *s, int *code)
{
	const char *d;

	*code = s->last;
	d = s->conn != NULL ? fn.errdetail(s->conn) : NULL;
	if (d == NULL || d[0] == '\0')
		return fn.errstring(s->last, NULL, NULL);
	/* "SASL(-13): authentication failure: ...": the code is logged
	 * on its own. */
	if (strncmp(d, "SASL(", 5) == 0 && strstr(d, "): ") != NULL)
		d = strstr(d, "): ") + 3;
	return d;
}

/* The connection's properties hold the user's stored password (the
 * library keeps it there after checking one, for other plugins), and
 * sasl_dispose() frees them without clearing: prop_erase() clears. */
static void
erase_props(sasl_conn_t *conn)
{
	struct propctx *ctx = fn.auxprop_getctx(conn);
	const struct propval *v;

	if (ctx == NULL || (v = fn.prop_get(ctx)) == NULL)
		return;
	for (; v->name != NULL; v++)
		fn.prop_erase(ctx, v->name);
}

void
saslsrv_free(struct saslsrv *s)
{
	if (s == NULL)
		return;
	if (s->conn != NULL) {
		erase_props(s->conn);
		fn.dispose(&s->conn);
	}
	free(s);
}

/* --- base64 ------------------------------------------------------------- */

int
saslsrv_decode64(const char *in, size_t inlen, char *out, size_t outmax,
    size_t *outlen)
{
	unsigned n = 0;

	if (lib.handle == NULL || inlen > 65536 || outmax > 65536)
		return -1;
	if (fn.decode64(in, (unsigned)inlen, out, (unsigned)outmax, &n) !=
	    SASL_OK || n >= outmax)
		return -1;
	*outlen = n;
	return 0;
}

int
saslsrv_encode64(const char *in, size_t inlen, char *out, size_t outmax,
    size_t *outlen)
{
	unsigned n = 0;

	if (lib.handle == NULL || inlen > 65536 || outmax > 65536)
		return -1;
	if (fn.encode64(in, (unsigned)inlen, out, (unsigned)outmax, &n) !=
	    SASL_OK || n >= outmax)
		return -1;
	*outlen = n;
	return 0;
}
