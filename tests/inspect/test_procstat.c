#include "kernel/procstat.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Fields 4 to 24 after "(comm) S": minflt is field 10, majflt 12, rss 24. */
#define STAT_TAIL "1 1 1 0 -1 4194304 96 0 7 0 0 0 0 0 20 0 1 0 150719 3133440 360 1 2 3\n"

static const char status[] = "Name:\tcat\n"
                             "VmRSS:\t    8192 kB\n"
                             "RssAnon:\t    4096 kB\n"
                             "RssFile:\t    4096 kB\n"
                             "RssShmem:\t       0 kB\n";

static long page_kib(void)
{
	return sysconf(_SC_PAGESIZE) / 1024;
}

Test(procstat, parses_stat_and_status_text)
{
	struct procstat ps;

	cr_assert_eq(procstat_parse("15541 (cat) R " STAT_TAIL, status, &ps), 0);
	cr_assert_eq(ps.state, 'R');
	cr_assert_eq(ps.minflt, 96);
	cr_assert_eq(ps.majflt, 7);
	cr_assert_eq(ps.rss_pages, 8192 / page_kib(), "VmRSS wins over stat's rss");
	cr_assert_eq(ps.rss_anon_pages, 4096 / page_kib());
	cr_assert_eq(ps.rss_shmem_pages, 0);
}

Test(procstat, a_command_name_with_spaces_and_parentheses)
{
	struct procstat ps;

	cr_assert_eq(procstat_parse("7 (a) b) S (c) S " STAT_TAIL, "", &ps), 0);
	cr_assert_eq(ps.state, 'S');
	cr_assert_eq(ps.minflt, 96);
	cr_assert_eq(ps.rss_pages, 360, "stat's rss without a status");
	cr_assert_eq(ps.rss_anon_pages, -1, "absent, not 0");
}

/* Found by the proctext fuzz target: the state was read, then the parser
 * stepped over three bytes without looking, past the end of the text. */
Test(procstat, stat_text_that_ends_early_is_refused)
{
	const char *bad[] = {
	        "",
	        "1 (x)",
	        "1 (x) ",
	        "1 (x) R",
	        "1 (x)R",
	        ")\x14",
	        "1 (x) R 1 1 1",
	        "1 (x) R 1 1 1 0 -1 4194304 96 0 7 0 0 0 0 0 20 0 1 0 150719 3133440",
	        "1 (x) R 1 1 1 0 -1 4194304 x 0 7 0 0 0 0 0 20 0 1 0 150719 3133440 360",
	        "1 (x) R 1 1 1 0 -1 4194304 99999999999999999999999 0 7 0 0 0 0 0 20 0 1 "
	        "0 150719 3133440 360"};
	struct procstat ps;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		/* An exact-size copy, so the sanitized pass catches a read past it. */
		char *text = strdup(bad[i]);
		cr_expect_eq(procstat_parse(text, "", &ps), -EINVAL, "accepted \"%s\"", bad[i]);
		free(text);
	}
}

/* Found by the proctext fuzz target under AFL++ (UBSan): a status value
 * past 2^63 / 1024 kB overflowed a signed multiplication. Also: a negative
 * one came out as a negative page count, and a number on the next line was
 * taken for the key's. None is a value: the field is absent. */
Test(procstat, status_values_out_of_range_are_absent)
{
	static const char *bad[] = {"\nVmRSS:\t99999999999999999999 kB\nRssAnon:\t-5 kB\n",
	                            "\nVmRSS:\t9007199254740993 kB\nRssAnon:\tx kB\n",
	                            "\nVmRSS:\nRssAnon:\n7 kB\n"};
	struct procstat ps;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(procstat_parse("1 (x) R " STAT_TAIL, bad[i], &ps), 0);
		cr_expect_eq(ps.rss_pages, 360, "case %zu: stat's rss when VmRSS is unusable", i);
		cr_expect_eq(ps.rss_anon_pages, -1, "case %zu: absent, not a number", i);
	}
}

/* A /proc file whole (its size reads as 0, so read until EOF). */
static void read_proc(const char *name, char *buf, size_t cap)
{
	char path[64];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/%s", getpid(), name);
	f = fopen(path, "re");
	cr_assert_not_null(f, "%s", path);
	n = fread(buf, 1, cap - 1, f);
	buf[n] = '\0';
	fclose(f);
}

Test(procstat, parses_this_process_as_procstat_read_does)
{
	char stat[4096], st[4096];
	struct procstat ps;

	read_proc("stat", stat, sizeof(stat));
	read_proc("status", st, sizeof(st));
	cr_assert_eq(procstat_parse(stat, st, &ps), 0, "%s", stat);
	cr_assert_eq(ps.state, 'R');
	cr_assert_gt(ps.minflt, 0);
	cr_assert_gt(ps.rss_pages, 0);
	cr_assert_gt(ps.rss_anon_pages, 0);
}
