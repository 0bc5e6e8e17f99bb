#include "support/testutil.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAPSCOPE BUILD_DIR "/mapscope"
#define TOUCH    BUILD_DIR "/tests/helpers/touchpages"
#define NOBODY   "setpriv --reuid=65534 --regid=65534 --clear-groups "

/* Perf events need root or CAP_PERFMON at perf_event_paranoid >= 2; as an
 * ordinary user the attribution tests have nothing to check. */
static void skip_unless_perf(void)
{
	json_t *doc;
	int status;

	doc = tu_run_json(MAPSCOPE " faults -- true", &status);
	cr_assert_not_null(doc);
	if (strcmp(json_string_value(json_object_get(doc, "source")), "perf_event") != 0) {
		json_decref(doc);
		cr_skip_test("perf events are not allowed here");
	}
	json_decref(doc);
}

/* Of the 1,024 pages of a 4 MiB file the command read whole, those still
 * cached when counted: the kernel may already have reclaimed a few (seen:
 * 1,022 on a loaded machine). */
#define MOSTLY_CACHED 1000

/* A directory of our own with a file of size bytes of data (not a hole). */
static void make_file(char *dir, char *path, size_t len, size_t size)
{
	static char chunk[1 << 20];
	int fd;

	strcpy(dir, "/tmp/mapscope-faults-XXXXXX");
	cr_assert_not_null(tu_make_tmpdir(dir));
	snprintf(path, len, "%s/data", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	cr_assert_geq(fd, 0);
	memset(chunk, 0x5a, sizeof(chunk));
	for (size_t done = 0; done < size; done += sizeof(chunk))
		cr_assert_eq(write(fd, chunk, sizeof(chunk)), (ssize_t)sizeof(chunk));
	fsync(fd);
	close(fd);
}

static void remove_file(const char *dir, const char *path)
{
	unlink(path);
	rmdir(dir);
}

static json_t *mapping_of(json_t *doc, const char *path)
{
	json_t *maps = json_object_get(doc, "by_mapping"), *m;
	size_t i;

	json_array_foreach(maps, i, m)
	{
		if (strcmp(json_string_value(json_object_get(m, "path")), path) == 0)
			return m;
	}
	return NULL;
}

Test(cli_faults, cold_file_every_16th_page_matches_kernel_counters, .timeout = TU_LIMIT(60))
{
	char dir[64], path[128], cmd[512];
	json_t *doc, *m;
	long long minor, major, kminor, kmajor;
	int status;
	skip_unless_perf();

	make_file(dir, path, sizeof(path), 64 << 20);
	snprintf(cmd, sizeof(cmd), MAPSCOPE " faults --cold %s -- " TOUCH " %s 16", path, path);
	doc = tu_run_json(cmd, &status);
	cr_assert_not_null(doc);
	cr_assert_eq(status, 0);
	cr_assert_str_eq(json_string_value(json_object_get(doc, "source")), "perf_event");
	cr_assert_eq(tu_json_int(doc, "exit_status"), 0);
	minor = tu_json_int(doc, "minor");
	major = tu_json_int(doc, "major");
	kminor = tu_json_int(doc, "kernel_minor");
	kmajor = tu_json_int(doc, "kernel_major");
	/* The kernel's counters also hold the few dozen faults of exec itself,
	 * before the exec-enabled events start. */
	cr_assert_geq(kminor + kmajor, minor + major);
	cr_assert_leq(kminor + kmajor - (minor + major), 64, "kernel %lld+%lld, perf %lld+%lld",
	              kminor, kmajor, minor, major);
	cr_assert_eq(tu_json_int(doc, "lost_samples"), 0);
	m = mapping_of(doc, path);
	cr_assert_not_null(m, "no faults attributed to %s", path);
	/* Readahead makes this one major fault on the file; any other process
	 * evicting a page the command needs adds one elsewhere, so allow a
	 * handful there (the 90% share is checked where majors are many). */
	cr_assert_geq(tu_json_int(m, "major"), 1);
	cr_assert_leq(major - tu_json_int(m, "major"), 4, "%lld major faults, %lld on the file",
	              major, tu_json_int(m, "major"));
	cr_assert_eq(tu_json_int(m, "cache_pages_before"), 0);
	cr_assert_geq(tu_json_int(m, "cache_pages_added"), MOSTLY_CACHED, "%lld pages added",
	              tu_json_int(m, "cache_pages_added"));
	json_decref(doc);
	remove_file(dir, path);
}

Test(cli_faults, random_advice_makes_one_major_fault_per_page, .timeout = TU_LIMIT(60))
{
	char dir[64], path[128], cmd[512];
	json_t *doc, *m;
	int status;
	skip_unless_perf();

	make_file(dir, path, sizeof(path), 4 << 20);
	snprintf(cmd, sizeof(cmd), MAPSCOPE " faults --samples --cold %s -- " TOUCH " %s 4 random",
	         path, path);
	doc = tu_run_json(cmd, &status);
	cr_assert_eq(status, 0);
	m = mapping_of(doc, path);
	cr_assert_not_null(m);
	cr_assert_eq(tu_json_int(m, "major"), 256);
	cr_assert_geq(tu_json_int(m, "major") * 10, tu_json_int(doc, "major") * 9,
	              "at least 90%% of the major faults are attributed to the file");
	cr_assert_eq(tu_json_int(m, "pages"), 256);
	cr_assert_eq(tu_json_int(m, "cache_pages_added"), 256);
	cr_assert_geq(json_array_size(json_object_get(doc, "samples")), 256);
	json_decref(doc);
	remove_file(dir, path);
}

Test(cli_faults, writes_to_a_private_mapping_are_copy_on_write_faults)
{
	char dir[64], path[128], cmd[512];
	json_t *doc, *m;
	int status;
	skip_unless_perf();

	make_file(dir, path, sizeof(path), 1 << 20);
	snprintf(cmd, sizeof(cmd), MAPSCOPE " faults -- " TOUCH " %s 1 write-private", path);
	doc = tu_run_json(cmd, &status);
	cr_assert_eq(status, 0);
	m = mapping_of(doc, path);
	cr_assert_not_null(m);
	/* One write fault per page: each copies the file page (no fault-around). */
	cr_assert_geq(tu_json_int(m, "minor") + tu_json_int(m, "major"), 256);
	cr_assert_eq(tu_json_int(m, "pages"), 256);
	json_decref(doc);
	remove_file(dir, path);
}

/* Paranoid 2 refuses kernel-mode sampling to nobody, not user-mode sampling:
 * the totals come from rusage and the user-mode faults are attributed. */
Test(cli_faults, unprivileged_run_samples_user_mode_faults)
{
	int paranoid = tu_perf_paranoid(), status;
	char out[4096];
	json_t *doc, *maps;
	const char *why;

	if (paranoid < 2 || getuid() != 0)
		cr_skip_test("needs root to drop to nobody, and perf_event_paranoid >= 2");
	if (tu_run(NOBODY MAPSCOPE " --help 2>&1", out, sizeof(out)) != 0)
		cr_skip_test("nobody cannot run " MAPSCOPE " from this checkout");
	doc = tu_run_json(NOBODY MAPSCOPE " faults --samples -- /bin/true", &status);
	cr_assert_not_null(doc);
	cr_assert_eq(status, 0);
	cr_assert_str_eq(json_string_value(json_object_get(doc, "source")), "rusage");
	why = json_string_value(json_object_get(doc, "perf_event_unavailable"));
	cr_assert_not_null(why);
	cr_assert_not_null(strstr(why, "perf_event_paranoid"), "%s", why);
	cr_assert_gt(tu_json_int(doc, "minor"), 0);
	cr_assert_eq(tu_json_int(doc, "minor"), tu_json_int(doc, "kernel_minor"));
	maps = json_object_get(doc, "by_mapping");
	if (paranoid > 2) { /* user-mode events are refused too */
		cr_assert_str_eq(json_string_value(json_object_get(doc, "sampling")), "none");
		cr_assert(json_is_null(maps));
		cr_assert(json_is_null(json_object_get(doc, "samples")));
		json_decref(doc);
		return;
	}
	cr_assert_str_eq(json_string_value(json_object_get(doc, "sampling")), "user_mode_only");
	cr_assert_gt(json_array_size(maps), 0);
	cr_assert_gt(json_array_size(json_object_get(doc, "samples")), 0);
	cr_assert_eq(tu_json_int(doc, "sampled_minor") + tu_json_int(doc, "unsampled_minor"),
	             tu_json_int(doc, "minor"));
	cr_assert_gt(tu_json_int(doc, "unsampled_minor"), 0, "exec's faults are never sampled");
	json_decref(doc);
}

Test(cli_faults, exit_status_and_signal_of_the_command)
{
	json_t *doc;
	int status;

	/* Passed on as time(1) does: the code, or 128 + the signal. */
	doc = tu_run_json(MAPSCOPE " faults -- sh -c 'exit 3'", &status);
	cr_assert_eq(status, 3);
	cr_assert_eq(tu_json_int(doc, "exit_status"), 3);
	json_decref(doc);
	doc = tu_run_json(MAPSCOPE " faults --format text -- sh -c 'exit 3' >/dev/null", &status);
	cr_assert_eq(status, 3);
	json_decref(doc);
	doc = tu_run_json(MAPSCOPE " faults -- sh -c 'kill -SEGV $$'", &status);
	cr_assert_eq(status, 128 + 11);
	cr_assert_eq(tu_json_int(doc, "signal"), 11);
	json_decref(doc);
	doc = tu_run_json(MAPSCOPE " faults -- sh -c 'kill -9 $$'", &status);
	cr_assert_eq(status, 128 + 9);
	cr_assert(json_is_null(json_object_get(doc, "exit_status")));
	cr_assert_eq(tu_json_int(doc, "signal"), 9);
	json_decref(doc);
}

Test(cli_faults, ctrl_c_goes_to_the_command_and_the_report_still_comes)
{
	json_t *doc;
	int status;

	/* The command interrupts mapscope (which must ignore it), then itself. */
	doc = tu_run_json(MAPSCOPE " faults -- sh -c 'kill -INT $PPID; sleep 0.1; kill -INT $$'",
	                  &status);
	cr_assert_not_null(doc);
	cr_assert_eq(status, 128 + 2);
	cr_assert_eq(tu_json_int(doc, "signal"), 2);
	json_decref(doc);
}

#define MREMAPGROW BUILD_DIR "/tests/helpers/mremapgrow"

/* Sampled faults that by_mapping holds, against the ones perf counted. */
static void expect_attributed(const char *cmd, double at_least)
{
	json_t *doc, *maps, *m;
	long long sum = 0, counted;
	size_t i;
	int status;

	doc = tu_run_json(cmd, &status);
	cr_assert_not_null(doc, "%s", cmd);
	cr_assert_eq(status, 0, "%s", cmd);
	if (tu_json_int(doc, "lost_samples")) {
		json_decref(doc);
		cr_skip_test("the kernel dropped samples: the sums cannot be checked");
	}
	counted = tu_json_int(doc, "minor") + tu_json_int(doc, "major");
	maps = json_object_get(doc, "by_mapping");
	json_array_foreach(maps, i, m)
	{
		sum += tu_json_int(m, "minor") + tu_json_int(m, "major");
	}
	cr_expect_geq((double)sum, at_least * (double)counted, "%s: %lld of %lld attributed", cmd,
	              sum, counted);
	cr_expect_leq((double)(tu_json_int(doc, "unattributed_minor") +
	                       tu_json_int(doc, "unattributed_major")),
	              (1 - at_least) * (double)counted, "%s", cmd);
	json_decref(doc);
}

/* Issue 14.2: memory moved with mremap has no mmap record; its faults are
 * still attributed (>= 99%), for a program that does only that and for
 * ls -R, which grows its buffers so. */
Test(cli_faults, memory_moved_with_mremap_is_attributed, .timeout = TU_LIMIT(60))
{
	skip_unless_perf();
	expect_attributed(MAPSCOPE " faults -- " MREMAPGROW " 64 2>/dev/null", 0.99);
	expect_attributed(MAPSCOPE " faults -- ls -R /usr/share 2>/dev/null", 0.99);
}

/* The text table's rows add up to the headline: any remainder is a row. */
Test(cli_faults, text_rows_add_up_to_the_total, .timeout = TU_LIMIT(60))
{
	char out[1 << 16], *line, *save = NULL;
	long long headline = -1, rows = 0;
	bool in_table = false;
	skip_unless_perf();

	cr_assert_eq(tu_run(MAPSCOPE " faults --format text -- " MREMAPGROW " 64 2>/dev/null", out,
	                    sizeof(out)),
	             0);
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *tok[64];
		int n = 0;

		if (headline < 0 && sscanf(line, "faults: %lld minor", &headline) == 1)
			continue;
		if (strstr(line, "MINOR") && strstr(line, "MAPPING")) {
			in_table = true; /* the header row: MINOR first */
			continue;
		}
		if (!in_table)
			continue;
		if (line[0] == '/' && strstr(line, "faults over"))
			break; /* the histograms */
		for (char *t = strtok(line, " "); t && n < 64; t = strtok(NULL, " "))
			tok[n++] = t;
		if (n >= 5)
			rows += atoll(tok[0]);
	}
	cr_assert_gt(headline, 0);
	cr_expect_eq(rows, headline, "rows add to %lld under a headline of %lld", rows, headline);
}

