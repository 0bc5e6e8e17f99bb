#include "emit/emit_share.h"
#include "emit/emit_prom.h"

#include <limits.h>
#include <stddef.h>
#include <string.h>

/* The byte counts of a struct share_mem, in report order. */
static const struct {
	const char *key;
	const char *label;
	size_t off;
	int ratio; /* compared across loaders in the text table */
} mem_fields[] = {
        {"rss", "RSS", offsetof(struct share_mem, rss), 0},
        {"pss", "PSS", offsetof(struct share_mem, pss), 1},
        {"shared_clean", "shared clean", offsetof(struct share_mem, shared_clean), 0},
        {"shared_dirty", "shared dirty", offsetof(struct share_mem, shared_dirty), 0},
        {"private_clean", "private clean", offsetof(struct share_mem, private_clean), 0},
        {"private_dirty", "private dirty", offsetof(struct share_mem, private_dirty), 1},
        {"text_rss", "text RSS", offsetof(struct share_mem, text_rss), 1},
        {"text_pss", "text PSS", offsetof(struct share_mem, text_pss), 1},
};
#define NFIELDS (sizeof(mem_fields) / sizeof(mem_fields[0]))

static uint64_t field(const struct share_mem *m, size_t i)
{
	return *(const uint64_t *)((const char *)m + mem_fields[i].off);
}

static void put_mem(json_t *obj, const struct share_mem *m)
{
	const char *why = m->have_mapcount ? NULL : m->mapcount_why;

	emit_int(obj, "mappings", (int64_t)m->mappings);
	for (size_t i = 0; i < NFIELDS; i++)
		emit_int(obj, mem_fields[i].key, (int64_t)field(m, i));
	emit_measured(obj, "single_mapped_pages", (int64_t)m->sole_pages, why);
	emit_measured(obj, "multi_mapped_pages", (int64_t)m->shared_pages, why);
}

static void put_relro(json_t *obj, const struct share_run *run, const struct share_proc *p)
{
	json_t *relro;

	if (!p->have_relro) {
		emit_unmeasured(obj, "relro",
		                run->loader == SHARE_DLOPEN
		                        ? "glibc's dlopen does not report RELRO sharing"
		                        : "the holder did not report RELRO sharing");
		return;
	}
	relro = json_object();
	emit_int(relro, "pages", (int64_t)p->relro_pages);
	emit_int(relro, "shared_pages", (int64_t)p->relro_shared_pages);
	emit_int(relro, "private_pages", (int64_t)p->relro_private_pages);
	emit_str(relro, "status", p->relro_status);
	json_object_set_new(obj, "relro", relro);
}

static json_t *proc_entry(const struct share_run *run, const struct share_proc *p)
{
	json_t *obj = json_object();

	emit_int(obj, "pid", p->pid);
	put_mem(obj, &p->mem);
	put_relro(obj, run, p);
	return obj;
}

/* The members of one loader's run, into obj. */
static void put_run(json_t *obj, const struct share_run *run)
{
	json_t *libs = json_array(), *procs = json_array(), *totals = json_object();

	emit_str(obj, "loader", share_loader_name(run->loader));
	emit_int(obj, "processes", (int64_t)run->n);
	for (size_t i = 0; i < run->files.n; i++)
		json_array_append_new(libs, emit_string(run->files.files[i].path));
	json_object_set_new(obj, "libraries", libs);
	for (size_t i = 0; i < run->n; i++)
		json_array_append_new(procs, proc_entry(run, &run->procs[i]));
	json_object_set_new(obj, "per_process", procs);
	put_mem(totals, &run->totals);
	json_object_set_new(obj, "totals", totals);
}

json_t *emit_share_doc(const char *lib, const struct share_run *runs, size_t nruns)
{
	json_t *doc = emit_doc("share", true), *list;

	emit_str(doc, "library", lib);
	if (nruns == 1) {
		put_run(doc, &runs[0]);
		return doc;
	}
	emit_str(doc, "loader", "all");
	emit_int(doc, "processes", nruns ? (int64_t)runs[0].n : 0);
	list = json_array();
	for (size_t i = 0; i < nruns; i++) {
		json_t *run = json_object();
		put_run(run, &runs[i]);
		json_array_append_new(list, run);
	}
	json_object_set_new(doc, "runs", list);
	return doc;
}

/* The per-process table: PID, the byte counts (named by their JSON keys in
 * capitals), and how much of the RELRO the holder shared. */
enum { COL_PID, COL_FIELDS, COL_RELRO = COL_FIELDS + NFIELDS, NCOLS };

