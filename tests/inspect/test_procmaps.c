#include "kernel/procmaps.h"
#include "kernel/smaps.h"
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

Test(procmaps, parses_a_file_mapping)
{
	char line[] =
	        "7f12a0000000-7f12a0021000 r-xp 00002000 fd:01 1234567    /usr/lib/libc.so.6";
	struct procmaps_region r;

	cr_assert_eq(procmaps_parse(line, &r), 0);
	cr_assert_eq(r.start, 0x7f12a0000000ULL);
	cr_assert_eq(r.end, 0x7f12a0021000ULL);
	cr_assert_str_eq(r.perms, "r-xp");
	cr_assert_eq(r.offset, 0x2000);
	cr_assert_eq(r.dev_major, 0xfd);
	cr_assert_eq(r.dev_minor, 1);
	cr_assert_eq(r.inode, 1234567);
	cr_assert_str_eq(r.path, "/usr/lib/libc.so.6");
	cr_assert_not(r.deleted);
	cr_assert(procmaps_is_file(&r));
}

Test(procmaps, anonymous_mapping_has_an_empty_path)
{
	char line[] = "7f12a0000000-7f12a0001000 rw-p 00000000 00:00 0 ";
	struct procmaps_region r;

	cr_assert_eq(procmaps_parse(line, &r), 0);
	cr_assert_str_eq(r.path, "");
	cr_assert_not(procmaps_is_file(&r));
}

Test(procmaps, deleted_suffix_is_cut_and_flagged)
{
	char line[] = "1000-3000 r--s 00000000 08:02 42                 /tmp/a b (deleted)";
	struct procmaps_region r;

	cr_assert_eq(procmaps_parse(line, &r), 0);
	cr_assert_str_eq(r.path, "/tmp/a b");
	cr_assert(r.deleted);
}

Test(procmaps, pseudo_paths_are_kept)
{
	char line[] = "7ffd0000-7ffd1000 rw-p 00000000 00:00 0                          [stack]";
	struct procmaps_region r;

	cr_assert_eq(procmaps_parse(line, &r), 0);
	cr_assert_str_eq(r.path, "[stack]");
}

Test(procmaps, refuses_what_is_not_a_region)
{
	char *bad[] = {"",
	               "Rss:  4 kB",
	               "1000 r-xp 0 00:00 0",
	               "3000-1000 r-xp 0 00:00 0",
	               "1000-2000 r-x 0 00:00 0",
	               "1000-2000 r-xp 0 0000 0",
	               "1000-2000 r-xp 0 00:00 x"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char line[128];
		struct procmaps_region r;

		snprintf(line, sizeof(line), "%s", bad[i]);
		cr_assert_eq(procmaps_parse(line, &r), -EINVAL, "accepted '%s'", bad[i]);
	}
}

/* Files with odd names, each mapped by this process, as the kernel shows
 * them in smaps: name[i] on disk, shown[i] in the maps line (the kernel
 * writes a newline in a path as "\\012"; every other byte as it is). */
static const char *const odd_names[] = {"a b", "trailing ", "bad\xff\xfename", "new\nline",
                                        "gone"};
static const char *const odd_shown[] = {"a b", "trailing ", "bad\xff\xfename", "new\\012line",
                                        "gone"};
#define NODD (sizeof(odd_names) / sizeof(odd_names[0]))

struct odd_seen {
	const char *dir;
	struct stat st[NODD];
	int found[NODD];
	bool deleted[NODD];
};

static int see_odd(void *ctx, const struct procmaps_region *r, const struct smaps_counters *c)
{
	struct odd_seen *seen = ctx;
	char want[256];

	for (size_t i = 0; i < NODD; i++) {
		snprintf(want, sizeof(want), "%s/%s", seen->dir, odd_shown[i]);
		if (r->inode != seen->st[i].st_ino || strcmp(r->path, want) != 0)
			continue;
		seen->found[i]++;
		seen->deleted[i] = r->deleted;
		cr_expect_eq(c->size, 4096, "%s: size", odd_shown[i]);
	}
	return 0;
}

Test(procmaps, odd_file_names_come_through_smaps_whole)
{
	char tmpl[] = "/tmp/mapscope-odd-XXXXXX";
	struct odd_seen seen = {.dir = tu_make_tmpdir(tmpl)};
	void *maps[NODD];
	char path[256];
	int procdir;

	cr_assert_not_null(seen.dir);
	for (size_t i = 0; i < NODD; i++) {
		snprintf(path, sizeof(path), "%s/%s", seen.dir, odd_names[i]);
		int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		cr_assert_geq(fd, 0, "%s", path);
		cr_assert_eq(ftruncate(fd, 4096), 0);
		cr_assert_eq(fstat(fd, &seen.st[i]), 0);
		maps[i] = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
		cr_assert_neq(maps[i], MAP_FAILED);
		close(fd);
	}
	snprintf(path, sizeof(path), "%s/gone", seen.dir);
	cr_assert_eq(unlink(path), 0);
	procdir = open("/proc/self", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cr_assert_eq(smaps_each(procdir, see_odd, &seen), 0);
	close(procdir);
	for (size_t i = 0; i < NODD; i++) {
		cr_expect_eq(seen.found[i], 1, "%s: seen %d times", odd_shown[i], seen.found[i]);
		cr_expect_eq(seen.deleted[i], i == NODD - 1, "%s: deleted flag", odd_shown[i]);
		munmap(maps[i], 4096);
	}
	tu_remove_tree(seen.dir);
}
