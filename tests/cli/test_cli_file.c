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
	/* One document: the run's error is in it, not in a second one. */
	cr_assert_eq(json_array_size(docs), 1);
	err = json_array_get(docs, 0);
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
	json_t *docs, *f;
	const char *path, *hex;

	cr_assert_eq(tu_file_with_residency(in_dir("bad\xff\xfe\"name"), "#"), 0);
	docs = run_docs(0, MAPSCOPE "-r %s", dir);
	f = first_file(docs);
	path = json_string_value(json_object_get(f, "path"));
	cr_assert_not_null(path);
	cr_assert_not_null(strstr(path, "/bad\xef\xbf\xbd\xef\xbf\xbd\"name"), "%s", path);
	/* The hex beside it is the name's exact bytes. */
	hex = json_string_value(json_object_get(f, "path_hex"));
	cr_assert_not_null(hex);
	cr_assert_eq(strlen(hex), 2 * strlen(in_dir("bad\xff\xfe\"name")));
	cr_assert_not_null(strstr(hex, "626164fffe226e616d65"), "%s", hex);
	cr_assert_eq(int_at(f, "resident_pages"), 1);
	json_decref(docs);
}

/* Text escapes control characters and stray bytes as fincore does. */
Test(cli_file, text_escapes_control_characters_in_names)
{
	char cmd[512], out[8192], want[512];

	cr_assert_eq(tu_file_with_residency(in_dir("a\nb"), "#"), 0);
	cr_assert_eq(tu_file_with_residency(in_dir("c\xff"), "#"), 0);
	snprintf(cmd, sizeof(cmd), MAPSCOPE "--format text -r %s", dir);
	cr_assert_eq(tu_run(cmd, out, sizeof(out)), 0);
	/* The file name is the table's last column: the line ends with it. */
	snprintf(want, sizeof(want), "%s/a\\x0ab\n", dir);
	cr_assert_not_null(strstr(out, want), "%s", out);
	snprintf(want, sizeof(want), "%s/c\\xff\n", dir);
	cr_assert_not_null(strstr(out, want), "%s", out);
	cr_assert_null(strstr(out, "a\nb"), "%s", out);
}

/* Issue 14.4: a failed input and a good one make one document (python's
 * json.tool reads it), with the error inside; stderr says it once. */
Test(cli_file, one_document_and_each_error_once_on_stderr)
{
	char cmd[512], out[8192];
	const char *libc = "/usr/lib/x86_64-linux-gnu/libc.so.6";
	json_t *docs, *doc;

	snprintf(cmd, sizeof(cmd), MAPSCOPE "/nonexistent %s 2>/dev/null | python3 -m json.tool",
	         libc);
	cr_assert_eq(tu_run(cmd, out, sizeof(out)), 0, "%s", out);
	docs = run_docs(1, MAPSCOPE "/nonexistent %s 2>/dev/null", libc);
	cr_assert_eq(json_array_size(docs), 1);
	doc = json_array_get(docs, 0);
	cr_assert_str_eq(json_string_value(json_object_get(doc, "error")),
	                 "/nonexistent: No such file or directory");
	cr_assert_eq(json_array_size(json_object_get(doc, "files")), 2);
	json_decref(docs);
	/* jsonl: one line per record, the error in the last (the totals). */
	docs = run_docs(1, MAPSCOPE "--format jsonl /nonexistent %s 2>/dev/null", libc);
	cr_assert_eq(json_array_size(docs), 3);
	cr_assert_not_null(json_object_get(json_array_get(docs, 2), "totals"));
	cr_assert_not_null(json_object_get(json_array_get(docs, 2), "error"));
	json_decref(docs);
	snprintf(cmd, sizeof(cmd), MAPSCOPE "/usr/lib /nonexistent %s 2>&1 >/dev/null", libc);
	cr_assert_eq(tu_run(cmd, out, sizeof(out)), 1);
	cr_assert_str_eq(out, "mapscope: /usr/lib: is a directory (use -r to scan it)\n"
	                      "mapscope: /nonexistent: No such file or directory\n");
}

/* Issue 14.10: no file measured is null with a reason, never 0. */
Test(cli_file, totals_of_no_measured_file_are_null_with_a_reason)
{
	json_t *docs, *totals;

	docs = run_docs(1, MAPSCOPE "/usr/lib 2>/dev/null");
	totals = json_object_get(json_array_get(docs, 0), "totals");
	cr_assert_eq(int_at(totals, "measured_files"), 0);
	cr_assert(json_is_null(json_object_get(totals, "resident_pages")));
	cr_assert_not_null(
	        json_string_value(json_object_get(totals, "resident_pages_unavailable")));
	cr_assert(json_is_null(json_object_get(totals, "dirty_pages")));
	json_decref(docs);
	/* An empty tree measured nothing either. */
	docs = run_docs(0, MAPSCOPE "-r %s", dir);
	totals = json_object_get(json_array_get(docs, 0), "totals");
	cr_assert(json_is_null(json_object_get(totals, "resident_pages")));
	json_decref(docs);
}

