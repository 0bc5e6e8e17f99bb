/* mapscope libs end to end: the JSON for a holder the test starts, the text
 * table within 100 columns, Prometheus metrics that pass the format check,
 * sorting, --top, --path, and the exit codes. */
#include "support/prom_check.h"
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define OUT_CAP (1 << 20)
/* A directory name long enough that the library's path must wrap. */
#define LONG_DIR                                                                                  \
	"a-directory-name-long-enough-that-the-path-of-the-library-does-not-fit-in-the-column"

static char dir[] = "/tmp/mapscope-clilibs-XXXXXX";
static char lib_path[256];

static void copy_library(void)
{
	char cmd[600];

	cr_assert_not_null(tu_make_tmpdir(dir));
	snprintf(lib_path, sizeof(lib_path), "%s/" LONG_DIR "/libtables.so", dir);
	snprintf(cmd, sizeof(cmd), "mkdir %s/" LONG_DIR " && cp %s %s", dir,
	         TESTLIB("libtables.so"), lib_path);
	cr_assert_eq(system(cmd), 0);
}

static void remove_library(void)
{
	tu_remove_tree(dir);
}

TestSuite(cli_libs, .init = copy_library, .fini = remove_library, .timeout = 60);

static int hold_copy(void *arg)
{
	(void)arg;
	return dlopen(lib_path, RTLD_NOW) ? 0 : -1;
}

/* mapscope libs ARGS as JSON, with the exit status checked. */
static json_t *run_libs(int want, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static json_t *run_libs(int want, const char *fmt, ...)
{
	char args[512], cmd[700];
	va_list ap;
	int status;
	json_t *doc;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), BUILD_DIR "/mapscope libs %s 2>/dev/null", args);
	doc = tu_run_json(cmd, &status);
	cr_assert_not_null(doc, "%s: not JSON", cmd);
	cr_assert_eq(status, want, "%s: exit %d", cmd, status);
	cr_assert_str_eq(json_string_value(json_object_get(doc, "kind")), "libs");
	return doc;
}

Test(cli_libs, a_holder_and_its_library)
{
	pid_t pid = tu_spawn(hold_copy, NULL);
	json_t *doc, *libs, *lib, *totals;

	cr_assert_gt(pid, 0);
	doc = run_libs(0, "--path '*/mapscope-clilibs-*' %d", (int)pid);
	libs = json_object_get(doc, "libraries");
	cr_assert_eq(json_array_size(libs), 1);
	lib = json_array_get(libs, 0);
	cr_assert_str_eq(json_string_value(json_object_get(lib, "path")), lib_path);
	cr_assert_eq(tu_json_int(lib, "processes"), 1);
	cr_assert_eq(json_integer_value(json_array_get(json_object_get(lib, "pids"), 0)), pid);
	cr_assert_eq(tu_json_int(lib, "pids_omitted"), 0);
	cr_assert_gt(tu_json_int(lib, "rss"), 0);
	cr_assert_geq(tu_json_int(lib, "rss"), tu_json_int(lib, "uss"));
	cr_assert_gt(tu_json_int(lib, "relro_private_dirty"), 30 * 4096);
	cr_assert_eq(tu_json_int(lib, "relro_share_saving_estimate"), 0, "one process: no saving");
	/* The test made the file: the kernel tells its owner the truth. */
	cr_assert_gt(tu_json_int(lib, "resident_pages"), 0);
	cr_assert_geq(tu_json_int(lib, "evicted_pages"), 0);
	totals = json_object_get(doc, "totals");
	cr_assert_eq(tu_json_int(totals, "libraries"), 1);
	cr_assert_eq(tu_json_int(totals, "processes"), 1);
	cr_assert_eq(tu_json_int(totals, "rss"), tu_json_int(lib, "rss"));
	cr_assert_not_null(
	        strstr(json_string_value(json_object_get(totals, "relro_share_saving_method")),
	               "estimate"));
	cr_assert_eq(json_array_size(json_object_get(doc, "errors")), 0);
	json_decref(doc);
	tu_reap(pid);
}

/* Asserts no line of text is wider than 100 columns. */
static void assert_fits(const char *text)
{
	for (const char *line = text; *line;) {
		size_t n = strcspn(line, "\n");
		cr_assert_leq(n, 100, "a line of %zu columns: %.*s", n, (int)n, line);
		line += n + (line[n] == '\n');
	}
}

Test(cli_libs, text_fits_100_columns)
{
	pid_t pid = tu_spawn(hold_copy, NULL);
	char cmd[256], *out = malloc(OUT_CAP), *whole;

	cr_assert_gt(pid, 0);
	snprintf(cmd, sizeof(cmd), BUILD_DIR "/mapscope libs --format text %d", (int)pid);
	cr_assert_eq(tu_run(cmd, out, OUT_CAP), 0);
	assert_fits(out);
	/* a path too long for its column wraps onto more lines: nothing is cut */
	whole = tu_unwrap(out);
	cr_assert_not_null(strstr(whole, lib_path), "%s", out);
	free(whole);
	cr_assert_null(strstr(out, "..."), "%s", out);
	cr_assert_not_null(strstr(out, "LIBRARY"));
	cr_assert_not_null(strstr(out, "RELRO sharing"));
	cr_assert_eq(tu_run(BUILD_DIR "/mapscope libs --format text --sort relro", out, OUT_CAP),
	             0);
	assert_fits(out);
	free(out);
	tu_reap(pid);
}

