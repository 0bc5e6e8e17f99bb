#include "emit/emit_file.h"
#include "core/clock.h"
#include "core/interrupt.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TEXT_RANGES_PER_LINE 6
#define TEXT_CELLS_PER_LINE  64
#define PROGRESS_AFTER_NS    1000000000ULL
#define PROGRESS_EVERY_NS    100000000ULL
#define PROGRESS_PATH        36 /* characters of the path shown */
#define TABLE_FLUSH_ROWS     256
#define TABLE_FLUSH_NS       100000000ULL

static bool is_json(const struct emit_file *e)
{
	return e->format != EMIT_TEXT;
}

/* Writes obj's members without the braces, so that an object can be
 * continued by hand: jansson still does all the escaping. */
static void put_members(struct emit_file *e, json_t *obj, bool leading_comma)
{
	char *s = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
	size_t n = s ? strlen(s) : 0;

	if (n > 2) {
		if (leading_comma)
			fputc(',', e->out);
		fwrite(s + 1, 1, n - 2, e->out);
	}
	free(s);
	json_decref(obj);
}

/* ,"key": then the value; keys are ours and plain ASCII. */
static void put_key(FILE *out, const char *key)
{
	fprintf(out, ",\"%s\":", key);
}

/* A count, or null with "<key>_unavailable" when it was not measured. */
static void put_count(FILE *out, const char *key, uint64_t value, const char *why)
{
	if (!why) {
		fprintf(out, ",\"%s\":%llu", key, (unsigned long long)value);
		return;
	}
	fprintf(out, ",\"%s\":null,\"%s_unavailable\":", key, key);
	emit_write_string(out, why);
}

/* A line on a terminal's stderr once the scan has run for a second, and
 * only while the report goes elsewhere: the two would mix on one screen. */
static void show_progress(struct emit_file *e, const char *path)
{
	char bytes[32];
	uint64_t now = clock_ns();
	size_t len = strlen(path);

	if (!e->progress_tty)
		return;
	if (now - e->start_ns < PROGRESS_AFTER_NS || now - e->last_progress_ns < PROGRESS_EVERY_NS)
		return;
	e->last_progress_ns = now;
	e->progress_shown = true;
	/* The end of the path: a line that wrapped could not be rewritten. */
	fprintf(stderr, "\r\033[Kmapscope: %llu %s, %s: %s%s", (unsigned long long)e->totals.files,
	        emit_plural(e->totals.files, "file", "files"),
	        emit_human_bytes(e->totals.bytes, bytes, sizeof(bytes)),
	        len > PROGRESS_PATH ? "..." : "",
	        path + (len > PROGRESS_PATH ? len - PROGRESS_PATH : 0));
}

static void clear_progress(struct emit_file *e)
{
	if (e->progress_shown)
		fputs("\r\033[K", stderr);
	e->progress_shown = false;
}

void emit_file_touch_progress(struct emit_file *e, const char *path, uint64_t done, uint64_t size)
{
	char bytes[32], whole[32];
	uint64_t now = clock_ns();
	size_t len = strlen(path);

	if (!e->touch_tty || now - e->start_ns < PROGRESS_AFTER_NS ||
	    now - e->last_progress_ns < PROGRESS_EVERY_NS)
		return;
	e->last_progress_ns = now;
	e->progress_shown = true;
	fprintf(stderr, "\r\033[Kmapscope: touching %s%s: %s of %s (%.1f%%)",
	        len > PROGRESS_PATH ? "..." : "",
	        path + (len > PROGRESS_PATH ? len - PROGRESS_PATH : 0),
	        emit_human_bytes(done, bytes, sizeof(bytes)),
	        emit_human_bytes(size, whole, sizeof(whole)), size ? 100.0 * done / size : 100.0);
}

/* Starts a document, to be continued with more members: its header was
 * made once, at the start. */
static void open_jsonl_doc(struct emit_file *e)
{
	size_t n = e->doc_head ? strlen(e->doc_head) : 0;

	if (n > 1)
		fwrite(e->doc_head, 1, n - 1, e->out);
	fputc(',', e->out);
}

