#include "kernel/procmaps.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>

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