/* SIGTERM to mapscope is passed on to the command; the document still
 * comes, says it was interrupted, and the exit is 143. */
Test(cli_faults, sigterm_is_passed_on_and_the_report_says_interrupted, .timeout = TU_LIMIT(30))
{
	json_t *doc;
	int status;

	doc = tu_run_json(MAPSCOPE " faults -- sh -c 'kill -TERM $PPID; sleep 20' 2>/dev/null",
	                  &status);
	cr_assert_not_null(doc);
	cr_assert_eq(status, 143);
	cr_assert_str_eq(json_string_value(json_object_get(doc, "interrupted")), "SIGTERM");
	cr_assert_eq(tu_json_int(doc, "signal"), 15);
	cr_assert_lt(tu_json_int(doc, "wall_ns"), 10000000000LL);
	json_decref(doc);
}

Test(cli_faults, command_not_found_is_a_clear_error)
{
	json_t *doc;
	const char *msg;
	int status;

	doc = tu_run_json(MAPSCOPE " faults -- /nonexistent/cmd 2>/dev/null", &status);
	cr_assert_eq(status, 1);
	cr_assert_not_null(doc);
	msg = json_string_value(json_object_get(doc, "error"));
	cr_assert_not_null(strstr(msg, "/nonexistent/cmd"), "%s", msg);
	cr_assert_not_null(strstr(msg, "No such file"), "%s", msg);
	json_decref(doc);
}

