/* filewalk: which files a walk hands over, and how it reports the rest. */
#include "kernel/filewalk.h"
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/mapscope-filewalk-XXXXXX";

static void make_dir(void)
{
	cr_assert_not_null(tu_make_tmpdir(dir));
}

static void remove_dir(void)
{
	tu_remove_tree(dir);
}

TestSuite(filewalk, .init = make_dir, .fini = remove_dir);

struct tally {
	int files, errors, skips;
	int last_err;
	char last_reason[128];
	bool operand_error;
	bool unlink_others; /* on the first file, remove every other file */
};

static void make_file(const char *name)
{
	char p[256];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	cr_assert_geq(fd, 0, "%s", p);
	cr_assert_eq(write(fd, "data", 4), 4);
	close(fd);
}

static void unlink_others(const char *keep)
{
	static const char *names[] = {"a", "b", "c", "d"};
	char p[256];

	for (int i = 0; i < 4; i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
		if (strcmp(p, keep) != 0)
			unlink(p);
	}
}

static void count_entry(const struct filewalk_entry *e, void *ctx)
{
	struct tally *t = ctx;

	if (e->kind == FILEWALK_FILE) {
		cr_assert_geq(e->fd, 0);
		cr_assert(S_ISREG(e->st->st_mode));
		if (t->unlink_others && t->files == 0)
			unlink_others(e->path);
		t->files++;
		return;
	}
	snprintf(t->last_reason, sizeof(t->last_reason), "%s", e->reason);
	if (e->kind == FILEWALK_SKIP) {
		t->skips++;
		return;
	}
	t->errors++;
	t->last_err = e->err;
	t->operand_error |= e->operand;
}

static int walk(struct filewalk_opts opts, struct tally *t, struct filewalk_stats *stats)
{
	char *paths[] = {dir};

	return filewalk_run(paths, 1, &opts, count_entry, t, stats);
}

static void in_dir(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
}

Test(filewalk, hard_links_are_handed_over_once)
{
	struct filewalk_opts opts = {.recursive = true};
	struct filewalk_stats stats;
	struct tally t = {0};
	char a[256], b[256];

	make_file("a");
	make_file("c");
	in_dir(a, sizeof(a), "a");
	in_dir(b, sizeof(b), "b");
	cr_assert_eq(link(a, b), 0);
	cr_assert_eq(walk(opts, &t, &stats), 0);
	cr_assert_eq(t.files, 2);
	cr_assert_eq(stats.duplicate_links, 1);
	cr_assert_eq(t.errors, 0);
}

Test(filewalk, symlinks_are_followed_only_when_asked)
{
	struct filewalk_opts opts = {.recursive = true};
	struct filewalk_stats stats;
	struct tally t = {0};
	char sub[256], target[256], link_path[256];

	in_dir(sub, sizeof(sub), "sub");
	cr_assert_eq(mkdir(sub, 0755), 0);
	make_file("sub/real");
	in_dir(target, sizeof(target), "sub");
	in_dir(link_path, sizeof(link_path), "link");
	cr_assert_eq(symlink(target, link_path), 0);
	cr_assert_eq(walk(opts, &t, &stats), 0);
	cr_assert_eq(t.files, 1);
	cr_assert_eq(stats.symlinks, 1);

	memset(&t, 0, sizeof(t));
	opts.follow = true;
	cr_assert_eq(walk(opts, &t, &stats), 0);
	cr_assert_eq(t.files, 1, "reached twice, handed over once");
	cr_assert_eq(stats.duplicate_links, 1);
	cr_assert_eq(stats.symlinks, 0);
}

Test(filewalk, a_symlink_loop_is_not_walked_forever)
{
	struct filewalk_opts opts = {.recursive = true, .follow = true};
	struct filewalk_stats stats;
	struct tally t = {0};
	char loop[256];

	make_file("a");
	in_dir(loop, sizeof(loop), "loop");
	cr_assert_eq(symlink(".", loop), 0);
	cr_assert_eq(walk(opts, &t, &stats), 0);
	cr_assert_eq(t.skips, 1);
	cr_assert_not_null(strstr(t.last_reason, "loop"), "%s", t.last_reason);
}

