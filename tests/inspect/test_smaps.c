#include "kernel/smaps.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char sample[] =
        "00400000-00452000 r-xp 00000000 08:02 173521      /usr/bin/dbus-daemon\n"
        "Size:                328 kB\n"
        "Rss:                 300 kB\n"
        "Pss:                 150 kB\n"
        "Shared_Clean:        296 kB\n"
        "Shared_Dirty:          0 kB\n"
        "Private_Clean:         4 kB\n"
        "Private_Dirty:         0 kB\n"
        "Swap:                  0 kB\n"
        "VmFlags: rd ex mr mw me dw\n"
        "7fff0000-7fff2000 rw-p 00000000 00:00 0                  [stack]\n"
        "Size:                  8 kB\n"
        "Rss:                   8 kB\n"
        "Private_Dirty:         8 kB\n"
        "Swap:                  4 kB\n";

static void write_sample(char *path, const char *text)
{
	int fd;

	strcpy(path, "/tmp/mapscope-smaps-XXXXXX");
	fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

Test(smaps, streams_mappings_with_their_counters_in_bytes)
{
	struct procmaps_region r;
	struct smaps_counters c, sum = {0};
	struct smaps s;
	char path[64];

	write_sample(path, sample);
	cr_assert_eq(smaps_open(&s, AT_FDCWD, path), 0);
	cr_assert_eq(smaps_next(&s, &r, &c), 1);
	cr_assert_str_eq(r.path, "/usr/bin/dbus-daemon");
	cr_assert_eq(c.rss, 300 * 1024);
	cr_assert_eq(c.pss, 150 * 1024);
	cr_assert_eq(c.shared_clean, 296 * 1024);
	cr_assert_eq(c.private_clean, 4 * 1024);
	smaps_add(&sum, &c);
	cr_assert_eq(smaps_next(&s, &r, &c), 1);
	cr_assert_str_eq(r.path, "[stack]");
	cr_assert_eq(c.pss, 0, "a counter the kernel did not print is 0, not stale");
	cr_assert_eq(c.swap, 4 * 1024);
	smaps_add(&sum, &c);
	cr_assert_eq(sum.rss, 308 * 1024);
	cr_assert_eq(smaps_next(&s, &r, &c), 0);
	smaps_close(&s);
	unlink(path);
}

Test(smaps, text_that_is_not_smaps_is_refused)
{
	struct procmaps_region r;
	struct smaps_counters c;
	struct smaps s;
	char path[64];

	write_sample(path, "Name: x\nabc is not a region\nRss: 4 kB\n");
	cr_assert_eq(smaps_open(&s, AT_FDCWD, path), 0);
	cr_assert_eq(smaps_next(&s, &r, &c), -EINVAL);
	smaps_close(&s);
	unlink(path);
}

Test(smaps, rollup_of_this_process_has_rss)
{
	struct smaps_counters c;
	int dir = open("/proc/self", O_RDONLY | O_DIRECTORY);

	cr_assert_eq(smaps_read_rollup(dir, &c), 0);
	cr_assert_gt(c.rss, 0);
	cr_assert_geq(c.rss, c.pss);
	close(dir);
}

static int stop_at_three(void *ctx, const struct procmaps_region *r,
                         const struct smaps_counters *c)
{
	(void)r;
	(void)c;
	return ++*(int *)ctx == 3 ? 42 : 0;
}

Test(smaps, each_mapping_until_the_callback_stops)
{
	int dir = open("/proc/self", O_RDONLY | O_DIRECTORY), seen = 0;

	cr_assert_eq(smaps_each(dir, stop_at_three, &seen), 42);
	cr_assert_eq(seen, 3);
	close(dir);
}
