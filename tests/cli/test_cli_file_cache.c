/* The page cache at scale: "file --top" keeps the most cached files of a
 * tree and totals all of them; "file --save" writes the resident ranges and
 * "file --restore" brings exactly those back, file by file, reporting the
 * ones that changed or vanished. Residency is set up page by page and read
 * back with the kernel's own figures. */
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/mapscope-cache-XXXXXX";

static void make_dir(void)
{
	cr_assert_not_null(tu_make_tmpdir(dir));
}

static void remove_dir(void)
{
	tu_remove_tree(dir);
}

TestSuite(cli_file_cache, .init = make_dir, .fini = remove_dir, .timeout = 60);

/* dir/name with the residency of map ('#' resident). */
static void make_file(const char *name, const char *map)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	cr_assert_eq(tu_file_with_residency(path, map), 0, "%s: %m", path);
}

/* mapscope file ARGS as JSON; the exit status must be want. */
static json_t *run_file(int want, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static json_t *run_file(int want, const char *fmt, ...)
{
	char args[512], cmd[700];
	va_list ap;
	int status;
	json_t *docs;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), BUILD_DIR "/mapscope file %s 2>/dev/null", args);
	docs = tu_run_docs(cmd, &status);
	cr_assert_not_null(docs, "%s: not JSON", cmd);
	cr_assert_eq(status, want, "%s: exit %d", cmd, status);
	return docs;
}

static const char *path_of(const json_t *entry)
{
	return strrchr(json_string_value(json_object_get(entry, "path")), '/') + 1;
}

Test(cli_file_cache, top_lists_the_most_cached_and_totals_all)
{
	json_t *docs, *files, *totals;

	make_file("a", "##########");
	make_file("b", "#####.....");
	make_file("c", "#.........");
	make_file("d", "..........");
	make_file("e", "###.......");
	docs = run_file(0, "-r --top 2 %s", dir);
	files = json_object_get(json_array_get(docs, 0), "files");
	totals = json_object_get(json_array_get(docs, 0), "totals");
	cr_assert_eq(json_array_size(files), 2);
	cr_assert_str_eq(path_of(json_array_get(files, 0)), "a");
	cr_assert_str_eq(path_of(json_array_get(files, 1)), "b");
	cr_assert_eq(tu_json_int(json_array_get(files, 0), "resident_pages"), 10);
	cr_assert_eq(tu_json_int(totals, "files"), 5);
	cr_assert_eq(tu_json_int(totals, "resident_pages"), 19);
	json_decref(docs);
	/* JSON lines: the N entries, then the totals. */
	docs = run_file(0, "-r --top 3 --format jsonl %s", dir);
	cr_assert_eq(json_array_size(docs), 4);
	cr_assert_str_eq(path_of(json_array_get(docs, 2)), "e");
	json_decref(docs);
	docs = run_file(0, "-r --top 9 --sort evicted %s", dir);
	files = json_object_get(json_array_get(docs, 0), "files");
	cr_assert_eq(json_array_size(files), 5);
	for (size_t i = 1; i < json_array_size(files); i++)
		cr_assert_geq(tu_json_int(json_array_get(files, i - 1), "evicted_pages"),
		              tu_json_int(json_array_get(files, i), "evicted_pages"));
	json_decref(docs);
}

Test(cli_file_cache, top_in_text_prints_n_lines_and_the_total)
{
	char cmd[256], out[4096];
	int lines = 0;

	make_file("a", "####");
	make_file("b", "#...");
	make_file("c", "##..");
	snprintf(cmd, sizeof(cmd), BUILD_DIR "/mapscope file -r --top 2 --format text %s", dir);
	cr_assert_eq(tu_run(cmd, out, sizeof(out)), 0);
	for (const char *p = out; (p = strchr(p, '\n')); p++)
		lines++;
	/* The header row, two files, the total of all three. */
	cr_assert_eq(lines, 4, "%s", out);
	cr_assert_not_null(strstr(out, "/a\n"), "%s", out);
	cr_assert_not_null(strstr(out, "/c\n"), "%s", out);
	cr_assert_null(strstr(out, "/b\n"), "%s", out);
	cr_assert_not_null(strstr(out, "     7    48K  58.3% total: 3 files\n"), "%s", out);
}

/* The resident ranges of dir/name now, from "file --ranges". */
static json_t *ranges_of(const char *name)
{
	json_t *docs = run_file(0, "--ranges %s/%s", dir, name);
	json_t *file = json_array_get(json_object_get(json_array_get(docs, 0), "files"), 0);
	json_t *ranges = json_incref(json_object_get(file, "resident_ranges"));

	json_decref(docs);
	cr_assert(json_is_array(ranges));
	return ranges;
}

