/* smtpd_tx.c - the transaction's state: forgotten at RSET, HELO/EHLO,
 * STARTTLS, the end of a message and of the session.
 */
#include <stdlib.h>
#include <string.h>

#include "mail/body.h"
#include "mail/queue.h"
#include "smtpd_int.h"

void
smtpd_tx_reset(struct session *s)
{
	struct tx *t = &s->tx;
	size_t i;

	for (i = 0; i < t->nrcpts; i++) {
		free(t->rcpts[i].addr);
		free(t->rcpts[i].orcpt);
	}
	free(t->rcpts);
	free(t->envid);
	free(t->auth_param);
	if (t->body != NULL) {
		body_free(t->body);
		free(t->body);
	}
	if (s->qm != NULL)
		queue_abort(s->qm);
	memset(t, 0, sizeof(*t));
	s->mail_refused = 0;	/* RSET, HELO, a message: a new group */
}
