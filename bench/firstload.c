/*
 * firstload: the first load of a library in a fresh process, the way a
 * program feels it: one sl_open + sl_sym against one dlopen(RTLD_NOW) +
 * dlsym, each in a process of its own that has loaded nothing before.
 *
 *   firstload [-n ROUNDS] LIB:SYMBOL...         the table, one row a library
 *   firstload [-n ROUNDS] -s LIB:SYMBOL...      the same with SL_SHARE, whose
 *                                               cache the first run writes
 *   firstload [-n ROUNDS] -l LIB:SYMBOL...      sl_open(SL_LAZY) against
 *                                               dlopen(RTLD_LAZY)
 *   firstload child soload|share|lazy|dlopen|dlopen-lazy LIB SYMBOL
 *                                               one load; prints its ns
 *
 * Each round starts one child per side, the order turning every round, so
 * that a busy machine slows both alike; the table gives each side's median
 * wall time and the ratio of the medians (below 1: libsoload is faster),
 * then the same ratio of the loading thread's CPU time, which a machine
 * shared with other work disturbs less: a load of a millisecond or two
 * that loses the CPU for a time slice takes ten times as long on the wall.
 * One load of each side before the rounds puts the files in the page
 * cache. A library missing on the machine is skipped with a line saying so.
 */
#include "clock.h"
#include "median.h"
#include "soload.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_ROUNDS 101

enum side { SOLOAD, GLIBC, NSIDES };

enum clock { WALL, CPU, NCLOCKS };

static double now_ns(enum clock c)
{
	return bench_ns(c == WALL ? CLOCK_MONOTONIC : CLOCK_THREAD_CPUTIME_ID);
}

/* One load, timed from inside the fresh process: process start-up, which
 * both sides pay alike, is left out. */
static int child(const char *mode, const char *lib, const char *symbol)
{
	int share = !strcmp(mode, "share"), lazy = !strcmp(mode, "lazy");
	/* A program that opens a library has used malloc before: its set-up,
	 * which either loader would otherwise pay, is done first (volatile:
	 * the compiler would drop the pair). */
	void *volatile first = malloc(1);
	double t0[NCLOCKS], t1[NCLOCKS];
	void *p;

	free(first);
	if (!strncmp(mode, "dlopen", 6)) {
		int how = !strcmp(mode, "dlopen-lazy") ? RTLD_LAZY : RTLD_NOW;
		t0[CPU] = now_ns(CPU), t0[WALL] = now_ns(WALL);
		void *h = dlopen(lib, how);
		p = h ? dlsym(h, symbol) : NULL;
		t1[WALL] = now_ns(WALL), t1[CPU] = now_ns(CPU);
		if (!p)
			fprintf(stderr, "firstload: %s: %s\n", lib, dlerror());
	} else if (share || lazy || !strcmp(mode, "soload")) {
		t0[CPU] = now_ns(CPU), t0[WALL] = now_ns(WALL);
		sl_lib *h = sl_open(lib, share ? SL_SHARE : lazy ? SL_LAZY : 0);
		p = h ? sl_sym(h, symbol) : NULL;
		t1[WALL] = now_ns(WALL), t1[CPU] = now_ns(CPU);
		if (!p)
			fprintf(stderr, "firstload: %s: %s\n", lib, sl_error());
	} else {
		fprintf(stderr, "firstload: unknown mode %s\n", mode);
		return 2;
	}
	if (!p)
		return 1;
	printf("%.0f %.0f\n", t1[WALL] - t0[WALL], t1[CPU] - t0[CPU]);
	return 0;
}

