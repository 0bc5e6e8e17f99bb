/*
 * procmaps: the regions of a process, one line of /proc/PID/maps (or one
 * header line of /proc/PID/smaps) at a time.
 */
#ifndef PROCMAPS_H
#define PROCMAPS_H

#include <stdbool.h>
#include <stdint.h>

struct procmaps_region {
	uint64_t start, end; /* [start, end) virtual addresses */
	uint64_t offset;     /* file offset of start */
	uint64_t inode;
	unsigned dev_major, dev_minor;
	char perms[5];    /* "r-xp" */
	bool deleted;     /* the path ended in " (deleted)", now cut off */
	const char *path; /* "" for anonymous memory; points into the line */
};

/* Parses one maps line in place (the path is cut of " (deleted)" and points
 * into line). 0, or -EINVAL if the line is not a region. */
int procmaps_parse(char *line, struct procmaps_region *r);

/* True if the region is backed by a file (an inode on a device). */
bool procmaps_is_file(const struct procmaps_region *r);

#endif
