/* mapscope share, run as a user would: holders started, measured, stopped. */
#include "prom_check.h"
#include "testutil.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#define SHARE BUILD_DIR "/mapscope share "

static json_t *run_share(const char *args, int want_status)
{
	char cmd[512];
	int status;
	json_t *doc;

	snprintf(cmd, sizeof(cmd), SHARE "%s 2>/dev/null", args);
	doc = tu_run_json(cmd, &status);
	cr_assert_eq(status, want_status, "%s: exit %d", cmd, status);
	cr_assert_not_null(doc, "%s: not JSON", cmd);
	return doc;
}

static int64_t get_int(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	cr_assert(json_is_integer(v), "%s is not an integer", key);
	return json_integer_value(v);
}

static int lists_library(json_t *doc, const char *name)
{
	json_t *libs = json_object_get(doc, "libraries");

	for (size_t i = 0; i < json_array_size(libs); i++)
		if (strstr(json_string_value(json_array_get(libs, i)), name))
			return 1;
	return 0;
}

Test(cli_share, dlopen_holders_are_measured_with_what_they_loaded)
{
	json_t *doc = run_share("-n 2 --loader dlopen libssl.so.3", 0);
	json_t *procs = json_object_get(doc, "per_process");
	json_t *totals = json_object_get(doc, "totals");
	int64_t sum = 0;

	cr_assert_str_eq(json_string_value(json_object_get(doc, "loader")), "dlopen");
	cr_assert_eq(get_int(doc, "processes"), 2);
	cr_assert(lists_library(doc, "libssl.so.3") && lists_library(doc, "libcrypto.so.3"));
	cr_assert_eq(json_array_size(procs), 2);
	for (size_t i = 0; i < 2; i++) {
		json_t *p = json_array_get(procs, i);
		cr_assert_gt(get_int(p, "pid"), 0);
		cr_assert_gt(get_int(p, "rss"), 0);
		cr_assert_gt(get_int(p, "private_dirty"), 0, "glibc relocates into private pages");
		cr_assert_leq(get_int(p, "pss"), get_int(p, "rss"));
		cr_assert(json_is_null(json_object_get(p, "relro")));
		sum += get_int(p, "private_dirty");
	}
	cr_assert_eq(get_int(totals, "private_dirty"), sum);
	json_decref(doc);
}

Test(cli_share, failing_holder_is_reported_and_nothing_is_left)
{
	char out[4096];
	int status = tu_run(SHARE "-n 3 --loader dlopen /nonexistent/libx.so 2>&1 >/dev/null", out,
	                    sizeof(out));

	cr_assert_eq(status, 1);
	cr_assert(strstr(out, "holder") && strstr(out, "exited with status 1"), "%s", out);
	cr_assert(strstr(out, "/nonexistent/libx.so"), "%s", out);
	cr_assert_eq(
	        tu_run("pgrep -f 'share --hold-dlopen /nonexistent/lib[x].so'", out, sizeof(out)),
	        1, "holders left behind: %s", out);
}

Test(cli_share, usage_errors_exit_2)
{
	char out[1024];

	cr_assert_eq(tu_run(SHARE "-n 0 libssl.so.3 2>&1", out, sizeof(out)), 2);
	cr_assert(strstr(out, "-n wants 1 to"), "%s", out);
	cr_assert_eq(tu_run(SHARE "--loader ld.so libssl.so.3 2>&1", out, sizeof(out)), 2);
	cr_assert(strstr(out, "unknown loader 'ld.so'"), "%s", out);
	cr_assert_eq(tu_run(SHARE "2>&1", out, sizeof(out)), 2);
	cr_assert_eq(tu_run(SHARE "a.so b.so 2>&1", out, sizeof(out)), 2);
	cr_assert_eq(tu_run(SHARE "--help", out, sizeof(out)), 0);
	cr_assert(strstr(out, "--loader"), "%s", out);
}

Test(cli_share, text_output_names_the_loader_and_the_libraries)
{
	char out[8192];

	cr_assert_eq(
	        tu_run(SHARE "-n 1 --loader dlopen --format text libssl.so.3", out, sizeof(out)),
	        0);
	cr_assert(strstr(out, "loader: dlopen"), "%s", out);
	cr_assert(strstr(out, "libcrypto.so.3"), "%s", out);
	cr_assert(strstr(out, "private dirty"), "%s", out);
}

Test(cli_share, prometheus_output_is_valid_exposition)
{
	static char out[1 << 16];
	struct prom_report rep;

	cr_assert_eq(tu_run(SHARE "-n 2 --loader dlopen --format prometheus libssl.so.3", out,
	                    sizeof(out)),
	             0);
	cr_assert_eq(prom_check(out, &rep), 0, "%s\n%s", rep.first, out);
	cr_assert(strstr(out, "mapscope_share_private_dirty_bytes{library=\"libssl.so.3\","
	                      "loader=\"dlopen\"}"),
	          "%s", out);
	cr_assert_geq(rep.samples, 2 * 9 + 9);
}