/* Issue 14.3: SIGINT or SIGTERM mid-scan finishes the document, says so,
 * and exits 128 + the signal. Touching a sparse terabyte takes minutes, so
 * the signal always comes mid-touch; on a terminal the touch shows how far
 * it has gone (from its first second on: the signal comes two seconds
 * later, room for a slow start on a loaded machine). */
static void interrupt_touch(const char *sig, int want)
{
	char cmd[1024], out[1 << 16];
	json_t *doc, *f;
	int status;
	int fd = open(in_dir("tera"), O_WRONLY | O_CREAT | O_TRUNC, 0644);

	cr_assert_geq(fd, 0);
	cr_assert_eq(ftruncate(fd, 1LL << 40), 0);
	close(fd);
	/* script(1) gives mapscope a terminal for stderr; stdout is a file. */
	snprintf(cmd, sizeof(cmd),
	         "script -qec 'timeout --preserve-status -s %s 3 " MAPSCOPE
	         "-r --touch %s > %s; echo exit=$?' /dev/null",
	         sig, dir, in_dir("out.json"));
	cr_assert_eq(tu_run(cmd, out, sizeof(out)), 0, "%s", out);
	unlink(in_dir("tera")); /* drops the zero pages it brought in */
	snprintf(cmd, sizeof(cmd), "exit=%d", want);
	cr_expect_not_null(strstr(out, cmd), "%s", out);
	cr_expect_not_null(strstr(out, "touching"), "no progress on the terminal: %s", out);
	cr_expect_not_null(strstr(out, "interrupted by"), "%s", out);
	snprintf(cmd, sizeof(cmd), "cat %s", in_dir("out.json"));
	doc = tu_run_json(cmd, &status);
	cr_assert_not_null(doc, "the document is not valid JSON");
	cr_assert_str_eq(json_string_value(json_object_get(doc, "interrupted")),
	                 sig[0] == 'I' ? "SIGINT" : "SIGTERM");
	f = json_array_get(json_object_get(doc, "files"), 0);
	cr_assert_not_null(f);
	cr_assert_lt(int_at(f, "resident_pages"), int_at(f, "pages"));
	cr_assert_not_null(json_object_get(doc, "totals"));
	json_decref(doc);
}

Test(cli_file, sigint_mid_touch_finishes_the_document, .timeout = TU_LIMIT(30))
{
	interrupt_touch("INT", 130);
}

Test(cli_file, sigterm_mid_touch_finishes_the_document, .timeout = TU_LIMIT(30))
{
	interrupt_touch("TERM", 143);
}

/* Issue 14.13: indented on a terminal, one line otherwise, as every
 * document. script(1) gives mapscope a terminal. */
Test(cli_file, json_is_indented_on_a_terminal_and_compact_otherwise)
{
	char cmd[512], out[1 << 16];
	json_t *tty_doc, *pipe_doc;
	int status;

	cr_assert_eq(tu_file_with_residency(in_dir("f"), "##.."), 0);
	snprintf(cmd, sizeof(cmd), "script -qec '" MAPSCOPE "--ranges %s' /dev/null | tr -d '\\r'",
	         in_dir("f"));
	cr_assert_eq(tu_run(cmd, out, sizeof(out)), 0);
	cr_assert_not_null(
	        strstr(out, "{\n  \"schema\": \"mapscope/1\",\n  \"kind\": \"file\",\n"), "%s",
	        out);
	cr_assert_not_null(
	        strstr(out, "\n      \"resident_ranges\": [\n        [\n          0,\n"), "%s",
	        out);
	tty_doc = json_loads(out, 0, NULL);
	cr_assert_not_null(tty_doc, "%s", out);
	snprintf(cmd, sizeof(cmd), MAPSCOPE "--ranges %s", in_dir("f"));
	pipe_doc = tu_run_json(cmd, &status);
	cr_assert_not_null(pipe_doc);
	cr_assert(json_equal(tty_doc, pipe_doc), "the terminal's document differs");
	cr_assert_eq(tu_run(cmd, out, sizeof(out)), 0);
	cr_assert_eq(strchr(out, '\n'), out + strlen(out) - 1, "not one line: %s", out);
	json_decref(tty_doc);
	json_decref(pipe_doc);
}
