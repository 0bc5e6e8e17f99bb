#include "emit/emit_libs.h"

#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint64_t page_size(void)
{
	return (uint64_t)sysconf(_SC_PAGESIZE);
}

static size_t shown(const struct libs_report *r, const struct emit_libs_view *v)
{
	size_t n = 0;

	for (size_t i = 0; i < r->nfiles; i++)
		n += r->files[i].kind == LIBS_LIBRARY && r->files[i].processes;
	return v->top && v->top < n ? v->top : n;
}

/* ---- JSON ---- */

static json_t *pid_list(const struct libs_lib *lib)
{
	json_t *pids = json_array();

	for (unsigned i = 0; i < lib->ntop; i++)
		json_array_append_new(pids, json_integer(lib->top[i].pid));
	return pids;
}

static void put_counts(json_t *o, const struct libs_counts *c)
{
	emit_int(o, "mappings", (int64_t)c->mappings);
	emit_int(o, "rss", (int64_t)c->rss);
	emit_int(o, "pss", (int64_t)c->pss);
	emit_int(o, "uss", (int64_t)c->uss);
	emit_int(o, "private_dirty", (int64_t)c->private_dirty);
	emit_int(o, "shared", (int64_t)c->shared);
	emit_int(o, "swap", (int64_t)c->swap);
	emit_int(o, "text_rss", (int64_t)c->text_rss);
	emit_int(o, "text_pss", (int64_t)c->text_pss);
}

static void put_relro(json_t *o, const struct libs_lib *lib)
{
	const char *why = libs_relro_unavailable(lib);

	emit_measured(o, "relro_size", (int64_t)(lib->relro_end - lib->relro_start),
	              lib->relro_unavailable);
	emit_measured(o, "relro_private_dirty", (int64_t)lib->sum.relro_private_dirty, why);
	emit_measured(o, "relro_share_saving_estimate", (int64_t)libs_relro_saving(lib), why);
	json_object_set_new(
	        o, "shared_relro",
	        json_boolean(lib->sum.relro_cache_rss > 0 || lib->sum.relro_cache_pss > 0));
	emit_int(o, "relro_cache_rss", (int64_t)lib->sum.relro_cache_rss);
	emit_int(o, "relro_cache_pss", (int64_t)lib->sum.relro_cache_pss);
}

static void put_residency(json_t *o, const struct residency *res)
{
	const char *detail = res->unavailable ? res->unavailable : res->detail_unavailable;

	emit_measured(o, "resident_pages", (int64_t)res->resident_pages, res->unavailable);
	emit_measured(o, "evicted_pages", (int64_t)res->evicted_pages, detail);
	emit_measured(o, "recently_evicted_pages", (int64_t)res->recently_evicted_pages, detail);
}

static json_t *library_entry(const struct libs_lib *lib)
{
	json_t *o = json_object();
	char dev[24];

	snprintf(dev, sizeof(dev), "%02x:%02x", lib->dev_major, lib->dev_minor);
	emit_str(o, "path", lib->path);
	emit_str(o, "dev", dev);
	emit_int(o, "inode", (int64_t)lib->inode);
	json_object_set_new(o, "deleted", json_boolean(lib->deleted));
	emit_measured(o, "size", (int64_t)lib->size, lib->file_unavailable);
	emit_int(o, "processes", (int64_t)lib->processes);
	json_object_set_new(o, "pids", pid_list(lib));
	emit_int(o, "pids_omitted", (int64_t)(lib->processes - lib->ntop));
	put_counts(o, &lib->sum);
	put_relro(o, lib);
	put_residency(o, &lib->res);
	return o;
}

static json_t *totals_entry(const struct libs_report *r)
{
	struct libs_totals t;
	json_t *o = json_object();

	libs_totals(r, &t);
	emit_int(o, "libraries", (int64_t)t.libraries);
	emit_int(o, "processes", (int64_t)r->processes);
	emit_int(o, "no_memory", (int64_t)r->no_memory);
	emit_int(o, "unreadable", (int64_t)r->errors.count);
	put_counts(o, &t.sum);
	emit_int(o, "relro_private_dirty", (int64_t)t.sum.relro_private_dirty);
	emit_int(o, "resident_pages", (int64_t)t.resident_pages);
	emit_int(o, "resident_unmeasured_libraries", (int64_t)t.resident_unmeasured);
	emit_int(o, "relro_unmeasured_libraries", (int64_t)t.relro_unmeasured);
	emit_int(o, "relro_share_saving_estimate", (int64_t)t.relro_saving);
	emit_str(o, "relro_share_saving_method", EMIT_LIBS_SAVING_METHOD);
	emit_int(o, "stray_relro_mappings", (int64_t)r->stray_relro);
	return o;
}