enum {
	COL_RES,
	COL_PAGES,
	COL_SIZE,
	COL_PERCENT,
	COL_RESIDENT,
	COL_DIRTY,
	COL_WRITEBACK,
	COL_EVICTED,
	COL_RECENT,
	COL_METHOD,
	COL_FILE,
	NCOLS
};

/* The widths are fixed (each wider than its header: libsmartcols narrows a
 * column to its data when the header fills the hint exactly): rows are
 * printed as the files are scanned. */
const struct table_column emit_file_columns[] = {
        [COL_RES] = {"RES", "resident in the page cache", 6, TABLE_RIGHT},
        [COL_PAGES] = {"PAGES", "resident pages", 9, TABLE_RIGHT},
        [COL_SIZE] = {"SIZE", "the file's size", 6, TABLE_RIGHT},
        [COL_PERCENT] = {"RES%", "resident pages of the file's pages", 6, TABLE_RIGHT},
        [COL_RESIDENT] = {"RESIDENT", "a bar of resident pages, [#####.....]", 22, TABLE_HIDDEN},
        [COL_DIRTY] = {"DIRTY", "dirty in the cache (cachestat)", 6, TABLE_RIGHT | TABLE_HIDDEN},
        [COL_WRITEBACK] = {"WRITEBACK", "being written back (cachestat)", 10,
                           TABLE_RIGHT | TABLE_HIDDEN},
        [COL_EVICTED] = {"EVICTED", "evicted (cachestat)", 8, TABLE_RIGHT | TABLE_HIDDEN},
        [COL_RECENT] = {"RECENTLY_EVICTED", "evicted recently (cachestat)", 17,
                        TABLE_RIGHT | TABLE_HIDDEN},
        [COL_METHOD] = {"METHOD", "how it was counted: cachestat or mincore", 9, TABLE_HIDDEN},
        [COL_FILE] = {"FILE", "the file", 0.5, TABLE_WRAP},
};
const size_t emit_file_ncolumns = NCOLS;

