/*
 * maps_all: every process's memory (smaps_rollup) and, from each process's
 * smaps, totals per mapped file: how many processes map it, their summed
 * RSS and PSS. Files are keyed by device and inode in a hash table.
 */
#ifndef MAPS_ALL_H
#define MAPS_ALL_H

#include "kernel/procwalk.h"
#include "kernel/smaps.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct maps_all_process {
	pid_t pid;
	char comm[64];
	struct smaps_counters mem; /* from smaps_rollup */
};

struct maps_all_file {
	uint64_t inode; /* 0: a free slot of the table */
	unsigned dev_major, dev_minor;
	char *path;
	bool deleted;
	pid_t last_pid; /* to count each process once */
	uint64_t processes, mappings, rss, pss, swap;
};

struct maps_all_report {
	struct maps_all_process *procs;
	size_t count, cap;
	struct maps_all_file *files; /* open-addressing table of files_cap slots */
	size_t nfiles, files_cap;
	size_t no_memory;      /* kernel threads and zombies: no address space */
	size_t kernel_threads; /* of those, kernel threads (PF_KTHREAD), for any user */
	struct smaps_counters totals;
	struct proc_errors errors;
};

/* Scans every process but this one. 0, or -errno if /proc cannot be listed
 * or memory runs out; release with maps_all_free either way. */
int maps_all_run(struct maps_all_report *r);

/* The files, most PSS first: an array of nfiles pointers for the caller to
 * free, or NULL. */
const struct maps_all_file **maps_all_sorted_files(const struct maps_all_report *r);

void maps_all_free(struct maps_all_report *r);

#endif