/* Whether every range of inner lies inside a range of outer. */
static bool covered(const json_t *inner, const json_t *outer)
{
	const json_t *r, *o;
	size_t i, k;

	json_array_foreach(inner, i, r)
	{
		json_int_t a = json_integer_value(json_array_get(r, 0));
		json_int_t b = json_integer_value(json_array_get(r, 1));
		bool in = false;

		json_array_foreach(outer, k, o)
		{
			in |= json_integer_value(json_array_get(o, 0)) <= a &&
			      b <= json_integer_value(json_array_get(o, 1));
		}
		if (!in)
			return false;
	}
	return true;
}

static void evict(const char *name)
{
	json_t *docs = run_file(0, "--evict %s/%s", dir, name);
	json_t *file = json_array_get(json_object_get(json_array_get(docs, 0), "files"), 0);

	cr_assert_eq(tu_json_int(file, "resident_pages"), 0, "%s was not evicted", name);
	json_decref(docs);
}

Test(cli_file_cache, restore_brings_back_the_saved_ranges)
{
	json_t *docs, *list, *saved, *entry, *now;
	char path[128];

	make_file("hot", "##..###....#..##");
	snprintf(path, sizeof(path), "%s/list.json", dir);
	json_decref(run_file(0, "--save %s %s/hot", path, dir));
	list = json_load_file(path, 0, NULL);
	cr_assert_not_null(list, "the list is not JSON");
	cr_assert_str_eq(json_string_value(json_object_get(list, "kind")), "file");
	saved = json_object_get(json_array_get(json_object_get(list, "files"), 0),
	                        "resident_ranges");
	cr_assert_eq(json_array_size(saved), 4);
	cr_assert_eq(json_integer_value(json_array_get(json_array_get(saved, 1), 0)), 4);
	cr_assert_eq(json_integer_value(json_array_get(json_array_get(saved, 1), 1)), 6);
	evict("hot");
	docs = run_file(0, "--restore %s", path);
	entry = json_array_get(json_object_get(json_array_get(docs, 0), "files"), 0);
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(docs, 0), "kind")),
	                 "file_restore");
	cr_assert_eq(tu_json_int(entry, "pages"), 8);
	cr_assert_eq(tu_json_int(entry, "ranges"), 4);
	cr_assert_eq(tu_json_int(entry, "resident_pages_before"), 0);
	cr_assert_geq(tu_json_int(entry, "resident_pages_after"), 8);
	json_decref(docs);
	now = ranges_of("hot");
	cr_assert(covered(saved, now), "a saved range is not resident after the restore");
	json_decref(now);
	json_decref(list);
}

/* A list saved inside the tree it describes: the walk meets the list's
 * unfinished file, which is the tool's own output and gone by the end. */
Test(cli_file_cache, a_list_saved_inside_the_tree_names_only_the_trees_files)
{
	char list[128];
	json_t *saved, *files, *f;
	size_t i;

	make_file("only", "##");
	snprintf(list, sizeof(list), "%s/list.json", dir);
	json_decref(run_file(0, "-r --save %s %s", list, dir));
	saved = json_load_file(list, 0, NULL);
	cr_assert_not_null(saved, "the list is not JSON");
	files = json_object_get(saved, "files");
	json_array_foreach(files, i, f)
	{
		const char *path = json_string_value(json_object_get(f, "path"));

		cr_assert_null(strstr(path, "list.json"), "the list names itself: %s", path);
	}
	cr_assert_eq(json_array_size(files), 1);
	cr_assert_eq(tu_json_int(json_object_get(saved, "totals"), "files"), 1);
	json_decref(saved);
}