const struct table_column emit_share_columns[] = {
        {"PID", "the holder", 7, TABLE_RIGHT},
        {"RSS", "resident in its mappings of the library and what it loaded", 6, TABLE_RIGHT},
        {"PSS", "their proportional share", 6, TABLE_RIGHT},
        {"SHARED_CLEAN", "clean and mapped by other processes too", 6, TABLE_RIGHT},
        {"SHARED_DIRTY", "dirty and mapped by others", 6, TABLE_RIGHT | TABLE_HIDDEN},
        {"PRIVATE_CLEAN", "clean, mapped by this holder only", 6, TABLE_RIGHT | TABLE_HIDDEN},
        {"PRIVATE_DIRTY", "dirty, this holder's own (relocated data, bss)", 6, TABLE_RIGHT},
        {"TEXT_RSS", "resident executable pages", 6, TABLE_RIGHT | TABLE_HIDDEN},
        {"TEXT_PSS", "their proportional share", 6, TABLE_RIGHT},
        {"RELRO", "RELRO pages shared / RELRO pages (soload-share holders)", 6, TABLE_RIGHT},
};
const size_t emit_share_ncolumns = NCOLS;

static void relro_cell(struct table *t, size_t col, size_t shared, size_t all, bool have)
{
	char cell[48];

	snprintf(cell, sizeof(cell), "%zu/%zu", shared, all);
	table_text(t, col, have ? cell : "-");
}

static int text_per_process(FILE *out, const struct share_run *run,
                            const struct table_options *opt)
{
	char why[128];
	struct table *t = table_new(emit_share_columns, NCOLS, opt, why, sizeof(why));

	if (!t)
		return -1;
	for (size_t i = 0; i <= run->n; i++) {
		const struct share_proc *p = i < run->n ? &run->procs[i] : NULL;
		const struct share_mem *m = p ? &p->mem : &run->totals;

		table_row(t);
		if (p)
			table_count(t, COL_PID, (uint64_t)p->pid);
		else
			table_text(t, COL_PID, "total");
		for (size_t f = 0; f < NFIELDS; f++)
			table_bytes(t, COL_FIELDS + f, field(m, f));
		if (p)
			relro_cell(t, COL_RELRO, p->relro_shared_pages, p->relro_pages,
			           p->have_relro);
		else
			table_text(t, COL_RELRO, "-");
	}
	if (table_print(t, out) != 0)
		return -1;
	for (size_t i = 0; i < run->n && !opt->no_headings; i++)
		if (run->procs[i].have_relro)
			fprintf(out, "  %d: %s\n", (int)run->procs[i].pid,
			        run->procs[i].relro_status);
	return 0;
}

/* Each loader's total of field f over the first loader's, as "0.25x". */
static void ratio_row(struct table *t, const struct share_run *runs, size_t nruns, size_t f)
{
	char label[48], cell[32];
	uint64_t base = field(&runs[0].totals, f);

	table_row(t);
	snprintf(label, sizeof(label), "%s / %s", emit_share_columns[COL_FIELDS + f].name,
	         share_loader_name(runs[0].loader));
	table_text(t, 0, label);
	for (size_t r = 0; r < nruns; r++) {
		snprintf(cell, sizeof(cell), "%.2fx",
		         base ? (double)field(&runs[r].totals, f) / (double)base : 0.0);
		table_text(t, 1 + r, base ? cell : "-");
	}
}

/* Totals of several loaders, one column each (their own columns: --output
 * chooses the per-process table's). */
static int text_side_by_side(FILE *out, const struct share_run *runs, size_t nruns,
                             const struct table_options *opt)
{
	struct table_column cols[1 + SHARE_NLOADERS] = {{"TOTALS", "", 0.3, 0}};
	struct table_options o = *opt;
	char why[128];
	struct table *t;

	for (size_t r = 0; r < nruns && r < SHARE_NLOADERS; r++)
		cols[1 + r] = (struct table_column){share_loader_name(runs[r].loader), "", 8,
		                                    TABLE_RIGHT};
	o.output = NULL;
	if (!(t = table_new(cols, 1 + nruns, &o, why, sizeof(why))))
		return -1;
	for (size_t f = 0; f < NFIELDS; f++) {
		table_row(t);
		table_text(t, 0, emit_share_columns[COL_FIELDS + f].name);
		for (size_t r = 0; r < nruns; r++)
			table_bytes(t, 1 + r, field(&runs[r].totals, f));
	}
	table_row(t);
	table_text(t, 0, "RELRO pages shared");
	for (size_t r = 0; r < nruns; r++) {
		size_t shared = 0, all = 0;

		for (size_t i = 0; i < runs[r].n; i++) {
			shared += runs[r].procs[i].relro_shared_pages;
			all += runs[r].procs[i].relro_pages;
		}
		relro_cell(t, 1 + r, shared, all, runs[r].n && runs[r].procs[0].have_relro);
	}
	for (size_t f = 0; f < NFIELDS; f++)
		if (mem_fields[f].ratio)
			ratio_row(t, runs, nruns, f);
	return table_print(t, out);
}

