#include "emit/emit_maps_all.h"

#include "emit/emit_maps.h"

#include <inttypes.h>
#include <stdlib.h>

static json_t *process_entry(const struct maps_all_process *p)
{
	json_t *o = json_object();

	emit_int(o, "pid", p->pid);
	emit_str(o, "comm", p->comm);
	emit_maps_counters(o, &p->mem);
	return o;
}

static json_t *file_entry(const struct maps_all_file *f)
{
	json_t *o = json_object();
	char dev[24];

	snprintf(dev, sizeof(dev), "%02x:%02x", f->dev_major, f->dev_minor);
	emit_str(o, "path", f->path);
	emit_str(o, "dev", dev);
	emit_int(o, "inode", (int64_t)f->inode);
	json_object_set_new(o, "deleted", json_boolean(f->deleted));
	emit_int(o, "processes", (int64_t)f->processes);
	emit_int(o, "mappings", (int64_t)f->mappings);
	emit_int(o, "rss", (int64_t)f->rss);
	emit_int(o, "pss", (int64_t)f->pss);
	emit_int(o, "swap", (int64_t)f->swap);
	return o;
}

static json_t *totals_entry(const struct maps_all_report *r)
{
	json_t *t = json_object();

	emit_int(t, "processes", (int64_t)r->count);
	emit_int(t, "files", (int64_t)r->nfiles);
	emit_int(t, "no_memory", (int64_t)r->no_memory);
	emit_int(t, "kernel_threads", (int64_t)r->kernel_threads);
	emit_int(t, "errors", (int64_t)r->errors.count);
	emit_maps_counters(t, &r->totals);
	return t;
}

json_t *emit_maps_all_doc(const struct maps_all_report *r)
{
	const struct maps_all_file **files = maps_all_sorted_files(r);
	json_t *doc, *procs, *list;

	if (!files)
		return NULL;
	doc = emit_doc("maps_all", false);
	procs = json_array();
	list = json_array();
	for (size_t i = 0; i < r->count; i++)
		json_array_append_new(procs, process_entry(&r->procs[i]));
	for (size_t i = 0; i < r->nfiles; i++)
		json_array_append_new(list, file_entry(files[i]));
	free(files);
	json_object_set_new(doc, "processes", procs);
	json_object_set_new(doc, "files", list);
	json_object_set_new(doc, "totals", totals_entry(r));
	json_object_set_new(doc, "errors", emit_proc_errors(&r->errors));
	return doc;
}

int emit_maps_all_text(FILE *out, const struct maps_all_report *r)
{
	const struct maps_all_file **files = maps_all_sorted_files(r);

	if (!files)
		return -1;
	fprintf(out, "%8s %-16s %10s %10s %10s\n", "PID", "COMM", "RSS kB", "PSS kB", "SWAP kB");
	for (size_t i = 0; i < r->count; i++) {
		const struct maps_all_process *p = &r->procs[i];
		fprintf(out, "%8d %-16s %10" PRIu64 " %10" PRIu64 " %10" PRIu64 "\n", (int)p->pid,
		        p->comm, p->mem.rss >> 10, p->mem.pss >> 10, p->mem.swap >> 10);
	}
	fprintf(out, "%-25s %10" PRIu64 " %10" PRIu64 " %10" PRIu64 "\n\n", "total",
	        r->totals.rss >> 10, r->totals.pss >> 10, r->totals.swap >> 10);
	fprintf(out, "%5s %8s %10s %10s  %s\n", "PROCS", "MAPPINGS", "RSS kB", "PSS kB", "FILE");
	for (size_t i = 0; i < r->nfiles; i++)
		fprintf(out, "%5" PRIu64 " %8" PRIu64 " %10" PRIu64 " %10" PRIu64 "  %s%s\n",
		        files[i]->processes, files[i]->mappings, files[i]->rss >> 10,
		        files[i]->pss >> 10, files[i]->path,
		        files[i]->deleted ? " (deleted)" : "");
	free(files);
	fprintf(out,
	        "\n%zu processes, %zu files; %zu without memory (%zu kernel threads), %zu could "
	        "not be read\n",
	        r->count, r->nfiles, r->no_memory, r->kernel_threads, r->errors.count);
	for (size_t i = 0; i < r->errors.count; i++)
		fprintf(out, "  pid %d: %s\n", (int)r->errors.items[i].pid,
		        r->errors.items[i].error);
	return 0;
}