Test(cli_file_cache, each_changed_or_vanished_file_is_named_and_the_rest_restored)
{
	char list[128], cmd[512], out[4096];
	json_t *docs, *files, *totals;

	make_file("kept", "####");
	make_file("grown", "##..");
	make_file("gone", "#...");
	snprintf(list, sizeof(list), "%s/list.json", dir);
	json_decref(run_file(0, "--save %s %s/kept %s/grown %s/gone", list, dir, dir, dir));
	evict("kept");
	snprintf(cmd, sizeof(cmd), "echo more >> %s/grown && rm %s/gone", dir, dir);
	cr_assert_eq(system(cmd), 0);
	docs = run_file(1, "--restore %s", list);
	cr_assert_eq(json_array_size(docs), 2, "a report, then the error document");
	files = json_object_get(json_array_get(docs, 0), "files");
	totals = json_object_get(json_array_get(docs, 0), "totals");
	cr_assert_null(json_object_get(json_array_get(files, 0), "error"));
	cr_assert_eq(tu_json_int(json_array_get(files, 0), "resident_pages_after"), 4);
	cr_assert_not_null(
	        strstr(json_string_value(json_object_get(json_array_get(files, 1), "error")),
	               "size changed since the save"));
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(files, 2), "error")),
	                 "No such file or directory");
	cr_assert_eq(tu_json_int(totals, "restored_files"), 1);
	cr_assert_eq(tu_json_int(totals, "errors"), 2);
	json_decref(docs);
	snprintf(cmd, sizeof(cmd), BUILD_DIR "/mapscope file --restore %s --format text 2>&1",
	         list);
	cr_assert_eq(tu_run(cmd, out, sizeof(out)), 1);
	cr_assert_not_null(strstr(out, "/grown: size changed"), "%s", out);
	cr_assert_not_null(strstr(out, "/gone: No such file"), "%s", out);
	/* The report alone: a table, a row per file, within 100 columns. */
	snprintf(cmd, sizeof(cmd),
	         BUILD_DIR "/mapscope file --restore %s --format text 2>/dev/null", list);
	cr_assert_eq(tu_run(cmd, out, sizeof(out)), 1);
	cr_assert(strncmp(out, " RANGES     PAGES    BEFORE     AFTER FILE\n", 42) == 0, "%s",
	          out);
	cr_assert_not_null(strstr(out, "/gone (error: No such file"), "%s", out);
	cr_assert_not_null(strstr(out, "\n1 restored, 0 skipped, 2 errors\n"), "%s", out);
	cr_assert_leq(tu_widest_line(out), 100, "%s", out);
}

/* Writes text to dir/name and returns the path (static). */
static const char *write_list(const char *name, const char *text)
{
	static char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

Test(cli_file_cache, a_corrupt_list_says_which_and_why)
{
	char cmd[512], out[4096], body[512];
	json_t *docs, *files;

	snprintf(cmd, sizeof(cmd), BUILD_DIR "/mapscope file --restore %s 2>&1",
	         write_list("bad.json", "{\"schema\":\"mapscope/1\",\"kind\":\"fi"));
	cr_assert_eq(tu_run(cmd, out, sizeof(out)), 1);
	cr_assert_not_null(strstr(out, "bad.json: "), "%s", out);
	snprintf(cmd, sizeof(cmd), BUILD_DIR "/mapscope file --restore %s 2>&1",
	         write_list("maps.json", "{\"schema\":\"mapscope/1\",\"kind\":\"maps\"}"));
	cr_assert_eq(tu_run(cmd, out, sizeof(out)), 1);
	cr_assert_not_null(strstr(out, "not a list written by mapscope file --save"), "%s", out);
	/* One entry with a range outside its file; the other is restored. */
	make_file("ok", "##");
	snprintf(body, sizeof(body),
	         "{\"schema\":\"mapscope/1\",\"kind\":\"file\",\"page_size\":%ld,\"files\":["
	         "{\"path\":\"%s/ok\",\"size\":8192,\"resident_ranges\":[[5,9]]},"
	         "{\"path\":\"%s/ok\",\"size\":8192,\"resident_ranges\":[[0,1]]}]}",
	         sysconf(_SC_PAGESIZE), dir, dir);
	docs = run_file(1, "--restore %s", write_list("range.json", body));
	files = json_object_get(json_array_get(docs, 0), "files");
	cr_assert_not_null(strstr(
	        json_string_value(json_object_get(json_array_get(files, 0), "error")), "corrupt"));
	cr_assert_null(json_object_get(json_array_get(files, 1), "error"));
	json_decref(docs);
}

Test(cli_file_cache, usage_errors_exit_2)
{
	static const char *const bad[] = {"--sort resident /tmp",
	                                  "--top 2 --ranges /tmp",
	                                  "--top 0 /tmp",
	                                  "--restore x /tmp",
	                                  "--save x --pages /tmp",
	                                  "--top 2 --sort size /tmp",
	                                  "--restore x --format prometheus"};
	char cmd[256], out[4096];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(cmd, sizeof(cmd), BUILD_DIR "/mapscope file %s 2>&1", bad[i]);
		cr_assert_eq(tu_run(cmd, out, sizeof(out)), 2, "%s: %s", bad[i], out);
	}
}
