/* mapscope file end to end: the built binary on files with known residency. */
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAPSCOPE BUILD_DIR "/mapscope file "

static char dir[] = "/tmp/mapscope-cli-file-XXXXXX";

static void make_dir(void)
{
	cr_assert_not_null(tu_make_tmpdir(dir));
}

static void remove_dir(void)
{
	tu_remove_tree(dir);
}

TestSuite(cli_file, .init = make_dir, .fini = remove_dir);

static char *in_dir(const char *name)
{
	static char bufs[4][256];
	static int next;
	char *p = bufs[next++ % 4];

	snprintf(p, 256, "%s/%s", dir, name);
	return p;
}

/* Every document the command printed; the exit status must be want. */
static json_t *run_docs(int want, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static json_t *run_docs(int want, const char *fmt, ...)
{
	char cmd[1024];
	json_t *docs;
	va_list ap;
	int status;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	docs = tu_run_docs(cmd, &status);
	cr_assert_not_null(docs, "%s: stdout is not JSON", cmd);
	cr_assert_eq(status, want, "%s: exit %d, want %d", cmd, status, want);
	return docs;
}

static json_t *first_file(json_t *docs)
{
	return json_array_get(json_object_get(json_array_get(docs, 0), "files"), 0);
}

static json_int_t int_at(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	cr_assert(json_is_integer(v), "%s is not an integer", key);
	return json_integer_value(v);
}

Test(cli_file, reports_counts_and_ranges)
{
	json_t *docs, *f, *ranges, *totals;

	cr_assert_eq(tu_file_with_residency(in_dir("f"), "####......#....."), 0);
	docs = run_docs(0, MAPSCOPE "--ranges %s", in_dir("f"));
	f = first_file(docs);
	cr_assert_str_eq(json_string_value(json_object_get(f, "path")), in_dir("f"));
	cr_assert_eq(int_at(f, "size"), 16 * 4096);
	cr_assert_eq(int_at(f, "pages"), 16);
	cr_assert_eq(int_at(f, "resident_pages"), 5);
	cr_assert_eq(int_at(f, "dirty_pages"), 0);
	ranges = json_object_get(f, "resident_ranges");
	cr_assert_eq(json_array_size(ranges), 2);
	cr_assert_eq(json_integer_value(json_array_get(json_array_get(ranges, 0), 1)), 3);
	cr_assert_eq(json_integer_value(json_array_get(json_array_get(ranges, 1), 0)), 10);
	totals = json_object_get(json_array_get(docs, 0), "totals");
	cr_assert_eq(int_at(totals, "files"), 1);
	cr_assert_eq(int_at(totals, "resident_pages"), 5);
	json_decref(docs);
}

Test(cli_file, page_map_has_one_cell_per_page)
{
	json_t *docs;

	cr_assert_eq(tu_file_with_residency(in_dir("f"), "#..#.##."), 0);
	docs = run_docs(0, MAPSCOPE "--pages %s", in_dir("f"));
	cr_assert_str_eq(json_string_value(json_object_get(first_file(docs), "page_map")),
	                 "#..#.##.");
	json_decref(docs);
}

/* fincore's own resident byte counts, one per line, for the same files. */
static void expect_fincore_agrees(const char *paths)
{
	char cmd[1024], out[4096], *line, *save;
	json_t *docs, *files;
	size_t i = 0;

	snprintf(cmd, sizeof(cmd), "fincore --bytes --noheadings --output RES %s", paths);
	if (tu_run(cmd, out, sizeof(out)) != 0)
		cr_skip("fincore (util-linux) is not available");
	docs = run_docs(0, MAPSCOPE "%s", paths);
	files = json_object_get(json_array_get(docs, 0), "files");
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save), i++)
		cr_assert_eq(int_at(json_array_get(files, i), "resident_pages") * 4096,
		             strtoll(line, NULL, 10), "file %zu", i);
	cr_assert_eq(i, json_array_size(files));
	json_decref(docs);
}

Test(cli_file, resident_pages_equal_fincores)
{
	char paths[600];

	cr_assert_eq(tu_file_with_residency(in_dir("a"), "#.#.##..#"), 0);
	cr_assert_eq(tu_file_with_residency(in_dir("b"), "........"), 0);
	snprintf(paths, sizeof(paths), "%s %s", in_dir("a"), in_dir("b"));
	expect_fincore_agrees(paths);
}

