/* log_test.c - lib/log.c: the tag, the errno text, stderr and syslog.
 *
 * Without arguments: TAP tests of what goes to stderr.  "log_test emit"
 * logs two lines to syslog only and exits, for t/33-review.t, which runs
 * it with a private /dev/log (t/withsyslog.py) and reads what arrived. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/log.h"
#include "tap.h"

/* Run fn with stderr in a file; the text written. */
static char *
captured(void (*fn)(void))
{
	static char text[4096];
	char path[] = "/tmp/log_test.XXXXXX";
	int fd = mkstemp(path), saved = dup(2);
	ssize_t n;

	if (fd < 0 || saved < 0)
		return NULL;
	unlink(path);
	dup2(fd, 2);
	fn();
	dup2(saved, 2);
	close(saved);
	n = pread(fd, text, sizeof(text) - 1, 0);
	close(fd);
	text[n > 0 ? n : 0] = '\0';
	return text;
}

static void
warn_enoent(void)
{
	errno = ENOENT;
	log_warnx_errno("opening %s", "/nonexistent");
}

int
main(int argc, char **argv)
{
	char tag[64];

	if (argc > 1 && strcmp(argv[1], "emit") == 0) {
		log_init("log-test", LOG_TO_SYSLOG);
		errno = EACCES;
		log_warnx_errno("emit %s", "one");
		log_info("emit two");
		return 0;
	}
	strcpy(tag, "sm-unit");
	log_init(tag, LOG_TO_STDERR);
	memset(tag, 'x', sizeof(tag) - 1);	/* as the process title does */
	tag[sizeof(tag) - 1] = '\0';
	is_str(captured(warn_enoent),
	    "sm-unit: opening /nonexistent: No such file or directory\n",
	    "log_warnx_errno appends the errno text; the tag was copied");
	log_init("a tag with: [brackets] and more than thirty-two characters",
	    LOG_TO_STDERR);
	is_str(captured(warn_enoent), "a_tag_with___brackets__and_more_: "
	    "opening /nonexistent: No such file or directory\n",
	    "a tag keeps syslog's characters, at most 32");
	return done_testing();
}
