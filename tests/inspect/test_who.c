#include "support/testutil.h"
#include "probe/who.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static char dir[] = "/tmp/mapscope-who-XXXXXX";
static char path[sizeof(dir) + 16];

static void make_file(void)
{
	char page[4096] = {1};
	int fd;

	cr_assert_not_null(tu_make_tmpdir(dir));
	snprintf(path, sizeof(path), "%s/f", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	cr_assert_geq(fd, 0);
	for (int i = 0; i < 4; i++)
		cr_assert_eq(write(fd, page, sizeof(page)), (ssize_t)sizeof(page));
	close(fd);
}

static void remove_file(void)
{
	tu_remove_tree(dir);
}

TestSuite(who, .init = make_file, .fini = remove_file);

/* The child maps the file (and touches it), then closes its fd. */
static int map_and_close(void *arg)
{
	int fd = open(arg, O_RDONLY);
	volatile char *p = mmap(NULL, 4 * 4096, PROT_READ, MAP_SHARED, fd, 0);

	close(fd);
	if (p == MAP_FAILED)
		return -1;
	(void)p[0];
	return 0;
}

/* The child holds the file open, twice, without mapping it. */
static int hold_open(void *arg)
{
	return open(arg, O_RDONLY) < 0 || open(arg, O_RDONLY) < 0;
}

static const struct who_process *find(const struct who_report *r, int pid)
{
	for (size_t i = 0; i < r->count; i++)
		if (r->procs[i].pid == pid)
			return &r->procs[i];
	return NULL;
}

Test(who, a_mapping_outlives_close)
{
	struct who_report r;
	const struct who_process *p;
	int pid = tu_spawn(map_and_close, path);

	cr_assert_eq(who_scan(path, &r), 0);
	p = find(&r, pid);
	cr_assert_not_null(p);
	cr_assert_eq(p->mappings, 1);
	cr_assert_eq(p->fds, 0);
	cr_assert_geq(p->rss, 4096);
	cr_assert_null(p->rss_why);
	cr_assert_gt(r.scanned, 1);
	who_free(&r);
	tu_reap(pid);
}

Test(who, open_fds_are_counted_without_mappings)
{
	struct who_report r;
	const struct who_process *p;
	int pid = tu_spawn(hold_open, path);

	cr_assert_eq(who_scan(path, &r), 0);
	p = find(&r, pid);
	cr_assert_not_null(p);
	cr_assert_eq(p->mappings, 0);
	cr_assert_eq(p->fds, 2);
	cr_assert_eq(p->rss, 0);
	who_free(&r);
	tu_reap(pid);
}

Test(who, a_renamed_file_is_found_by_inode)
{
	struct who_report r;
	char moved[sizeof(path) + 8];
	int pid = tu_spawn(map_and_close, path);

	snprintf(moved, sizeof(moved), "%s.moved", path);
	cr_assert_eq(rename(path, moved), 0);
	cr_assert_eq(who_scan(moved, &r), 0);
	cr_assert_not_null(find(&r, pid));
	who_free(&r);
	tu_reap(pid);
}

Test(who, a_deleted_file_is_found_through_an_fd_link)
{
	struct who_report r;
	char link[64];
	int pid = tu_spawn(map_and_close, path), fd = open(path, O_RDONLY);

	cr_assert_eq(unlink(path), 0);
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	cr_assert_eq(who_scan(link, &r), 0);
	cr_assert_not_null(find(&r, pid));
	cr_assert_eq(find(&r, pid)->mappings, 1);
	who_free(&r);
	close(fd);
	tu_reap(pid);
}

Test(who, a_missing_path_is_an_errno)
{
	struct who_report r;
	char missing[sizeof(dir) + 16];

	snprintf(missing, sizeof(missing), "%s/missing", dir);
	cr_assert_eq(who_scan(missing, &r), -ENOENT);
	who_free(&r);
}

Test(who, errors_name_the_pid_and_reason)
{
	struct proc_errors e = {0};

	proc_errors_add(&e, 42, "maps", -EACCES);
	proc_errors_add(&e, 43, "smaps", -ENOENT);
	cr_assert_eq(e.count, 2);
	cr_assert_str_eq(e.items[0].error, "/proc/42/maps: Permission denied");
	cr_assert_str_eq(e.items[1].error, "exited during the scan");
	proc_errors_free(&e);
}

Test(who, leaves_no_fd_behind)
{
	struct who_report r;
	int fds = tu_count_fds();

	cr_assert_eq(who_scan(path, &r), 0);
	who_free(&r);
	cr_assert_eq(tu_count_fds(), fds);
}