Test(cli_faults, unreadable_cold_file_is_an_error_naming_it)
{
	char out[4096];

	cr_assert_eq(
	        tu_run(MAPSCOPE " faults --cold /nonexistent/file -- true 2>&1", out, sizeof(out)),
	        1);
	cr_assert_not_null(strstr(out, "/nonexistent/file"), "%s", out);
}

/* A --cold file the command reads with read(): no faults in it, yet its
 * page cache before and after is reported, in JSON and in text. */
Test(cli_faults, cold_file_read_with_read_has_cache_before_and_after, .timeout = TU_LIMIT(60))
{
	char dir[64], path[128], cmd[512], out[1 << 16], want[256];
	const char *line;
	long long before, after, added;
	json_t *doc, *m;
	int status;

	make_file(dir, path, sizeof(path), 4 << 20);
	snprintf(cmd, sizeof(cmd),
	         MAPSCOPE " faults --cold %s -- dd if=%s of=/dev/null bs=1M 2>/dev/null", path,
	         path);
	doc = tu_run_json(cmd, &status);
	cr_assert_not_null(doc);
	cr_assert_eq(status, 0);
	m = mapping_of(doc, path);
	cr_assert_not_null(m, "%s is not in by_mapping", path);
	cr_expect_eq(tu_json_int(m, "cache_pages_before"), 0);
	cr_expect_geq(tu_json_int(m, "cache_pages_after"), MOSTLY_CACHED, "%lld pages after",
	              tu_json_int(m, "cache_pages_after"));
	cr_expect_leq(tu_json_int(m, "cache_pages_after"), 1024);
	json_decref(doc);
	snprintf(cmd, sizeof(cmd),
	         MAPSCOPE " faults --format text --cold %s -- dd if=%s of=/dev/null bs=1M "
	                  "2>/dev/null",
	         path, path);
	cr_assert_eq(tu_run(cmd, out, sizeof(out)), 0);
	snprintf(want, sizeof(want), "page cache of %s: ", path);
	cr_assert_not_null(line = strstr(out, want), "%s", out);
	cr_assert_eq(sscanf(line + strlen(want), "%lld pages before, %lld after (+%lld)", &before,
	                    &after, &added),
	             3, "%s", out);
	cr_expect(before == 0 && after >= MOSTLY_CACHED && after <= 1024 && added == after, "%s",
	          out);
	remove_file(dir, path);
}

