#include "emit_prom.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define UNAVAILABLE "mapscope_unavailable"

#define PROCESS_BYTES(key, what)                                                                  \
	{                                                                                         \
		key, "mapscope_share_process_" key "_bytes",                                      \
		        what " of the library's mappings in one holder."                          \
	}
#define TOTAL_BYTES(key, what)                                                                    \
	{                                                                                         \
		key, "mapscope_share_" key "_bytes",                                              \
		        what " of the library's mappings, summed over the holders."               \
	}

static const struct emit_prom_metric file_metrics[] = {
        {"size", "mapscope_file_size_bytes", "Size of the file."},
        {"pages", "mapscope_file_pages", "Pages covering the file's size."},
        {"resident_pages", "mapscope_file_resident_pages", "Pages of the file in the page cache."},
        {"dirty_pages", "mapscope_file_dirty_pages",
         "Pages of the file in the page cache not yet written back."},
        {"writeback_pages", "mapscope_file_writeback_pages",
         "Pages of the file being written back."},
        {"evicted_pages", "mapscope_file_evicted_pages",
         "Pages of the file evicted from the page cache."},
        {"recently_evicted_pages", "mapscope_file_recently_evicted_pages",
         "Pages of the file evicted recently."},
        {0},
};

static const struct emit_prom_metric file_total_metrics[] = {
        {"files", "mapscope_file_scan_files", "Regular files scanned."},
        {"pages", "mapscope_file_scan_pages", "Pages of all files scanned."},
        {"resident_pages", "mapscope_file_scan_resident_pages",
         "Pages of all files scanned in the page cache."},
        {"dirty_pages", "mapscope_file_scan_dirty_pages", "Dirty pages of all files scanned."},
        {"errors", "mapscope_file_scan_errors", "Paths that could not be measured."},
        {0},
};

const struct emit_prom_view emit_prom_file[] = {
        {.items = "files", .labels = {"path"}, .metrics = file_metrics},
        {.items = "totals", .metrics = file_total_metrics},
        {0},
};

static const struct emit_prom_metric share_process_metrics[] = {
        {"mappings", "mapscope_share_process_mappings",
         "Mappings of the library and what it loaded in one holder."},
        PROCESS_BYTES("rss", "Resident set size"),
        PROCESS_BYTES("pss", "Proportional set size"),
        PROCESS_BYTES("shared_clean", "Shared clean memory"),
        PROCESS_BYTES("shared_dirty", "Shared dirty memory"),
        PROCESS_BYTES("private_clean", "Private clean memory"),
        PROCESS_BYTES("private_dirty", "Private dirty memory"),
        PROCESS_BYTES("text_pss", "Proportional set size of the executable text"),
        {"relro.pages", "mapscope_share_process_relro_pages",
         "Pages of relocated read-only data (RELRO) in one holder."},
        {"relro.shared_pages", "mapscope_share_process_relro_shared_pages",
         "RELRO pages mapped from the shared cache file."},
        {0},
};

static const struct emit_prom_metric share_total_metrics[] = {
        TOTAL_BYTES("rss", "Resident set size"),
        TOTAL_BYTES("pss", "Proportional set size"),
        TOTAL_BYTES("shared_clean", "Shared clean memory"),
        TOTAL_BYTES("shared_dirty", "Shared dirty memory"),
        TOTAL_BYTES("private_clean", "Private clean memory"),
        TOTAL_BYTES("private_dirty", "Private dirty memory"),
        TOTAL_BYTES("text_pss", "Proportional set size of the executable text"),
        {"single_mapped_pages", "mapscope_share_single_mapped_pages",
         "Pages of the library mapped by one holder only."},
        {"multi_mapped_pages", "mapscope_share_multi_mapped_pages",
         "Pages of the library mapped by more than one process."},
        {0},
};

const struct emit_prom_view emit_prom_share[] = {
        {.items = "per_process",
         .labels = {"library", "loader", "pid"},
         .metrics = share_process_metrics,
         .outer = "runs"},
        {.items = "totals",
         .labels = {"library", "loader"},
         .metrics = share_total_metrics,
         .outer = "runs"},
        {0},
};

