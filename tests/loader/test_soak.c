/*
 * soak: 10,000 sl_open / sl_sym / sl_close cycles of a real system library
 * and of sample libraries leave no mapping, no fd and no resident memory
 * behind. The figures are printed so a slow leak shows before it fails.
 */
#include "soload.h"
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <unistd.h>

#define CYCLES  10000
#define WARM_UP 200
/* Resident memory may move by allocator rounding, never by a leak per cycle:
 * 10,000 leaked bytes per cycle would already be 100 MB. */
#define RSS_SLACK_KB 1024

/* Under ASan freed memory sits in a quarantine (RSS grows by design) and the
 * allocator maps and merges its own regions: mappings may move by a few and
 * RSS says nothing; the plain build holds the real line. */
#if defined(__SANITIZE_ADDRESS__)
#define MAPS_SLACK 4
#define CHECK_RSS  0
#else
#define MAPS_SLACK 0
#define CHECK_RSS  1
#endif

struct usage {
	int maps, fds;
	long rss_kb;
};

struct soak_lib {
	const char *path;
	const char *symbol;
	int call_returns; /* non-zero: call symbol as int (void) each cycle, expect this */
};

static const struct soak_lib soak_libs[] = {
        {"/lib/x86_64-linux-gnu/libz.so.1", "zlibVersion", 0},
        {TESTLIB("libmalbase.so"), "malbase_len", 0},
        /* Each cycle's call makes this thread's TLS block; each close frees it,
         * so every call starts again from the template's 42. */
        {TESTLIB("libtls.so"), "tls_bump", 43},
};

static long rss_kb(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long size = 0, resident = 0;

	if (f) {
		if (fscanf(f, "%ld %ld", &size, &resident) != 2)
			resident = 0;
		fclose(f);
	}
	return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static void measure(struct usage *u)
{
	u->maps = tu_count_maps();
	u->fds = tu_count_fds();
	u->rss_kb = rss_kb();
}

static void cycle(const struct soak_lib *l, int n)
{
	for (int i = 0; i < n; i++) {
		sl_lib *lib = sl_open(l->path, 0);
		void *sym;
		cr_assert_not_null(lib, "cycle %d: %s", i, sl_error());
		sym = sl_sym(lib, l->symbol);
		cr_assert_not_null(sym, "cycle %d: %s missing", i, l->symbol);
		if (l->call_returns)
			cr_assert_eq(((int (*)(void))sym)(), l->call_returns, "cycle %d", i);
		cr_assert_eq(sl_close(lib), 0, "cycle %d: %s", i, sl_error());
	}
}

static void soak(const struct soak_lib *l)
{
	struct usage before, after;

	cycle(l, WARM_UP);
	measure(&before);
	cycle(l, CYCLES);
	measure(&after);
	fprintf(stderr, "soak: %s: %d cycles: maps %d -> %d, fds %d -> %d, rss %ld -> %ld KiB\n",
	        l->path, CYCLES, before.maps, after.maps, before.fds, after.fds, before.rss_kb,
	        after.rss_kb);
	cr_expect_leq(after.maps, before.maps + MAPS_SLACK, "%s: mappings grew", l->path);
	cr_expect_eq(after.fds, before.fds, "%s: fds grew", l->path);
	if (CHECK_RSS)
		cr_expect_leq(after.rss_kb, before.rss_kb + RSS_SLACK_KB, "%s: RSS grew", l->path);
}

Test(soak, system_library_cycles_leave_nothing_behind, .timeout = 120)
{
	soak(&soak_libs[0]);
}

Test(soak, sample_library_cycles_leave_nothing_behind, .timeout = 120)
{
	soak(&soak_libs[1]);
}

Test(soak, tls_library_cycles_leave_nothing_behind, .timeout = 120)
{
	soak(&soak_libs[2]);
}
