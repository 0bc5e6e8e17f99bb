/*
 * loadbench: libsoload against the system's dynamic linker, alternating
 * round by round in one process so both see the same (noisy) machine.
 *
 *   loadbench open ROUNDS ITERS LIB SYMBOL  full open + sym + close
 *   loadbench sym ROUNDS LIB COUNT          lookups of sym_00000 .. COUNT-1
 *
 * Prints the median time per operation of each side and the ratio
 * soload / glibc (below 1 means soload is faster), and where each side's
 * instructions ran: in user space (the loader's own work) or in the kernel
 * (mmap, munmap, page faults), which both loaders pay alike.
 */
#include "clock.h"
#include "median.h"
#include "soload.h"

#include <dlfcn.h>
#include <errno.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MAX_ROUNDS 5000

enum side { SOLOAD, GLIBC_NOW, GLIBC_LAZY, NSIDES };

static const char *const side_names[NSIDES] = {"soload", "dlopen(RTLD_NOW)", "dlopen(RTLD_LAZY)"};

static void fail(const char *what, const char *lib, const char *why)
{
	fprintf(stderr, "loadbench: %s: %s: %s\n", lib, what, why ? why : "failed");
	exit(1);
}

static void open_soload(const char *lib, const char *symbol)
{
	sl_lib *h = sl_open(lib, 0);

	if (!h)
		fail("sl_open", lib, sl_error());
	if (!sl_sym(h, symbol))
		fail("sl_sym", lib, symbol);
	if (sl_close(h))
		fail("sl_close", lib, sl_error());
}

static void open_glibc(const char *lib, const char *symbol, int mode)
{
	void *h = dlopen(lib, mode);

	if (!h)
		fail("dlopen", lib, dlerror());
	if (!dlsym(h, symbol))
		fail("dlsym", lib, symbol);
	if (dlclose(h))
		fail("dlclose", lib, dlerror());
}

static double time_iters(enum side s, const char *lib, const char *symbol, int iters)
{
	double t0 = bench_ns(CLOCK_MONOTONIC);
	int i;

	for (i = 0; i < iters; i++) {
		if (s == SOLOAD)
			open_soload(lib, symbol);
		else
			open_glibc(lib, symbol, s == GLIBC_NOW ? RTLD_NOW : RTLD_LAZY);
	}
	return (bench_ns(CLOCK_MONOTONIC) - t0) / iters;
}

/*
 * Where each side's work ran, counted by this thread's own perf counters:
 * instructions and cycles, in user space (the loader's own work) and in
 * the kernel (system calls and page faults) apart.
 */
enum counter { INSN_USER, INSN_KERNEL, CYCLES_USER, CYCLES_KERNEL, NCOUNTERS };

static const char *const counter_names[NCOUNTERS] = {"user", "kernel", "user", "kernel"};
static int counter_fd[NCOUNTERS] = {-1, -1, -1, -1};
static int counter_errno[NCOUNTERS]; /* 0: the counter is open */
static double counted[NSIDES][NCOUNTERS], counted_ops[NSIDES];

