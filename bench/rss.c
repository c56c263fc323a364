/* rss.c - run a command and report its peak resident set size.
 *
 *   rss OUTFILE COMMAND [ARG...]
 *
 * fork()s, exec()s COMMAND with the same stdin/stdout/stderr, waits for it
 * with wait4() and writes "maxrss_kb=N status=S" to OUTFILE (ru_maxrss of
 * the command, the largest of it and any children it waited for, in KB).
 * Exits with the command's exit status.  The command is killed after
 * RSS_TIMEOUT seconds (default 300).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static pid_t child;

static void on_alarm(int sig)
{
	(void)sig;
	if (child > 0)
		kill(child, SIGKILL);
}

int main(int argc, char **argv)
{
	struct rusage ru;
	int st;
	const char *t = getenv("RSS_TIMEOUT");
	FILE *out;

	if (argc < 3) {
		fprintf(stderr, "usage: rss OUTFILE COMMAND [ARG...]\n");
		return 64;
	}
	child = fork();
	if (child < 0) {
		perror("rss: fork");
		return 71;
	}
	if (child == 0) {
		execvp(argv[2], argv + 2);
		fprintf(stderr, "rss: %s: %s\n", argv[2], strerror(errno));
		_exit(127);
	}
	signal(SIGALRM, on_alarm);
	alarm(t ? (unsigned)atoi(t) : 300);
	while (wait4(child, &st, 0, &ru) < 0) {
		if (errno != EINTR) {
			perror("rss: wait4");
			return 71;
		}
	}
	out = fopen(argv[1], "w");
	if (!out) {
		perror(argv[1]);
		return 73;
	}
	fprintf(out, "maxrss_kb=%ld status=%d\n", ru.ru_maxrss,
	    WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	fclose(out);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
