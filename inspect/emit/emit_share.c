#include "emit/emit_share.h"
#include "emit/emit_prom.h"

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

static void text_relro(FILE *out, const struct share_proc *p, int width)
{
	char cell[32] = "-";

	if (p->have_relro)
		snprintf(cell, sizeof(cell), "%zu/%zu", p->relro_shared_pages, p->relro_pages);
	fprintf(out, " %*s", width, cell);
}

static void text_per_process(FILE *out, const struct share_run *run)
{
	char buf[32];

	fprintf(out, "%8s", "pid");
	for (size_t f = 0; f < NFIELDS; f++)
		fprintf(out, " %13s", mem_fields[f].label);
	fprintf(out, " %13s\n", "RELRO shared");
	for (size_t i = 0; i < run->n; i++) {
		const struct share_proc *p = &run->procs[i];
		fprintf(out, "%8d", (int)p->pid);
		for (size_t f = 0; f < NFIELDS; f++)
			fprintf(out, " %13s",
			        emit_human_bytes(field(&p->mem, f), buf, sizeof(buf)));
		text_relro(out, p, 13);
		fputc('\n', out);
	}
	fprintf(out, "%8s", "total");
	for (size_t f = 0; f < NFIELDS; f++)
		fprintf(out, " %13s", emit_human_bytes(field(&run->totals, f), buf, sizeof(buf)));
	fputc('\n', out);
	for (size_t i = 0; i < run->n; i++)
		if (run->procs[i].have_relro)
			fprintf(out, "  %d: %s\n", (int)run->procs[i].pid,
			        run->procs[i].relro_status);
}

/* Each loader's total of field f over the first loader's, as "0.25x". */
static void text_ratio_row(FILE *out, const struct share_run *runs, size_t nruns, size_t f)
{
	char label[48], cell[32];
	uint64_t base = field(&runs[0].totals, f);

	snprintf(label, sizeof(label), "%s / %s", mem_fields[f].label,
	         share_loader_name(runs[0].loader));
	fprintf(out, "%-24s", label);
	for (size_t r = 0; r < nruns; r++) {
		snprintf(cell, sizeof(cell), "%.2fx",
		         base ? (double)field(&runs[r].totals, f) / (double)base : 0.0);
		fprintf(out, " %14s", base ? cell : "-");
	}
	fputc('\n', out);
}

/* Totals of several loaders, one column each. */
static void text_side_by_side(FILE *out, const struct share_run *runs, size_t nruns)
{
	char buf[32];

	fprintf(out, "%-24s", "totals");
	for (size_t r = 0; r < nruns; r++)
		fprintf(out, " %14s", share_loader_name(runs[r].loader));
	fputc('\n', out);
	for (size_t f = 0; f < NFIELDS; f++) {
		fprintf(out, "%-24s", mem_fields[f].label);
		for (size_t r = 0; r < nruns; r++)
			fprintf(out, " %14s",
			        emit_human_bytes(field(&runs[r].totals, f), buf, sizeof(buf)));
		fputc('\n', out);
	}
	fprintf(out, "%-24s", "RELRO pages shared");
	for (size_t r = 0; r < nruns; r++) {
		size_t shared = 0, all = 0;
		for (size_t i = 0; i < runs[r].n; i++) {
			shared += runs[r].procs[i].relro_shared_pages;
			all += runs[r].procs[i].relro_pages;
		}
		snprintf(buf, sizeof(buf), "%zu/%zu", shared, all);
		fprintf(out, " %14s", runs[r].n && runs[r].procs[0].have_relro ? buf : "-");
	}
	fputc('\n', out);
	for (size_t f = 0; f < NFIELDS; f++)
		if (mem_fields[f].ratio)
			text_ratio_row(out, runs, nruns, f);
}

void emit_share_text(FILE *out, const char *lib, const struct share_run *runs, size_t nruns)
{
	fprintf(out, "%s: %zu holder%s%s, mappings of:", lib, nruns ? runs[0].n : 0,
	        nruns && runs[0].n == 1 ? "" : "s", nruns > 1 ? " per loader" : "");
	for (size_t i = 0; nruns && i < runs[0].files.n; i++)
		fprintf(out, " %s", runs[0].files.files[i].path);
	fputc('\n', out);
	if (nruns == 1) {
		fprintf(out, "loader: %s\n", share_loader_name(runs[0].loader));
		text_per_process(out, &runs[0]);
	} else {
		text_side_by_side(out, runs, nruns);
	}
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
