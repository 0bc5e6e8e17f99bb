/*
 * allscan: every process's memory (smaps_rollup) and, from each process's
 * smaps, totals per mapped file: how many processes map it, their summed
 * RSS and PSS. Files are keyed by device and inode in a hash table.
 */
#ifndef ALLSCAN_H
#define ALLSCAN_H

#include "procwalk.h"
#include "smaps.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct all_process {
	pid_t pid;
	char comm[64];
	struct smaps_counters mem; /* from smaps_rollup */
};

struct all_file {
	uint64_t inode; /* 0: a free slot of the table */
	unsigned dev_major, dev_minor;
	char *path;
	bool deleted;
	pid_t last_pid; /* to count each process once */
	uint64_t processes, mappings, rss, pss, swap;
};

struct all_report {
	struct all_process *procs;
	size_t count, cap;
	struct all_file *files; /* open-addressing table of files_cap slots */
	size_t nfiles, files_cap;
	size_t no_memory; /* kernel threads and zombies: no address space */
	struct smaps_counters totals;
	struct proc_errors errors;
};

/* Scans every process but this one. 0, or -errno if /proc cannot be listed
 * or memory runs out; release with allscan_free either way. */
int allscan_run(struct all_report *r);

/* The files, most PSS first: an array of nfiles pointers for the caller to
 * free, or NULL. */
const struct all_file **allscan_sorted_files(const struct all_report *r);

void allscan_free(struct all_report *r);

#endif
