#include "emit/emit_maps.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

void emit_maps_counters(json_t *obj, const struct smaps_counters *c)
{
	emit_int(obj, "rss", (int64_t)c->rss);
	emit_int(obj, "pss", (int64_t)c->pss);
	emit_int(obj, "shared_clean", (int64_t)c->shared_clean);
	emit_int(obj, "shared_dirty", (int64_t)c->shared_dirty);
	emit_int(obj, "private_clean", (int64_t)c->private_clean);
	emit_int(obj, "private_dirty", (int64_t)c->private_dirty);
	emit_int(obj, "referenced", (int64_t)c->referenced);
	emit_int(obj, "anonymous", (int64_t)c->anonymous);
	emit_int(obj, "swap", (int64_t)c->swap);
	emit_int(obj, "swap_pss", (int64_t)c->swap_pss);
	emit_int(obj, "locked", (int64_t)c->locked);
}

/* present_pages ... soft_dirty_pages, or each null with the reason. */
static void emit_page_counts(json_t *obj, const struct pagemap_counts *p, const char *why)
{
	emit_measured(obj, "present_pages", (int64_t)p->present, why);
	emit_measured(obj, "swapped_pages", (int64_t)p->swapped, why);
	emit_measured(obj, "exclusive_pages", (int64_t)p->exclusive, why);
	emit_measured(obj, "file_shared_pages", (int64_t)p->file_shared, why);
	emit_measured(obj, "soft_dirty_pages", (int64_t)p->soft_dirty, why);
}

/* {"1":pages mapped once,"2":...}; the last bucket is named "31+". */
static json_t *mapcount_histogram(const uint64_t *buckets)
{
	json_t *h = json_object();
	char key[16];

	for (int i = 0; i < MAPSCAN_MAPCOUNT_MAX; i++) {
		if (!buckets[i])
			continue;
		snprintf(key, sizeof(key), i == MAPSCAN_MAPCOUNT_MAX - 1 ? "%d+" : "%d", i);
		emit_int(h, key, (int64_t)buckets[i]);
	}
	return h;
}

static json_t *flags_summary(const uint64_t *counts)
{
	json_t *f = json_object();

	for (int i = 0; kpage_flags[i].name; i++)
		emit_int(f, kpage_flags[i].name, (int64_t)counts[i]);
	return f;
}

/* Why map counts and page flags are unknown, or NULL. */
static const char *physical_why(const struct maps_report *r)
{
	return r->pagemap_unavailable ? r->pagemap_unavailable : r->kpage_unavailable;
}

static void emit_physical(json_t *obj, const char *why, const uint64_t *mapcount,
                          const uint64_t *flags, uint64_t pss_fixed)
{
	if (why) {
		emit_unmeasured(obj, "mapcount", why);
		emit_unmeasured(obj, "page_flags", why);
		emit_unmeasured(obj, "pss_from_mapcount", why);
		return;
	}
	json_object_set_new(obj, "mapcount", mapcount_histogram(mapcount));
	json_object_set_new(obj, "page_flags", flags_summary(flags));
	emit_int(obj, "pss_from_mapcount", (int64_t)(pss_fixed >> MAPSCAN_PSS_SHIFT));
}

/* [[first page, count, "state", mapcount or null], ...] */
static json_t *page_runs(const struct maps_mapping *m)
{
	json_t *runs = json_array();

	for (size_t i = 0; i < m->nruns; i++) {
		const struct maps_run *run = &m->runs[i];
		json_t *mc = run->mapcount == MAPSCAN_NO_MAPCOUNT
		                     ? json_null()
		                     : json_integer((json_int_t)run->mapcount);
		json_array_append_new(runs, json_pack("[IIso]", (json_int_t)run->first,
		                                      (json_int_t)run->count, run->state, mc));
	}
	return runs;
}

static void emit_region(json_t *o, const struct procmaps_region *reg)
{
	char dev[24];

	snprintf(dev, sizeof(dev), "%02x:%02x", reg->dev_major, reg->dev_minor);
	emit_int(o, "start", (int64_t)reg->start);
	emit_int(o, "end", (int64_t)reg->end);
	emit_str(o, "perms", reg->perms);
	emit_int(o, "offset", (int64_t)reg->offset);
	emit_str(o, "dev", dev);
	emit_int(o, "inode", (int64_t)reg->inode);
	emit_str(o, "path", reg->path[0] ? reg->path : NULL);
	json_object_set_new(o, "deleted", json_boolean(reg->deleted));
	emit_int(o, "size", (int64_t)(reg->end - reg->start));
}