static int open_counter(enum counter c)
{
	int kernel = c == INSN_KERNEL || c == CYCLES_KERNEL;
	struct perf_event_attr attr = {
	        .size = sizeof(attr),
	        .type = PERF_TYPE_HARDWARE,
	        .config = c <= INSN_KERNEL ? PERF_COUNT_HW_INSTRUCTIONS : PERF_COUNT_HW_CPU_CYCLES,
	        .exclude_user = kernel,
	        .exclude_kernel = !kernel,
	        .exclude_hv = 1,
	};

	return (int)syscall(SYS_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
}

/* A user may count its own user-space work even where the kernel's is
 * refused (kernel.perf_event_paranoid 2): each counter on its own. */
static void open_counters(void)
{
	for (int c = 0; c < NCOUNTERS; c++)
		if ((counter_fd[c] = open_counter((enum counter)c)) < 0)
			counter_errno[c] = errno;
}

static void read_counters(unsigned long long *now)
{
	for (int c = 0; c < NCOUNTERS; c++)
		if (counter_fd[c] < 0 ||
		    read(counter_fd[c], &now[c], sizeof(now[c])) != sizeof(now[c]))
			now[c] = 0;
}

static double time_open(enum side s, const char *lib, const char *symbol, int iters)
{
	unsigned long long before[NCOUNTERS], after[NCOUNTERS];
	double t;

	read_counters(before);
	t = time_iters(s, lib, symbol, iters);
	read_counters(after);
	for (int c = 0; c < NCOUNTERS; c++)
		counted[s][c] += (double)(after[c] - before[c]);
	counted_ops[s] += iters;
	return t;
}

/* ENOENT or EOPNOTSUPP: the CPU, or the virtual machine, has no such
 * counter, which no setting changes. */
static const char *why_unavailable(int err)
{
	if (err == ENOENT || err == EOPNOTSUPP)
		return "no hardware counters on this CPU or virtual machine";
	return strerror(err);
}

static void print_count(enum side s, enum counter c)
{
	if (counter_errno[c])
		printf(" %s unavailable (perf_event_open: %s)", counter_names[c],
		       why_unavailable(counter_errno[c]));
	else
		printf(" %s %.0f", counter_names[c], counted[s][c] / counted_ops[s]);
}

/* One line when no counter could be opened, as on a virtual machine
 * without a virtual PMU; else one line for each pair of counters. */
static int all_unavailable(void)
{
	for (int c = 0; c < NCOUNTERS; c++)
		if (!counter_errno[c])
			return 0;
	return 1;
}

static void print_counters(const char *what, enum counter user, enum counter kernel)
{
	printf("  %s per op:", what);
	for (int s = 0; s < NSIDES; s++) {
		printf("  %s", side_names[s]);
		print_count((enum side)s, user);
		print_count((enum side)s, kernel);
		printf("%s", s + 1 < NSIDES ? ";" : "\n");
	}
}

/* The kernel's share alone bounds the ratio: with no work of its own in
 * user space, soload could not go below it. */
static void print_kernel_bound(void)
{
	double glibc = counted[GLIBC_NOW][CYCLES_USER] + counted[GLIBC_NOW][CYCLES_KERNEL];

	if (counter_errno[CYCLES_USER] || counter_errno[CYCLES_KERNEL] || glibc <= 0)
		return;
	printf("  soload's kernel cycles alone: %.2fx dlopen(RTLD_NOW)'s user + kernel cycles\n",
	       counted[SOLOAD][CYCLES_KERNEL] / counted_ops[SOLOAD] /
	               (glibc / counted_ops[GLIBC_NOW]));
}

static double minimum(const double *v, int n)
{
	double m = v[0];

	for (int i = 1; i < n; i++)
		m = v[i] < m ? v[i] : m;
	return m;
}

static void print_result(const char *what, const double *med, const char *unit, double scale)
{
	printf("%-18s soload %7.2f %s", what, med[SOLOAD] / scale, unit);
	for (int s = GLIBC_NOW; s < NSIDES; s++)
		printf("  %s %7.2f %s (%.2fx)", side_names[s], med[s] / scale, unit,
		       med[SOLOAD] / med[s]);
	printf("\n");
}

/* Each round runs every side once; the order rotates so no side always
 * runs first, after the others have warmed the caches. */
static int bench_open(int rounds, int iters, const char *lib, const char *symbol)
{
	static double t[NSIDES][MAX_ROUNDS];
	double med[NSIDES], best[NSIDES];
	int r, k;

	printf("%s (%d rounds of %d):\n", strrchr(lib, '/') ? strrchr(lib, '/') + 1 : lib, rounds,
	       iters);
	for (k = 0; k < NSIDES; k++)
		time_iters((enum side)k, lib, symbol, 1);
	open_counters();
	for (r = 0; r < rounds; r++)
		for (k = 0; k < NSIDES; k++) {
			enum side s = (enum side)((r + k) % NSIDES);
			t[s][r] = time_open(s, lib, symbol, iters);
		}
	for (k = 0; k < NSIDES; k++)
		best[k] = minimum(t[k], rounds);
	print_result("  best round", best, "us", 1e3);
	for (k = 0; k < NSIDES; k++)
		med[k] = median(t[k], rounds);
	print_result("  median round", med, "us", 1e3);
	if (all_unavailable()) {
		printf("  instructions and cycles per op: unavailable (perf_event_open: %s)\n",
		       why_unavailable(counter_errno[0]));
		return 0;
	}
	print_counters("instructions", INSN_USER, INSN_KERNEL);
	print_counters("cycles", CYCLES_USER, CYCLES_KERNEL);
	print_kernel_bound();
	return 0;
}

static char **make_names(int count)
{
	char **names = calloc((size_t)count, sizeof(*names));
	int i;

	for (i = 0; names && i < count; i++) {
		names[i] = malloc(16);
		if (!names[i])
			exit(1);
		/* Stride through the table so lookups do not walk it in order. */
		snprintf(names[i], 16, "sym_%05d", (int)((i * 7919L) % count));
	}
	return names;
}

/* Lookups must find the right function: sym_N returns N. */
static void check_lookups(sl_lib *ours, void *theirs, const char *lib)
{
	int (*a)(void) = (int (*)(void))sl_sym(ours, "sym_01234");
	int (*b)(void) = (int (*)(void))dlsym(theirs, "sym_01234");

	if (!a || !b || a() != 1234 || b() != 1234)
		fail("lookup check", lib, "sym_01234 did not return 1234");
}

static double time_lookups(sl_lib *ours, void *theirs, char **names, int count)
{
	double t0 = bench_ns(CLOCK_MONOTONIC);
	int i;

	for (i = 0; i < count; i++)
		if (!(ours ? sl_sym(ours, names[i]) : dlsym(theirs, names[i])))
			fail("lookup", names[i], "not found");
	return (bench_ns(CLOCK_MONOTONIC) - t0) / count;
}

static int bench_sym(int rounds, const char *lib, int count)
{
	static double t[NSIDES][MAX_ROUNDS];
	double med[NSIDES] = {0};
	char **names = make_names(count);
	sl_lib *ours = sl_open(lib, 0);
	void *theirs = dlopen(lib, RTLD_NOW);
	int r;

	if (!ours)
		fail("sl_open", lib, sl_error());
	if (!theirs)
		fail("dlopen", lib, dlerror());
	check_lookups(ours, theirs, lib);
	for (r = 0; r < rounds; r++) {
		int first = r % 2;
		t[first ? GLIBC_NOW : SOLOAD][r] =
		        time_lookups(first ? NULL : ours, theirs, names, count);
		t[first ? SOLOAD : GLIBC_NOW][r] =
		        time_lookups(first ? ours : NULL, theirs, names, count);
	}
	med[SOLOAD] = median(t[SOLOAD], rounds);
	med[GLIBC_NOW] = median(t[GLIBC_NOW], rounds);
	printf("%-22s soload %8.1f ns  dlsym %8.1f ns  ratio %.2fx  (%d symbols)\n",
	       "sl_sym vs dlsym", med[SOLOAD], med[GLIBC_NOW], med[SOLOAD] / med[GLIBC_NOW],
	       count);
	sl_close(ours);
	dlclose(theirs);
	for (r = 0; r < count; r++)
		free(names[r]);
	free(names);
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: loadbench open ROUNDS ITERS LIB SYMBOL\n"
	                "       loadbench sym ROUNDS LIB COUNT\n");
	return 2;
}

int main(int argc, char **argv)
{
	int rounds = argc > 2 ? atoi(argv[2]) : 0;

	if (rounds < 1 || rounds > MAX_ROUNDS)
		return usage();
	if (argc == 6 && !strcmp(argv[1], "open") && atoi(argv[3]) > 0)
		return bench_open(rounds, atoi(argv[3]), argv[4], argv[5]);
	if (argc == 5 && !strcmp(argv[1], "sym") && atoi(argv[4]) > 0)
		return bench_sym(rounds, argv[3], atoi(argv[4]));
	return usage();
}
