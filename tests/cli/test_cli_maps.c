#include "support/testutil.h"

#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define NOBODY "setpriv --reuid=65534 --regid=65534 --clear-groups "

static int touch_pages(void *arg)
{
	char *p = arg;

	for (int i = 0; i < 64; i++)
		p[i * 4096] = 1;
	return 0;
}

/* mapscope's JSON for cmd, checked to be a "maps" document. */
static json_t *run_maps(const char *args, int expect_status)
{
	char cmd[256];
	int status;
	json_t *doc;

	snprintf(cmd, sizeof(cmd), BUILD_DIR "/mapscope maps %s", args);
	doc = tu_run_json(cmd, &status);
	cr_assert_not_null(doc, "%s: not JSON", cmd);
	cr_assert_eq(status, expect_status, "%s: exit %d", cmd, status);
	cr_assert_str_eq(json_string_value(json_object_get(doc, "kind")), "maps");
	return doc;
}

static json_t *mapping_at(json_t *doc, void *addr)
{
	size_t i;
	json_t *m;

	json_array_foreach(json_object_get(doc, "mappings"), i, m)
	{
		json_int_t start = json_integer_value(json_object_get(m, "start"));
		json_int_t end = json_integer_value(json_object_get(m, "end"));
		if (start <= (json_int_t)addr && (json_int_t)addr < end)
			return m;
	}
	return NULL;
}

static json_int_t field(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	cr_assert(json_is_integer(v), "%s is not an integer", key);
	return json_integer_value(v);
}

