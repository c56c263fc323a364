/* qrun.h - the queue runner: sendmail -q (doc/qrun.md).
 *
 * The first slice of issue 16: one run over the queue, delivering each
 * pending recipient that is a plain local user into its mbox.  Root
 * keeps out of the queue directory (RunAsUser owns every file there):
 * a bookkeeper child, switched to RunAsUser, reads, locks and rewrites
 * the queue and asks root, over a socket pair, to deliver one recipient
 * at a time; root checks the recipient itself against passwd and class
 * w, and a delivery child switched to that user writes the mailbox.
 */
#ifndef SOCKMAIL_QRUN_H
#define SOCKMAIL_QRUN_H

struct cf;

/* One queue run as root.  Returns a sysexits code: EX_OK after a run
 * (deferred recipients included: they stay queued and are logged),
 * EX_NOPERM when not root, EX_CONFIG / EX_OSERR when it cannot start. */
int	qrun_main(struct cf *cf);

#endif
