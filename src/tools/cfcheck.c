/* cfcheck.c - sendmail -bC looks at the files sessions use (cfcheck.h). */
#include "cfcheck.h"

#include <errno.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mail/aliases.h"
#include "lib/buf.h"
#include "mail/cf.h"
#include "mail/map.h"
#include "lib/priv.h"
#include "mail/queue.h"

/* The queue: usable, and owned by the user sessions run as. */
static int
check_queue(const struct cf *cf, FILE *out)
{
	struct buf err = BUF_INIT;
	struct stat st;
	uid_t uid;
	gid_t gid;
	int fd, bad = 0;

	if ((fd = queue_open_dir(cf->queue.dir, cf->use_msp, &err)) < 0) {
		fprintf(out, "sendmail: %s\n", buf_str(&err));
		buf_free(&err);
		return 1;
	}
	if (geteuid() == 0 && cf->run_as_user != NULL &&
	    cf->run_as_user[0] != '\0' && fstat(fd, &st) == 0) {
		if (priv_resolve(cf->run_as_user, &uid, &gid, &err) < 0) {
			fprintf(out, "sendmail: %s\n", buf_str(&err));
			bad = 1;
		} else if (st.st_uid != uid) {
			fprintf(out, "sendmail: %s: queue directory is owned by "
			    "uid %lu, but sessions run as %s (uid %lu) and "
			    "cannot write to it; fix: chown %s %s\n",
			    cf->queue.dir, (unsigned long)st.st_uid,
			    cf->run_as_user, (unsigned long)uid,
			    cf->run_as_user, cf->queue.dir);
			bad = 1;
		}
	}
	close(fd);
	buf_free(&err);
	return bad;
}

/* Every K map kept in a file: it opens (safe, not damaged), or is
 * optional (-o) and absent. */
static int
check_maps(const struct cf *cf, FILE *out)
{
	static const char *const file_classes[] = {
		"hash", "btree", "dbm", "gdbm", NULL
	};
	struct buf val = BUF_INIT, err = BUF_INIT;
	size_t i, j;
	int bad = 0;

	for (i = 0; i < cf->nmaps; i++) {
		const struct cf_map *k = &cf->maps[i];

		for (j = 0; file_classes[j] != NULL &&
		    strcasecmp(k->mclass, file_classes[j]) != 0; j++)
			;
		if (file_classes[j] == NULL || k->file == NULL)
			continue;
		buf_reset(&err);
		if (map_lookup(cf, k->name, "sockmail -bC", &val, &err) < 0) {
			fprintf(out, "sendmail: map %s: %s\n", k->name,
			    buf_str(&err));
			bad++;
		}
		map_close_all();
	}
	buf_free(&val);
	buf_free(&err);
	return bad;
}

/* The aliases map: there and readable if the text is, and not older. */
static int
check_aliases(const struct cf *cf, FILE *out)
{
	struct buf db = BUF_INIT, val = BUF_INIT, err = BUF_INIT;
	struct stat ts, ds;
	int bad = 0;

	if (cf->alias_file == NULL || cf->alias_file[0] == '\0' ||
	    stat(cf->alias_file, &ts) < 0)
		return 0;	/* no aliases: sessions look up none */
	buf_printf(&db, "%s.db", cf->alias_file);
	if (stat(db.s, &ds) < 0) {
		fprintf(out, "sendmail: %s: %s (sessions answer 451 for local "
		    "recipients); fix: newaliases\n", db.s, strerror(errno));
		bad = 1;
	} else if (aliases_lookup(cf->alias_file, "postmaster", &val,
	    &err) < 0) {
		fprintf(out, "sendmail: %s\n", buf_str(&err));
		bad = 1;
	} else if (ts.st_mtim.tv_sec > ds.st_mtim.tv_sec ||
	    (ts.st_mtim.tv_sec == ds.st_mtim.tv_sec &&
	    ts.st_mtim.tv_nsec > ds.st_mtim.tv_nsec))
		fprintf(out, "sendmail: warning: %s is older than %s; "
		    "fix: newaliases\n", db.s, cf->alias_file);
	aliases_close();
	buf_free(&db);
	buf_free(&val);
	buf_free(&err);
	return bad;
}

int
cfcheck_files(const struct cf *cf, FILE *out)
{
	return check_queue(cf, out) + check_maps(cf, out) +
	    check_aliases(cf, out);
}