Test(cli_maps, reports_a_childs_touched_pages_and_kernel_totals)
{
	char *p =
	        mmap(NULL, 64 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char args[64], rollup[4096];
	json_t *doc, *m, *totals;
	int pid;

	madvise(p, 64 * 4096, MADV_NOHUGEPAGE);
	pid = tu_spawn(touch_pages, p);
	snprintf(args, sizeof(args), "%d --pages", pid);
	doc = run_maps(args, 0);
	m = mapping_at(doc, p);
	cr_assert_not_null(m);
	cr_assert_eq(field(m, "present_pages"), 64);
	cr_assert_eq(field(m, "rss"), 64 * 4096);
	cr_assert(json_is_array(json_object_get(m, "pages")));
	totals = json_object_get(doc, "totals");
	snprintf(args, sizeof(args), "grep '^Rss:' /proc/%d/smaps_rollup", pid);
	tu_run(args, rollup, sizeof(rollup));
	cr_assert_eq(field(totals, "rss"), strtoll(rollup + 4, NULL, 10) * 1024);
	json_decref(doc);
	tu_reap(pid);
}

Test(cli_maps, text_shows_addresses_in_hex)
{
	char cmd[128], out[1 << 16], hex[32];
	int pid = tu_spawn(touch_pages, mmap(NULL, 64 * 4096, PROT_READ | PROT_WRITE,
	                                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));

	snprintf(cmd, sizeof(cmd), BUILD_DIR "/mapscope maps %d --format text", pid);
	cr_assert_eq(tu_run(cmd, out, sizeof(out)), 0);
	snprintf(hex, sizeof(hex), "%d: ", pid);
	cr_assert(strstr(out, hex) == out, "%s", out);
	cr_assert_not_null(strstr(out, "[stack]"));
	/* One unit family, with pmap's names and smem's USS. */
	cr_assert_not_null(strstr(out, "\nADDRESS      PERM  SIZE   RSS   PSS   USS DIRTY  ANON"),
	                   "%s", out);
	cr_assert_not_null(strstr(out, "\ntotal "), "%s", out);
	cr_assert_not_null(strstr(out, " [ anon ]\n"), "%s", out);
	cr_assert_null(strstr(out, "//anon"));
	cr_assert_leq(tu_widest_line(out), 100, "%s", out);
	tu_reap(pid);
}

Test(cli_maps, a_pid_that_is_gone_is_a_clear_error)
{
	char args[32];
	json_t *doc;
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	snprintf(args, sizeof(args), "%d", pid);
	doc = run_maps(args, 1);
	cr_assert_not_null(
	        strstr(json_string_value(json_object_get(doc, "error")), "no such process"));
	cr_assert_not_null(strstr(json_string_value(json_object_get(doc, "error")), args));
	json_decref(doc);
}

Test(cli_maps, usage_errors_exit_2)
{
	char out[4096];

	cr_assert_eq(tu_run(BUILD_DIR "/mapscope maps 2>/dev/null", out, sizeof(out)), 2);
	cr_assert_eq(tu_run(BUILD_DIR "/mapscope maps 12x 2>/dev/null", out, sizeof(out)), 2);
	cr_assert_eq(tu_run(BUILD_DIR "/mapscope maps --comm x 1 2>/dev/null", out, sizeof(out)),
	             2);
	cr_assert_eq(
	        tu_run(BUILD_DIR "/mapscope maps --all --comm x 2>/dev/null", out, sizeof(out)),
	        2);
	cr_assert_eq(tu_run(BUILD_DIR "/mapscope maps --bogus 2>/dev/null", out, sizeof(out)), 2);
	cr_assert_eq(tu_run(BUILD_DIR "/mapscope maps --help", out, sizeof(out)), 0);
	cr_assert_not_null(strstr(out, "usage:"));
}

Test(cli_maps, unprivileged_run_gives_null_with_reasons)
{
	json_t *doc, *m, *totals;
	size_t i;
	int status;

	if (geteuid() != 0)
		cr_skip_test("needs root to drop privileges");
	doc = tu_run_json(NOBODY BUILD_DIR "/mapscope maps self", &status);
	cr_assert_eq(status, 0);
	cr_assert_not_null(doc);
	totals = json_object_get(doc, "totals");
	cr_assert(json_is_null(json_object_get(totals, "pss_from_mapcount")));
	cr_assert_not_null(
	        strstr(json_string_value(json_object_get(totals, "pss_from_mapcount_unavailable")),
	               "CAP_SYS_ADMIN"));
	cr_assert(json_is_integer(json_object_get(totals, "present_pages")));
	json_array_foreach(json_object_get(doc, "mappings"), i, m)
	{
		cr_assert(json_is_null(json_object_get(m, "mapcount")));
		cr_assert(json_is_string(json_object_get(m, "mapcount_unavailable")));
	}
	json_decref(doc);
}

Test(cli_maps, without_cap_sys_admin_pfns_are_hidden)
{
	json_t *doc;
	int status;

	if (geteuid() != 0)
		cr_skip_test("needs root to drop the capability");
	doc = tu_run_json("setpriv --bounding-set -sys_admin " BUILD_DIR "/mapscope maps self",
	                  &status);
	cr_assert_eq(status, 0);
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(doc, "totals"),
	                                                   "pss_from_mapcount_unavailable")),
	                 "needs CAP_SYS_ADMIN (PFNs are hidden)");
	json_decref(doc);
}

Test(cli_maps, another_users_process_is_refused_clearly)
{
	char cmd[128], out[4096];
	int status;

	if (geteuid() != 0)
		cr_skip_test("needs root to drop privileges");
	snprintf(cmd, sizeof(cmd), NOBODY BUILD_DIR "/mapscope maps %d 2>&1", (int)getpid());
	status = tu_run(cmd, out, sizeof(out));
	cr_assert_eq(status, 1, "%s", out);
	cr_assert_not_null(strstr(out, "Permission denied"), "%s", out);
}

Test(cli_maps, all_lists_every_process_and_file)
{
	json_t *doc, *p, *f;
	size_t i;
	int status, found = 0,
	            pid = tu_spawn(touch_pages, mmap(NULL, 64 * 4096, PROT_READ | PROT_WRITE,
	                                             MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));

	doc = tu_run_json(BUILD_DIR "/mapscope maps --all", &status);
	cr_assert_eq(status, 0);
	cr_assert_str_eq(json_string_value(json_object_get(doc, "kind")), "maps_all");
	json_array_foreach(json_object_get(doc, "processes"), i, p)
	{
		found += tu_json_int(p, "pid") == pid;
	}
	cr_assert_eq(found, 1);
	json_array_foreach(json_object_get(doc, "files"), i, f)
	{
		cr_assert_geq(tu_json_int(f, "processes"), 1);
		cr_assert_geq(tu_json_int(f, "mappings"), tu_json_int(f, "processes"));
	}
	cr_assert_gt(tu_json_int(json_object_get(doc, "totals"), "processes"), 1);
	json_decref(doc);
	tu_reap(pid);
}