Test(filewalk, directory_without_recursion_is_an_error)
{
	struct filewalk_opts opts = {0};
	struct filewalk_stats stats;
	struct tally t = {0};

	cr_assert_eq(walk(opts, &t, &stats), 0);
	cr_assert_eq(t.errors, 1);
	cr_assert_eq(t.last_err, EISDIR);
	cr_assert(t.operand_error);
	cr_assert_not_null(strstr(t.last_reason, "-r"));
}

Test(filewalk, missing_path_is_an_error)
{
	struct filewalk_opts opts = {0};
	struct filewalk_stats stats;
	struct tally t = {0};
	char missing[256];
	char *paths[] = {missing};

	in_dir(missing, sizeof(missing), "missing");
	cr_assert_eq(filewalk_run(paths, 1, &opts, count_entry, &t, &stats), 0);
	cr_assert_eq(t.errors, 1);
	cr_assert_eq(t.last_err, ENOENT);
	cr_assert(t.operand_error);
}

Test(filewalk, fifo_is_skipped_without_opening)
{
	struct filewalk_opts opts = {.recursive = true};
	struct filewalk_stats stats;
	struct tally t = {0};
	char fifo[256];

	in_dir(fifo, sizeof(fifo), "fifo");
	cr_assert_eq(mkfifo(fifo, 0644), 0);
	cr_assert_eq(walk(opts, &t, &stats), 0);
	cr_assert_eq(t.skips, 1);
	cr_assert_eq(t.files, 0);
	cr_assert_not_null(strstr(t.last_reason, "fifo"));
}

/* Files removed after the directory was read come back as errors, and the
 * walk goes on to the end. */
Test(filewalk, files_that_vanish_are_reported)
{
	struct filewalk_opts opts = {.recursive = true};
	struct filewalk_stats stats;
	struct tally t = {.unlink_others = true};

	make_file("a");
	make_file("b");
	make_file("c");
	make_file("d");
	cr_assert_eq(walk(opts, &t, &stats), 0);
	cr_assert_eq(t.files, 1);
	cr_assert_eq(t.errors, 3);
	cr_assert_eq(t.last_err, ENOENT);
	cr_assert_not(t.operand_error);
}

Test(filewalk, no_fd_is_left_open)
{
	struct filewalk_opts opts = {.recursive = true};
	struct filewalk_stats stats;
	struct tally t = {0};
	char sub[256];
	int fds;

	in_dir(sub, sizeof(sub), "sub");
	cr_assert_eq(mkdir(sub, 0755), 0);
	make_file("sub/x");
	make_file("a");
	fds = tu_count_fds();
	cr_assert_eq(walk(opts, &t, &stats), 0);
	cr_assert_eq(t.files, 2);
	cr_assert_eq(tu_count_fds(), fds);
}

Test(filewalk, one_filesystem_does_not_cross_into_another)
{
	struct filewalk_opts opts = {.recursive = true, .follow = true, .one_fs = true};
	struct filewalk_stats stats;
	struct tally t = {0};
	struct stat here, there;
	char link_path[256];

	if (stat("/dev/shm", &there) != 0 || stat(dir, &here) != 0 || here.st_dev == there.st_dev)
		cr_skip("no second filesystem at /dev/shm");
	make_file("a");
	in_dir(link_path, sizeof(link_path), "shm");
	cr_assert_eq(symlink("/dev/shm", link_path), 0);
	cr_assert_eq(walk(opts, &t, &stats), 0);
	cr_assert_eq(t.files, 1);
	cr_assert_eq(t.skips, 1);
	cr_assert_not_null(strstr(t.last_reason, "another filesystem"), "%s", t.last_reason);
}
