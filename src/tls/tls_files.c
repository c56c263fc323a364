/* tls_files.c - the certificate, the key and CACertFile, opened before
 * the session drops its privileges and read at STARTTLS (see tls.h). */
#include "tls.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/buf.h"
#include "tls_int.h"

/* A certificate chain or a key larger than this is not one. */
#define TLS_FILE_MAX	(1024 * 1024)

/* --- the files ---------------------------------------------------------- */

static int
open_regular(const char *what, const char *path, struct stat *st,
    struct buf *err)
{
	int fd;

	/* O_NONBLOCK: a FIFO put there must not hang the session. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) ==
	    -1) {
		buf_printf(err, "%s %s: %s", what, path, strerror(errno));
		return -1;
	}
	if (fstat(fd, st) == -1 || !S_ISREG(st->st_mode)) {
		buf_printf(err, "%s %s: not a regular file", what, path);
		close(fd);
		return -1;
	}
	return fd;
}

static const char *
nonempty(const char *s)
{
	return s != NULL && s[0] != '\0' ? s : NULL;
}

/* CACertFile and CACertPath, unless TLSSrvOptions has V.  The file is
 * opened now, like the certificate; a failure is kept for STARTTLS to
 * report.  The directory is read at STARTTLS (trust_dir()). */
static void
ca_open(const struct tls_conf *cf, struct tls_files *f)
{
	struct buf err = BUF_INIT;
	struct stat st;

	if (cf->srv_options & TLSSRV_V)
		return;
	f->cafile = nonempty(cf->ca_file);
	f->cadir = nonempty(cf->ca_path);
	if (f->cafile != NULL && (f->cafd = open_regular("CACertFile",
	    f->cafile, &st, &err)) == -1)
		snprintf(f->caerr, sizeof(f->caerr), "%s", buf_str(&err));
	buf_free(&err);
}

int
tls_files_open(const struct tls_conf *cf, struct tls_files *f, struct buf *err)
{
	struct stat st;

	f->certfd = f->keyfd = f->cafd = -1;
	f->cafile = f->cadir = NULL;
	f->caerr[0] = '\0';
	f->certpath = cf->cert_file;
	f->keypath = cf->key_file;
	if (f->certpath == NULL || f->certpath[0] == '\0' ||
	    f->keypath == NULL || f->keypath[0] == '\0')
		return 0;
	f->certfd = open_regular("ServerCertFile", f->certpath, &st, err);
	if (f->certfd == -1)
		return -1;
	/* As sendmail: no key that others could read or replace.  The mode
	 * checked is the file's own; a symbolic link to it is fine (certbot's
	 * live/ directory is made of them). */
	f->keyfd = open_regular("ServerKeyFile", f->keypath, &st, err);
	if (f->keyfd != -1 && !(st.st_mode & (S_IWGRP | S_IWOTH | S_IROTH))) {
		ca_open(cf, f);
		return 1;
	}
	if (f->keyfd != -1)
		buf_printf(err, "ServerKeyFile %s: unsafe mode %04o "
		    "(group- or world-writable or world-readable)", f->keypath,
		    (unsigned)(st.st_mode & 07777));
	tls_files_close(f);
	return -1;
}

void
tls_files_close(struct tls_files *f)
{
	if (f->certfd >= 0)
		close(f->certfd);
	if (f->keyfd >= 0)
		close(f->keyfd);
	if (f->cafd >= 0)
		close(f->cafd);
	f->certfd = f->keyfd = f->cafd = -1;
}

int
tlsi_read_all(int fd, const char *what, const char *path, struct buf *out,
    struct buf *err)
{
	char tmp[4096];
	struct stat st;
	ssize_t n;

	/* One allocation: a realloc() would leave copies of the key behind. */
	if (fstat(fd, &st) == 0 && st.st_size > 0 && st.st_size <= TLS_FILE_MAX)
		buf_reserve(out, (size_t)st.st_size + 1);
	for (;;) {
		n = read(fd, tmp, sizeof(tmp));
		if (n == 0)
			break;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			buf_printf(err, "%s %s: %s", what, path,
			    strerror(errno));
			explicit_bzero(tmp, sizeof(tmp));
			return -1;
		}
		if (out->len + (size_t)n > TLS_FILE_MAX) {
			buf_printf(err, "%s %s: larger than %d octets", what,
			    path, TLS_FILE_MAX);
			explicit_bzero(tmp, sizeof(tmp));
			return -1;
		}
		buf_add(out, tmp, (size_t)n);
	}
	explicit_bzero(tmp, sizeof(tmp));
	return 0;
}