int emit_share_text(FILE *out, const char *lib, const struct share_run *runs, size_t nruns,
                    const struct table_options *opt)
{
	char name[PATH_MAX];
	size_t n = nruns ? runs[0].n : 0;

	if (!opt->no_headings) {
		fprintf(out,
		        "%s: %zu %s%s, mappings of:", table_safe_text(lib, name, sizeof(name)), n,
		        n == 1 ? "holder" : "holders", nruns > 1 ? " per loader" : "");
		for (size_t i = 0; nruns && i < runs[0].files.n; i++)
			fprintf(out, " %s",
			        table_safe_text(runs[0].files.files[i].path, name, sizeof(name)));
		fputc('\n', out);
		if (nruns == 1)
			fprintf(out, "loader: %s\n", share_loader_name(runs[0].loader));
	}
	if (nruns == 1)
		return text_per_process(out, &runs[0], opt);
	return text_side_by_side(out, runs, nruns, opt);
}

/* Prometheus: per holder (labels library, loader, pid) and per loader. */
static const struct emit_prom_metric prom_process[] = {
        {"rss", "mapscope_share_process_rss_bytes", "Resident bytes of the library's mappings."},
        {"pss", "mapscope_share_process_pss_bytes", "Proportional share of those bytes."},
        {"shared_clean", "mapscope_share_process_shared_clean_bytes", "Shared clean bytes."},
        {"shared_dirty", "mapscope_share_process_shared_dirty_bytes", "Shared dirty bytes."},
        {"private_clean", "mapscope_share_process_private_clean_bytes", "Private clean bytes."},
        {"private_dirty", "mapscope_share_process_private_dirty_bytes", "Private dirty bytes."},
        {"text_rss", "mapscope_share_process_text_rss_bytes", "RSS of executable mappings."},
        {"text_pss", "mapscope_share_process_text_pss_bytes", "PSS of executable mappings."},
        {"single_mapped_pages", "mapscope_share_process_single_mapped_pages",
         "Resident pages mapped once."},
        {"multi_mapped_pages", "mapscope_share_process_multi_mapped_pages",
         "Resident pages mapped more than once."},
        {0},
};

static const struct emit_prom_metric prom_totals[] = {
        {"rss", "mapscope_share_rss_bytes", "Resident bytes, summed over the holders."},
        {"pss", "mapscope_share_pss_bytes", "PSS bytes, summed over the holders."},
        {"shared_clean", "mapscope_share_shared_clean_bytes", "Shared clean bytes, summed."},
        {"shared_dirty", "mapscope_share_shared_dirty_bytes", "Shared dirty bytes, summed."},
        {"private_clean", "mapscope_share_private_clean_bytes", "Private clean bytes, summed."},
        {"private_dirty", "mapscope_share_private_dirty_bytes", "Private dirty bytes, summed."},
        {"text_rss", "mapscope_share_text_rss_bytes", "RSS of executable mappings, summed."},
        {"text_pss", "mapscope_share_text_pss_bytes", "PSS of executable mappings, summed."},
        {"single_mapped_pages", "mapscope_share_single_mapped_pages",
         "Resident pages mapped once, summed."},
        {"multi_mapped_pages", "mapscope_share_multi_mapped_pages",
         "Resident pages mapped more than once, summed."},
        {0},
};

static const struct emit_prom_view prom_views[] = {
        {"per_process", {"library", "loader", "pid"}, prom_process},
        {"totals", {"library", "loader"}, prom_totals},
        {0},
};

int emit_share_prom(FILE *out, const char *lib, const struct share_run *runs, size_t nruns)
{
	json_t *doc = json_object(), *procs = json_array(), *totals = json_array();
	int rc;

	emit_str(doc, "library", lib);
	for (size_t r = 0; r < nruns; r++) {
		json_t *t = json_object();
		const char *loader = share_loader_name(runs[r].loader);
		for (size_t i = 0; i < runs[r].n; i++) {
			json_t *p = proc_entry(&runs[r], &runs[r].procs[i]);
			emit_str(p, "loader", loader);
			json_array_append_new(procs, p);
		}
		emit_str(t, "loader", loader);
		put_mem(t, &runs[r].totals);
		json_array_append_new(totals, t);
	}
	json_object_set_new(doc, "per_process", procs);
	json_object_set_new(doc, "totals", totals);
	rc = emit_prom(out, doc, prom_views);
	json_decref(doc);
	return rc;
}
