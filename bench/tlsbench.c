/* tlsbench: the cost of one call of a sample library's function that
 * touches its thread-local variables, loaded by libsoload and by glibc's
 * dlopen, in one process, alternating which side goes first every round.
 *
 *   tlsbench ROUNDS CALLS LIB FUNCTION
 *
 * Prints the best and median round's time per call of each side and their
 * ratio (soload / dlopen), by the clock and by the thread's CPU time: on a
 * shared machine the clock also counts whatever else ran on the core
 * meanwhile, and the CPU time does not. */
#include "clock.h"
#include "soload.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef long (*call_fn)(void);

/* Clock time per call; *cpu gets the thread's CPU time per call. */
static double time_calls(call_fn fn, long calls, double *cpu)
{
	double start = bench_ns(CLOCK_MONOTONIC), cpu_start = bench_ns(CLOCK_THREAD_CPUTIME_ID);

	for (long i = 0; i < calls; i++)
		fn();
	*cpu = (bench_ns(CLOCK_THREAD_CPUTIME_ID) - cpu_start) / (double)calls;
	return (bench_ns(CLOCK_MONOTONIC) - start) / (double)calls;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void report(const char *what, const double *ours, const double *sys, int at)
{
	double a = ours[at], b = sys[at];

	printf("  %-13s soload %7.2f ns  dlopen %7.2f ns (%.2fx)\n", what, a, b, a / b);
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 0;
	long calls = argc > 2 ? atol(argv[2]) : 0;
	sl_lib *lib;
	void *handle;
	call_fn ours, sys;
	double *t_ours, *t_sys, *c_ours, *c_sys;

	if (argc != 5 || rounds < 1 || calls < 1) {
		fprintf(stderr, "usage: tlsbench ROUNDS CALLS LIB FUNCTION\n");
		return 2;
	}
	if (!(lib = sl_open(argv[3], 0)) || !(ours = (call_fn)sl_sym(lib, argv[4]))) {
		fprintf(stderr, "tlsbench: %s\n", sl_error());
		return 1;
	}
	if (!(handle = dlopen(argv[3], RTLD_NOW)) || !(sys = (call_fn)dlsym(handle, argv[4]))) {
		fprintf(stderr, "tlsbench: %s\n", dlerror());
		return 1;
	}
	t_ours = calloc(rounds, sizeof(double));
	t_sys = calloc(rounds, sizeof(double));
	c_ours = calloc(rounds, sizeof(double));
	c_sys = calloc(rounds, sizeof(double));
	if (!t_ours || !t_sys || !c_ours || !c_sys)
		return 1;
	for (int r = 0; r < rounds; r++) {
		if (r % 2) {
			t_sys[r] = time_calls(sys, calls, &c_sys[r]);
			t_ours[r] = time_calls(ours, calls, &c_ours[r]);
		} else {
			t_ours[r] = time_calls(ours, calls, &c_ours[r]);
			t_sys[r] = time_calls(sys, calls, &c_sys[r]);
		}
	}
	qsort(t_ours, rounds, sizeof(double), by_value);
	qsort(t_sys, rounds, sizeof(double), by_value);
	qsort(c_ours, rounds, sizeof(double), by_value);
	qsort(c_sys, rounds, sizeof(double), by_value);
	printf("%s %s (%d rounds of %ld calls):\n", argv[3], argv[4], rounds, calls);
	report("best round", t_ours, t_sys, 0);
	report("median round", t_ours, t_sys, rounds / 2);
	report("median CPU", c_ours, c_sys, rounds / 2);
	free(t_ours);
	free(t_sys);
	free(c_ours);
	free(c_sys);
	sl_close(lib);
	dlclose(handle);
	return 0;
}
