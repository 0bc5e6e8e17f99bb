/*
 * residency: how much of a file is in the page cache, measured by the
 * kernel's cachestat(2), or by mincore(2) over fixed-size windows of a
 * read-only mapping when cachestat is unavailable. Memory use does not
 * depend on the file's size.
 */
#ifndef RESIDENCY_H
#define RESIDENCY_H

#include <stdint.h>

struct residency {
	uint64_t size;           /* bytes */
	uint64_t pages;          /* pages covering size */
	uint64_t resident_pages; /* in the page cache */
	const char *unavailable; /* non-NULL: resident_pages was not measured, and why */
};

/* Measures the open file fd. 0, or -errno when the file could not be read. */
int residency_measure(int fd, struct residency *out);

#endif
