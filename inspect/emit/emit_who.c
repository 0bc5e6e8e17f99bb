#include "emit/emit_who.h"

#include <inttypes.h>
#include <limits.h>
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

json_t *emit_who_set_begin(void)
{
	json_t *doc = emit_doc("who_files", false);

	json_object_set_new(doc, "files", json_array());
	json_object_set_new(doc, "path_errors", json_array());
	return doc;
}

void emit_who_set_add(json_t *doc, const char *path, const struct who_report *r)
{
	json_t *one = emit_who_doc(path, r);

	json_object_del(one, "schema");
	json_object_del(one, "kind");
	json_array_append_new(json_object_get(doc, "files"), one);
}

void emit_who_set_error(json_t *doc, const char *path, const char *error)
{
	json_t *o = json_object();

	emit_str(o, "path", path);
	emit_str(o, "error", error);
	json_array_append_new(json_object_get(doc, "path_errors"), o);
}

enum { COL_PID, COL_COMM, COL_MAPPINGS, COL_FDS, COL_RSS, COL_PSS, COL_FILE, NCOLS };

const struct table_column emit_who_columns[] = {
        [COL_PID] = {"PID", "the process", 7, TABLE_RIGHT},
        [COL_COMM] = {"COMM", "its command name", 15, TABLE_TRUNC},
        [COL_MAPPINGS] = {"MAPPINGS", "its mappings of the file", 8, TABLE_RIGHT},
        [COL_FDS] = {"FDS", "its descriptors open on the file", 4, TABLE_RIGHT},
        [COL_RSS] = {"RSS", "resident in those mappings", 6, TABLE_RIGHT},
        [COL_PSS] = {"PSS", "their proportional share", 6, TABLE_RIGHT},
        [COL_FILE] = {"FILE", "the file, as named", 0.4, TABLE_WRAP | TABLE_HIDDEN},
};
const size_t emit_who_ncolumns = NCOLS;

int emit_who_text(FILE *out, const char *path, const struct who_report *r,
                  const struct table_options *opt)
{
	char why[128], name[PATH_MAX + 8];
	struct table *t = table_new(emit_who_columns, NCOLS, opt, why, sizeof(why));

	if (!t)
		return -1;
	if (!opt->no_headings)
		fprintf(out, "%s (dev %02x:%02x, inode %" PRIu64 ")\n",
		        table_safe_text(path, name, sizeof(name)), major(r->dev), minor(r->dev),
		        (uint64_t)r->inode);
	for (size_t i = 0; i < r->count; i++) {
		const struct who_process *p = &r->procs[i];

		table_row(t);
		table_count(t, COL_PID, (uint64_t)p->pid);
		table_text(t, COL_COMM, p->comm);
		table_count(t, COL_MAPPINGS, p->mappings);
		table_count(t, COL_FDS, p->fds);
		if (p->rss_why) {
			table_text(t, COL_RSS, "?");
			table_text(t, COL_PSS, "?");
		} else {
			table_bytes(t, COL_RSS, p->rss);
			table_bytes(t, COL_PSS, p->pss);
		}
		table_text(t, COL_FILE, path);
	}
	if (table_print(t, out) != 0)
		return -1;
	if (opt->no_headings)
		return 0;
	fprintf(out, "%zu %s %s; %zu scanned, %zu could not be read\n", r->count,
	        emit_plural(r->count, "process", "processes"),
	        emit_plural(r->count, "uses it", "use it"), r->scanned, r->errors.count);
	for (size_t i = 0; i < r->errors.count; i++)
		fprintf(out, "  pid %d: %s\n", (int)r->errors.items[i].pid,
		        r->errors.items[i].error);
	return ferror(out) ? -1 : 0;
}
