#include "emit/emit_who.h"

#include <inttypes.h>
#include <sys/sysmacros.h>

static json_t *process_entry(const struct who_process *p)
{
	json_t *o = json_object();

	emit_int(o, "pid", p->pid);
	emit_str(o, "comm", p->comm);
	emit_int(o, "mappings", (int64_t)p->mappings);
	emit_int(o, "fds", (int64_t)p->fds);
	emit_measured(o, "rss", (int64_t)p->rss, p->rss_why);
	emit_measured(o, "pss", (int64_t)p->pss, p->rss_why);
	return o;
}

static json_t *totals_entry(const struct who_report *r)
{
	uint64_t mappings = 0, fds = 0, rss = 0, pss = 0;
	json_t *t = json_object();

	for (size_t i = 0; i < r->count; i++) {
		mappings += r->procs[i].mappings;
		fds += r->procs[i].fds;
		rss += r->procs[i].rss;
		pss += r->procs[i].pss;
	}
	emit_int(t, "processes", (int64_t)r->count);
	emit_int(t, "mappings", (int64_t)mappings);
	emit_int(t, "fds", (int64_t)fds);
	emit_int(t, "rss", (int64_t)rss);
	emit_int(t, "pss", (int64_t)pss);
	emit_int(t, "scanned", (int64_t)r->scanned);
	emit_int(t, "errors", (int64_t)r->errors.count);
	return t;
}

json_t *emit_who_doc(const char *path, const struct who_report *r)
{
	json_t *doc = emit_doc("who", false), *procs = json_array();
	char dev[24];

	snprintf(dev, sizeof(dev), "%02x:%02x", major(r->dev), minor(r->dev));
	emit_str(doc, "path", path);
	emit_str(doc, "dev", dev);
	emit_int(doc, "inode", (int64_t)r->inode);
	for (size_t i = 0; i < r->count; i++)
		json_array_append_new(procs, process_entry(&r->procs[i]));
	json_object_set_new(doc, "processes", procs);
	json_object_set_new(doc, "totals", totals_entry(r));
	json_object_set_new(doc, "errors", emit_proc_errors(&r->errors));
	return doc;
}

void emit_who_text(FILE *out, const char *path, const struct who_report *r)
{
	fprintf(out, "%s (dev %02x:%02x, inode %" PRIu64 ")\n", path, major(r->dev), minor(r->dev),
	        (uint64_t)r->inode);
	fprintf(out, "%8s %-16s %8s %5s %10s %10s\n", "PID", "COMM", "MAPPINGS", "FDS", "RSS kB",
	        "PSS kB");
	for (size_t i = 0; i < r->count; i++) {
		const struct who_process *p = &r->procs[i];
		fprintf(out, "%8d %-16s %8" PRIu64 " %5" PRIu64, (int)p->pid, p->comm, p->mappings,
		        p->fds);
		if (p->rss_why)
			fprintf(out, " %10s %10s\n", "?", "?");
		else
			fprintf(out, " %10" PRIu64 " %10" PRIu64 "\n", p->rss >> 10, p->pss >> 10);
	}
	fprintf(out, "%zu processes use it; %zu scanned, %zu could not be read\n", r->count,
	        r->scanned, r->errors.count);
	for (size_t i = 0; i < r->errors.count; i++)
		fprintf(out, "  pid %d: %s\n", (int)r->errors.items[i].pid,
		        r->errors.items[i].error);
}
