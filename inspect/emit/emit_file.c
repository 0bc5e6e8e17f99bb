#include "emit/emit_file.h"
#include "core/clock.h"
#include "core/interrupt.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TEXT_RANGES_PER_LINE 6
#define TEXT_CELLS_PER_LINE  64
#define PROGRESS_AFTER_NS    1000000000ULL
#define PROGRESS_EVERY_NS    100000000ULL
#define PROGRESS_PATH        36 /* characters of the path shown */

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
	fprintf(stderr, "\r\033[Kmapscope: %llu files, %s: %s%s",
	        (unsigned long long)e->totals.files,
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

void emit_file_begin(struct emit_file *e, FILE *out, enum emit_format format)
{
	json_t *head;

	memset(e, 0, sizeof(*e));
	e->out = out;
	e->format = format;
	e->start_ns = clock_ns();
	e->progress_tty = isatty(STDERR_FILENO) && !isatty(fileno(out));
	e->touch_tty = isatty(STDERR_FILENO);
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

static void print_skipped(FILE *out, const char *path, const char *why)
{
	char *safe = emit_text_safe(path);

	fprintf(out, "%-40s skipped: %s\n", safe ? safe : path, why ? why : "");
	free(safe);
}

static void print_summary_line(struct emit_file *e, const char *path, const struct residency *r)
{
	char size[32];

	char *safe = emit_text_safe(path);

	fprintf(e->out, "%-40s %10s ", safe ? safe : path,
	        emit_human_bytes(r->size, size, sizeof(size)));
	free(safe);
	if (r->unavailable) {
		fprintf(e->out, "resident: unknown (%s)\n", r->unavailable);
		return;
	}
	fprintf(e->out, "%9llu/%-9llu ", (unsigned long long)r->resident_pages,
	        (unsigned long long)r->pages);
	emit_bar(e->out, r->resident_pages, r->pages, 20);
	fprintf(e->out, " %5.1f%%\n", r->pages ? 100.0 * r->resident_pages / r->pages : 0.0);
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
		if (error)
			fprintf(e->out, "  error: %s\n", error);
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
			print_skipped(e->out, path, skipped);
	} else {
		open_object(e);
		emit_write_member(e->out, "path", path);
		fputc(',', e->out);
		emit_write_member(e->out, error ? "error" : "skipped", error ? error : skipped);
		close_object(e);
	}
	show_progress(e, path);
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
	return o;
}

static void print_totals_line(struct emit_file *e)
{
	const struct emit_file_totals *t = &e->totals;

	fprintf(e->out, "total: %llu files, ", (unsigned long long)t->files);
	if (!t->measured_files) {
		fprintf(e->out, "resident unknown (%s)",
		        t->files ? "no file could be measured" : "no regular file was found");
	} else {
		fprintf(e->out, "%llu/%llu pages resident ", (unsigned long long)t->resident_pages,
		        (unsigned long long)t->measured_pages);
		emit_bar(e->out, t->resident_pages, t->measured_pages, 20);
	}
	if (t->measured_files < t->files)
		fprintf(e->out, ", %llu not measurable",
		        (unsigned long long)(t->files - t->measured_files));
	fprintf(e->out, ", %llu errors, %llu skipped\n", (unsigned long long)t->errors,
	        (unsigned long long)t->skipped);
	if (interrupt_name())
		fprintf(e->out, "interrupted by %s: the scan stopped here\n", interrupt_name());
}

int emit_file_end(struct emit_file *e, const struct filewalk_stats *walk, const char *error)
{
	clear_progress(e);
	if (!is_json(e)) {
		print_totals_line(e);
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

void emit_restore_begin(struct emit_restore *e, FILE *out, enum emit_format format,
                        const char *list)
{
	memset(e, 0, sizeof(*e));
	e->out = out;
	e->format = format;
	e->list = list;
	e->files = json_array();
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

static void restore_text(FILE *out, const struct file_restore_result *f)
{
	if (!f->attempted) {
		fprintf(out, "%-40s %s: %s\n", f->path, f->error ? "error" : "skipped",
		        f->error ? f->error : f->skipped);
		return;
	}
	fprintf(out, "%-40s %llu pages in %llu ranges", f->path, (unsigned long long)f->pages,
	        (unsigned long long)f->ranges);
	if (f->resident_unavailable)
		fprintf(out, "; resident: unknown (%s)", f->resident_unavailable);
	else
		fprintf(out, "; resident %llu -> %llu", (unsigned long long)f->resident_before,
		        (unsigned long long)f->resident_after);
	fprintf(out, "%s%s\n", f->error ? "; error: " : "", f->error ? f->error : "");
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
		restore_text(e->out, f);
	else
		json_array_append_new(e->files, restore_entry(f));
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
		fprintf(e->out,
		        "total: %llu files, %llu restored (%llu pages), %llu skipped, %llu "
		        "errors\n",
		        (unsigned long long)e->files_n, (unsigned long long)e->restored,
		        (unsigned long long)e->pages, (unsigned long long)e->skipped,
		        (unsigned long long)e->errors);
		json_decref(t);
		json_decref(e->files);
		return fflush(e->out) == 0 ? 0 : -1;
	}
	doc = restore_doc(e->list, "files", e->files);
	json_object_set_new(doc, "totals", t);
	return emit_json(doc, e->out, e->format);
}