Test(cli_maps, all_takes_no_pid)
{
	char out[256];

	cr_assert_eq(tu_run(BUILD_DIR "/mapscope maps --all 1 2>/dev/null", out, sizeof(out)), 2);
}

Test(cli_maps, text_with_pages_lists_the_runs)
{
	char out[1 << 18];

	cr_assert_eq(
	        tu_run(BUILD_DIR "/mapscope maps --pages --format text self", out, sizeof(out)),
	        0);
	cr_assert_not_null(strstr(out, " pages: p"), "%s", out);
	if (geteuid() == 0)
		cr_assert_not_null(strstr(out, "@1"), "root sees map counts");
}

/* Lines of out that hold needle. */
static int count_lines_with(const char *out, const char *needle)
{
	int n = 0;

	for (const char *p = strstr(out, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

Test(cli_maps, table_options_choose_columns_units_and_layout)
{
	char out[1 << 16];

	cr_assert_eq(tu_run(BUILD_DIR "/mapscope maps self --format text -o MAPPING,rss --bytes "
	                              "--no-headings --raw",
	                    out, sizeof(out)),
	             0, "%s", out);
	/* Rows only: "name bytes", the total last. */
	cr_assert_null(strstr(out, "ADDRESS"), "%s", out);
	cr_assert_null(strstr(out, "PSS from"), "%s", out);
	cr_assert_not_null(strstr(out, "[stack] "), "%s", out);
	for (const char *line = out; *line; line = strchr(line, '\n') + 1) {
		const char *sp = strrchr(strndup(line, strcspn(line, "\n")), ' ');
		cr_assert_not_null(sp, "%s", line);
		cr_assert(strspn(sp + 1, "0123456789") == strlen(sp + 1), "%s", line);
	}
}

Test(cli_maps, an_unknown_column_or_sort_key_is_named_with_the_accepted_ones)
{
	char out[4096];

	cr_assert_eq(tu_run(BUILD_DIR "/mapscope maps self --format text -o RSS,COLOUR 2>&1", out,
	                    sizeof(out)),
	             2);
	cr_assert_not_null(strstr(out, "invalid --output value 'COLOUR'"), "%s", out);
	cr_assert_not_null(strstr(out, "USS"), "%s", out);
	cr_assert_eq(tu_run(BUILD_DIR "/mapscope maps self --sort colour 2>&1", out, sizeof(out)),
	             2);
	cr_assert_not_null(strstr(out, "invalid --sort value 'colour'"), "%s", out);
	cr_assert_not_null(strstr(out, "RSS"), "%s", out);
	cr_assert_eq(tu_run(BUILD_DIR "/mapscope maps --help", out, sizeof(out)), 0);
	cr_assert_not_null(strstr(out, "--no-headings"), "%s", out);
	cr_assert_not_null(strstr(out, "  USS "), "%s", out);
}

Test(cli_maps, sort_puts_the_largest_first)
{
	json_t *doc = run_maps("self --sort RSS", 0), *m;
	json_int_t last = INT64_MAX;
	size_t i;

	json_array_foreach(json_object_get(doc, "mappings"), i, m)
	{
		cr_assert_leq(field(m, "rss"), last);
		last = field(m, "rss");
	}
	json_decref(doc);
}

static int name_me(void *arg)
{
	return prctl(PR_SET_NAME, (unsigned long)arg, 0, 0, 0);
}

Test(cli_maps, several_pids_and_comm_give_one_document)
{
	char cmd[256], name[16];
	int status, a, b;
	json_t *doc;

	snprintf(name, sizeof(name), "msc%d", (int)getpid() % 100000);
	a = tu_spawn(name_me, name);
	b = tu_spawn(name_me, name);
	snprintf(cmd, sizeof(cmd), BUILD_DIR "/mapscope maps --comm %s", name);
	doc = tu_run_json(cmd, &status);
	cr_assert_eq(status, 0);
	cr_assert_str_eq(json_string_value(json_object_get(doc, "kind")), "maps_processes");
	cr_assert_eq(json_array_size(json_object_get(doc, "processes")), 2);
	json_decref(doc);

	/* A pid that is gone: the others are reported, and the run fails. */
	snprintf(cmd, sizeof(cmd), BUILD_DIR "/mapscope maps %d %d 2147483647 2>/dev/null", a, b);
	doc = tu_run_json(cmd, &status);
	cr_assert_eq(status, 1);
	cr_assert_eq(json_array_size(json_object_get(doc, "processes")), 2);
	cr_assert_eq(json_array_size(json_object_get(doc, "errors")), 1);
	json_decref(doc);

	char out[1 << 17];
	snprintf(cmd, sizeof(cmd), BUILD_DIR "/mapscope maps --format text --comm %s", name);
	cr_assert_eq(tu_run(cmd, out, sizeof(out)), 0);
	cr_assert_eq(count_lines_with(out, "\nADDRESS "), 2, "%s", out);
	cr_assert_leq(tu_widest_line(out), 100, "%s", out);
	tu_reap(a);
	tu_reap(b);
	snprintf(cmd, sizeof(cmd), BUILD_DIR "/mapscope maps --comm %s 2>&1", name);
	cr_assert_eq(tu_run(cmd, out, sizeof(out)), 1);
	cr_assert_not_null(strstr(out, "no process named"), "%s", out);
}

Test(cli_maps, all_has_per_user_totals_and_fits_100_columns)
{
	static char out[1 << 20];
	int status;
	json_t *doc, *users;

	cr_assert_eq(tu_run(BUILD_DIR "/mapscope maps --all --format text 2>/dev/null", out,
	                    sizeof(out)),
	             0);
	cr_assert(strncmp(out, "    PID USER     COMM", 21) == 0, "%s", out);
	cr_assert_not_null(strstr(out, "\nUSER     PROCS"), "%s", out);
	cr_assert_not_null(strstr(out, "\nPROCS MAPPINGS"), "%s", out);
	cr_assert_leq(tu_widest_line(out), 100, "%s", out);
	cr_assert_null(strstr(out, " 1 processes"), "%s", out);
	doc = tu_run_json(BUILD_DIR "/mapscope maps --all --sort pss 2>/dev/null", &status);
	cr_assert_eq(status, 0);
	users = json_object_get(doc, "users");
	cr_assert_geq(json_array_size(users), 1);
	cr_assert_geq(tu_json_int(json_array_get(users, 0), "processes"), 1);
	json_decref(doc);
}

Test(cli_maps, an_svg_that_cannot_be_written_fails_before_the_scan)
{
	int status;
	json_t *doc = tu_run_json(BUILD_DIR "/mapscope maps self --svg /nonexistent/dir/x.svg "
	                                    "2>/dev/null",
	                          &status);

	cr_assert_not_null(doc);
	cr_assert_eq(status, 1);
	/* The error document only: nothing was scanned. */
	cr_assert_null(json_object_get(doc, "mappings"));
	cr_assert_not_null(strstr(json_string_value(json_object_get(doc, "error")),
	                          "/nonexistent/dir/x.svg: No such file or directory"));
	json_decref(doc);
	doc = tu_run_json(BUILD_DIR "/mapscope file --svg /nonexistent/dir/x.svg /dev/null "
	                            "2>/dev/null",
	                  &status);
	cr_assert_not_null(doc);
	cr_assert_eq(status, 1);
	cr_assert_null(json_object_get(doc, "files"));
	cr_assert_not_null(json_object_get(doc, "error"));
	json_decref(doc);
	/* A path that can be written gets the picture, after the scan. */
	cr_assert_eq(tu_run(BUILD_DIR "/mapscope maps self --format text -o RSS --svg "
	                              "/tmp/mapscope-svg-check.svg >/dev/null",
	                    (char[8]){0}, 8),
	             0);
	cr_assert_eq(access("/tmp/mapscope-svg-check.svg", F_OK), 0, "drawn after the scan");
	unlink("/tmp/mapscope-svg-check.svg");
}