json_t *emit_libs_doc(const struct libs_report *r, const struct emit_libs_view *v)
{
	const struct libs_lib **libs = libs_sorted(r, v->sort);
	size_t n = shown(r, v);
	json_t *doc, *list;

	if (!libs)
		return NULL;
	doc = emit_doc("libs", true);
	emit_str(doc, "sort", libs_sort_name(v->sort));
	list = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(list, library_entry(libs[i]));
	free(libs);
	json_object_set_new(doc, "libraries", list);
	json_object_set_new(doc, "totals", totals_entry(r));
	json_object_set_new(doc, "errors", emit_proc_errors(&r->errors));
	return doc;
}

/* ---- Text ---- */

enum {
	C_PROCS,
	C_RSS,
	C_PSS,
	C_USS,
	C_DIRTY,
	C_RELRO,
	C_TEXT,
	C_CACHE,
	C_SHARED,
	C_SWAP,
	C_MAPPINGS,
	C_LIBRARY,
	C_NCOLS
};

const struct table_column emit_libs_columns[] = {
        [C_PROCS] = {"PROCS", "processes that map the library", 5, TABLE_RIGHT},
        [C_RSS] = {"RSS", "resident, summed over the processes", 6, TABLE_RIGHT},
        [C_PSS] = {"PSS", "proportional share, summed: what the library costs", 6, TABLE_RIGHT},
        [C_USS] = {"USS", "private (clean + dirty), summed", 6, TABLE_RIGHT},
        [C_DIRTY] = {"DIRTY", "private dirty, summed", 6, TABLE_RIGHT},
        [C_RELRO] = {"RELRO", "private dirty inside the RELRO range, summed", 6, TABLE_RIGHT},
        [C_TEXT] = {"TEXT", "proportional share of the executable mappings", 6, TABLE_RIGHT},
        [C_CACHE] = {"CACHE", "the file's pages in the page cache", 6, TABLE_RIGHT},
        [C_SHARED] = {"SHARED", "shared (clean + dirty), summed", 6, TABLE_RIGHT | TABLE_HIDDEN},
        [C_SWAP] = {"SWAP", "swapped out, summed", 6, TABLE_RIGHT | TABLE_HIDDEN},
        [C_MAPPINGS] = {"MAPPINGS", "mappings of the library, summed", 8,
                        TABLE_RIGHT | TABLE_HIDDEN},
        [C_LIBRARY] = {"LIBRARY", "the library's path", 0.5, TABLE_WRAP},
};
const size_t emit_libs_ncolumns = C_NCOLS;

static void cell_bytes(struct table *t, size_t col, uint64_t bytes, bool known)
{
	if (known)
		table_bytes(t, col, bytes);
	else
		table_text(t, col, "?");
}

static void put_row(struct table *t, uint64_t procs, const struct libs_counts *c, bool relro_known,
                    uint64_t cached, bool cached_known)
{
	table_row(t);
	table_count(t, C_PROCS, procs);
	table_bytes(t, C_RSS, c->rss);
	table_bytes(t, C_PSS, c->pss);
	table_bytes(t, C_USS, c->uss);
	table_bytes(t, C_DIRTY, c->private_dirty);
	cell_bytes(t, C_RELRO, c->relro_private_dirty, relro_known);
	table_bytes(t, C_TEXT, c->text_pss);
	cell_bytes(t, C_CACHE, cached, cached_known);
	table_bytes(t, C_SHARED, c->shared);
	table_bytes(t, C_SWAP, c->swap);
	table_count(t, C_MAPPINGS, c->mappings);
}

static void put_library(struct table *t, const struct libs_lib *lib)
{
	char path[PATH_MAX + 16];

	put_row(t, lib->processes, &lib->sum, !libs_relro_unavailable(lib),
	        lib->res.resident_pages * page_size(), !lib->res.unavailable);
	snprintf(path, sizeof(path), "%s%s", lib->path, lib->deleted ? " (deleted)" : "");
	table_text(t, C_LIBRARY, path);
}

static void put_total(struct table *t, const struct libs_report *r, const struct libs_totals *tot,
                      size_t shown_n)
{
	char what[96];

	put_row(t, r->processes, &tot->sum, true, tot->resident_pages * page_size(), true);
	snprintf(what, sizeof(what), "total: %" PRIu64 " %s%s", tot->libraries,
	         emit_plural(tot->libraries, "library", "libraries"),
	         shown_n < tot->libraries ? " (not all shown)" : "");
	table_text(t, C_LIBRARY, what);
}

/* text in lines of at most EMIT_LIBS_COLUMNS, indented by two spaces. */
static void put_wrapped(FILE *out, const char *text)
{
	int col = 0;

	while (*text) {
		int word = (int)strcspn(text, " ");

		if (col && col + 1 + word > EMIT_LIBS_COLUMNS) {
			fputc('\n', out);
			col = 0;
		}
		col += fprintf(out, "%s%.*s", col ? " " : "  ", word, text);
		text += word;
		text += *text == ' ';
	}
	fputc('\n', out);
}