Test(cli_faults, cold_directory_is_refused)
{
	char out[4096];

	cr_assert_eq(tu_run(MAPSCOPE " faults --cold /usr/lib -- true 2>&1", out, sizeof(out)), 1);
	cr_assert_not_null(strstr(out, "/usr/lib"), "%s", out);
	cr_assert_not_null(strstr(out, "directory"), "%s", out);
}

Test(cli_faults, usage_errors_exit_2)
{
	char out[4096];

	cr_assert_eq(tu_run(MAPSCOPE " faults 2>&1", out, sizeof(out)), 2);
	cr_assert_eq(tu_run(MAPSCOPE " faults --lib x.so 2>&1", out, sizeof(out)), 2);
	cr_assert_eq(tu_run(MAPSCOPE " faults --format prometheus -- true 2>&1", out, sizeof(out)),
	             2);
	cr_assert_eq(tu_run(MAPSCOPE " faults --help", out, sizeof(out)), 0);
	cr_assert_not_null(strstr(out, "usage"));
}

Test(cli_faults, text_output_has_a_table_and_a_histogram)
{
	char out[1 << 16];
	skip_unless_perf();

	cr_assert_eq(
	        tu_run(MAPSCOPE " faults --format text -- ls / 2>/dev/null", out, sizeof(out)), 0);
	cr_assert_not_null(strstr(out, "MAPPING"));
	cr_assert_not_null(strstr(out, "libc.so.6"));
	cr_assert_not_null(strstr(out, "[ anon ]"), "%s", out);
	cr_assert_not_null(strstr(out, "faults over"));
	cr_assert_null(strstr(out, "timeline"));
	cr_assert_eq(tu_run(MAPSCOPE " faults --samples --format text -- ls / 2>/dev/null", out,
	                    sizeof(out)),
	             0);
	cr_assert_not_null(strstr(out, "timeline over"), "%s", out);
	cr_assert_not_null(strstr(out, "\nminor |"), "%s", out);
}