Test(cli_file, missing_path_fails_with_its_name)
{
	char out[4096];
	json_t *docs, *f, *err;

	cr_assert_eq(tu_file_with_residency(in_dir("f"), "#"), 0);
	docs = run_docs(1, MAPSCOPE "%s %s 2>/dev/null", in_dir("missing"), in_dir("f"));
	f = first_file(docs);
	cr_assert_str_eq(json_string_value(json_object_get(f, "error")),
	                 "No such file or directory");
	err = json_array_get(docs, 1);
	cr_assert_not_null(strstr(json_string_value(json_object_get(err, "error")), "missing"));
	json_decref(docs);
	cr_assert_eq(
	        tu_run(MAPSCOPE "--format text /nonexistent/x 2>&1 >/dev/null", out, sizeof(out)),
	        1);
	cr_assert_not_null(strstr(out, "/nonexistent/x: No such file or directory"), "%s", out);
}

Test(cli_file, directory_needs_r)
{
	json_t *docs;

	docs = run_docs(1, MAPSCOPE "%s 2>/dev/null", dir);
	cr_assert_not_null(
	        strstr(json_string_value(json_object_get(first_file(docs), "error")), "use -r"));
	json_decref(docs);
}

Test(cli_file, tree_counts_hard_links_once_and_skips_fifos)
{
	json_t *docs, *totals;

	cr_assert_eq(tu_file_with_residency(in_dir("a"), "##.."), 0);
	cr_assert_eq(link(in_dir("a"), in_dir("b")), 0);
	cr_assert_eq(mkfifo(in_dir("fifo"), 0644), 0);
	cr_assert_eq(symlink("a", in_dir("link")), 0);
	docs = run_docs(0, MAPSCOPE "-r %s", dir);
	totals = json_object_get(json_array_get(docs, 0), "totals");
	cr_assert_eq(int_at(totals, "files"), 1);
	cr_assert_eq(int_at(totals, "resident_pages"), 2);
	cr_assert_eq(int_at(totals, "duplicate_links"), 1);
	cr_assert_eq(int_at(totals, "skipped"), 1);
	cr_assert_eq(int_at(totals, "symlinks_not_followed"), 1);
	json_decref(docs);
}

Test(cli_file, jsonl_streams_one_document_per_file_then_totals)
{
	json_t *docs, *last;

	cr_assert_eq(tu_file_with_residency(in_dir("a"), "#."), 0);
	cr_assert_eq(tu_file_with_residency(in_dir("b"), "##"), 0);
	docs = run_docs(0, MAPSCOPE "--format jsonl --ranges %s %s", in_dir("a"), in_dir("b"));
	cr_assert_eq(json_array_size(docs), 3);
	cr_assert_eq(int_at(json_array_get(docs, 1), "resident_pages"), 2);
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(docs, 0), "kind")),
	                 "file");
	last = json_object_get(json_array_get(docs, 2), "totals");
	cr_assert_eq(int_at(last, "files"), 2);
	cr_assert_eq(int_at(last, "resident_pages"), 3);
	json_decref(docs);
}

Test(cli_file, text_is_a_table_with_a_header_within_100_columns)
{
	char cmd[1024], out[8192], name[200];

	cr_assert_eq(tu_file_with_residency(in_dir("f"), "##.."), 0);
	/* A name longer than the width is wrapped, never cut. */
	memset(name, 'n', 150);
	strcpy(name + 150, ".data");
	cr_assert_eq(tu_file_with_residency(in_dir(name), "#"), 0);
	snprintf(cmd, sizeof(cmd), MAPSCOPE "--format text --ranges %s %s", in_dir("f"),
	         in_dir(name));
	cr_assert_eq(tu_run(cmd, out, sizeof(out)), 0);
	cr_assert(strncmp(out, "   RES     PAGES   SIZE   RES% FILE\n", 36) == 0, "%s", out);
	cr_assert_not_null(strstr(out, "    8K         2    16K  50.0% "), "%s", out);
	cr_assert_not_null(strstr(out, "resident pages: 0-1"), "%s", out);
	cr_assert_not_null(strstr(out, "total: 2 files\n"), "%s", out);
	cr_assert_not_null(strstr(out, "nnnn.data\n"), "%s", out);
	cr_assert_leq(tu_widest_line(out), 100, "%s", out);

	/* The hidden columns, exact bytes, rows only. */
	snprintf(cmd, sizeof(cmd),
	         MAPSCOPE "--format text -o resident,SIZE,file --bytes --raw --no-headings %s",
	         in_dir("f"));
	cr_assert_eq(tu_run(cmd, out, sizeof(out)), 0);
	snprintf(name, sizeof(name), "[##########..........] 16384 %s\n", in_dir("f"));
	cr_assert_str_eq(out, name);
	cr_assert_eq(
	        tu_run(MAPSCOPE "--format text -o RES,COLOUR /dev/null 2>&1", out, sizeof(out)),
	        2);
	cr_assert_not_null(strstr(out, "invalid --output value 'COLOUR' (accepted: RES, PAGES"),
	                   "%s", out);
}

