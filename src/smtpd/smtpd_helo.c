/* smtpd_helo.c - HELO and EHLO: the client's name, and for EHLO the
 * extensions this session offers (RFC 5321 4.1.1.1).
 */
#include <string.h>

#include "lib/ascii.h"
#include "lib/lookup.h"
#include "mail/cf.h"
#include "smtpd_int.h"

/* sendmail's check of a HELO/EHLO name: ASCII letters, digits and
 * "[].-_#:" (names and address literals), at most 256 octets; trailing
 * blanks are fine, anything after them is not.  AllowBogusHELO lifts it. */
static int
helo_name_ok(const char *p)
{
	size_t n = strcspn(p, " \t");

	if (n == 0 || n > 256 || p[n + strspn(p + n, " \t")] != '\0')
		return 0;
	for (; n > 0; n--, p++)
		if (!is_alpha(*p) && !is_digit(*p) &&
		    strchr("[].-_#:", *p) == NULL)
			return 0;
	return 1;
}

static void
cmd_helo(struct session *s, char *arg, int esmtp)
{
	size_t i;

	arg += strspn(arg, " \t");
	if (arg[0] == '\0' && !s->cf->allow_bogus_helo) {
		smtpd_bad(s, "501 5.0.0 %s requires domain address",
		    esmtp ? "EHLO" : "HELO");
		return;
	}
	if (!helo_name_ok(arg) && !s->cf->allow_bogus_helo) {
		smtpd_bad(s, "501 5.0.0 Invalid domain name");
		smtpd_log_reject(s, esmtp ? "ehlo" : "helo", arg,
		    "501 5.0.0 Invalid domain name");
		return;
	}
	smtpd_tx_reset(s);
	/* Keep it printable: it goes into Received: and the logs. */
	for (i = 0; arg[i] != '\0' && i < sizeof(s->helo) - 1; i++)
		s->helo[i] = (arg[i] > ' ' && arg[i] < 0x7f) ? arg[i] : '?';
	s->helo[i] = '\0';
	s->helo_seen = 1;
	s->esmtp = esmtp;
	if (!esmtp) {
		smtpd_reply(s, "250 %s Hello %s, pleased to meet you",
		    s->host, s->relay);
		return;
	}
	smtpd_reply(s, "250-%s Hello %s, pleased to meet you", s->host,
	    s->relay);
	smtpd_reply(s, "250-ENHANCEDSTATUSCODES");
	smtpd_reply(s, "250-PIPELINING");
	smtpd_reply(s, "250-8BITMIME");
	if (s->cf->lim.max_message_size > 0)
		smtpd_reply(s, "250-SIZE %ld", s->cf->lim.max_message_size);
	else
		smtpd_reply(s, "250-SIZE");
	if (!(s->cf->privacy & PRIV_NORECEIPTS))
		smtpd_reply(s, "250-DSN");
	smtpd_reply(s, "250-SMTPUTF8");
	smtpd_reply(s, "250-CHUNKING");
	if (smtpd_tls_offered(s))
		smtpd_reply(s, "250-STARTTLS");
	if (smtpd_auth_offered(s)) {
		/* AUTH in the clear to a network client (no STARTTLS to start
		 * the helper): start it now, before a command line can hold a
		 * password; its first MAIL would start one for the client's
		 * name anyway.  A local client (a pipe, a terminal) has no
		 * name to look up: no fork for it, and after its AUTH a lookup
		 * that needs a helper fails with 451 (lookup_seal()). */
		if (s->peer.network)
			lookup_prestart();
		smtpd_auth_ehlo(s);
	}
	smtpd_reply(s, "250 HELP");
}

void
smtpd_cmd_helo(struct session *s, char *arg)
{
	cmd_helo(s, arg, 0);
}

void
smtpd_cmd_ehlo(struct session *s, char *arg)
{
	cmd_helo(s, arg, 1);
}