static json_t *mapping_entry(const struct maps_report *r, const struct maps_mapping *m,
                             bool with_pages)
{
	json_t *o = json_object();
	const char *why = r->pagemap_unavailable;

	emit_region(o, &m->region);
	emit_maps_counters(o, &m->smaps);
	emit_page_counts(o, &m->pages, why);
	emit_physical(o, physical_why(r), m->mapcount, m->flags, m->pss_from_mapcount);
	if (with_pages && !why)
		json_object_set_new(o, "pages", page_runs(m));
	else if (with_pages)
		emit_unmeasured(o, "pages", why);
	return o;
}

static json_t *totals_entry(const struct maps_report *r)
{
	json_t *t = json_object();
	const char *why = physical_why(r);

	emit_int(t, "mappings", (int64_t)r->count);
	emit_int(t, "size", (int64_t)r->totals.size);
	emit_maps_counters(t, &r->totals);
	emit_measured(t, "pss_rollup", (int64_t)r->pss_rollup, r->rollup_unavailable);
	emit_page_counts(t, &r->total_pages, r->pagemap_unavailable);
	if (why)
		emit_unmeasured(t, "pss_from_mapcount", why);
	else
		emit_int(t, "pss_from_mapcount",
		         (int64_t)(r->pss_from_mapcount >> MAPSCAN_PSS_SHIFT));
	return t;
}

json_t *emit_maps_doc(const struct maps_report *r, bool with_pages)
{
	json_t *doc = emit_doc("maps", true);
	json_t *list = json_array();

	emit_int(doc, "pid", r->pid);
	emit_str(doc, "comm", r->comm);
	for (size_t i = 0; i < r->count; i++)
		json_array_append_new(list, mapping_entry(r, &r->mappings[i], with_pages));
	json_object_set_new(doc, "mappings", list);
	json_object_set_new(doc, "totals", totals_entry(r));
	return doc;
}

json_t *emit_maps_set_begin(void)
{
	json_t *doc = emit_doc("maps_processes", true);

	json_object_set_new(doc, "processes", json_array());
	json_object_set_new(doc, "errors", json_array());
	return doc;
}

void emit_maps_set_add(json_t *doc, const struct maps_report *r, bool with_pages)
{
	json_t *one = emit_maps_doc(r, with_pages);

	json_object_del(one, "schema");
	json_object_del(one, "kind");
	json_object_del(one, "page_size");
	json_array_append_new(json_object_get(doc, "processes"), one);
}

void emit_maps_set_error(json_t *doc, pid_t pid, const char *error)
{
	json_array_append_new(json_object_get(doc, "errors"),
	                      json_pack("{s:i,s:s}", "pid", (int)pid, "error", error));
}

enum {
	COL_PID,
	COL_COMM,
	COL_ADDRESS,
	COL_PERM,
	COL_SIZE,
	COL_RSS,
	COL_PSS,
	COL_USS,
	COL_DIRTY,
	COL_ANON,
	COL_SWAP,
	COL_SHARED,
	COL_LOCKED,
	COL_RESIDENT,
	COL_MAPPING,
	NCOLS
};

const struct table_column emit_maps_columns[] = {
        [COL_PID] = {"PID", "the process", 7, TABLE_RIGHT | TABLE_HIDDEN},
        [COL_COMM] = {"COMM", "its command name", 0.1, TABLE_TRUNC | TABLE_HIDDEN},
        [COL_ADDRESS] = {"ADDRESS", "start of the mapping (hex)", 12, 0},
        [COL_PERM] = {"PERM", "r/w/x, p private or s shared", 4, 0},
        [COL_SIZE] = {"SIZE", "virtual size", 5, TABLE_RIGHT},
        [COL_RSS] = {"RSS", "resident", 5, TABLE_RIGHT},
        [COL_PSS] = {"PSS", "proportional share: resident / processes mapping it", 5, TABLE_RIGHT},
        [COL_USS] = {"USS", "unique: resident in this process only (private)", 5, TABLE_RIGHT},
        [COL_DIRTY] = {"DIRTY", "resident and modified (shared and private)", 5, TABLE_RIGHT},
        [COL_ANON] = {"ANON", "anonymous memory (includes copied-on-write pages)", 5, TABLE_RIGHT},
        [COL_SWAP] = {"SWAP", "swapped out", 5, TABLE_RIGHT},
        [COL_SHARED] = {"SHARED", "resident and mapped by other processes too", 6,
                        TABLE_RIGHT | TABLE_HIDDEN},
        [COL_LOCKED] = {"LOCKED", "locked in memory (mlock)", 6, TABLE_RIGHT | TABLE_HIDDEN},
        [COL_RESIDENT] = {"RESIDENT", "pages present, from pagemap: [####......]", 12,
                          TABLE_HIDDEN},
        [COL_MAPPING] = {"MAPPING", "the file, [heap], [stack]..., or [ anon ]", 0.3, TABLE_WRAP},
};
const size_t emit_maps_ncolumns = NCOLS;

