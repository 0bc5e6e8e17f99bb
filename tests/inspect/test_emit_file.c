/* emit_file: the streamed report, written into memory and read back. */
#include "emit/emit_file.h"
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct capture {
	char *buf;
	size_t len;
	FILE *out;
};

static void start(struct capture *c, struct emit_file *e, enum emit_format format)
{
	c->out = open_memstream(&c->buf, &c->len);
	cr_assert_not_null(c->out);
	emit_file_begin(e, c->out, format);
}

static json_t *finish(struct capture *c, struct emit_file *e)
{
	struct filewalk_stats stats = {3, 4};
	json_error_t err;
	json_t *doc;

	cr_assert_eq(emit_file_end(e, &stats, NULL), 0);
	fclose(c->out);
	doc = json_loads(c->buf, JSON_DISABLE_EOF_CHECK, &err);
	cr_assert_not_null(doc, "not JSON: %s: %s", err.text, c->buf);
	return doc;
}

static const struct residency measured = {
        .size = 10000, .pages = 3, .resident_pages = 2, .dirty_pages = 1, .method = "cachestat"};

Test(emit_file, entry_with_ranges_and_counts)
{
	struct emit_file e;
	struct capture c;
	json_t *doc, *f;

	start(&c, &e, EMIT_JSON);
	emit_file_open_entry(&e, "a\"b\\c\n\x01", &measured);
	emit_file_begin_ranges(&e, NULL);
	emit_file_range(0, 0, &e);
	emit_file_range(2, 2, &e);
	emit_file_end_section(&e);
	emit_file_close_entry(&e, &measured, NULL);
	doc = finish(&c, &e);
	f = json_array_get(json_object_get(doc, "files"), 0);
	cr_assert_str_eq(json_string_value(json_object_get(f, "path")), "a\"b\\c\n\x01");
	cr_assert_eq(json_array_size(json_object_get(f, "resident_ranges")), 2);
	cr_assert_eq(json_integer_value(json_object_get(f, "dirty_pages")), 1);
	cr_assert_str_eq(json_string_value(json_object_get(f, "method")), "cachestat");
	cr_assert_eq(json_integer_value(
	                     json_object_get(json_object_get(doc, "totals"), "duplicate_links")),
	             3);
	json_decref(doc);
	free(c.buf);
}

Test(emit_file, unmeasured_file_has_nulls_with_reasons_and_no_method)
{
	struct residency r = {.size = 4096, .pages = 1, .unavailable = "not the owner"};
	struct emit_file e;
	struct capture c;
	json_t *doc, *f, *t;

	start(&c, &e, EMIT_JSON);
	emit_file_open_entry(&e, "x", &r);
	emit_file_begin_pages(&e, r.unavailable);
	emit_file_end_section(&e);
	emit_file_close_entry(&e, &r, NULL);
	doc = finish(&c, &e);
	f = json_array_get(json_object_get(doc, "files"), 0);
	cr_assert(json_is_null(json_object_get(f, "resident_pages")));
	cr_assert_str_eq(json_string_value(json_object_get(f, "resident_pages_unavailable")),
	                 "not the owner");
	cr_assert(json_is_null(json_object_get(f, "page_map")));
	cr_assert_null(json_object_get(f, "method"));
	t = json_object_get(doc, "totals");
	cr_assert(json_is_null(json_object_get(t, "resident_pages")));
	cr_assert_eq(json_integer_value(json_object_get(t, "measured_files")), 0);
	json_decref(doc);
	free(c.buf);
}

Test(emit_file, jsonl_lines_are_documents)
{
	struct emit_file e;
	struct capture c;
	char *line, *save;
	int n = 0;

	start(&c, &e, EMIT_JSONL);
	emit_file_open_entry(&e, "x", &measured);
	emit_file_close_entry(&e, &measured, NULL);
	emit_file_problem(&e, "fifo", NULL, "not a regular file (fifo)");
	cr_assert_eq(emit_file_end(&e, &(struct filewalk_stats){0, 0}, NULL), 0);
	fclose(c.out);
	for (line = strtok_r(c.buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save), n++) {
		json_t *doc = json_loads(line, 0, NULL);
		cr_assert_not_null(doc, "line %d: %s", n, line);
		cr_assert_str_eq(json_string_value(json_object_get(doc, "schema")), "mapscope/1");
		json_decref(doc);
	}
	cr_assert_eq(n, 3);
	free(c.buf);
}

/* stderr into a file while fn runs; returns what was written. */
static char *capture_stderr(void (*fn)(struct emit_file *), struct emit_file *e)
{
	char path[] = "/tmp/mapscope-emit-file-XXXXXX";
	int fd = mkstemp(path), saved = dup(STDERR_FILENO);
	char *text;

	cr_assert_geq(fd, 0);
	fflush(stderr);
	dup2(fd, STDERR_FILENO);
	fn(e);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(fd);
	text = tu_read_file(path);
	unlink(path);
	return text;
}

static void scan_two_files_slowly(struct emit_file *e)
{
	e->progress_tty = true;       /* as if stderr were a terminal */
	e->start_ns -= 2000000000ULL; /* and the scan had run for two seconds */
	emit_file_open_entry(e, "first", &measured);
	emit_file_close_entry(e, &measured, NULL);
	emit_file_end(e, &(struct filewalk_stats){0, 0}, NULL);
}

static void scan_quickly(struct emit_file *e)
{
	e->progress_tty = true;
	emit_file_open_entry(e, "first", &measured);
	emit_file_close_entry(e, &measured, NULL);
	emit_file_end(e, &(struct filewalk_stats){0, 0}, NULL);
}

Test(emit_file, progress_only_on_a_terminal_after_a_second_and_cleared)
{
	struct emit_file e;
	struct capture c;
	char *err;

	start(&c, &e, EMIT_JSON);
	err = capture_stderr(scan_two_files_slowly, &e);
	cr_assert_not_null(strstr(err, "1 files"), "%s", err);
	cr_assert_not_null(strstr(err, "first"));
	cr_assert_eq(strcmp(err + strlen(err) - 4, "\r\033[K"), 0, "cleared at the end");
	free(err);
	fclose(c.out);
	free(c.buf);

	start(&c, &e, EMIT_JSON);
	err = capture_stderr(scan_quickly, &e);
	cr_assert_str_eq(err, "", "no progress within the first second");
	free(err);
	fclose(c.out);
	free(c.buf);
}
