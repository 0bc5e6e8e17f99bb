/* residency: counts, ranges and page maps of files with known residency. */
#include "kernel/residency.h"
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define WINDOW_PAGES (RESIDENCY_WINDOW_BYTES / 4096)

static char dir[] = "/tmp/mapscope-residency-XXXXXX";
static char path[sizeof(dir) + 16];

static void make_dir(void)
{
	cr_assert_not_null(tu_make_tmpdir(dir));
	snprintf(path, sizeof(path), "%s/f", dir);
}

static void remove_dir(void)
{
	tu_remove_tree(dir);
}

TestSuite(residency, .init = make_dir, .fini = remove_dir);

/* Ranges and map collected by the walk's callbacks. */
struct seen {
	uint64_t ranges[16][2];
	int nranges;
	char map[WINDOW_PAGES + 64];
	const char *expect; /* check_pages: the map the walk must give */
	uint64_t cells;
	int truncate_fd; /* >= 0: truncate this file in the first callback */
};

static void on_range(uint64_t first, uint64_t last, void *ctx)
{
	struct seen *s = ctx;

	if (s->nranges < 16) {
		s->ranges[s->nranges][0] = first;
		s->ranges[s->nranges][1] = last;
	}
	s->nranges++;
}

static void on_pages(uint64_t first, const unsigned char *vec, uint64_t n, void *ctx)
{
	struct seen *s = ctx;

	cr_assert_eq(first, s->cells, "windows arrive in order");
	for (uint64_t i = 0; i < n; i++, s->cells++)
		if (s->cells < sizeof(s->map) - 1)
			s->map[s->cells] = vec[i] & 1 ? '#' : '.';
	if (s->truncate_fd >= 0) {
		cr_assert_eq(ftruncate(s->truncate_fd, 4096), 0);
		s->truncate_fd = -1;
	}
}

static int walk_file(const char *p, struct seen *s, uint64_t *resident)
{
	int fd = open(p, O_RDONLY);
	struct residency r;
	struct residency_walk w = {on_range, on_pages, s, 0};
	int err;

	cr_assert_geq(fd, 0);
	cr_assert_eq(residency_stat(fd, NULL, &r), 0);
	err = residency_walk(fd, &r, &w);
	*resident = w.resident_pages;
	cr_assert_eq(r.resident_pages, w.resident_pages);
	close(fd);
	return err;
}

static void measure_path(const char *p, struct residency *r)
{
	int fd = open(p, O_RDONLY);

	cr_assert_geq(fd, 0);
	cr_assert_eq(residency_measure(fd, r), 0);
	close(fd);
}

Test(residency, counts_the_pages_that_were_read)
{
	struct residency r;

	cr_assert_eq(tu_file_with_residency(path, "####......#....."), 0);
	measure_path(path, &r);
	cr_assert_eq(r.size, 16 * 4096);
	cr_assert_eq(r.pages, 16);
	cr_assert_eq(r.resident_pages, 5);
	cr_assert_eq(r.dirty_pages, 0);
	cr_assert_str_eq(r.method, "cachestat");
	cr_assert_null(r.unavailable);
	cr_assert_null(r.detail_unavailable);
}

Test(residency, walk_gives_exact_ranges_and_map)
{
	const char *map = "####......#.....##";
	struct seen s = {.truncate_fd = -1};
	uint64_t resident;

	cr_assert_eq(tu_file_with_residency(path, map), 0);
	cr_assert_eq(walk_file(path, &s, &resident), 0);
	cr_assert_eq(resident, 7);
	cr_assert_eq(s.nranges, 3);
	cr_assert_eq(s.ranges[0][0], 0);
	cr_assert_eq(s.ranges[0][1], 3);
	cr_assert_eq(s.ranges[1][0], 10);
	cr_assert_eq(s.ranges[1][1], 10);
	cr_assert_eq(s.ranges[2][0], 16, "a run reaching the end is closed");
	cr_assert_eq(s.ranges[2][1], 17);
	cr_assert_str_eq(s.map, map);
}

/* One run across a window boundary: the first window wholly resident (no
 * mincore), the second mixed. */
Test(residency, run_spans_windows)
{
	size_t pages = WINDOW_PAGES + 8;
	char *map = malloc(pages + 1);
	struct seen s = {.truncate_fd = -1};
	uint64_t resident, sum = 0;

	memset(map, '#', WINDOW_PAGES + 3);
	memset(map + WINDOW_PAGES + 3, '.', 5);
	map[pages] = '\0';
	cr_assert_eq(tu_file_with_residency(path, map), 0);
	cr_assert_eq(walk_file(path, &s, &resident), 0);
	cr_assert_eq(s.nranges, 1);
	cr_assert_eq(s.ranges[0][0], 0);
	cr_assert_eq(s.ranges[0][1], WINDOW_PAGES + 2);
	for (int i = 0; i < s.nranges; i++)
		sum += s.ranges[i][1] - s.ranges[i][0] + 1;
	cr_assert_eq(sum, resident, "ranges add up to the resident count");
	cr_assert_eq(memcmp(s.map, map, pages), 0);
	free(map);
}

