/* smtpd_param.c - the ESMTP parameters after the path of MAIL and RCPT,
 * split and checked as far as both commands share the rules.
 */
#include <strings.h>

#include "mail/cf.h"
#include "mail/smtpcmd.h"
#include "smtpd_int.h"

/* Split the ESMTP parameters of MAIL or RCPT; -1 (answered) if they
 * are malformed or come after HELO. */
int
smtpd_params(struct session *s, char *rest, struct smtp_param *p)
{
	const char *why = NULL;
	int n;

	n = smtpcmd_params(rest, p, SMTP_MAX_PARAMS, &why);
	if (n < 0) {
		smtpd_bad(s, "501 5.5.4 Syntax error in parameters: %s", why);
		return -1;
	}
	if (n > 0 && !s->esmtp) {
		smtpd_bad(s, "555 5.5.4 Parameters need EHLO");
		return -1;
	}
	return n;
}

/* PrivacyOptions=noreceipts (and goaway): DSN is not offered, so its
 * parameters are refused, as sendmail does (504 5.7.0). */
int
smtpd_dsn_refused(struct session *s, const char *k)
{
	if (!(s->cf->privacy & PRIV_NORECEIPTS) ||
	    (strcasecmp(k, "RET") != 0 && strcasecmp(k, "ENVID") != 0 &&
	    strcasecmp(k, "NOTIFY") != 0 && strcasecmp(k, "ORCPT") != 0))
		return 0;
	smtpd_bad(s, "504 5.7.0 %s: DSN is not offered here", k);
	return 1;
}
