/* mailq.c - list a queue in sendmail's "mailq" / "-bp" format.
 *
 * Like sendmail, in two passes: the first reads every qf to learn its
 * priority (and whether it is usable), the list is sorted by priority
 * (sendmail's default QueueSortOrder; ties keep directory order), and
 * the second pass reads each qf again to print it.  So memory does not
 * grow with the size of the messages, only with their number.
 */
#include "mailq.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "lib/buf.h"
#include "mail/qf.h"

#define MAXQFNAME	20	/* longest qf file name sendmail lists */

struct mqent {
	char	*name;		/* "qf<id>" */
	long	 priority;
	size_t	 order;		/* position in the directory */
};

struct mqdirs {
	struct buf qfdir;
	struct buf dfdir;
	const char *name;	/* as given, for the headings */
};

static int
isdir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static void
dirs_init(struct mqdirs *d, const char *queue_dir)
{
	memset(d, 0, sizeof(*d));
	d->name = queue_dir;
	buf_printf(&d->qfdir, "%s/qf", queue_dir);
	if (!isdir(buf_str(&d->qfdir))) {
		buf_reset(&d->qfdir);
		buf_adds(&d->qfdir, queue_dir);
	}
	buf_printf(&d->dfdir, "%s/df", queue_dir);
	if (!isdir(buf_str(&d->dfdir))) {
		buf_reset(&d->dfdir);
		buf_adds(&d->dfdir, queue_dir);
	}
}

/* A file name or a message about one, for the terminal: a qf's name is
 * RunAsUser's choice too. */
static const char *
esc(struct buf *b, const char *s)
{
	buf_reset(b);
	buf_escape(b, s, strlen(s), 200);
	return buf_str(b);
}

/* Open and read the qf called name; *locked says whether someone holds
 * an exclusive lock on it (a runner, or a writer).  0; -2 if it is gone;
 * or -1 with err. */
static int
read_entry(const struct mqdirs *d, const char *name, struct qf *q,
    int *locked, struct buf *err)
{
	struct buf path = BUF_INIT;
	int fd, r;

	buf_printf(&path, "%s/%s", buf_str(&d->qfdir), name);
	*locked = 0;
	fd = open(buf_str(&path), O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC);
	if (fd < 0) {
		r = errno == ENOENT ? -2 : -1;
		buf_printf(err, "%s: %s", buf_str(&path), strerror(errno));
		buf_free(&path);
		return r;
	}
	if (flock(fd, LOCK_SH | LOCK_NB) < 0)
		*locked = 1;
	else
		(void)flock(fd, LOCK_UN);
	r = qf_read_fd(fd, buf_str(&path), q, err);
	close(fd);
	buf_free(&path);
	return r;
}