Test(cli_faults, a_long_path_is_wrapped_within_100_columns)
{
	char dir[64], path[256], longer[512], cmd[1024], out[1 << 16], *table, *end;

	skip_unless_perf();
	make_file(dir, path, sizeof(path), 1 << 20);
	snprintf(longer, sizeof(longer),
	         "%s/a-file-name-long-enough-to-pass-the-old-fifty-columns-and-then-a-hundred-too",
	         dir);
	cr_assert_eq(rename(path, longer), 0);
	snprintf(cmd, sizeof(cmd), MAPSCOPE " faults --format text -- " TOUCH " %s 1 2>/dev/null",
	         longer);
	cr_assert_eq(tu_run(cmd, out, sizeof(out)), 0, "%s", out);
	/* The table: from its header row to the blank line after it. */
	table = strstr(out, "\nMINOR MAJOR PAGES CACHE+ MAPPING\n");
	cr_assert_not_null(table, "%s", out);
	end = strstr(table + 1, "\n\n");
	if (end)
		end[1] = '\0';
	cr_assert_leq(tu_widest_line(table), 100, "%s", table);
	cr_assert_not_null(strstr(table, "[ anon ]") ? table : NULL, "%s", table);
	cr_assert_null(strstr(out, "//anon"), "%s", out);
	remove_file(dir, longer);
}

static void check_library_phases(const char *loader)
{
	char cmd[512];
	json_t *doc, *phases, *load;
	int status;

	snprintf(cmd, sizeof(cmd),
	         MAPSCOPE
	         " faults --lib " TESTLIB("libhello.so") " --call hello_reset --loader %s",
	         loader);
	doc = tu_run_json(cmd, &status);
	cr_assert_not_null(doc);
	cr_assert_eq(status, 0);
	cr_assert_str_eq(json_string_value(json_object_get(doc, "loader")), loader);
	cr_assert(json_is_false(json_object_get(doc, "already_loaded")));
	phases = json_object_get(doc, "phases");
	cr_assert_eq(json_array_size(phases), 2);
	load = json_array_get(phases, 0);
	cr_assert_str_eq(json_string_value(json_object_get(load, "phase")), "load");
	/* Mapping and relocating a library touches at least its pages. */
	cr_assert_geq(tu_json_int(load, "minor"), 3);
	cr_assert_gt(tu_json_int(load, "ns"), 0);
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(phases, 1), "phase")),
	                 "call");
	cr_assert_eq(tu_json_int(doc, "minor"),
	             tu_json_int(load, "minor") + tu_json_int(json_array_get(phases, 1), "minor"));
	json_decref(doc);
}

