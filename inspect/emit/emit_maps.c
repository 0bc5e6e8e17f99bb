#include "emit/emit_maps.h"

#include <inttypes.h>
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

/* Pages mapped by more than one process, or -1 if unknown. */
static int64_t shared_pages(const struct maps_report *r, const struct maps_mapping *m)
{
	int64_t n = 0;

	if (physical_why(r))
		return -1;
	for (int i = 2; i < MAPSCAN_MAPCOUNT_MAX; i++)
		n += (int64_t)m->mapcount[i];
	return n;
}

/* --pages: the runs under their mapping, "state*count" or "state*count@mapcount". */
static void text_runs(FILE *out, const struct maps_mapping *m)
{
	fputs("    pages:", out);
	for (size_t i = 0; i < m->nruns; i++) {
		const struct maps_run *run = &m->runs[i];
		fprintf(out, " %s*%" PRIu64, run->state, run->count);
		if (run->mapcount != MAPSCAN_NO_MAPCOUNT)
			fprintf(out, "@%" PRIu64, run->mapcount);
	}
	fputc('\n', out);
}

static void text_line(FILE *out, const struct maps_report *r, const struct maps_mapping *m,
                      long page_size)
{
	uint64_t pages = (m->region.end - m->region.start) / (uint64_t)page_size;
	int64_t shared = shared_pages(r, m);

	fprintf(out, "%012" PRIx64 " %s %8" PRIu64 " %8" PRIu64 " %8" PRIu64 " %7" PRIu64 " ",
	        m->region.start, m->region.perms, (m->region.end - m->region.start) >> 10,
	        m->smaps.rss >> 10, m->smaps.pss >> 10, m->smaps.swap >> 10);
	if (shared < 0)
		fprintf(out, "%7s ", "?");
	else
		fprintf(out, "%7" PRId64 " ", shared);
	if (r->pagemap_unavailable)
		fprintf(out, "%-12s", "?");
	else
		emit_bar(out, m->pages.present, pages, 10);
	fprintf(out, " %s%s\n", m->region.path, m->region.deleted ? " (deleted)" : "");
	if (m->nruns)
		text_runs(out, m);
}

void emit_maps_text(FILE *out, const struct maps_report *r)
{
	long page_size = sysconf(_SC_PAGESIZE);
	const char *why = physical_why(r);

	fprintf(out, "%d: %s\n", (int)r->pid, r->comm);
	fprintf(out, "%-12s %-4s %8s %8s %8s %7s %7s %-12s %s\n", "Address", "Perm", "Kbytes",
	        "RSS", "PSS", "Swap", "Shared", "Resident", "Mapping");
	for (size_t i = 0; i < r->count; i++)
		text_line(out, r, &r->mappings[i], page_size);
	fprintf(out, "%-17s %8" PRIu64 " %8" PRIu64 " %8" PRIu64 " %7" PRIu64 "\n", "total kB",
	        r->totals.size >> 10, r->totals.rss >> 10, r->totals.pss >> 10,
	        r->totals.swap >> 10);
	if (why)
		fprintf(out, "Shared pages and PSS from map counts unavailable: %s\n", why);
	else
		fprintf(out, "PSS from map counts: %" PRIu64 " kB (kernel: %" PRIu64 " kB)\n",
		        r->pss_from_mapcount >> (MAPSCAN_PSS_SHIFT + 10), r->pss_rollup >> 10);
}