static int
entcmp(const void *a, const void *b)
{
	const struct mqent *x = a, *y = b;

	if (x->priority != y->priority)
		return x->priority < y->priority ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static int
wanted(const struct dirent *de, int dfd)
{
	struct stat st;

	if (de->d_name[0] != 'q' || de->d_name[1] != 'f' ||
	    de->d_name[2] == '\0' || strlen(de->d_name) > MAXQFNAME)
		return 0;
	return fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISREG(st.st_mode);
}

/* First pass: the usable qf files, sorted.  -1 if the directory
 * cannot be read. */
static int
gather(const struct mqdirs *d, struct mqent **ents, size_t *n)
{
	DIR *dir;
	struct dirent *de;
	size_t cap = 0, order = 0;

	*ents = NULL;
	*n = 0;
	if ((dir = opendir(buf_str(&d->qfdir))) == NULL)
		return -1;
	while ((de = readdir(dir)) != NULL) {
		struct buf err = BUF_INIT, e = BUF_INIT;
		struct qf q;
		int locked;

		if (!wanted(de, dirfd(dir)))
			continue;
		order++;
		if (read_entry(d, de->d_name, &q, &locked, &err) < 0) {
			/* a locked, unfinished qf is one being written */
			if (!locked)
				fprintf(stderr, "mailq: %s\n",
				    esc(&e, buf_str(&err)));
			buf_free(&err);
			buf_free(&e);
			continue;
		}
		if (*n == cap) {
			cap = cap ? cap * 2 : 32;
			*ents = xrealloc(*ents, cap * sizeof(**ents));
		}
		(*ents)[*n].name = xstrdup(de->d_name);
		(*ents)[*n].priority = q.priority;
		(*ents)[*n].order = order;
		(*n)++;
		qf_free(&q);
	}
	closedir(dir);
	if (*n > 1)
		qsort(*ents, *n, sizeof(**ents), entcmp);
	return 0;
}

/* sendmail's prtstr(): at most ml columns, backslash doubled, other
 * unprintable octets as \ooo.  Only the first physical line counts:
 * sendmail's lister does not join continuation lines.  Every text of a
 * qf goes through this (or buf_escape()), not only the addresses as in
 * sendmail: RunAsUser writes the qf, and a client chooses much of it,
 * so raw octets could drive the terminal of the admin running mailq. */
static void
prtstr(FILE *out, const char *s, int ml)
{
	unsigned char c;

	while (ml-- > 0 && (c = (unsigned char)*s++) != '\0' && c != '\n') {
		if (c == '\\') {
			if (ml-- > 0)
				fputs("\\\\", out);
		} else if (c < 0x80 && isprint(c))
			putc(c, out);
		else if ((ml -= 3) > 0)
			fprintf(out, "\\%03o", c);
	}
}

static long
df_size(const struct mqdirs *d, const struct qf *q)
{
	struct buf path = BUF_INIT;
	struct stat st;
	long size = -1;

	buf_printf(&path, "%s/df%s", buf_str(&d->dfdir), q->id);
	if (stat(buf_str(&path), &st) == 0)
		size = (long)st.st_size;
	else if (q->dfdir != NULL) {
		buf_reset(&path);
		buf_printf(&path, "%s/df%s", q->dfdir, q->id);
		if (stat(buf_str(&path), &st) == 0)
			size = (long)st.st_size;
	}
	buf_free(&path);
	return size;
}

static void
print_sender(FILE *out, const struct qf *q, long dfsize)
{
	char tbuf[32];
	time_t t = q->has_ctime ? q->ctime : 0;

	if (ctime_r(&t, tbuf) == NULL)
		snprintf(tbuf, sizeof(tbuf), "%16s", "?");
	fprintf(out, "%8ld %.16s ", dfsize, tbuf);
	prtstr(out, q->sender, 39);
	/* sendmail prints these two with "%.60s": for printable text
	 * without a backslash prtstr() gives the same. */
	if (q->quarantine != NULL) {
		fputs("\n     QUARANTINE: ", out);
		prtstr(out, q->quarantine, 60);
	}
	if (q->status != NULL || q->bodytype != NULL) {
		fprintf(out, "\n    %10.10s",
		    q->bodytype != NULL ? q->bodytype : "");
		if (q->status != NULL) {
			fputs("   (", out);
			prtstr(out, q->status, 60);
			putc(')', out);
		}
	}
}

/* Second pass: one entry. */
static void
print_entry(FILE *out, const struct mqdirs *d, const struct mqent *e)
{
	struct buf err = BUF_INIT, addr = BUF_INIT;
	struct qf q;
	size_t i;
	int locked, r;

	if ((r = read_entry(d, e->name, &q, &locked, &err)) < 0) {
		if (r == -2)
			fprintf(out, "%13s (job completed)\n",
			    esc(&addr, e->name + 2));
		else
			fprintf(stderr, "mailq: %s\n",
			    esc(&addr, buf_str(&err)));
		buf_free(&err);
		buf_free(&addr);
		return;
	}
	fprintf(out, "%13s%c", esc(&addr, q.id), locked ? '*' : ' ');
	print_sender(out, &q, df_size(d, &q));
	for (i = 0; i < q.nrcpts; i++) {
		buf_reset(&addr);
		qf_rcpt_addr(&addr, &q, i);
		fputs("\n\t\t\t\t\t ", out);
		prtstr(out, buf_str(&addr), 38);
	}
	if (!q.has_ctime)
		fputs(" (no control file)", out);
	putc('\n', out);
	qf_free(&q);
	buf_free(&addr);
}

int
mailq_main(const char *queue_dir, FILE *out)
{
	struct mqdirs d;
	struct mqent *ents;
	size_t i, n;
	int rc = EX_OK;

	dirs_init(&d, queue_dir);
	if (gather(&d, &ents, &n) < 0) {
		fprintf(stderr, "mailq: cannot open queue directory %s: %s\n",
		    buf_str(&d.qfdir), strerror(errno));
		rc = EX_NOINPUT;
	} else if (n == 0)
		fprintf(out, "%s is empty\n", queue_dir);
	else {
		fprintf(out, "\t\t%s (%zu request%s)\n", queue_dir, n,
		    n == 1 ? "" : "s");
		fputs("-----Q-ID----- --Size-- -----Q-Time----- "
		    "------------Sender/Recipient-----------\n", out);
		for (i = 0; i < n; i++)
			print_entry(out, &d, &ents[i]);
	}
	if (rc == EX_OK)
		fprintf(out, "\t\tTotal requests: %zu\n", n);
	for (i = 0; i < n; i++)
		free(ents[i].name);
	free(ents);
	buf_free(&d.qfdir);
	buf_free(&d.dfdir);
	if (fflush(out) == EOF || ferror(out))
		rc = EX_IOERR;
	return rc;
}