void emit_file_begin(struct emit_file *e, FILE *out, enum emit_format format,
                     const struct table_options *table)
{
	char why[128];
	json_t *head;

	memset(e, 0, sizeof(*e));
	e->out = out;
	e->format = format;
	e->start_ns = clock_ns();
	e->progress_tty = isatty(STDERR_FILENO) && !isatty(fileno(out));
	e->touch_tty = isatty(STDERR_FILENO);
	if (format == EMIT_TEXT) {
		if (table)
			e->table_opt = *table;
		e->table = table_new(emit_file_columns, NCOLS, &e->table_opt, why, sizeof(why));
		e->table_failed = !e->table;
		return;
	}
	if (format != EMIT_JSON && format != EMIT_JSONL)
		return;
	/* Indented on a terminal, one line otherwise, like every document. */
	if (format == EMIT_JSON && isatty(fileno(out)) && (e->indented = emit_indented(out)))
		e->out = out = e->indented;
	head = emit_doc("file", true);
	e->doc_head = json_dumps(head, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(head);
	if (format == EMIT_JSON) {
		open_jsonl_doc(e);
		fputs("\"files\":[", out);
	}
}

/* Opens an entry object: in JSON lines each one is a document of its own. */
static void open_object(struct emit_file *e)
{
	if (e->format == EMIT_JSON)
		fputs(e->entries ? ",{" : "{", e->out);
	else
		open_jsonl_doc(e);
	e->entries++;
}

static void close_object(struct emit_file *e)
{
	fputc('}', e->out);
	if (e->format == EMIT_JSONL) {
		fputc('\n', e->out);
		fflush(e->out);
	}
}

/* An entry's error on stderr, its name safe for a terminal. */
static void say_error(const char *path, const char *error)
{
	char *safe = emit_text_safe(path);

	fprintf(stderr, "mapscope: %s: %s\n", safe ? safe : path, error);
	free(safe);
}

/* pages as bytes in the table's units, or "?" with why. */
static void page_cell(struct emit_file *e, size_t col, uint64_t pages, const char *why)
{
	if (why)
		table_text(e->table, col, "?");
	else
		table_bytes(e->table, col, pages * (uint64_t)sysconf(_SC_PAGESIZE));
}

static void bar_cell(struct emit_file *e, uint64_t part, uint64_t whole)
{
	char bar[64] = "";
	FILE *f = fmemopen(bar, sizeof(bar), "w");

	if (f) {
		emit_bar(f, part, whole, 20);
		fclose(f);
	}
	table_text(e->table, COL_RESIDENT, bar);
}

/* One row: the counts of r (the totals when path is NULL), or "?" where
 * they were not measured. */
static void add_row(struct emit_file *e, const char *path, const struct residency *r)
{
	const char *why = r->unavailable, *detail = why ? why : r->detail_unavailable;
	char pct[16];

	if (!e->table || table_row(e->table) != 0)
		return;
	page_cell(e, COL_RES, r->resident_pages, why);
	if (why)
		table_text(e->table, COL_PAGES, "?");
	else
		table_count(e->table, COL_PAGES, r->resident_pages);
	table_bytes(e->table, COL_SIZE, r->size);
	snprintf(pct, sizeof(pct), "%.1f%%",
	         r->pages ? 100.0 * r->resident_pages / r->pages : 0.0);
	table_text(e->table, COL_PERCENT, why ? "?" : pct);
	if (why)
		table_text(e->table, COL_RESIDENT, "?");
	else
		bar_cell(e, r->resident_pages, r->pages);
	page_cell(e, COL_DIRTY, r->dirty_pages, detail);
	page_cell(e, COL_WRITEBACK, r->writeback_pages, detail);
	page_cell(e, COL_EVICTED, r->evicted_pages, detail);
	page_cell(e, COL_RECENT, r->recently_evicted_pages, detail);
	table_text(e->table, COL_METHOD, why ? "?" : r->method);
	table_text(e->table, COL_FILE, path);
	if (why && !e->unmeasured_why)
		e->unmeasured_why = why;
}

/* Prints the rows so far: before anything else is written, and otherwise
 * every TABLE_FLUSH_ROWS rows or TABLE_FLUSH_NS, so that a terminal sees the
 * scan go on while a tree of files costs few prints. The scan goes on if
 * the output cannot be written (the end reports it). */
static void flush_rows(struct emit_file *e, bool now)
{
	uint64_t t = clock_ns();

	if (!e->table)
		return;
	if (!now && ++e->pending_rows < TABLE_FLUSH_ROWS && t - e->flushed_ns < TABLE_FLUSH_NS)
		return;
	if (table_flush(e->table, e->out) != 0)
		e->table_failed = 1;
	e->pending_rows = 0;
	e->flushed_ns = t;
}

static void print_summary_line(struct emit_file *e, const char *path, const struct residency *r)
{
	add_row(e, path, r);
	flush_rows(e, false);
}

void emit_file_open_entry(struct emit_file *e, const char *path, const struct residency *r)
{
	if (!e->progress_tty)
		clear_progress(e); /* a touch's line, on the report's terminal */
	e->path = path;
	if (!is_json(e)) {
		print_summary_line(e, path, r);
		return;
	}
	open_object(e);
	emit_write_member(e->out, "path", path);
	fprintf(e->out, ",\"size\":%llu,\"pages\":%llu", (unsigned long long)r->size,
	        (unsigned long long)r->pages);
}

static void begin_section(struct emit_file *e, const char *key, const char *unavailable,
                          const char *text_label, const char *json_open, const char *json_close)
{
	e->items = 0;
	e->section_close = NULL;
	if (!is_json(e)) {
		flush_rows(e, true); /* the section goes under its file's row */
		if (unavailable)
			fprintf(e->out, "  %s: unknown (%s)\n", text_label, unavailable);
		else
			fprintf(e->out, "  %s:", text_label);
		e->section_close = unavailable ? NULL : "\n";
		return;
	}
	if (unavailable) {
		put_count(e->out, key, 0, unavailable);
		return;
	}
	put_key(e->out, key);
	fputs(json_open, e->out);
	e->section_close = json_close;
}

void emit_file_begin_ranges(struct emit_file *e, const char *unavailable)
{
	begin_section(e, "resident_ranges", unavailable, "resident pages", "[", "]");
}

void emit_file_range(uint64_t first, uint64_t last, void *ctx)
{
	struct emit_file *e = ctx;
	unsigned long long a = first, b = last;

	if (is_json(e)) {
		fprintf(e->out, "%s[%llu,%llu]", e->items ? "," : "", a, b);
	} else {
		if (e->items && e->items % TEXT_RANGES_PER_LINE == 0)
			fputs("\n   ", e->out);
		if (a == b)
			fprintf(e->out, " %llu", a);
		else
			fprintf(e->out, " %llu-%llu", a, b);
	}
	e->items++;
}

void emit_file_begin_pages(struct emit_file *e, const char *unavailable)
{
	begin_section(e, "page_map", unavailable, "page map ('#' resident)", "\"", "\"");
}

void emit_file_pages(uint64_t first, const unsigned char *vec, uint64_t n, void *ctx)
{
	struct emit_file *e = ctx;

	for (uint64_t i = 0; i < n; i++, e->items++) {
		if (!is_json(e) && e->items % TEXT_CELLS_PER_LINE == 0)
			fprintf(e->out, "\n    %12llu ", (unsigned long long)(first + i));
		fputc(vec[i] & 1 ? '#' : '.', e->out);
	}
}

void emit_file_end_section(struct emit_file *e)
{
	if (!e->section_close)
		return;
	if (!is_json(e) && !e->items)
		fputs(" none", e->out);
	fputs(e->section_close, e->out);
	e->section_close = NULL;
}

static void add_to_totals(struct emit_file_totals *t, const struct residency *r)
{
	t->files++;
	t->pages += r->pages;
	t->bytes += r->size;
	if (r->unavailable)
		return;
	t->measured_files++;
	t->measured_pages += r->pages;
	t->resident_pages += r->resident_pages;
	if (r->detail_unavailable)
		return;
	t->detailed_files++;
	t->dirty_pages += r->dirty_pages;
	t->writeback_pages += r->writeback_pages;
	t->evicted_pages += r->evicted_pages;
	t->recently_evicted_pages += r->recently_evicted_pages;
}

static const char *const count_keys[] = {"resident_pages", "dirty_pages", "writeback_pages",
                                         "evicted_pages", "recently_evicted_pages"};

/* Why count i was not measured, or NULL: resident_pages needs the truth
 * from the kernel, the other four need cachestat as well. */
static const char *count_reason(int i, const char *unavailable, const char *detail_unavailable)
{
	return unavailable ? unavailable : i ? detail_unavailable : NULL;
}

/* The totals' counts, each null with its reason when it was not measured. */
static void put_total_counts(json_t *o, const uint64_t counts[5], const char *unavailable,
                             const char *detail_unavailable)
{
	for (int i = 0; i < 5; i++)
		emit_measured(o, count_keys[i], (int64_t)counts[i],
		              count_reason(i, unavailable, detail_unavailable));
}

void emit_file_close_entry(struct emit_file *e, const struct residency *r, const char *error)
{
	const uint64_t counts[5] = {r->resident_pages, r->dirty_pages, r->writeback_pages,
	                            r->evicted_pages, r->recently_evicted_pages};

	add_to_totals(&e->totals, r);
	if (error)
		e->totals.errors++;
	if (!is_json(e)) {
		if (error) {
			flush_rows(e, true);
			fprintf(e->out, "  error: %s\n", error);
		}
	} else {
		if (!r->unavailable)
			fprintf(e->out, ",\"method\":\"%s\"", r->method);
		for (int i = 0; i < 5; i++)
			put_count(e->out, count_keys[i], counts[i],
			          count_reason(i, r->unavailable, r->detail_unavailable));
		if (error) {
			fputc(',', e->out);
			emit_write_member(e->out, "error", error);
		}
		close_object(e);
	}
	if (error)
		say_error(e->path, error);
	show_progress(e, e->path);
}

/* A path that was not scanned, as a row with no counts. */
static void skipped_row(struct emit_file *e, const char *path, const char *reason)
{
	char name[PATH_MAX + 128];

	if (!e->table || table_row(e->table) != 0)
		return;
	snprintf(name, sizeof(name), "%s (skipped: %s)", path, reason);
	table_text(e->table, COL_FILE, name);
	flush_rows(e, false);
}

void emit_file_problem(struct emit_file *e, const char *path, const char *error,
                       const char *skipped)
{
	if (!e->progress_tty)
		clear_progress(e);
	if (error) {
		e->totals.errors++;
		say_error(path, error);
	} else {
		e->totals.skipped++;
	}
	if (!is_json(e)) {
		if (!error)
			skipped_row(e, path, skipped);
	} else {
		open_object(e);
		emit_write_member(e->out, "path", path);
		fputc(',', e->out);
		emit_write_member(e->out, error ? "error" : "skipped", error ? error : skipped);
		close_object(e);
	}
	show_progress(e, path);
}

void emit_file_not_partial(struct emit_file *e)
{
	e->totals.not_partial++;
}

void emit_file_count(struct emit_file *e, const char *path, const struct residency *r)
{
	add_to_totals(&e->totals, r);
	show_progress(e, path);
}

void emit_file_count_skipped(struct emit_file *e, const char *path)
{
	e->totals.skipped++;
	show_progress(e, path);
}

static json_t *totals_object(const struct emit_file_totals *t, const struct filewalk_stats *walk)
{
	const uint64_t counts[5] = {t->resident_pages, t->dirty_pages, t->writeback_pages,
	                            t->evicted_pages, t->recently_evicted_pages};
	const char *none = !t->files            ? "no regular file was found"
	                   : !t->measured_files ? "no file could be measured"
	                                        : NULL;
	const char *partial = t->detailed_files < t->measured_files
	                              ? "some files were measured without cachestat(2)"
	                              : NULL;
	json_t *o = json_object();

	emit_int(o, "files", (int64_t)t->files);
	emit_int(o, "measured_files", (int64_t)t->measured_files);
	emit_int(o, "pages", (int64_t)t->pages);
	emit_int(o, "measured_pages", (int64_t)t->measured_pages);
	put_total_counts(o, counts, none, partial);
	emit_int(o, "errors", (int64_t)t->errors);
	emit_int(o, "skipped", (int64_t)t->skipped);
	emit_int(o, "duplicate_links", (int64_t)walk->duplicate_links);
	emit_int(o, "symlinks_not_followed", (int64_t)walk->symlinks);
	emit_int(o, "excluded", (int64_t)walk->excluded);
	emit_int(o, "not_partial", (int64_t)t->not_partial);
	return o;
}

/* The totals as the last row, then what the rows cannot say. */
static void print_totals_line(struct emit_file *e, const struct filewalk_stats *walk)
{
	const struct emit_file_totals *t = &e->totals;
	struct residency r = {.size = t->bytes,
	                      .pages = t->measured_pages,
	                      .resident_pages = t->resident_pages,
	                      .dirty_pages = t->dirty_pages,
	                      .writeback_pages = t->writeback_pages,
	                      .evicted_pages = t->evicted_pages,
	                      .recently_evicted_pages = t->recently_evicted_pages,
	                      .method = "-"};
	char label[64];
	uint64_t unmeasured = t->files - t->measured_files;

	if (t->files && !t->measured_files)
		r.unavailable = e->unmeasured_why;
	if (t->detailed_files < t->measured_files)
		r.detail_unavailable = "some files were measured without cachestat(2)";
	snprintf(label, sizeof(label), "total: %llu %s", (unsigned long long)t->files,
	         emit_plural(t->files, "file", "files"));
	if (t->files > 1)
		add_row(e, label, &r);
	flush_rows(e, true);
	if (e->table_opt.no_headings)
		return;
	if (unmeasured)
		fprintf(e->out, "%llu %s not measurable (?): %s\n", (unsigned long long)unmeasured,
		        emit_plural(unmeasured, "file", "files"), e->unmeasured_why);
	if (t->errors || t->skipped)
		fprintf(e->out, "%llu %s, %llu skipped\n", (unsigned long long)t->errors,
		        emit_plural(t->errors, "error", "errors"), (unsigned long long)t->skipped);
	if (walk->excluded)
		fprintf(e->out, "%llu excluded (--exclude)\n", (unsigned long long)walk->excluded);
	if (t->not_partial)
		fprintf(e->out, "%llu %s not partly resident (--partial)\n",
		        (unsigned long long)t->not_partial,
		        emit_plural(t->not_partial, "file", "files"));
}

int emit_file_end(struct emit_file *e, const struct filewalk_stats *walk, const char *error)
{
	clear_progress(e);
	if (!is_json(e)) {
		print_totals_line(e, walk);
		table_free(e->table);
		e->table = NULL;
		if (interrupt_name())
			fprintf(e->out, "interrupted by %s: the scan stopped here\n",
			        interrupt_name());
		if (e->table_failed)
			return -1;
	} else {
		/* In JSON lines the totals are a last document of the same kind. */
		if (e->format == EMIT_JSON)
			fputs("],", e->out);
		else
			open_jsonl_doc(e);
		fputs("\"totals\":{", e->out);
		put_members(e, totals_object(&e->totals, walk), false);
		fputc('}', e->out);
		if (error) {
			fputc(',', e->out);
			emit_write_member(e->out, "error", error);
		}
		if (interrupt_name())
			fprintf(e->out, ",\"interrupted\":\"%s\"", interrupt_name());
		fputs("}\n", e->out);
	}
	free(e->doc_head);
	e->doc_head = NULL;
	if (e->indented) {
		int rc = fclose(e->indented);

		e->out = e->indented = NULL;
		return rc == 0 ? 0 : -1;
	}
	return fflush(e->out) == 0 && !ferror(e->out) ? 0 : -1;
}

/* ---- file --restore ---- */

enum { R_RANGES, R_PAGES, R_BEFORE, R_AFTER, R_FILE, R_NCOLS };

/* Fixed widths: a row is printed as each file is restored. */
const struct table_column emit_restore_columns[] = {
        [R_RANGES] = {"RANGES", "resident ranges the save recorded", 7, TABLE_RIGHT},
        [R_PAGES] = {"PAGES", "pages in those ranges", 9, TABLE_RIGHT},
        [R_BEFORE] = {"BEFORE", "pages resident before the restore", 9, TABLE_RIGHT},
        [R_AFTER] = {"AFTER", "pages resident after it", 9, TABLE_RIGHT},
        [R_FILE] = {"FILE", "the file, and why it was not restored", 0.5, TABLE_WRAP},
};
const size_t emit_restore_ncolumns = R_NCOLS;

void emit_restore_begin(struct emit_restore *e, FILE *out, enum emit_format format,
                        const char *list, const struct table_options *table)
{
	char why[128];

	memset(e, 0, sizeof(*e));
	e->out = out;
	e->format = format;
	e->list = list;
	e->files = json_array();
	if (format != EMIT_TEXT)
		return;
	if (table)
		e->table_opt = *table;
	e->table = table_new(emit_restore_columns, R_NCOLS, &e->table_opt, why, sizeof(why));
	e->table_failed = !e->table;
}

static json_t *restore_entry(const struct file_restore_result *f)
{
	json_t *o = json_object();

	emit_str(o, "path", f->path);
	if (f->attempted) {
		emit_int(o, "size", (int64_t)f->size);
		emit_int(o, "ranges", (int64_t)f->ranges);
		emit_int(o, "pages", (int64_t)f->pages);
		emit_measured(o, "resident_pages_before", (int64_t)f->resident_before,
		              f->resident_unavailable);
		emit_measured(o, "resident_pages_after", (int64_t)f->resident_after,
		              f->resident_unavailable);
	}
	if (f->error)
		emit_str(o, "error", f->error);
	else if (f->skipped)
		emit_str(o, "skipped", f->skipped);
	return o;
}

static void restore_text(struct emit_restore *e, const struct file_restore_result *f)
{
	const char *why = f->resident_unavailable;
	char name[PATH_MAX + 128];

	if (!e->table || table_row(e->table) != 0)
		return;
	if (f->attempted) {
		table_count(e->table, R_RANGES, f->ranges);
		table_count(e->table, R_PAGES, f->pages);
	}
	if (!f->attempted) {
		table_text(e->table, R_BEFORE, "-");
		table_text(e->table, R_AFTER, "-");
	} else if (why) {
		table_text(e->table, R_BEFORE, "?");
		table_text(e->table, R_AFTER, "?");
	} else {
		table_count(e->table, R_BEFORE, f->resident_before);
		table_count(e->table, R_AFTER, f->resident_after);
	}
	if (f->attempted && why && !e->unmeasured_why)
		e->unmeasured_why = why;
	if (f->error || f->skipped)
		snprintf(name, sizeof(name), "%s (%s: %s)", f->path,
		         f->error ? "error" : "skipped", f->error ? f->error : f->skipped);
	else
		snprintf(name, sizeof(name), "%s", f->path);
	table_text(e->table, R_FILE, name);
	if (table_flush(e->table, e->out) != 0)
		e->table_failed = true;
}

/* A document of kind file_restore holding key: value. */
static json_t *restore_doc(const char *list, const char *key, json_t *value)
{
	json_t *doc = emit_doc("file_restore", true);

	emit_str(doc, "list", list);
	json_object_set_new(doc, key, value);
	return doc;
}

void emit_restore_file(const struct file_restore_result *f, void *ctx)
{
	struct emit_restore *e = ctx;

	e->files_n++;
	if (f->error)
		e->errors++;
	else if (f->skipped)
		e->skipped++;
	else
		e->restored++;
	e->pages += f->error ? 0 : f->pages;
	if (f->error)
		fprintf(stderr, "mapscope: %s: %s\n", f->path, f->error);
	if (e->format == EMIT_TEXT)
		restore_text(e, f);
	else
		json_array_append_new(e->files, restore_entry(f));
}

/* The total row, then what the rows cannot say. */
static int restore_text_end(struct emit_restore *e)
{
	char label[64];
	bool failed = e->table_failed;

	if (e->table && e->files_n > 1 && table_row(e->table) == 0) {
		snprintf(label, sizeof(label), "total: %llu %s", (unsigned long long)e->files_n,
		         emit_plural(e->files_n, "file", "files"));
		table_count(e->table, R_PAGES, e->pages);
		table_text(e->table, R_BEFORE, "-");
		table_text(e->table, R_AFTER, "-");
		table_text(e->table, R_RANGES, "-");
		table_text(e->table, R_FILE, label);
	}
	if (e->table && table_flush(e->table, e->out) != 0)
		failed = true;
	table_free(e->table);
	e->table = NULL;
	if (!e->table_opt.no_headings) {
		fprintf(e->out, "%llu restored, %llu skipped, %llu %s\n",
		        (unsigned long long)e->restored, (unsigned long long)e->skipped,
		        (unsigned long long)e->errors, emit_plural(e->errors, "error", "errors"));
		if (e->unmeasured_why)
			fprintf(e->out, "?: %s\n", e->unmeasured_why);
	}
	return fflush(e->out) == 0 && !failed ? 0 : -1;
}

int emit_restore_end(struct emit_restore *e)
{
	json_t *t = json_object(), *doc;

	emit_int(t, "files", (int64_t)e->files_n);
	emit_int(t, "restored_files", (int64_t)e->restored);
	emit_int(t, "skipped", (int64_t)e->skipped);
	emit_int(t, "errors", (int64_t)e->errors);
	emit_int(t, "pages", (int64_t)e->pages);
	if (e->format == EMIT_TEXT) {
		json_decref(t);
		json_decref(e->files);
		return restore_text_end(e);
	}
	doc = restore_doc(e->list, "files", e->files);
	json_object_set_new(doc, "totals", t);
	return emit_json(doc, e->out, e->format);
}
