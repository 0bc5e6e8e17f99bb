/*
 * alternate: times whole commands taking turns, so that a busy machine
 * slows each of them alike.
 *
 *   build/bench/alternate [-n ROUNDS] -- CMD ARGS... [-- CMD ARGS...]...
 *
 * Each round runs every command once, in order, with stdout to /dev/null.
 * Prints one line per command: median and fastest wall time in ms, the
 * largest peak RSS in KiB (from wait4) and the command line. Exits 1 if a
 * command failed.
 */
#include "clock.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_COMMANDS 8
#define MAX_ROUNDS   101

struct command {
	char **argv;
	double ms[MAX_ROUNDS];
	long maxrss_kib;
	int failures;
};

static void run_child(char **argv)
{
	int null = open("/dev/null", O_WRONLY);

	if (null >= 0)
		dup2(null, STDOUT_FILENO);
	execvp(argv[0], argv);
	perror(argv[0]);
	_exit(127);
}

/* Runs c once; its wall time goes into round r. */
static void time_once(struct command *c, int r)
{
	struct rusage ru;
	double start = bench_ns(CLOCK_MONOTONIC) / 1e6;
	int status;
	pid_t pid = fork();

	if (pid == 0)
		run_child(c->argv);
	if (pid < 0 || wait4(pid, &status, 0, &ru) != pid) {
		c->failures++;
		return;
	}
	c->ms[r] = bench_ns(CLOCK_MONOTONIC) / 1e6 - start;
	if (ru.ru_maxrss > c->maxrss_kib)
		c->maxrss_kib = ru.ru_maxrss;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		c->failures++;
}

static int compare_ms(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void report(struct command *c, int rounds)
{
	qsort(c->ms, rounds, sizeof(c->ms[0]), compare_ms);
	printf("%.3f %.3f %ld", c->ms[rounds / 2], c->ms[0], c->maxrss_kib);
	for (char **a = c->argv; *a; a++)
		printf(" %s", *a);
	printf("%s\n", c->failures ? " (FAILED)" : "");
}

/* Splits argv at each "--" into commands. */
static int parse_commands(int argc, char **argv, struct command *cmds)
{
	int n = 0;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--") != 0)
			continue;
		argv[i] = NULL;
		if (i + 1 < argc && n < MAX_COMMANDS)
			cmds[n++].argv = &argv[i + 1];
	}
	return n;
}

int main(int argc, char **argv)
{
	static struct command cmds[MAX_COMMANDS];
	int rounds = 11, n, failed = 0;

	if (argc > 2 && strcmp(argv[1], "-n") == 0)
		rounds = atoi(argv[2]);
	if (rounds < 1 || rounds > MAX_ROUNDS)
		rounds = 11;
	n = parse_commands(argc, argv, cmds);
	if (n == 0) {
		fprintf(stderr, "usage: alternate [-n ROUNDS] -- CMD ARGS... [-- CMD ...]...\n");
		return 2;
	}
	for (int r = 0; r < rounds; r++)
		for (int i = 0; i < n; i++)
			time_once(&cmds[i], r);
	for (int i = 0; i < n; i++) {
		report(&cmds[i], rounds);
		failed |= cmds[i].failures != 0;
	}
	return failed;
}