Test(cli_file, exclude_and_partial_leave_files_out_and_count_them)
{
	json_t *docs, *totals;
	char out[8192], cmd[1024];

	cr_assert_eq(mkdir(in_dir("t"), 0755), 0);
	cr_assert_eq(mkdir(in_dir("t/skip"), 0755), 0);
	cr_assert_eq(tu_file_with_residency(in_dir("t/half"), "#."), 0);
	cr_assert_eq(tu_file_with_residency(in_dir("t/all"), "##"), 0);
	cr_assert_eq(tu_file_with_residency(in_dir("t/none"), ".."), 0);
	cr_assert_eq(tu_file_with_residency(in_dir("t/x.tmp"), "#."), 0);
	cr_assert_eq(tu_file_with_residency(in_dir("t/skip/deep"), "#."), 0);
	docs = run_docs(0, MAPSCOPE "-r --exclude '*.tmp' --exclude skip --partial %s",
	                in_dir("t"));
	cr_assert_eq(json_array_size(json_object_get(json_array_get(docs, 0), "files")), 1);
	cr_assert_str_eq(json_string_value(json_object_get(first_file(docs), "path")),
	                 in_dir("t/half"));
	totals = json_object_get(json_array_get(docs, 0), "totals");
	cr_assert_eq(int_at(totals, "excluded"), 2);
	cr_assert_eq(int_at(totals, "not_partial"), 2);
	json_decref(docs);
	/* A glob with a '/' matches the whole path. */
	docs = run_docs(0, MAPSCOPE "-r --exclude '*/skip/*' %s", in_dir("t"));
	totals = json_object_get(json_array_get(docs, 0), "totals");
	cr_assert_eq(int_at(totals, "excluded"), 1, "%lld", (long long)int_at(totals, "excluded"));
	cr_assert_eq(int_at(totals, "files"), 4);
	json_decref(docs);
	snprintf(cmd, sizeof(cmd), MAPSCOPE "-r --format text --partial %s", in_dir("t"));
	cr_assert_eq(tu_run(cmd, out, sizeof(out)), 0);
	cr_assert_not_null(strstr(out, "2 files not partly resident (--partial)"), "%s", out);
}

Test(cli_file, evict_and_touch_change_residency_when_asked)
{
	json_t *docs;

	cr_assert_eq(tu_file_with_residency(in_dir("f"), "#.#."), 0);
	docs = run_docs(0, MAPSCOPE "--touch %s", in_dir("f"));
	cr_assert_eq(int_at(first_file(docs), "resident_pages"), 4);
	json_decref(docs);
	docs = run_docs(0, MAPSCOPE "--evict --ranges %s", in_dir("f"));
	cr_assert_eq(int_at(first_file(docs), "resident_pages"), 0);
	cr_assert_eq(json_array_size(json_object_get(first_file(docs), "resident_ranges")), 0);
	json_decref(docs);
}

Test(cli_file, sparse_terabyte_has_nothing_resident)
{
	json_t *docs, *f;

	cr_assert_eq(tu_file_with_residency(in_dir("sparse"), ""), 0);
	cr_assert_eq(truncate(in_dir("sparse"), 1LL << 40), 0);
	docs = run_docs(0, MAPSCOPE "--ranges %s", in_dir("sparse"));
	f = first_file(docs);
	cr_assert_eq(int_at(f, "pages"), 1LL << 28);
	cr_assert_eq(int_at(f, "resident_pages"), 0);
	cr_assert_eq(json_array_size(json_object_get(f, "resident_ranges")), 0);
	json_decref(docs);
}