static void put_errors(FILE *out, const struct libs_report *r)
{
	fprintf(out, "%zu %s read, %zu without memory, %zu could not be read\n", r->processes,
	        emit_plural(r->processes, "process", "processes"), r->no_memory, r->errors.count);
	for (size_t i = 0; i < r->errors.count; i++)
		fprintf(out, "  pid %d: %s\n", (int)r->errors.items[i].pid,
		        r->errors.items[i].error);
}

static void put_saving(FILE *out, const struct libs_totals *t, const struct table_options *opt)
{
	char saving[32];

	fprintf(out, "\nRELRO sharing (soload --share) would save about %s;\n",
	        table_size_text(opt, t->relro_saving, saving, sizeof(saving)));
	put_wrapped(out, EMIT_LIBS_SAVING_METHOD ".");
	if (t->relro_unmeasured)
		fprintf(out, "  %" PRIu64 " %s left out: %s RELRO was not measured (?).\n",
		        t->relro_unmeasured,
		        emit_plural(t->relro_unmeasured, "library", "libraries"),
		        t->relro_unmeasured == 1 ? "its" : "their");
}

int emit_libs_text(FILE *out, const struct libs_report *r, const struct emit_libs_view *v,
                   const struct table_options *opt)
{
	const struct libs_lib **libs = libs_sorted(r, v->sort);
	size_t n = shown(r, v);
	struct libs_totals t;
	struct table *tb;
	char why[128];

	if (!libs)
		return -1;
	tb = table_new(emit_libs_columns, C_NCOLS, opt, why, sizeof(why));
	if (!tb) {
		free(libs);
		return -1;
	}
	libs_totals(r, &t);
	for (size_t i = 0; i < n; i++)
		put_library(tb, libs[i]);
	free(libs);
	put_total(tb, r, &t, n);
	if (table_print(tb, out) != 0)
		return -1;
	put_saving(out, &t, opt);
	put_errors(out, r);
	return 0;
}

/* ---- Prometheus ---- */

const struct emit_prom_view emit_prom_libs[] = {
        {"libraries",
         {"path", "dev", "inode"},
         (const struct emit_prom_metric[]){
                 {"processes", "mapscope_lib_processes", "Processes that map the library."},
                 {"rss", "mapscope_lib_rss_bytes",
                  "Resident set size of the library's mappings, summed over processes."},
                 {"pss", "mapscope_lib_pss_bytes",
                  "Proportional set size of the library's mappings, summed over processes."},
                 {"uss", "mapscope_lib_uss_bytes",
                  "Private (clean + dirty) memory of the library's mappings."},
                 {"private_dirty", "mapscope_lib_private_dirty_bytes",
                  "Private dirty memory of the library's mappings."},
                 {"text_pss", "mapscope_lib_text_pss_bytes",
                  "Proportional set size of the library's executable mappings."},
                 {"relro_private_dirty", "mapscope_lib_relro_private_dirty_bytes",
                  "Private dirty memory inside the library's RELRO range."},
                 {"relro_share_saving_estimate", "mapscope_lib_relro_share_saving_bytes",
                  "Estimate: what sharing the library's RELRO would save."},
                 {"resident_pages", "mapscope_lib_resident_pages",
                  "Pages of the library's file in the page cache."},
                 {"evicted_pages", "mapscope_lib_evicted_pages",
                  "Pages of the library's file evicted from the page cache."},
                 {0},
         }},
        {"totals",
         {0},
         (const struct emit_prom_metric[]){
                 {"libraries", "mapscope_libs_libraries", "Distinct shared libraries mapped."},
                 {"processes", "mapscope_libs_processes", "Processes read."},
                 {"unreadable", "mapscope_libs_unreadable_processes",
                  "Processes that could not be read (gone, or not permitted)."},
                 {"rss", "mapscope_libs_rss_bytes", "Resident set size of all libraries."},
                 {"pss", "mapscope_libs_pss_bytes", "Proportional set size of all libraries."},
                 {"uss", "mapscope_libs_uss_bytes", "Private memory of all libraries."},
                 {"shared", "mapscope_libs_shared_bytes", "Shared memory of all libraries."},
                 {"relro_private_dirty", "mapscope_libs_relro_private_dirty_bytes",
                  "Private dirty memory inside the RELRO of all libraries measured."},
                 {"relro_share_saving_estimate", "mapscope_libs_relro_share_saving_bytes",
                  "Estimate: what sharing every library's RELRO would save."},
                 {0},
         }},
        {0},
};