Test(cli_libs, the_text_table_takes_the_users_columns_and_units)
{
	pid_t pid = tu_spawn(hold_copy, NULL);
	char cmd[256], *out = malloc(OUT_CAP);
	unsigned long procs, pss;

	cr_assert_gt(pid, 0);
	snprintf(cmd, sizeof(cmd),
	         BUILD_DIR
	         "/mapscope libs --format text --bytes --no-headings -o PROCS,PSS,LIBRARY "
	         "--path '*/libtables.so' %d",
	         (int)pid);
	cr_assert_eq(tu_run(cmd, out, OUT_CAP), 0);
	assert_fits(out);
	/* first line: the one library, its PSS in bytes, no header above it */
	cr_assert_eq(sscanf(out, " %lu %lu ", &procs, &pss), 2, "%s", out);
	cr_assert_eq(procs, 1, "%s", out);
	cr_assert_eq(pss % 1024, 0, "%s", out);
	cr_assert_null(strstr(out, "LIBRARY"), "%s", out);
	cr_assert_not_null(strstr(out, "\n1 process read, "), "one process, singular: %s", out);
	free(out);
	tu_reap(pid);
}

Test(cli_libs, prometheus_passes_the_format_check)
{
	char *out = malloc(OUT_CAP);
	struct prom_report rep;
	int libs = 0;

	cr_assert_eq(tu_run(BUILD_DIR "/mapscope libs --format prometheus", out, OUT_CAP), 0);
	cr_assert_eq(prom_check(out, &rep), 0, "%s", rep.first);
	for (const char *p = out; (p = strstr(p, "\nmapscope_lib_processes{")); p++)
		libs++;
	cr_assert(libs > 0 && libs <= 20, "%d libraries in the metrics", libs);
	cr_assert_not_null(strstr(out, "\nmapscope_libs_pss_bytes "));
	cr_assert_not_null(strstr(out, "\nmapscope_libs_relro_share_saving_bytes "));
	cr_assert_eq(tu_run(BUILD_DIR "/mapscope libs --format prometheus --top 2", out, OUT_CAP),
	             0);
	cr_assert_eq(prom_check(out, &rep), 0, "%s", rep.first);
	free(out);
}

Test(cli_libs, sorted_by_the_key_and_cut_to_top)
{
	static const char *const keys[][2] = {{"rss", "rss"},
	                                      {"uss", "uss"},
	                                      {"private_dirty", "private_dirty"},
	                                      {"relro", "relro_private_dirty"},
	                                      {"processes", "processes"}};

	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		json_t *doc = run_libs(0, "--sort %s --top 5", keys[k][0]);
		json_t *libs = json_object_get(doc, "libraries"), *lib;
		long long last = -1;
		size_t i;

		cr_assert_str_eq(json_string_value(json_object_get(doc, "sort")), keys[k][0]);
		cr_assert_leq(json_array_size(libs), 5);
		cr_assert_geq(tu_json_int(json_object_get(doc, "totals"), "libraries"),
		              (long long)json_array_size(libs));
		json_array_foreach(libs, i, lib)
		{
			json_t *v = json_object_get(lib, keys[k][1]);
			long long value = json_is_integer(v) ? json_integer_value(v) : 0;
			cr_assert(last < 0 || value <= last, "--sort %s: %lld after %lld",
			          keys[k][0], value, last);
			last = value;
		}
		json_decref(doc);
	}
}

Test(cli_libs, a_missing_pid_fails_with_an_error_document)
{
	char out[512];
	json_t *doc = run_libs(1, "2147483647");

	cr_assert_not_null(strstr(json_string_value(json_object_get(doc, "error")),
	                          "pid 2147483647: no such process"));
	json_decref(doc);
	cr_assert_eq(
	        tu_run(BUILD_DIR "/mapscope libs --format text 2147483647 2>&1", out, sizeof(out)),
	        1);
	cr_assert_not_null(strstr(out, "no such process"), "%s", out);
}

Test(cli_libs, usage_errors_exit_2)
{
	static const char *const bad[] = {"--sort size", "--top 0",       "--top x", "--all 1",
	                                  "notapid",     "--format yaml", "--bogus"};
	char cmd[256], out[4096];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(cmd, sizeof(cmd), BUILD_DIR "/mapscope libs %s 2>&1", bad[i]);
		cr_assert_eq(tu_run(cmd, out, sizeof(out)), 2, "%s: %s", bad[i], out);
		cr_assert_not_null(strstr(out, "mapscope"), "%s: no message", bad[i]);
	}
	cr_assert_eq(tu_run(BUILD_DIR "/mapscope libs --help", out, sizeof(out)), 0);
	cr_assert_not_null(strstr(out, "--sort"));
}
