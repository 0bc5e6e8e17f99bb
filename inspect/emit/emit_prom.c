#include "emit/emit_prom.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define UNAVAILABLE "mapscope_unavailable"

const struct emit_prom_view emit_prom_file[] = {
        {"files",
         {"path"},
         (const struct emit_prom_metric[]){
                 {"size", "mapscope_file_size_bytes", "Size of the file."},
                 {"pages", "mapscope_file_pages", "Pages covering the file's size."},
                 {"resident_pages", "mapscope_file_resident_pages",
                  "Pages of the file in the page cache."},
                 {"dirty_pages", "mapscope_file_dirty_pages",
                  "Pages of the file in the page cache not yet written back."},
                 {"writeback_pages", "mapscope_file_writeback_pages",
                  "Pages of the file being written back."},
                 {"evicted_pages", "mapscope_file_evicted_pages",
                  "Pages of the file evicted from the page cache."},
                 {"recently_evicted_pages", "mapscope_file_recently_evicted_pages",
                  "Pages of the file evicted recently."},
                 {0},
         }},
        {"totals",
         {0},
         (const struct emit_prom_metric[]){
                 {"files", "mapscope_file_scan_files", "Regular files scanned."},
                 {"pages", "mapscope_file_scan_pages", "Pages of all files scanned."},
                 {"resident_pages", "mapscope_file_scan_resident_pages",
                  "Pages of all files scanned in the page cache."},
                 {"dirty_pages", "mapscope_file_scan_dirty_pages",
                  "Dirty pages of all files scanned."},
                 {"errors", "mapscope_file_scan_errors", "Paths that could not be measured."},
                 {0},
         }},
        {0},
};

/* smaps byte counters, as metrics named prefix + key + "_bytes". */
#define SMAPS_BYTES(prefix, what)                                                                 \
	{"rss", prefix "rss_bytes", "Resident set size" what},                                    \
	        {"pss", prefix "pss_bytes", "Proportional set size" what},                        \
	        {"shared_clean", prefix "shared_clean_bytes", "Shared clean memory" what},        \
	        {"shared_dirty", prefix "shared_dirty_bytes", "Shared dirty memory" what},        \
	        {"private_clean", prefix "private_clean_bytes", "Private clean memory" what},     \
	        {"private_dirty", prefix "private_dirty_bytes", "Private dirty memory" what},     \
	        {"anonymous", prefix "anonymous_bytes", "Anonymous memory" what},                 \
	{                                                                                         \
		"swap", prefix "swap_bytes", "Swapped out memory" what                            \
	}

const struct emit_prom_view emit_prom_maps_all[] = {
        {"processes",
         {"pid", "comm"},
         (const struct emit_prom_metric[]){
                 SMAPS_BYTES("mapscope_process_", " of the process (smaps_rollup)."),
                 {0},
         }},
        {"files",
         {"path", "dev", "inode"},
         (const struct emit_prom_metric[]){
                 {"processes", "mapscope_mapped_file_processes", "Processes that map the file."},
                 {"mappings", "mapscope_mapped_file_mappings", "Mappings of the file."},
                 {"rss", "mapscope_mapped_file_rss_bytes",
                  "Resident set size of the file's mappings, summed over processes."},
                 {"pss", "mapscope_mapped_file_pss_bytes",
                  "Proportional set size of the file's mappings, summed over processes."},
                 {"swap", "mapscope_mapped_file_swap_bytes",
                  "Swapped out memory of the file's mappings, summed over processes."},
                 {0},
         }},
        {"totals",
         {0},
         (const struct emit_prom_metric[]){
                 {"processes", "mapscope_maps_processes", "Processes scanned."},
                 {"files", "mapscope_maps_files", "Distinct files mapped."},
                 {"errors", "mapscope_maps_errors",
                  "Processes that could not be read (gone, or not permitted)."},
                 SMAPS_BYTES("mapscope_maps_", " summed over every process."),
                 {0},
         }},
        {0},
};

/* The document's array (or single object) of items; i-th item or NULL. */
static const json_t *view_item(const json_t *doc, const struct emit_prom_view *v, size_t i)
{
	const json_t *items = json_object_get(doc, v->items);

	if (json_is_object(items))
		return i == 0 ? items : NULL;
	return json_array_get(items, i);
}

