/* pagegrid: cells bounded whatever the size, and a file's cells count the
 * pages known to be resident. */
#include "probe/maps.h"
#include "emit/pagegrid.h"
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static uint64_t sum_pages(const struct pagegrid *g)
{
	uint64_t n = 0;

	for (size_t i = 0; i < g->ncells; i++)
		n += g->cells[i].pages;
	return n;
}

Test(pagegrid, cells_are_bounded_and_cover_every_page)
{
	const uint64_t sizes[] = {0, 1, 7, 8192, 8193, 1 << 20 /* 4 GiB */, 1ULL << 28};

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct pagegrid g;

		cr_assert_eq(pagegrid_init(&g, sizes[i], 0), 0);
		cr_assert_leq(g.ncells, PAGEGRID_MAX_CELLS);
		cr_assert_eq(sum_pages(&g), sizes[i], "%llu pages", (unsigned long long)sizes[i]);
		pagegrid_free(&g);
	}
}

Test(pagegrid, small_grids_have_a_page_a_cell)
{
	struct pagegrid g;

	cr_assert_eq(pagegrid_init(&g, 100, 512), 0);
	cr_assert_eq(g.ncells, 100);
	cr_assert_eq(g.pages_per_cell, 1);
	pagegrid_free(&g);
	cr_assert_eq(pagegrid_init(&g, 1000, 100), 0);
	cr_assert_eq(g.pages_per_cell, 10);
	cr_assert_eq(g.ncells, 100);
	pagegrid_free(&g);
}

Test(pagegrid, file_cells_show_the_pages_read)
{
	char path[] = "/tmp/mapscope-grid-XXXXXX", page[4096];
	int fd = mkstemp(path);
	struct pagegrid g;
	uint64_t first_half = 0, second_half = 0;

	cr_assert_geq(fd, 0);
	memset(page, 'g', sizeof(page));
	for (int i = 0; i < 16; i++)
		cr_assert_eq(write(fd, page, sizeof(page)), (ssize_t)sizeof(page));
	fdatasync(fd);
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	/* No readahead: exactly the first 8 pages come back. */
	posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM);
	for (int i = 0; i < 8; i++)
		cr_assert_eq(pread(fd, page, sizeof(page), i * 4096L), (ssize_t)sizeof(page));
	cr_assert_eq(pagegrid_init(&g, 16, 4), 0);
	cr_assert_eq(pagegrid_measure_file(&g, fd), 0);
	cr_assert_null(g.unavailable, "%s", g.unavailable);
	first_half = g.cells[0].resident + g.cells[1].resident;
	second_half = g.cells[2].resident + g.cells[3].resident;
	cr_assert_eq(first_half, 8);
	cr_assert_eq(second_half, 0);
	pagegrid_free(&g);
	close(fd);
	unlink(path);
}

Test(pagegrid, dirty_pages_are_counted_where_cachestat_is)
{
	char path[] = "/tmp/mapscope-grid-XXXXXX", page[4096] = {1};
	int fd = mkstemp(path);
	struct pagegrid g;

	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, page, sizeof(page)), (ssize_t)sizeof(page));
	cr_assert_eq(pagegrid_init(&g, 1, 1), 0);
	cr_assert_eq(pagegrid_measure_file(&g, fd), 0);
	if (g.dirty_unavailable)
		cr_assert_eq(g.cells[0].dirty, 0);
	else
		cr_assert_eq(g.cells[0].dirty, 1);
	pagegrid_free(&g);
	close(fd);
	unlink(path);
}

Test(pagegrid, mapping_runs_become_resident_dirty_and_shared_cells)
{
	struct maps_run runs[] = {
	        {.first = 0, .count = 4, .mapcount = 3, .state = "pxf"},
	        {.first = 4, .count = 2, .mapcount = MAPSCAN_NO_MAPCOUNT, .state = "-"},
	        {.first = 6, .count = 2, .mapcount = 1, .state = "px"},
	};
	struct maps_mapping m = {.runs = runs, .nruns = 3};
	struct pagegrid g;

	cr_assert_eq(pagegrid_init(&g, 8, 4), 0);
	pagegrid_from_mapping(&g, &m, NULL);
	cr_assert_eq(g.cells[0].resident, 2);
	cr_assert_eq(g.cells[0].dirty, 0);
	cr_assert_eq(g.cells[0].sharers, 3);
	cr_assert_eq(g.cells[2].resident, 0);
	cr_assert_eq(g.cells[3].resident, 2);
	cr_assert_eq(g.cells[3].dirty, 2, "an anonymous page counts as dirty");
	cr_assert_null(g.sharing_unavailable);
	pagegrid_free(&g);
}

/* 64 pages, so that a fault on page 0 (which maps up to 16 cached pages
 * around it) leaves the second half unmapped. */
#define MAPPED_PAGES 64

Test(pagegrid, file_cells_count_the_processes_that_map_them)
{
	char path[] = "/tmp/mapscope-grid-XXXXXX", page[4096] = {1};
	int fd = mkstemp(path), ready[2], done[2], fds;
	size_t len = MAPPED_PAGES * sizeof(page);
	volatile const char *map;
	struct pagegrid g;
	pid_t child;

	cr_assert_geq(fd, 0);
	for (int i = 0; i < MAPPED_PAGES; i++)
		cr_assert_eq(write(fd, page, sizeof(page)), (ssize_t)sizeof(page));
	map = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	cr_assert_neq((void *)map, MAP_FAILED);
	(void)map[len - 1]; /* this process: the last page */
	cr_assert_eq(pipe(ready), 0);
	cr_assert_eq(pipe(done), 0);
	child = fork();
	if (child == 0) { /* a second process with page 0 mapped, until told */
		char c = map[0];
		close(done[1]); /* so that the parent's exit ends the read */
		if (write(ready[1], &c, 1) == 1)
			(void)read(done[0], &c, 1);
		_exit(0);
	}
	close(done[0]);
	close(ready[1]);
	cr_assert_eq(read(ready[0], page, 1), 1);
	cr_assert_eq(pagegrid_init(&g, MAPPED_PAGES, 4), 0);
	fds = tu_count_fds();
	pagegrid_count_mappers(&g, path);
	cr_assert_eq(tu_count_fds(), fds, "descriptors left open");
	cr_assert_null(g.sharing_unavailable, "%s", g.sharing_unavailable);
	cr_assert_eq(g.cells[0].sharers, 1, "the child maps page 0");
	/* This process maps the last page, but the inspector never counts itself. */
	cr_assert_eq(g.cells[3].sharers, 0);
	cr_assert_eq(write(done[1], "x", 1), 1);
	waitpid(child, NULL, 0);
	pagegrid_free(&g);
	munmap((void *)map, len);
	close(fd);
	unlink(path);
}