/* Runs one child and reads the times it printed into t; -1 on failure. */
static int run_child(const char *mode, const char *lib, const char *symbol, double *t)
{
	char buf[64] = "";
	int fds[2], status;
	ssize_t n;
	pid_t pid;

	if (pipe(fds) != 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		close(fds[1]);
		execl("/proc/self/exe", "firstload", "child", mode, lib, symbol, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	n = pid > 0 ? read(fds[0], buf, sizeof(buf) - 1) : -1;
	close(fds[0]);
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0 || n <= 0)
		return -1;
	return sscanf(buf, "%lf %lf", &t[WALL], &t[CPU]) == 2 ? 0 : -1;
}

/* One row: the medians of rounds alternating fresh processes; 0 and the
 * ratios (wall, CPU) in ratio[], or -1 if a load failed. */
static int measure(const char *lib, const char *symbol, int share, int lazy, int rounds,
                   double *ratio)
{
	static double t[NCLOCKS][NSIDES][MAX_ROUNDS];
	const char *mode[NSIDES] = {share  ? "share"
	                            : lazy ? "lazy"
	                                   : "soload",
	                            lazy ? "dlopen-lazy" : "dlopen"};
	double med[NCLOCKS][NSIDES], one[NCLOCKS];

	for (int s = 0; s < NSIDES; s++)
		if (run_child(mode[s], lib, symbol, one) < 0)
			return -1;
	for (int r = 0; r < rounds; r++)
		for (int k = 0; k < NSIDES; k++) {
			int s = (r + k) % NSIDES;
			if (run_child(mode[s], lib, symbol, one) < 0)
				return -1;
			for (int c = 0; c < NCLOCKS; c++)
				t[c][s][r] = one[c];
		}
	for (int c = 0; c < NCLOCKS; c++) {
		for (int s = 0; s < NSIDES; s++)
			med[c][s] = median(t[c][s], rounds);
		ratio[c] = med[c][SOLOAD] / med[c][GLIBC];
	}
	printf("| %s%s | %.0f us | %.0f us | %.2fx | %.2fx |\n", strrchr(lib, '/') + 1,
	       share  ? ", SL_SHARE, cache already written"
	       : lazy ? ", SL_LAZY / RTLD_LAZY"
	              : "",
	       med[WALL][GLIBC] / 1e3, med[WALL][SOLOAD] / 1e3, ratio[WALL], ratio[CPU]);
	fflush(stdout);
	return 0;
}

static int usage(void)
{
	fprintf(stderr,
	        "usage: firstload [-n ROUNDS] [-s|-l] LIB:SYMBOL...\n"
	        "       firstload child soload|share|lazy|dlopen|dlopen-lazy LIB SYMBOL\n");
	return 2;
}

int main(int argc, char **argv)
{
	static double ratios[NCLOCKS][64];
	double one[NCLOCKS];
	int rounds = 11, share = 0, lazy = 0, n = 0, failed = 0, i = 1;

	if (argc == 5 && !strcmp(argv[1], "child"))
		return child(argv[2], argv[3], argv[4]);
	if (i + 1 < argc && !strcmp(argv[i], "-n"))
		rounds = atoi(argv[i + 1]), i += 2;
	if (i < argc && !strcmp(argv[i], "-s"))
		share = 1, i++;
	else if (i < argc && !strcmp(argv[i], "-l"))
		lazy = 1, i++;
	if (rounds < 1 || rounds > MAX_ROUNDS || i == argc)
		return usage();
	printf("| library | dlopen | libsoload | ratio | CPU time ratio "
	       "|\n|---|---|---|---|---|\n");
	for (; i < argc; i++) {
		char *colon = strchr(argv[i], ':');
		if (!colon || argv[i][0] != '/')
			return usage();
		*colon = '\0';
		if (access(argv[i], R_OK) != 0) {
			printf("| %s | not installed, skipped | | | |\n",
			       strrchr(argv[i], '/') + 1);
			continue;
		}
		if (measure(argv[i], colon + 1, share, lazy, rounds, one) != 0) {
			printf("| %s | a load failed | | | |\n", strrchr(argv[i], '/') + 1);
			failed = 1;
		} else if (n < 64) {
			ratios[WALL][n] = one[WALL];
			ratios[CPU][n++] = one[CPU];
		}
	}
	for (int c = 0; n && c < NCLOCKS; c++) {
		double mid = median(ratios[c], n); /* sorts them: the highest is last */
		printf("%s: median ratio of %d libraries %.2fx, highest %.2fx (%d rounds of fresh "
		       "processes)\n",
		       c == WALL ? "wall time" : "CPU time", n, mid, ratios[c][n - 1], rounds);
	}
	return failed;
}