/* Writes s with the label value escapes: backslash, double quote, newline. */
static void put_escaped(FILE *out, const char *s, bool quotes)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", out);
		else if (*s == '\n')
			fputs("\\n", out);
		else if (*s == '"' && quotes)
			fputs("\\\"", out);
		else
			fputc(*s, out);
	}
}

static void put_label(FILE *out, bool *first, const char *name, const char *value)
{
	fprintf(out, "%s%s=\"", *first ? "{" : ",", name);
	put_escaped(out, value, true);
	fputc('"', out);
	*first = false;
}

/* A label's value: a string, or an integer in decimal; NULL if neither. */
static const char *label_value(const json_t *v, char *buf, size_t len)
{
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v)) {
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
		return buf;
	}
	return NULL;
}

/* {label="value",...} of one item, with extra pairs after the view's. */
static void put_labels(FILE *out, const json_t *doc, const json_t *item,
                       const struct emit_prom_view *v, const char *const extra[][2], int nextra)
{
	bool first = true;
	char buf[32];

	for (int i = 0; i < EMIT_PROM_MAX_LABELS && v->labels[i]; i++) {
		const json_t *value = json_object_get(item, v->labels[i]);
		const char *text;

		if (!value)
			value = json_object_get(doc, v->labels[i]);
		text = label_value(value, buf, sizeof(buf));
		if (text)
			put_label(out, &first, v->labels[i], text);
	}
	for (int i = 0; i < nextra; i++)
		put_label(out, &first, extra[i][0], extra[i][1]);
	if (!first)
		fputc('}', out);
}

static void put_family(FILE *out, const char *name, const char *help)
{
	fprintf(out, "# HELP %s ", name);
	put_escaped(out, help, false);
	fprintf(out, "\n# TYPE %s gauge\n", name);
}

static void put_metric(FILE *out, const json_t *doc, const struct emit_prom_view *v,
                       const struct emit_prom_metric *m)
{
	const json_t *item;

	put_family(out, m->name, m->help);
	for (size_t i = 0; (item = view_item(doc, v, i)); i++) {
		const json_t *value = json_object_get(item, m->field);

		if (!json_is_number(value))
			continue;
		fputs(m->name, out);
		put_labels(out, doc, item, v, NULL, 0);
		if (json_is_integer(value))
			fprintf(out, " %lld\n", (long long)json_integer_value(value));
		else
			fprintf(out, " %.17g\n", json_real_value(value));
	}
}

/* One sample per null value that has a reason, so a fleet sees what could
 * not be measured instead of a missing series. */
static void put_unavailable(FILE *out, const json_t *doc, const struct emit_prom_view *v,
                            const struct emit_prom_metric *m)
{
	char key[128];
	const json_t *item;

	snprintf(key, sizeof(key), "%s_unavailable", m->field);
	for (size_t i = 0; (item = view_item(doc, v, i)); i++) {
		const char *reason = json_string_value(json_object_get(item, key));
		const char *const extra[][2] = {{"metric", m->name}, {"reason", reason}};

		if (!json_is_null(json_object_get(item, m->field)) || !reason)
			continue;
		fputs(UNAVAILABLE, out);
		put_labels(out, doc, item, v, extra, 2);
		fputs(" 1\n", out);
	}
}

int emit_prom(FILE *out, const json_t *doc, const struct emit_prom_view *views)
{
	const struct emit_prom_view *v;
	const struct emit_prom_metric *m;

	for (v = views; v->items; v++)
		for (m = v->metrics; m->field; m++)
			put_metric(out, doc, v, m);
	put_family(out, UNAVAILABLE,
	           "A value that could not be measured, with the reason; no sample of "
	           "the metric is given.");
	for (v = views; v->items; v++)
		for (m = v->metrics; m->field; m++)
			put_unavailable(out, doc, v, m);
	return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}

FILE *emit_prom_capture(struct emit_prom_capture *c)
{
	c->buf = NULL;
	c->len = 0;
	c->mem = open_memstream(&c->buf, &c->len);
	return c->mem;
}

int emit_prom_release(struct emit_prom_capture *c, const struct emit_prom_view *views, FILE *out)
{
	json_t *doc;
	int rc = -1;

	fclose(c->mem);
	/* Only the report itself: an error document may follow it. */
	doc = json_loadb(c->buf ? c->buf : "", c->len, JSON_DISABLE_EOF_CHECK, NULL);
	if (doc && !(json_object_get(doc, "error") && json_object_size(doc) <= 4))
		rc = emit_prom(out, doc, views);
	json_decref(doc);
	free(c->buf);
	return rc;
}
