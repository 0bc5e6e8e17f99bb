#include "pagegrid.h"
#include "mapscan.h"
#include "residency.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define NO_SHARING_FOR_FILES                                                                      \
	"a file's page map shows the page cache; per-page sharing is drawn by "                   \
	"mapscope maps --svg"

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

	g->sharing_unavailable = NO_SHARING_FOR_FILES;
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

void pagegrid_from_mapping(struct pagegrid *g, const struct mapscan_mapping *m,
                           const char *why_no_mapcount)
{
	g->sharing_unavailable = why_no_mapcount;
	for (size_t i = 0; i < m->nruns; i++) {
		const struct mapscan_run *r = &m->runs[i];

		if (!strchr(r->state, 'p'))
			continue;
		add_run(g, r->first, r->count, !strchr(r->state, 'f'), r->mapcount);
	}
}
