#include "probe/maps_all.h"
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define FILES 200 /* more than the hash table's first size holds */

static char dir[] = "/tmp/mapscope-all-XXXXXX";

static void path_of(int i, char *path, size_t len)
{
	snprintf(path, len, "%s/f%d", dir, i);
}

static void make_files(void)
{
	char path[64], page[4096] = {1};

	cr_assert_not_null(tu_make_tmpdir(dir));
	for (int i = 0; i < FILES; i++) {
		int fd;

		path_of(i, path, sizeof(path));
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		cr_assert_eq(write(fd, page, sizeof(page)), (ssize_t)sizeof(page));
		close(fd);
	}
}

static void remove_files(void)
{
	tu_remove_tree(dir);
}

TestSuite(maps_all, .init = make_files, .fini = remove_files);

/* Maps the first *count files, each touched, fds closed. */
static int map_files(void *arg)
{
	char path[64];

	for (int i = 0; i < *(int *)arg; i++) {
		int fd;
		volatile char *p;

		path_of(i, path, sizeof(path));
		fd = open(path, O_RDONLY);
		p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
		close(fd);
		if (p == MAP_FAILED)
			return -1;
		(void)p[0];
	}
	return 0;
}

static const struct maps_all_file *find_file(const struct maps_all_report *r, int i)
{
	char path[64];

	path_of(i, path, sizeof(path));
	for (size_t k = 0; k < r->files_cap; k++)
		if (r->files[k].inode && strcmp(r->files[k].path, path) == 0)
			return &r->files[k];
	return NULL;
}

static const struct maps_all_process *find_process(const struct maps_all_report *r, int pid)
{
	for (size_t i = 0; i < r->count; i++)
		if (r->procs[i].pid == pid)
			return &r->procs[i];
	return NULL;
}

Test(maps_all, files_count_each_process_once)
{
	int all = FILES, one = 1;
	int a = tu_spawn(map_files, &all), b = tu_spawn(map_files, &one);
	struct maps_all_report r;
	const struct maps_all_file *first, *last;

	cr_assert_eq(maps_all_run(&r), 0);
	first = find_file(&r, 0);
	last = find_file(&r, FILES - 1);
	cr_assert_not_null(first);
	cr_assert_not_null(last);
	cr_assert_eq(first->processes, 2);
	cr_assert_eq(first->mappings, 2);
	cr_assert_eq(first->rss, 2 * 4096);
	cr_assert_eq(last->processes, 1);
	cr_assert_eq(last->pss, 4096);
	cr_assert_geq(r.nfiles, FILES);
	maps_all_free(&r);
	tu_reap(a);
	tu_reap(b);
}

Test(maps_all, a_process_has_its_rollup_figures)
{
	int one = 1, pid = tu_spawn(map_files, &one);
	struct maps_all_report r;
	const struct maps_all_process *p;
	const struct maps_all_file **sorted;
	char rollup[64];
	struct smaps_counters c;
	int fd;

	cr_assert_eq(maps_all_run(&r), 0);
	p = find_process(&r, pid);
	cr_assert_not_null(p);
	snprintf(rollup, sizeof(rollup), "/proc/%d", pid);
	fd = open(rollup, O_RDONLY | O_DIRECTORY);
	cr_assert_eq(smaps_read_rollup(fd, &c), 0);
	close(fd);
	cr_assert_eq(p->mem.rss, c.rss);
	cr_assert_null(find_process(&r, getpid()), "the inspector leaves itself out");
	cr_assert_geq(r.totals.rss, p->mem.rss);
	sorted = maps_all_sorted_files(&r);
	for (size_t i = 1; i < r.nfiles; i++)
		cr_assert_geq(sorted[i - 1]->pss, sorted[i]->pss);
	free(sorted);
	maps_all_free(&r);
	tu_reap(pid);
}

static char many_path[80];

/* Killed at a different moment each time, while every process is scanned:
 * the file of its many mappings counts all of them or none. */
Test(maps_all, a_process_killed_during_the_scan_is_never_counted_in_part)
{
	char page[8192] = {1};
	int fd, whole = 0;
	useconds_t scan_us;
	struct maps_all_report timed;
	struct timespec t0, t1;

	snprintf(many_path, sizeof(many_path), "%s/many", dir);
	fd = open(many_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	cr_assert_eq(write(fd, page, sizeof(page)), (ssize_t)sizeof(page));
	close(fd);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	cr_assert_eq(maps_all_run(&timed), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	maps_all_free(&timed);
	scan_us =
	        (useconds_t)((t1.tv_sec - t0.tv_sec) * 1000000 + (t1.tv_nsec - t0.tv_nsec) / 1000);
	for (int round = 0; round < 12; round++) {
		pid_t pid = tu_spawn(tu_map_many, many_path);
		struct maps_all_report r;
		const struct maps_all_file *f = NULL;
		pthread_t t;

		cr_assert_gt(pid, 0);
		/* the delays spread over one whole scan of every process */
		tu_kill_later(pid, (useconds_t)(round * scan_us / 11), &t);
		cr_assert_eq(maps_all_run(&r), 0);
		pthread_join(t, NULL);
		for (size_t i = 0; i < r.files_cap; i++)
			if (r.files[i].inode && strcmp(r.files[i].path, many_path) == 0)
				f = &r.files[i];
		if (f) {
			cr_assert_eq(f->mappings, TU_MANY_MAPPINGS);
			cr_assert_eq(f->processes, 1);
			cr_assert_not_null(find_process(&r, pid));
			whole++;
		}
		maps_all_free(&r);
		tu_reap(pid);
	}
	cr_log_info("killed during a scan of %u us: %d of 12 counted whole", (unsigned)scan_us,
	            whole);
}

Test(maps_all, leaves_no_fd_behind)
{
	struct maps_all_report r;
	int fds = tu_count_fds();

	cr_assert_eq(maps_all_run(&r), 0);
	maps_all_free(&r);
	cr_assert_eq(tu_count_fds(), fds);
}
