/* mbox.h - append one message to a Unix mbox file, as the caller's uid.
 *
 * The queue runner's delivery child calls mbox_deliver() after it has
 * switched to the recipient's uid and gid (and kept the mail spool's
 * group as a supplementary group if mailboxes may be created): this
 * module never changes credentials, and refuses to run as root unless
 * the caller says the mailbox is root's own.  doc/local-delivery.md says
 * what the mailbox looks like afterwards and why.
 *
 * The message is given as its header text and an fd of its body, the two
 * halves a queued message has: the runner turns the qf's H lines into
 * header text (one field per line, continuation lines included, LF or
 * CRLF line ends, no blank line) and passes the df opened for reading.
 * The body is read from the fd's current offset to its end; CRLF line
 * ends in either half are stored as LF.
 *
 * Steps, each with its reason in mbox.c:
 *   1. PATH.lock, a dotlock, if the mailbox's directory lets us create
 *      it (a dotlock older than stale_secs is taken as left by a crash
 *      and removed); without write access to the directory, the fcntl()
 *      lock alone;
 *   2. open(O_WRONLY|O_APPEND|O_NOFOLLOW|O_NONBLOCK|O_CLOEXEC), or create
 *      it with O_EXCL and mode 0600 if it does not exist;
 *   3. fstat(): a regular file, one link, owned by our euid, not
 *      world-writable, group-writable only by mail_gid (Debian's 0660
 *      USER:mail mailboxes);
 *   4. an fcntl() write lock on the whole file, polled with F_SETLK up
 *      to a deadline (the dotlock's wait counts against the same one);
 *      then the path must still name the file we opened;
 *   5. "From SENDER DATE", "Return-Path: <SENDER>", the headers (any
 *      Return-Path: of theirs dropped), a blank line, the body with
 *      lines that begin "From " written as ">From " (mboxo), a newline
 *      at the end if the body lacks one, and a blank line;
 *   6. fsync(); on any failure after the first byte, ftruncate() back to
 *      the size before, so that no half message is ever left.
 */
#ifndef SOCKMAIL_MBOX_H
#define SOCKMAIL_MBOX_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

struct buf;

#define MBOX_LOCK_WAIT	60	/* seconds to wait for both locks */
#define MBOX_STALE	300	/* a dotlock this old is removed */

/* One message.  sender is the envelope sender without its <> ("" for
 * the null sender: "MAILER-DAEMON" on the From line, "<>" in
 * Return-Path:); it must hold no control characters (EX_DATAERR).
 * hdrs[0..hdrlen) is the header text as above (may be empty); bodyfd is
 * the body, or -1 for none; arrival is the time on the From line. */
struct mbox_msg {
	const char	*sender;
	const char	*hdrs;
	size_t		 hdrlen;
	int		 bodyfd;
	time_t		 arrival;
};

/* How to deliver.  Zeroed fields take the defaults (except mail_gid). */
struct mbox_opts {
	int		 root_ok;	/* euid 0 is right: root's mailbox */
	gid_t		 mail_gid;	/* the spool's group (Debian: mail), whose
					 * write bit a mailbox may have; (gid_t)-1
					 * for none */
	unsigned	 lock_wait;	/* seconds, 0: MBOX_LOCK_WAIT */
	unsigned	 stale_secs;	/* seconds, 0: MBOX_STALE */
	int		 no_dotlock;	/* fcntl() only, even if we could */
};

/* Append msg to the mbox at path.  Returns 0 once the message is on
 * disk (fsync done), or a sysexits code with one line in err (appended,
 * no newline) that names the file, what is wrong and the fix:
 *   EX_TEMPFAIL  a full file system or quota, an I/O error, a lock not had
 *		  in time, the mailbox replaced while we locked it: the
 *		  mailbox is as it was, try again later;
 *   EX_CANTCREAT the mailbox is a symbolic link, not a regular file, has
 *		  more than one hard link, or cannot be created;
 *   EX_NOPERM    it belongs to another user or others may write it;
 *   EX_DATAERR   the sender holds a control character;
 *   EX_SOFTWARE  called as root without root_ok.
 * The body fd's offset is moved; nothing else of the caller's changes. */
int	mbox_deliver(const char *path, const struct mbox_msg *,
	    const struct mbox_opts *, struct buf *err);

/* The From line for sender and t, without its newline, into out
 * (appended): "From sender Wed Nov 25 18:34:15 2026" in local time, the
 * format of asctime() that every mbox reader parses.  Spaces in the
 * sender become '_' so that readers find the date; "" becomes
 * MAILER-DAEMON. */
void	mbox_from_line(struct buf *out, const char *sender, time_t t);

#endif
