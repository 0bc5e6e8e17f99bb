/*
 * pagegrid: a page map in a bounded number of cells, for pictures. A cell
 * stands for one page or, when there are more pages than cells, a run of
 * pages, and holds how many of them are resident, dirty, and the most
 * processes that map any one of them. Memory is one small struct per cell,
 * whatever the size of the file or process. Probes only.
 */
#ifndef PAGEGRID_H
#define PAGEGRID_H

#include <stddef.h>
#include <stdint.h>

/* The most cells one picture holds; a 4 GiB file gets 256 pages a cell. */
#define PAGEGRID_MAX_CELLS 8192

struct pagegrid_cell {
	uint32_t pages;    /* pages in the cell */
	uint32_t resident; /* of which resident (in the page cache, or present) */
	uint32_t dirty;    /* of which dirty */
	/* How many processes map its pages: for a process's picture the most
	 * map count of any one page; for a file's, the processes that have any
	 * page of the cell mapped. 0 when none does, or unknown. */
	uint32_t sharers;
};

struct pagegrid {
	uint64_t pages;          /* pages drawn */
	uint64_t pages_per_cell; /* the last cell may hold fewer */
	size_t ncells;
	struct pagegrid_cell *cells;
	const char *unavailable;         /* non-NULL: nothing measured, and why */
	const char *dirty_unavailable;   /* non-NULL: dirty not measured, and why */
	const char *sharing_unavailable; /* non-NULL: sharers not measured, and why */
	char sharing_why[96];            /* room for that reason */
};

/* Lays out cells for pages pages in at most max_cells cells. 0 or -ENOMEM. */
int pagegrid_init(struct pagegrid *g, uint64_t pages, size_t max_cells);

/* Fills g (initialised for the file's pages) with the residency of the
 * open file fd: cachestat(2) per cell where the kernel has it, mincore(2)
 * over windows otherwise. 0, or -errno if the file could not be read; a
 * kernel that would lie leaves g->unavailable set instead. */
int pagegrid_measure_file(struct pagegrid *g, int fd);

/* Counts, per cell, the processes that have a page of it mapped and
 * present: the file's users (probe/who) and their page tables (pagemap), one
 * process at a time. A process that cannot be read is counted in
 * g->sharing_unavailable; the scan goes on. */
void pagegrid_count_mappers(struct pagegrid *g, const char *path);

struct maps_mapping;

/* Fills g (initialised for the mapping's pages) from a process scan kept
 * with MAPSCAN_PAGES: present pages are resident, present pages that are
 * not file-backed (anonymous, or private copies made on write) are dirty,
 * and a page's map count is how many processes map it. why_no_mapcount says
 * why map counts are missing, when they are. */
void pagegrid_from_mapping(struct pagegrid *g, const struct maps_mapping *m,
                           const char *why_no_mapcount);

void pagegrid_free(struct pagegrid *g);

#endif