Test(residency, sparse_file_has_no_pages_until_a_hole_is_read)
{
	struct seen s = {.truncate_fd = -1};
	struct residency r;
	uint64_t resident;
	char byte;
	int fd = open(path, O_RDWR | O_CREAT, 0644);

	cr_assert_eq(ftruncate(fd, 1ULL << 30), 0);
	measure_path(path, &r);
	cr_assert_eq(r.pages, 262144);
	cr_assert_eq(r.resident_pages, 0);
	posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM);
	cr_assert_eq(pread(fd, &byte, 1, 1000 * 4096), 1);
	close(fd);
	s.map[0] = '\0';
	cr_assert_eq(walk_file(path, &s, &resident), 0);
	cr_assert_eq(resident, 1);
	cr_assert_eq(s.nranges, 1);
	cr_assert_eq(s.ranges[0][0], 1000);
	cr_assert_eq(s.ranges[0][1], 1000);
}

Test(residency, empty_file_has_no_pages)
{
	struct seen s = {.truncate_fd = -1};
	struct residency r;
	uint64_t resident;

	cr_assert_eq(tu_file_with_residency(path, ""), 0);
	measure_path(path, &r);
	cr_assert_eq(r.pages, 0);
	cr_assert_eq(r.resident_pages, 0);
	cr_assert_eq(walk_file(path, &s, &resident), 0);
	cr_assert_eq(s.nranges, 0);
	cr_assert_eq(s.cells, 0);
}

Test(residency, touch_brings_in_and_evict_drops)
{
	struct residency r;
	int fd;

	cr_assert_eq(tu_file_with_residency(path, "........"), 0);
	fd = open(path, O_RDONLY);
	cr_assert_eq(residency_touch(fd, 8 * 4096, NULL, NULL), 0);
	cr_assert_eq(residency_measure(fd, &r), 0);
	cr_assert_eq(r.resident_pages, 8);
	cr_assert_eq(residency_evict(fd), 0);
	cr_assert_eq(residency_measure(fd, &r), 0);
	cr_assert_eq(r.resident_pages, 0);
	close(fd);
}

Test(residency, a_size_change_is_named)
{
	char buf[128];
	int fd;

	cr_assert_eq(tu_file_with_residency(path, "####"), 0);
	fd = open(path, O_RDWR);
	cr_assert_null(residency_check_size(fd, 4 * 4096, buf, sizeof(buf)));
	cr_assert_eq(ftruncate(fd, 4096), 0);
	cr_assert_not_null(residency_check_size(fd, 4 * 4096, buf, sizeof(buf)));
	cr_assert_not_null(strstr(buf, "from 16384 to 4096 bytes"), "%s", buf);
	close(fd);
}

/* A file cut short while it is walked: the walk finishes without a fault
 * and the pages past the new end are not resident. */
Test(residency, truncation_mid_walk_is_survived)
{
	size_t pages = WINDOW_PAGES + 4;
	char *map = malloc(pages + 1);
	struct seen s = {0};
	uint64_t resident;

	memset(map, '#', pages);
	map[pages] = '\0';
	cr_assert_eq(tu_file_with_residency(path, map), 0);
	s.truncate_fd = open(path, O_RDWR);
	cr_assert_geq(s.truncate_fd, 0);
	cr_assert_eq(walk_file(path, &s, &resident), 0);
	cr_assert_eq(s.cells, pages);
	cr_assert_eq(s.map[pages - 1], '.', "the second window, after truncation");
	free(map);
}

Test(residency, no_fd_or_mapping_is_left_behind)
{
	struct seen s = {.truncate_fd = -1};
	struct residency r;
	uint64_t resident;
	int fds, maps;

	cr_assert_eq(tu_file_with_residency(path, "#.#.#.#."), 0);
	measure_path(path, &r);
	walk_file(path, &s, &resident);
	fds = tu_count_fds();
	maps = tu_count_maps();
	for (int i = 0; i < 20; i++) {
		measure_path(path, &r);
		s.cells = 0;
		s.nranges = 0;
		walk_file(path, &s, &resident);
	}
	cr_assert_eq(tu_count_fds(), fds);
	cr_assert_eq(tu_count_maps(), maps);
}

Test(residency, owner_is_trusted)
{
	int fd;

	cr_assert_eq(tu_file_with_residency(path, "#."), 0);
	fd = open(path, O_RDONLY);
	cr_assert_null(residency_untrusted(fd));
	close(fd);
}

/* In a child that became nobody: a root-owned, half-resident file that
 * nobody can read but not write gets no count, never the kernel's 100%. */
