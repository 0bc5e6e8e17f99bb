/*
 * pagemap: what /proc/PID/pagemap says about each virtual page of a range,
 * read in fixed windows of entries so memory does not grow with the range.
 * Reading pagemap never faults the target's pages in.
 *
 * Time does not grow with the range either: the PAGEMAP_SCAN ioctl (Linux
 * 6.7) names the populated (present or swapped) pages, entries are read for
 * those only, and every gap between them is one run with the entry the
 * kernel gives an empty page of that mapping. A process with terabytes
 * reserved (AddressSanitizer's shadow, a JVM heap) is scanned in
 * milliseconds. Older kernels get the plain read of every entry.
 */
#ifndef PAGEMAP_H
#define PAGEMAP_H

#include <stdbool.h>
#include <stdint.h>

#define PAGEMAP_WINDOW  512 /* entries per read: one page of u64s */
#define PAGEMAP_REGIONS 64  /* populated regions per PAGEMAP_SCAN call */

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

/* One populated region as PAGEMAP_SCAN reports it. */
struct pagemap_region {
	uint64_t start, end, categories;
};

struct pagemap {
	int fd;
	long page_size;
	bool no_scan_ioctl; /* the kernel predates PAGEMAP_SCAN */
	uint64_t window[PAGEMAP_WINDOW];
	struct pagemap_region regions[PAGEMAP_REGIONS];
};

/* Called for each run of npages pages from vaddr that share one raw entry:
 * every populated page alone, every gap between them as one run. */
typedef void (*pagemap_page_fn)(void *ctx, uint64_t vaddr, uint64_t npages, uint64_t entry);

/* Opens the process's pagemap relative to its /proc directory fd. 0 or -errno. */
int pagemap_open(struct pagemap *pm, int procdir);

/* Counts the pages of [start, end), which lies inside one mapping, into c
 * (added to, not cleared), calling fn (if not NULL) for each run of pages.
 * 0, -ESRCH if the process went away, or -errno. */
int pagemap_scan(struct pagemap *pm, uint64_t start, uint64_t end, struct pagemap_counts *c,
                 pagemap_page_fn fn, void *ctx);

void pagemap_close(struct pagemap *pm);

/* dst += src. */
void pagemap_add(struct pagemap_counts *dst, const struct pagemap_counts *src);

#endif
