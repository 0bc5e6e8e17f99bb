#include "support/testutil.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAPSCOPE BUILD_DIR "/mapscope"
#define NOBODY   "setpriv --reuid=65534 --regid=65534 --clear-groups "

static char dir[] = "/tmp/mapscope-iobench-XXXXXX";
static char path[sizeof(dir) + 16];

static void make_dir(void)
{
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/data", dir);
}

static void remove_dir(void)
{
	unlink(path);
	rmdir(dir);
}

TestSuite(cli_iobench, .init = make_dir, .fini = remove_dir);

static json_t *find_result(json_t *results, const char *method, const char *pattern,
                           const char *cache)
{
	json_t *r;
	size_t i;

	json_array_foreach(results, i, r)
	{
		if (!strcmp(json_string_value(json_object_get(r, "method")), method) &&
		    !strcmp(json_string_value(json_object_get(r, "pattern")), pattern) &&
		    !strcmp(json_string_value(json_object_get(r, "cache")), cache))
			return r;
	}
	cr_assert_fail("no result for %s %s %s", method, pattern, cache);
	return NULL;
}

Test(cli_iobench, creates_the_file_and_covers_every_method_pattern_and_cache, .timeout = 60)
{
	static const char *methods[] = {"read",
	                                "mmap_private",
	                                "mmap_shared",
	                                "mmap_populate",
	                                "madvise_sequential",
	                                "madvise_random",
	                                "madvise_willneed",
	                                "write_private",
	                                "write_shared"};
	char cmd[256];
	json_t *doc, *results;
	int status;

	snprintf(cmd, sizeof(cmd), MAPSCOPE " iobench --size 1M %s", path);
	doc = tu_run_json(cmd, &status);
	cr_assert_not_null(doc);
	cr_assert_eq(status, 0);
	cr_assert_eq(access(path, R_OK), 0, "iobench did not create %s", path);
	cr_assert_eq(tu_json_int(doc, "size"), 1 << 20);
	results = json_object_get(doc, "results");
	cr_assert_eq(json_array_size(results), 9 * 2 * 2);
	for (size_t m = 0; m < sizeof(methods) / sizeof(methods[0]); m++) {
		json_t *r = find_result(results, methods[m], "rand", "cold");
		cr_assert_eq(tu_json_int(r, "bytes"), 1 << 20);
		cr_assert_gt(tu_json_int(r, "ns"), 0);
		cr_assert(json_is_number(json_object_get(r, "gib_per_s")));
		cr_assert_eq(tu_json_int(r, "resident_pages_before"), 0, "%s: not cold",
		             methods[m]);
	}
	json_decref(doc);
}

Test(cli_iobench, faults_and_syscalls_are_the_known_ones, .timeout = 60)
{
	char cmd[256];
	json_t *doc, *results;
	int status;

	snprintf(cmd, sizeof(cmd), MAPSCOPE " iobench --size 1M %s", path);
	doc = tu_run_json(cmd, &status);
	cr_assert_eq(status, 0);
	results = json_object_get(doc, "results");
	/* lseek and 8 reads of 128 KiB; one pread per page in random order. */
	cr_assert_eq(tu_json_int(find_result(results, "read", "seq", "cold"), "syscalls"), 9);
	cr_assert_eq(tu_json_int(find_result(results, "read", "rand", "warm"), "syscalls"), 256);
	cr_assert_eq(tu_json_int(find_result(results, "read", "seq", "warm"), "major"), 0);
	cr_assert_eq(
	        tu_json_int(find_result(results, "madvise_random", "rand", "warm"), "syscalls"),
	        3);
	/* No readahead with MADV_RANDOM: every page of a cold file is a major fault. */
	cr_assert_eq(tu_json_int(find_result(results, "madvise_random", "seq", "cold"), "major"),
	             256);
	cr_assert_eq(tu_json_int(find_result(results, "madvise_random", "seq", "warm"), "major"),
	             0);
	/* A write to a private page is one copy-on-write fault per page. */
	cr_assert_geq(tu_json_int(find_result(results, "write_private", "seq", "warm"), "minor"),
	              256);
	json_decref(doc);
}

Test(cli_iobench, errors_name_the_file)
{
	char cmd[256], out[4096];

	snprintf(cmd, sizeof(cmd), MAPSCOPE " iobench %s 2>&1 >/dev/null", path);
	cr_assert_eq(tu_run(cmd, out, sizeof(out)), 1);
	cr_assert_not_null(strstr(out, path), "%s", out);
	cr_assert_not_null(strstr(out, "--size"), "%s", out);
	cr_assert_eq(tu_run(MAPSCOPE " iobench /tmp 2>&1 >/dev/null", out, sizeof(out)), 1);
	cr_assert_not_null(strstr(out, "/tmp: not a regular file"), "%s", out);
	cr_assert_eq(tu_run(MAPSCOPE " iobench /dev/null 2>&1 >/dev/null", out, sizeof(out)), 1);
	cr_assert_not_null(strstr(out, "/dev/null: not a regular file"), "%s", out);
	cr_assert_eq(tu_run(MAPSCOPE " iobench --size 12Q x 2>&1", out, sizeof(out)), 2);
	cr_assert_eq(tu_run(MAPSCOPE " iobench 2>&1", out, sizeof(out)), 2);
}

Test(cli_iobench, text_table_has_a_row_per_run)
{
	char cmd[256], out[1 << 14];
	int rows = 0;

	snprintf(cmd, sizeof(cmd), MAPSCOPE " iobench --size 64K --format text %s", path);
	cr_assert_eq(tu_run(cmd, out, sizeof(out)), 0);
	cr_assert_not_null(strstr(out, "GiB/s"));
	for (char *p = out; (p = strstr(p, " cold ")); p++)
		rows++;
	cr_assert_eq(rows, 18, "%s", out);
}

Test(cli_iobench, unwritable_file_gives_null_writes_with_the_reason)
{
	char cmd[512], out[64];
	json_t *doc, *r;
	int status;

	if (geteuid() != 0)
		cr_skip_test("needs root to run as nobody on a root-owned file");
	if (tu_run(NOBODY MAPSCOPE " --help >/dev/null 2>&1; echo $?", out, sizeof(out)) != 0 ||
	    atoi(out) != 0)
		cr_skip_test("nobody cannot run " MAPSCOPE " from this checkout");
	cr_assert_eq(chmod(dir, 0755), 0);
	snprintf(cmd, sizeof(cmd), MAPSCOPE " iobench --size 16K %s >/dev/null", path);
	cr_assert_eq(tu_run(cmd, out, sizeof(out)), 0);
	cr_assert_eq(chmod(path, 0644), 0);
	snprintf(cmd, sizeof(cmd), NOBODY MAPSCOPE " iobench %s", path);
	doc = tu_run_json(cmd, &status);
	cr_assert_not_null(doc);
	cr_assert_eq(status, 0);
	r = find_result(json_object_get(doc, "results"), "write_shared", "seq", "warm");
	cr_assert(json_is_null(json_object_get(r, "bytes")));
	cr_assert_not_null(
	        strstr(json_string_value(json_object_get(r, "bytes_unavailable")), "for writing"));
	cr_assert(json_is_null(json_object_get(r, "cpu_ns")));
	/* Not the owner, no write access: mincore would lie, so no number. */
	r = find_result(json_object_get(doc, "results"), "read", "seq", "warm");
	cr_assert(json_is_null(json_object_get(r, "resident_pages_before")));
	cr_assert_gt(tu_json_int(r, "bytes"), 0);
	json_decref(doc);
}
