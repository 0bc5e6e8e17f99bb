/*
 * pagemap: what /proc/PID/pagemap says about each virtual page of a range,
 * read in fixed windows of entries so memory does not grow with the range.
 * Reading pagemap never faults the target's pages in.
 */
#ifndef PAGEMAP_H
#define PAGEMAP_H

#include <stdbool.h>
#include <stdint.h>

#define PAGEMAP_WINDOW 512 /* entries per read: one page of u64s */

/* Entry bits (Documentation/admin-guide/mm/pagemap.rst). */
#define PAGEMAP_PFN_MASK    ((1ULL << 55) - 1)
#define PAGEMAP_SOFT_DIRTY  (1ULL << 55)
#define PAGEMAP_EXCLUSIVE   (1ULL << 56)
#define PAGEMAP_FILE_SHARED (1ULL << 61)
#define PAGEMAP_SWAPPED     (1ULL << 62)
#define PAGEMAP_PRESENT     (1ULL << 63)

struct pagemap_counts {
	uint64_t present, swapped, exclusive, file_shared, soft_dirty;
};

struct pagemap {
	int fd;
	long page_size;
	uint64_t window[PAGEMAP_WINDOW];
};

/* Called for every page of a scan with its address and raw entry. */
typedef void (*pagemap_page_fn)(void *ctx, uint64_t vaddr, uint64_t entry);

/* Opens the process's pagemap relative to its /proc directory fd. 0 or -errno. */
int pagemap_open(struct pagemap *pm, int procdir);

/* Counts the pages of [start, end) into c (added to, not cleared), calling fn
 * (if not NULL) for each page. 0, -ESRCH if the process went away, or -errno. */
int pagemap_scan(struct pagemap *pm, uint64_t start, uint64_t end, struct pagemap_counts *c,
                 pagemap_page_fn fn, void *ctx);

void pagemap_close(struct pagemap *pm);

/* dst += src. */
void pagemap_add(struct pagemap_counts *dst, const struct pagemap_counts *src);

#endif
