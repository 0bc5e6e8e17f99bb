/*
 * pagemap: what /proc/PID/pagemap says about each virtual page of a range,
 * read in fixed windows of entries so memory does not grow with the range.
 * The PAGEMAP_SCAN ioctl (Linux 6.7) first finds the populated parts, so a
 * terabyte reservation (an ASan shadow) costs a page-table walk, not a
 * terabyte of entries. Reading pagemap never faults the target's pages in.
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

#define PAGEMAP_REGIONS 32 /* populated regions asked for per PAGEMAP_SCAN */

/* A populated region, as PAGEMAP_SCAN returns it. */
struct pagemap_region {
	uint64_t start, end, categories;
};

struct pagemap {
	int fd;
	long page_size;
	bool no_scan_ioctl; /* an older kernel: read every entry */
	uint64_t window[PAGEMAP_WINDOW];
	struct pagemap_region regions[PAGEMAP_REGIONS];
};

/* Called for the pages of a scan in order: npages pages from vaddr, all
 * with the same raw entry (more than one only for pages neither present nor
 * swapped, whose entry is 0). */
typedef void (*pagemap_page_fn)(void *ctx, uint64_t vaddr, uint64_t entry, uint64_t npages);

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