/* The scope's array (or single object) of items; i-th item or NULL. */
static const json_t *view_item(const json_t *scope, const struct emit_prom_view *v, size_t i)
{
	const json_t *items = json_object_get(scope, v->items);

	if (json_is_object(items))
		return i == 0 ? items : NULL;
	return json_array_get(items, i);
}

/* The i-th scope of the view: an element of the outer array, or the
 * document itself when it has none. */
static const json_t *view_scope(const json_t *doc, const struct emit_prom_view *v, size_t i)
{
	const json_t *outer = v->outer ? json_object_get(doc, v->outer) : NULL;

	if (!json_is_array(outer))
		return i == 0 ? doc : NULL;
	return json_array_get(outer, i);
}

/* item[field], following one "a.b" step into an object. */
static const json_t *field_value(const json_t *item, const char *field)
{
	const char *dot = strchr(field, '.');
	char head[64];

	if (!dot || (size_t)(dot - field) >= sizeof(head))
		return json_object_get(item, field);
	memcpy(head, field, dot - field);
	head[dot - field] = '\0';
	return json_object_get(json_object_get(item, head), dot + 1);
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

/* Where an item sits: the document and the scope holding it. */
struct place {
	const json_t *doc, *scope, *item;
};

/* {label="value",...} of one item, with extra pairs after the view's. */
static void put_labels(FILE *out, const struct place *at, const struct emit_prom_view *v,
                       const char *const extra[][2], int nextra)
{
	bool first = true;
	char buf[32];

	for (int i = 0; i < EMIT_PROM_MAX_LABELS && v->labels[i]; i++) {
		const json_t *value = json_object_get(at->item, v->labels[i]);
		const char *text;

		if (!value)
			value = json_object_get(at->scope, v->labels[i]);
		if (!value)
			value = json_object_get(at->doc, v->labels[i]);
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

typedef void (*item_fn)(FILE *out, const struct place *at, const struct emit_prom_view *v,
                        const struct emit_prom_metric *m);

static void for_each_item(FILE *out, const json_t *doc, const struct emit_prom_view *v,
                          const struct emit_prom_metric *m, item_fn fn)
{
	struct place at = {.doc = doc};

	for (size_t s = 0; (at.scope = view_scope(doc, v, s)); s++)
		for (size_t i = 0; (at.item = view_item(at.scope, v, i)); i++)
			fn(out, &at, v, m);
}

static void put_sample(FILE *out, const struct place *at, const struct emit_prom_view *v,
                       const struct emit_prom_metric *m)
{
	const json_t *value = field_value(at->item, m->field);

	if (!json_is_number(value))
		return;
	fputs(m->name, out);
	put_labels(out, at, v, NULL, 0);
	if (json_is_integer(value))
		fprintf(out, " %lld\n", (long long)json_integer_value(value));
	else
		fprintf(out, " %.17g\n", json_real_value(value));
}

/* One sample per null value that has a reason, so a fleet sees what could
 * not be measured instead of a missing series. For "a.b", a null a counts. */
static void put_unavailable(FILE *out, const struct place *at, const struct emit_prom_view *v,
                            const struct emit_prom_metric *m)
{
	size_t head = strcspn(m->field, ".");
	char key[128];
	const char *reason;

	snprintf(key, sizeof(key), "%.*s", (int)head, m->field);
	if (!json_is_null(json_object_get(at->item, key)))
		return;
	snprintf(key, sizeof(key), "%.*s_unavailable", (int)head, m->field);
	reason = json_string_value(json_object_get(at->item, key));
	if (!reason)
		return;
	{
		const char *const extra[][2] = {{"metric", m->name}, {"reason", reason}};

		fputs(UNAVAILABLE, out);
		put_labels(out, at, v, extra, 2);
		fputs(" 1\n", out);
	}
}

int emit_prom(FILE *out, const json_t *doc, const struct emit_prom_view *views)
{
	const struct emit_prom_view *v;
	const struct emit_prom_metric *m;

	for (v = views; v->items; v++) {
		for (m = v->metrics; m->field; m++) {
			put_family(out, m->name, m->help);
			for_each_item(out, doc, v, m, put_sample);
		}
	}
	put_family(out, UNAVAILABLE,
	           "A value that could not be measured, with the reason; no sample of "
	           "the metric is given.");
	for (v = views; v->items; v++)
		for (m = v->metrics; m->field; m++)
			for_each_item(out, doc, v, m, put_unavailable);
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
