/*
 * maps: the report for one process: every mapping with the kernel's smaps
 * counters, pagemap page counts and, with CAP_SYS_ADMIN, per-page map counts
 * and flags. Reads /proc files only; never touches the target's pages.
 */
#ifndef MAPS_H
#define MAPS_H

#include "kernel/kpage.h"
#include "kernel/pagemap.h"
#include "kernel/procmaps.h"
#include "kernel/smaps.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define MAPSCAN_MAPCOUNT_MAX 32 /* histogram buckets 0..31; the last is ">= 31" */
#define MAPSCAN_PSS_SHIFT    12 /* fixed point for PSS recomputed from map counts */
#define MAPSCAN_NO_MAPCOUNT  UINT64_MAX

enum { MAPSCAN_PAGES = 1 }; /* keep per-page runs (--pages) */

/* Consecutive pages in one state: state letters as in maps_page_state. */
struct maps_run {
	uint64_t first; /* page index in the mapping */
	uint64_t count;
	uint64_t mapcount; /* MAPSCAN_NO_MAPCOUNT when unknown */
	char state[6];
};

struct maps_mapping {
	struct procmaps_region region; /* path owned by the report */
	struct smaps_counters smaps;
	struct pagemap_counts pages;
	uint64_t mapcount[MAPSCAN_MAPCOUNT_MAX];
	uint64_t flags[KPAGE_FLAG_COUNT];
	uint64_t pss_from_mapcount; /* bytes << MAPSCAN_PSS_SHIFT */
	struct maps_run *runs;
	size_t nruns, runs_cap;
};

struct maps_report {
	pid_t pid;
	char comm[64];
	struct maps_mapping *mappings;
	size_t count, cap;
	struct smaps_counters totals; /* summed over the mappings */
	/* The kernel's own total from smaps_rollup: Pss not rounded to a kB per
	 * mapping. Read after the mappings. */
	uint64_t pss_rollup;
	const char *rollup_unavailable;
	struct pagemap_counts total_pages;
	uint64_t pss_from_mapcount;      /* bytes << MAPSCAN_PSS_SHIFT */
	const char *pagemap_unavailable; /* for the whole process, or NULL */
	const char *kpage_unavailable;   /* map counts and flags, or NULL */
	char pagemap_why[128];
};

/* Scans process pid. 0, or -errno (-ENOENT/-ESRCH: no such process,
 * -EACCES: its smaps cannot be read, -ENXIO: it has no address space, a
 * kernel thread or a zombie); release with maps_free either way. */
int maps_process(pid_t pid, unsigned flags, struct maps_report *r);

void maps_free(struct maps_report *r);

/* The state letters of one pagemap entry into buf (6 bytes): p present,
 * s swapped, x exclusive, f file or shared anon, d soft-dirty; "-" if none. */
const char *maps_page_state(uint64_t entry, char *buf);

/* The processes (but this one) whose comm is name, in pid order, into a
 * malloc'd array. The count (0: none), or -errno if /proc cannot be listed. */
long maps_find_comm(const char *name, pid_t **pids);

/* Orders the mappings by key, a column name of the text table (any case):
 * addresses and names ascending, sizes largest first. 0, or -EINVAL for a
 * key that is not one of MAPS_SORT_KEYS. */
#define MAPS_SORT_KEYS "ADDRESS, SIZE, RSS, PSS, USS, DIRTY, ANON, SWAP, MAPPING"
int maps_sort(struct maps_report *r, const char *key);
bool maps_sort_known(const char *key);
/* The same for a sum of smaps counters: the value that key sorts by, or -1
 * if key is not a size. */
int64_t maps_counter_key(const struct smaps_counters *c, const char *key);

/* Reads /proc/PID/comm into buf (without the newline); "" if it cannot. */
void maps_read_comm(int procdir, char *buf, size_t len);

#endif