Test(cli_file, usage_errors_exit_2)
{
	char out[4096];

	cr_assert_eq(tu_run(MAPSCOPE "2>/dev/null", out, sizeof(out)), 2);
	cr_assert_eq(tu_run(MAPSCOPE "--touch --evict x 2>/dev/null", out, sizeof(out)), 2);
	cr_assert_eq(tu_run(MAPSCOPE "--bogus x 2>/dev/null", out, sizeof(out)), 2);
	cr_assert_str_eq(out, "", "nothing on stdout for a usage error");
	cr_assert_eq(tu_run(MAPSCOPE "--help", out, sizeof(out)), 0);
	cr_assert_not_null(strstr(out, "--ranges"));
}

/* The unprivileged cases run the binary as nobody: skipped only when this
 * machine cannot switch users. */
static void need_nobody(void)
{
	char out[256];

	if (geteuid() != 0 || access("/usr/bin/setpriv", X_OK) != 0)
		cr_skip("needs root and setpriv to run as nobody");
	if (tu_run("setpriv --reuid=65534 --regid=65534 --clear-groups " BUILD_DIR
	           "/mapscope --help >/dev/null 2>&1",
	           out, sizeof(out)) != 0)
		cr_skip("nobody cannot run " BUILD_DIR "/mapscope here");
	cr_assert_eq(chmod(dir, 0755), 0);
}

#define AS_NOBODY "setpriv --reuid=65534 --regid=65534 --clear-groups "

Test(cli_file, unprivileged_reader_gets_null_not_100_percent)
{
	json_t *docs, *f;

	need_nobody();
	cr_assert_eq(tu_file_with_residency(in_dir("half"), "#.#.#.#.#.#.#.#."), 0);
	docs = run_docs(0, AS_NOBODY MAPSCOPE "--ranges %s", in_dir("half"));
	f = first_file(docs);
	cr_assert(json_is_null(json_object_get(f, "resident_pages")));
	cr_assert_not_null(json_string_value(json_object_get(f, "resident_pages_unavailable")));
	cr_assert(json_is_null(json_object_get(f, "resident_ranges")));
	cr_assert_eq(int_at(f, "pages"), 16);
	json_decref(docs);
}

Test(cli_file, permission_denied_is_reported)
{
	char out[4096], cmd[512];
	json_t *docs;

	need_nobody();
	cr_assert_eq(tu_file_with_residency(in_dir("secret"), "##"), 0);
	cr_assert_eq(chmod(in_dir("secret"), 0600), 0);
	docs = run_docs(1, AS_NOBODY MAPSCOPE "%s 2>/dev/null", in_dir("secret"));
	cr_assert_str_eq(json_string_value(json_object_get(first_file(docs), "error")),
	                 "Permission denied");
	json_decref(docs);
	snprintf(cmd, sizeof(cmd), AS_NOBODY MAPSCOPE "%s 2>&1 >/dev/null", in_dir("secret"));
	cr_assert_eq(tu_run(cmd, out, sizeof(out)), 1);
	cr_assert_not_null(strstr(out, "secret: Permission denied"), "%s", out);
}

/* Inside a tree a file that cannot be read is reported in its entry and the
 * rest is still measured: exit 0. */
Test(cli_file, unreadable_file_in_a_tree_does_not_stop_the_scan)
{
	json_t *docs, *totals;

	need_nobody();
	cr_assert_eq(tu_file_with_residency(in_dir("secret"), "##"), 0);
	cr_assert_eq(chmod(in_dir("secret"), 0600), 0);
	cr_assert_eq(tu_file_with_residency(in_dir("open"), "##"), 0);
	cr_assert_eq(chown(in_dir("open"), 65534, 65534), 0);
	docs = run_docs(0, AS_NOBODY MAPSCOPE "-r %s 2>/dev/null", dir);
	totals = json_object_get(json_array_get(docs, 0), "totals");
	cr_assert_eq(int_at(totals, "errors"), 1);
	cr_assert_eq(int_at(totals, "measured_files"), 1);
	cr_assert_eq(int_at(totals, "resident_pages"), 2);
	json_decref(docs);
}

/* A name that is not UTF-8 is still reported: each stray byte as \u00XX. */
Test(cli_file, names_that_are_not_utf8_are_kept)
{
	json_t *docs;
	const char *path;

	cr_assert_eq(tu_file_with_residency(in_dir("bad\xff\"name"), "#"), 0);
	docs = run_docs(0, MAPSCOPE "-r %s", dir);
	path = json_string_value(json_object_get(first_file(docs), "path"));
	cr_assert_not_null(path);
	cr_assert_not_null(strstr(path, "/bad\xc3\xbf\"name"), "%s", path);
	cr_assert_eq(int_at(first_file(docs), "resident_pages"), 1);
	json_decref(docs);
}