Test(cli_faults, library_text_is_a_table_and_the_default_loader_is_dlopen)
{
	char out[4096];

	cr_assert_eq(tu_run(MAPSCOPE " faults --lib " TESTLIB("libhello.so") " --call hello_reset "
	                                                                     "--format text",
	                    out, sizeof(out)),
	             0, "%s", out);
	cr_assert_not_null(strstr(out, "(dlopen)"), "%s", out);
	cr_assert(tu_has_line(out, "^PHASE +MINOR +MAJOR +TIME_US$"), "%s", out);
	cr_assert(tu_has_line(out, "^load +[0-9]+ +[0-9]+ +[0-9.]+$"), "%s", out);
	cr_assert_eq(tu_run(MAPSCOPE " faults --lib " TESTLIB(
	                            "libhello.so") " --call hello_reset "
	                                           "--format text -o phase --no-headings",
	                    out, sizeof(out)),
	             0, "%s", out);
	cr_assert_str_eq(out, "load\ncall\n");
	cr_assert_eq(tu_run(MAPSCOPE " faults --help", out, sizeof(out)), 0);
	cr_assert_not_null(strstr(out, "with dlopen unless --loader"), "%s", out);
}

Test(cli_faults, library_load_and_call_with_dlopen)
{
	check_library_phases("dlopen");
}

Test(cli_faults, library_load_and_call_with_soload)
{
	check_library_phases("soload");
}

Test(cli_faults, library_already_in_mapscope_is_flagged)
{
	json_t *doc;
	int status;

	doc = tu_run_json(MAPSCOPE " faults --lib libjansson.so.4 --call jansson_version_str",
	                  &status);
	cr_assert_eq(status, 0);
	cr_assert(json_is_true(json_object_get(doc, "already_loaded")));
	json_decref(doc);
}

Test(cli_faults, library_errors_name_the_library_or_symbol)
{
	char out[4096];

	cr_assert_eq(tu_run(MAPSCOPE
	                    " faults --lib " TESTLIB("libhello.so") " --call no_such 2>&1",
	                    out, sizeof(out)),
	             1);
	cr_assert_not_null(strstr(out, "no_such"), "%s", out);
	cr_assert_eq(tu_run(MAPSCOPE " faults --lib /nonexistent.so --call f --loader soload 2>&1",
	                    out, sizeof(out)),
	             1);
	cr_assert_not_null(strstr(out, "/nonexistent.so"), "%s", out);
	cr_assert_eq(
	        tu_run(MAPSCOPE " faults --lib x.so --call f --loader ld 2>&1", out, sizeof(out)),
	        2);
}

/* Issue 14: --lib takes a soname, which libsoload searches as dlopen does
 * (libsqlite3 as in the report, where installed; libz everywhere). */
Test(cli_faults, library_by_soname_with_soload)
{
	static const char *const libs[][2] = {{"libz.so.1", "zlibVersion"},
	                                      {"libsqlite3.so.0", "sqlite3_libversion"}};
	char cmd[512];
	json_t *doc;
	int status;

	for (size_t i = 0; i < sizeof(libs) / sizeof(libs[0]); i++) {
		if (i && access("/usr/lib/x86_64-linux-gnu/libsqlite3.so.0", R_OK) != 0)
			continue;
		snprintf(cmd, sizeof(cmd), MAPSCOPE " faults --lib %s --call %s --loader soload",
		         libs[i][0], libs[i][1]);
		doc = tu_run_json(cmd, &status);
		cr_assert_eq(status, 0, "%s", cmd);
		cr_assert_str_eq(json_string_value(json_object_get(doc, "library")), libs[i][0]);
		cr_assert_geq(
		        tu_json_int(json_array_get(json_object_get(doc, "phases"), 0), "minor"),
		        1);
		json_decref(doc);
	}
}
