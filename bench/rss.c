/* rss.c - run a command and report its peak resident set size.
 *
 *   rss OUTFILE COMMAND [ARG...]
 *
 * fork()s, exec()s COMMAND with the same stdin/stdout/stderr, waits for it
 * with wait4() and writes "maxrss_kb=N status=S helpers=H helper_kb=M" to
 * OUTFILE: ru_maxrss of the command (the largest of it and any children
 * it waited for) in KB; then, as a subreaper, it collects the processes
 * the command left behind (a session's lookup helper) and gives their
 * number and largest ru_maxrss.  Exits with the command's exit status.  The command is killed after
 * RSS_TIMEOUT seconds (default 300).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
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
	int helpers = 0;
	long helper_kb = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: rss OUTFILE COMMAND [ARG...]\n");
		return 64;
	}
	(void)prctl(PR_SET_CHILD_SUBREAPER, 1);
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
	/* The command's orphans come to us; they end when it has. */
	{
		struct rusage hr;
		int hst;

		while (wait4(-1, &hst, 0, &hr) > 0 || errno == EINTR) {
			helpers++;
			if (hr.ru_maxrss > helper_kb)
				helper_kb = hr.ru_maxrss;
		}
	}
	out = fopen(argv[1], "w");
	if (!out) {
		perror(argv[1]);
		return 73;
	}
	fprintf(out, "maxrss_kb=%ld status=%d helpers=%d helper_kb=%ld\n",
	    ru.ru_maxrss, WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st),
	    helpers, helper_kb);
	fclose(out);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
