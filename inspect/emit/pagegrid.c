#include "emit/pagegrid.h"
#include "probe/maps.h"
#include "kernel/pagemap.h"
#include "kernel/procmaps.h"
#include "kernel/residency.h"
#include "probe/who.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

int pagegrid_init(struct pagegrid *g, uint64_t pages, size_t max_cells)
{
	memset(g, 0, sizeof(*g));
	if (max_cells == 0 || max_cells > PAGEGRID_MAX_CELLS)
		max_cells = PAGEGRID_MAX_CELLS;
	g->pages = pages;
	g->pages_per_cell = pages ? (pages + max_cells - 1) / max_cells : 1;
	g->ncells = (size_t)((pages + g->pages_per_cell - 1) / g->pages_per_cell);
	g->cells = calloc(g->ncells ? g->ncells : 1, sizeof(*g->cells));
	if (!g->cells)
		return -ENOMEM;
	for (size_t i = 0; i < g->ncells; i++) {
		uint64_t first = i * g->pages_per_cell;
		uint64_t n = pages - first < g->pages_per_cell ? pages - first : g->pages_per_cell;
		g->cells[i].pages = (uint32_t)n;
	}
	return 0;
}

void pagegrid_free(struct pagegrid *g)
{
	free(g->cells);
	g->cells = NULL;
	g->ncells = 0;
}

/* cachestat over each cell: resident and dirty, nothing mapped. */
static int measure_by_cachestat(struct pagegrid *g, int fd)
{
	for (size_t i = 0; i < g->ncells; i++) {
		struct residency r;
		int err = residency_count_range(fd, i * g->pages_per_cell, g->cells[i].pages, &r);

		if (err)
			return err;
		g->cells[i].resident = (uint32_t)r.resident_pages;
		g->cells[i].dirty = (uint32_t)r.dirty_pages;
	}
	return 0;
}

static void add_window(uint64_t first, const unsigned char *vec, uint64_t n, void *ctx)
{
	struct pagegrid *g = ctx;

	for (uint64_t i = 0; i < n; i++)
		g->cells[(first + i) / g->pages_per_cell].resident += vec[i] & 1;
}

int pagegrid_measure_file(struct pagegrid *g, int fd)
{
	struct residency_walk w = {.on_pages = add_window, .ctx = g};
	struct residency r;
	int err;

	g->unavailable = residency_untrusted(fd);
	if (g->unavailable)
		return 0;
	err = measure_by_cachestat(g, fd);
	if (err != -ENOSYS)
		return err;
	g->dirty_unavailable = "dirty pages need cachestat(2) (Linux 6.5+)";
	for (size_t i = 0; i < g->ncells; i++)
		g->cells[i].resident = 0;
	err = residency_stat(fd, NULL, &r);
	if (err)
		return err;
	r.pages = g->pages;
	return residency_walk(fd, &r, &w);
}

/* Adds count pages of one state from page first on, cell by cell. */
static void add_run(struct pagegrid *g, uint64_t first, uint64_t count, bool dirty,
                    uint64_t mapcount)
{
	while (count && first < g->pages) {
		struct pagegrid_cell *c = &g->cells[first / g->pages_per_cell];
		uint64_t room = g->pages_per_cell - first % g->pages_per_cell;
		uint64_t n = count < room ? count : room;

		c->resident += (uint32_t)n;
		c->dirty += dirty ? (uint32_t)n : 0;
		if (mapcount != MAPSCAN_NO_MAPCOUNT && mapcount > c->sharers)
			c->sharers = mapcount > UINT32_MAX ? UINT32_MAX : (uint32_t)mapcount;
		first += n;
		count -= n;
	}
}

void pagegrid_from_mapping(struct pagegrid *g, const struct maps_mapping *m,
                           const char *why_no_mapcount)
{
	g->sharing_unavailable = why_no_mapcount;
	for (size_t i = 0; i < m->nruns; i++) {
		const struct maps_run *r = &m->runs[i];

		if (!strchr(r->state, 'p'))
			continue;
		add_run(g, r->first, r->count, !strchr(r->state, 'f'), r->mapcount);
	}
}

/* One mapping of the file in one process, as its pages are read. */
struct mapper_walk {
	struct pagegrid *g;
	unsigned char *seen; /* per cell: this process has a page of it present */
	uint64_t start;      /* the mapping's first address */
	uint64_t first_page; /* the file page mapped at start */
	uint64_t page_size;
};

static void mark_present(void *ctx, uint64_t vaddr, uint64_t npages, uint64_t entry)
{
	struct mapper_walk *w = ctx;
	uint64_t page = w->first_page + (vaddr - w->start) / w->page_size;

	if (!(entry & PAGEMAP_PRESENT))
		return;
	for (uint64_t i = 0; i < npages && page + i < w->g->pages; i++)
		w->seen[(page + i) / w->g->pages_per_cell] = 1;
}

/* Marks in seen the cells of which process pid has a page of the file
 * present. 0 or -errno. */
static int mark_process(struct pagegrid *g, const struct who_report *who, pid_t pid,
                        unsigned char *seen)
{
	struct mapper_walk w = {
	        .g = g, .seen = seen, .page_size = (uint64_t)sysconf(_SC_PAGESIZE)};
	struct pagemap_counts counts = {0};
	struct procmaps_region r;
	struct pagemap pm = {.fd = -1};
	int procdir = procwalk_open_pid(pid), fd = -1, err = 0;
	char *line = NULL;
	size_t cap = 0;
	FILE *maps = NULL;

	if (procdir < 0)
		return procdir;
	fd = openat(procdir, "maps", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || !(maps = fdopen(fd, "r")))
		err = -errno;
	else
		err = pagemap_open(&pm, procdir);
	while (!err && getline(&line, &cap, maps) > 0) {
		if (procmaps_parse(line, &r) != 0 || r.inode != who->inode ||
		    makedev(r.dev_major, r.dev_minor) != who->dev)
			continue;
		w.start = r.start;
		w.first_page = r.offset / w.page_size;
		err = pagemap_scan(&pm, r.start, r.end, &counts, mark_present, &w);
	}
	free(line);
	if (maps)
		fclose(maps);
	else if (fd >= 0)
		close(fd);
	pagemap_close(&pm);
	close(procdir);
	return err;
}

void pagegrid_count_mappers(struct pagegrid *g, const char *path)
{
	unsigned char *seen = calloc(g->ncells ? g->ncells : 1, 1);
	struct who_report who;
	size_t failed = 0, mappers = 0;
	int err = seen ? who_scan(path, &who) : -ENOMEM;

	for (size_t p = 0; !err && p < who.count; p++) {
		if (!who.procs[p].mappings)
			continue;
		mappers++;
		memset(seen, 0, g->ncells);
		if (mark_process(g, &who, who.procs[p].pid, seen) != 0) {
			failed++;
			continue;
		}
		for (size_t i = 0; i < g->ncells; i++)
			g->cells[i].sharers += seen[i];
	}
	if (err)
		snprintf(g->sharing_why, sizeof(g->sharing_why), "finding its users: %s",
		         strerror(-err));
	else if (failed)
		snprintf(
		        g->sharing_why, sizeof(g->sharing_why),
		        "the page tables of %zu of the %zu processes mapping it could not be read",
		        failed, mappers);
	g->sharing_unavailable = err || failed ? g->sharing_why : NULL;
	if (seen)
		who_free(&who);
	free(seen);
}