/* The counters every row shows, a mapping's or the totals. */
static void table_counters(struct table *t, const struct smaps_counters *c, uint64_t size)
{
	table_bytes(t, COL_SIZE, size);
	table_bytes(t, COL_RSS, c->rss);
	table_bytes(t, COL_PSS, c->pss);
	table_bytes(t, COL_USS, c->private_clean + c->private_dirty);
	table_bytes(t, COL_DIRTY, c->shared_dirty + c->private_dirty);
	table_bytes(t, COL_ANON, c->anonymous);
	table_bytes(t, COL_SWAP, c->swap);
	table_bytes(t, COL_SHARED, c->shared_clean + c->shared_dirty);
	table_bytes(t, COL_LOCKED, c->locked);
}

/* pmap's names: a path, a [name] the kernel gives, or [ anon ]. */
static void mapping_name(const struct procmaps_region *reg, char *buf, size_t cap)
{
	if (!reg->path[0])
		snprintf(buf, cap, "[ anon ]");
	else
		snprintf(buf, cap, "%s%s", reg->path, reg->deleted ? " (deleted)" : "");
}

static void resident_bar(const struct maps_report *r, const struct maps_mapping *m, char *buf,
                         size_t cap)
{
	uint64_t pages = (m->region.end - m->region.start) / (uint64_t)sysconf(_SC_PAGESIZE);
	FILE *f;

	snprintf(buf, cap, "?");
	if (r->pagemap_unavailable || !(f = fmemopen(buf, cap, "w")))
		return;
	emit_bar(f, m->pages.present, pages, 10);
	fclose(f);
}

static void text_row(struct table *t, const struct maps_report *r, const struct maps_mapping *m)
{
	char buf[PATH_MAX + 16];

	table_row(t);
	table_count(t, COL_PID, (uint64_t)r->pid);
	table_text(t, COL_COMM, r->comm);
	snprintf(buf, sizeof(buf), "%012" PRIx64, m->region.start);
	table_text(t, COL_ADDRESS, buf);
	table_text(t, COL_PERM, m->region.perms);
	table_counters(t, &m->smaps, m->region.end - m->region.start);
	resident_bar(r, m, buf, sizeof(buf));
	table_text(t, COL_RESIDENT, buf);
	mapping_name(&m->region, buf, sizeof(buf));
	table_text(t, COL_MAPPING, buf);
}

static void total_row(struct table *t, const struct maps_report *r)
{
	char buf[64];

	table_row(t);
	table_count(t, COL_PID, (uint64_t)r->pid);
	table_text(t, COL_COMM, r->comm);
	table_text(t, COL_ADDRESS, "total");
	table_text(t, COL_PERM, "-");
	table_counters(t, &r->totals, r->totals.size);
	table_text(t, COL_RESIDENT, "-");
	snprintf(buf, sizeof(buf), "%zu %s", r->count,
	         emit_plural(r->count, "mapping", "mappings"));
	table_text(t, COL_MAPPING, buf);
}

/* --pages: each mapping's runs, "state*count" or "state*count@mapcount". */
static void text_runs(FILE *out, const struct maps_report *r)
{
	for (size_t i = 0; i < r->count; i++) {
		const struct maps_mapping *m = &r->mappings[i];

		if (!m->nruns)
			continue;
		fprintf(out, "%012" PRIx64 " pages:", m->region.start);
		for (size_t j = 0; j < m->nruns; j++) {
			const struct maps_run *run = &m->runs[j];
			fprintf(out, " %s*%" PRIu64, run->state, run->count);
			if (run->mapcount != MAPSCAN_NO_MAPCOUNT)
				fprintf(out, "@%" PRIu64, run->mapcount);
		}
		fputc('\n', out);
	}
}

int emit_maps_text(FILE *out, const struct maps_report *r, const struct table_options *opt)
{
	const char *why = physical_why(r);
	char err[128], a[32], b[32];
	struct table *t = table_new(emit_maps_columns, NCOLS, opt, err, sizeof(err));

	if (!t)
		return -1;
	if (!opt->no_headings)
		fprintf(out, "%d: %s\n", (int)r->pid, r->comm);
	for (size_t i = 0; i < r->count; i++)
		text_row(t, r, &r->mappings[i]);
	total_row(t, r);
	if (table_print(t, out) != 0)
		return -1;
	if (r->count && r->mappings[0].nruns)
		text_runs(out, r);
	if (opt->no_headings)
		return 0;
	if (why)
		fprintf(out, "PSS from map counts unavailable: %s\n", why);
	else
		fprintf(out, "PSS from map counts: %s (kernel: %s)\n",
		        table_size_text(opt, r->pss_from_mapcount >> MAPSCAN_PSS_SHIFT, a,
		                        sizeof(a)),
		        table_size_text(opt, r->pss_rollup, b, sizeof(b)));
	return ferror(out) ? -1 : 0;
}