static int measure_as_nobody(const char *p)
{
	struct residency r;
	struct seen s = {.truncate_fd = -1};
	struct residency_walk w = {on_range, on_pages, &s, 0};
	int fd;

	if (setgid(65534) != 0 || setuid(65534) != 0)
		return 10;
	fd = open(p, O_RDONLY);
	if (fd < 0)
		return 11;
	if (!residency_untrusted(fd))
		return 12;
	if (residency_measure(fd, &r) != 0 || !r.unavailable)
		return 13;
	if (residency_walk(fd, &r, &w) != -EPERM || s.nranges || s.cells)
		return 14;
	return 0;
}

Test(residency, non_owner_without_write_access_gets_no_number)
{
	int status;
	pid_t pid;

	if (geteuid() != 0)
		cr_skip("needs root to become nobody");
	cr_assert_eq(chmod(dir, 0755), 0);
	cr_assert_eq(tu_file_with_residency(path, "#.#.#.#."), 0);
	pid = fork();
	if (pid == 0)
		_exit(measure_as_nobody(path));
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status));
	cr_assert_eq(WEXITSTATUS(status), 0, "step %d failed", WEXITSTATUS(status));
}

/* One window whose pieces take every path: wholly resident, wholly absent,
 * mixed in large runs (split again), mixed page by page (mincore). */
Test(residency, mixed_window_is_mapped_exactly)
{
	size_t pages = WINDOW_PAGES;
	char *map = malloc(pages + 1);
	struct seen s = {.truncate_fd = -1};
	uint64_t resident, want = 0;
	int runs = 0;

	memset(map, '.', pages);
	map[pages] = '\0';
	memset(map, '#', 2048);
	memset(map + 2048 + 512, '#', 256);
	for (size_t i = 6000; i < 6400; i += 3)
		map[i] = '#';
	map[pages - 1] = '#';
	for (size_t i = 0; i < pages; i++) {
		want += map[i] == '#';
		runs += map[i] == '#' && (i == 0 || map[i - 1] == '.');
	}
	cr_assert_eq(tu_file_with_residency(path, map), 0);
	cr_assert_eq(walk_file(path, &s, &resident), 0);
	cr_assert_eq(resident, want);
	cr_assert_eq(s.nranges, runs);
	cr_assert_eq(memcmp(s.map, map, pages), 0, "the page map differs");
	free(map);
}

/* Compares each window's pages with s->expect. */
static void check_pages(uint64_t first, const unsigned char *vec, uint64_t n, void *ctx)
{
	const struct seen *s = ctx;

	for (uint64_t i = 0; i < n; i++)
		if ((vec[i] & 1) != (s->expect[first + i] == '#'))
			cr_assert_fail("page %lu: resident %d, expected '%c'",
			               (unsigned long)(first + i), vec[i] & 1,
			               s->expect[first + i]);
}

/* Windows after a window cached in a pattern finer than it are asked
 * piece by piece (probe_pieces): a window of every other MiB, one with a
 * piece mixed page by page among them, one wholly resident (back to the
 * whole window at once), and every other MiB again. */
Test(residency, windows_after_a_fine_pattern_are_mapped_exactly, .timeout = 60)
{
	const size_t mib = 256, pages = 4 * WINDOW_PAGES;
	char *map = malloc(pages + 1);
	struct seen s = {.truncate_fd = -1};
	struct residency_walk w = {on_range, check_pages, &s, 0};
	struct residency r;
	uint64_t want = 0;
	int fd, runs = 0;

	cr_assert_not_null(map);
	memset(map, '.', pages);
	map[pages] = '\0';
	for (size_t i = 0; i < 2 * WINDOW_PAGES; i += 2 * mib)
		memset(map + i, '#', mib);
	for (size_t i = WINDOW_PAGES + 9 * mib; i < WINDOW_PAGES + 10 * mib; i += 3)
		map[i] = map[i] == '#' ? '.' : '#';
	memset(map + 2 * WINDOW_PAGES, '#', WINDOW_PAGES);
	for (size_t i = 3 * WINDOW_PAGES; i < pages; i += 2 * mib)
		memset(map + i, '#', mib);
	for (size_t i = 0; i < pages; i++) {
		want += map[i] == '#';
		runs += map[i] == '#' && (i == 0 || map[i - 1] == '.');
	}
	cr_assert_eq(tu_file_with_residency(path, map), 0);
	s.expect = map;
	cr_assert_geq(fd = open(path, O_RDONLY), 0);
	cr_assert_eq(residency_stat(fd, NULL, &r), 0);
	cr_assert_eq(residency_walk(fd, &r, &w), 0);
	close(fd);
	cr_expect_eq(w.resident_pages, want);
	cr_expect_eq(r.resident_pages, want);
	cr_expect_eq(s.nranges, runs);
	free(map);
}
