/*
 * who: every process that maps a file or holds it open, found by device
 * and inode, so a renamed or deleted file is found too (name it through
 * /proc/PID/fd/N or /proc/PID/map_files/...). A mapping outlives close(2): a
 * process can map a file while holding no fd on it.
 */
#ifndef WHO_H
#define WHO_H

#include "kernel/procwalk.h"

#include <stdint.h>
#include <sys/types.h>

struct who_process {
	pid_t pid;
	char comm[64];
	uint64_t mappings, fds;
	uint64_t rss, pss;   /* bytes, over the mappings of the file */
	const char *rss_why; /* why rss and pss are unknown, or NULL */
};

struct who_report {
	dev_t dev;
	ino_t inode;
	struct who_process *procs;
	size_t count, cap;
	size_t scanned; /* processes read, whether or not they use the file */
	struct proc_errors errors;
};

/* Finds the users of the file at path. 0, or -errno if path cannot be
 * stat'ed or /proc cannot be listed; release with who_free either way. */
int who_scan(const char *path, struct who_report *r);

void who_free(struct who_report *r);

#endif
