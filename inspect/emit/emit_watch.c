#include "emit/emit_watch.h"

#include <string.h>
#include <unistd.h>

static const char *FIRST = "first sample";

/* obj[key] = now, and obj["delta_" key] = now - before (null on the first line). */
static void emit_counter(json_t *o, const char *key, int64_t now, int64_t before, bool have)
{
	char delta[64];

	emit_int(o, key, now);
	snprintf(delta, sizeof(delta), "delta_%s", key);
	emit_measured(o, delta, now - before, have ? NULL : FIRST);
}

static void emit_optional(json_t *o, const char *key, int64_t pages)
{
	emit_measured(o, key, pages, pages < 0 ? "not in /proc/PID/status" : NULL);
}

static void emit_proc(json_t *o, const struct emit_watch *w, const struct watch_sample *s)
{
	const struct procstat *p = &s->proc, *q = &w->prev.proc;
	bool have = w->have_prev && w->prev.err == 0;
	char state[2] = {p->state, 0};

	emit_str(o, "state", state);
	emit_counter(o, "rss_pages", (int64_t)p->rss_pages, (int64_t)q->rss_pages, have);
	emit_optional(o, "rss_anon_pages", p->rss_anon_pages);
	emit_optional(o, "rss_file_pages", p->rss_file_pages);
	emit_optional(o, "rss_shmem_pages", p->rss_shmem_pages);
	emit_counter(o, "minor", (int64_t)p->minflt, (int64_t)q->minflt, have);
	emit_counter(o, "major", (int64_t)p->majflt, (int64_t)q->majflt, have);
}

static void emit_file(json_t *o, const struct emit_watch *w, const struct watch_sample *s)
{
	const struct residency *r = &s->file;
	bool have = w->have_prev && w->prev.err == 0 && !w->prev.file.unavailable;
	char delta[] = "delta_resident_pages";

	emit_int(o, "size", (int64_t)r->size);
	emit_int(o, "pages", (int64_t)r->pages);
	if (r->unavailable) {
		emit_unmeasured(o, "resident_pages", r->unavailable);
		emit_unmeasured(o, delta, r->unavailable);
		return;
	}
	emit_counter(o, "resident_pages", (int64_t)r->resident_pages,
	             (int64_t)w->prev.file.resident_pages, have);
}

static json_t *sample_doc(const struct emit_watch *w, const struct watch_sample *s)
{
	json_t *o = emit_doc("watch", true);

	emit_str(o, "event", "sample");
	emit_int(o, "seq", (int64_t)s->seq);
	emit_int(o, "t_ns", (int64_t)s->t_ns);
	if (w->target->pid > 0)
		emit_int(o, "pid", w->target->pid);
	else
		emit_str(o, "path", w->target->path);
	if (s->err) {
		emit_unmeasured(o, w->target->pid > 0 ? "rss_pages" : "resident_pages",
		                strerror(-s->err));
		return o;
	}
	if (w->target->pid > 0)
		emit_proc(o, w, s);
	else
		emit_file(o, w, s);
	return o;
}

enum { P_TIME, P_STATE, P_RSS, P_ANON, P_FILE, P_SHMEM, P_MIN, P_DMIN, P_MAJ, P_DMAJ, P_NCOLS };

/* Widths are fixed (wider than each header): a row is printed per sample. */
const struct table_column emit_watch_proc_columns[] = {
        [P_TIME] = {"TIME", "seconds since the watch began", 9, TABLE_RIGHT},
        [P_STATE] = {"STATE", "R running, S sleeping, D disk, Z zombie...", 6, 0},
        [P_RSS] = {"RSS", "resident set", 7, TABLE_RIGHT},
        [P_ANON] = {"ANON", "resident anonymous memory", 7, TABLE_RIGHT},
        [P_FILE] = {"FILE", "resident file pages", 7, TABLE_RIGHT | TABLE_HIDDEN},
        [P_SHMEM] = {"SHMEM", "resident shared memory", 7, TABLE_RIGHT | TABLE_HIDDEN},
        [P_MIN] = {"MINFLT", "minor faults since the process started", 9, TABLE_RIGHT},
        [P_DMIN] = {"+MINFLT", "minor faults since the last line", 9, TABLE_RIGHT},
        [P_MAJ] = {"MAJFLT", "major faults since the process started", 8, TABLE_RIGHT},
        [P_DMAJ] = {"+MAJFLT", "major faults since the last line", 8, TABLE_RIGHT},
};
const size_t emit_watch_proc_ncolumns = P_NCOLS;

enum { F_TIME, F_RES, F_PAGES, F_DPAGES, F_SIZE, F_PERCENT, F_BAR, F_NCOLS };

const struct table_column emit_watch_file_columns[] = {
        [F_TIME] = {"TIME", "seconds since the watch began", 9, TABLE_RIGHT},
        [F_RES] = {"RES", "resident in the page cache", 7, TABLE_RIGHT},
        [F_PAGES] = {"PAGES", "resident pages", 9, TABLE_RIGHT},
        [F_DPAGES] = {"+PAGES", "change since the last line", 9, TABLE_RIGHT},
        [F_SIZE] = {"SIZE", "the file's size", 7, TABLE_RIGHT},
        [F_PERCENT] = {"RES%", "resident pages of the file's pages", 7, TABLE_RIGHT},
        [F_BAR] = {"RESIDENT", "a bar of resident pages", 32, 0},
};
const size_t emit_watch_file_ncolumns = F_NCOLS;

static bool watching_process(const struct emit_watch *w)
{
	return w->target->pid > 0;
}

/* Makes the table on the first line; false if it cannot be made. */
static bool open_table(struct emit_watch *w)
{
	char why[128];

	if (w->table)
		return true;
	if (watching_process(w))
		w->table = table_new(emit_watch_proc_columns, P_NCOLS, &w->table_opt, why,
		                     sizeof(why));
	else
		w->table = table_new(emit_watch_file_columns, F_NCOLS, &w->table_opt, why,
		                     sizeof(why));
	if (!w->table)
		w->write_failed = true;
	else if (!w->table_opt.no_headings && !watching_process(w))
		fprintf(w->out, "%s\n", w->target->path);
	return w->table != NULL;
}

static void pages_cell(struct emit_watch *w, size_t col, int64_t pages, long page)
{
	if (pages < 0)
		table_text(w->table, col, "?");
	else
		table_bytes(w->table, col, (uint64_t)pages * (uint64_t)page);
}

/* A change since the last line, or "-" on the first, which has none. */
static void delta_cell(struct emit_watch *w, size_t col, int64_t delta, bool have)
{
	char cell[32];

	snprintf(cell, sizeof(cell), "%+lld", (long long)delta);
	table_text(w->table, col, have ? cell : "-");
}

static void process_row(struct emit_watch *w, const struct watch_sample *s, long page)
{
	const struct procstat *p = &s->proc, *q = &w->prev.proc;
	bool have = w->have_prev && w->prev.err == 0;
	char state[2] = {p->state, 0};

	table_text(w->table, P_STATE, state);
	pages_cell(w, P_RSS, (int64_t)p->rss_pages, page);
	pages_cell(w, P_ANON, p->rss_anon_pages, page);
	pages_cell(w, P_FILE, p->rss_file_pages, page);
	pages_cell(w, P_SHMEM, p->rss_shmem_pages, page);
	table_count(w->table, P_MIN, p->minflt);
	delta_cell(w, P_DMIN, (int64_t)(p->minflt - q->minflt), have);
	table_count(w->table, P_MAJ, p->majflt);
	delta_cell(w, P_DMAJ, (int64_t)(p->majflt - q->majflt), have);
}

static void file_row(struct emit_watch *w, const struct watch_sample *s, long page)
{
	const struct residency *r = &s->file;
	bool have = w->have_prev && w->prev.err == 0 && !w->prev.file.unavailable;
	char pct[16], bar[64] = "";
	FILE *f;

	table_bytes(w->table, F_SIZE, r->size);
	if (r->unavailable) {
		table_text(w->table, F_RES, "?");
		table_text(w->table, F_PAGES, "?");
		table_text(w->table, F_DPAGES, "?");
		table_text(w->table, F_PERCENT, "?");
		table_text(w->table, F_BAR, r->unavailable);
		return;
	}
	pages_cell(w, F_RES, (int64_t)r->resident_pages, page);
	table_count(w->table, F_PAGES, r->resident_pages);
	delta_cell(w, F_DPAGES, (int64_t)(r->resident_pages - w->prev.file.resident_pages), have);
	snprintf(pct, sizeof(pct), "%.1f%%",
	         r->pages ? 100.0 * r->resident_pages / r->pages : 0.0);
	table_text(w->table, F_PERCENT, pct);
	if ((f = fmemopen(bar, sizeof(bar), "w"))) {
		emit_bar(f, r->resident_pages, r->pages, 30);
		fclose(f);
	}
	table_text(w->table, F_BAR, bar);
}

static void print_text(struct emit_watch *w, const struct watch_sample *s)
{
	long page = sysconf(_SC_PAGESIZE);
	char t[32];

	if (!open_table(w))
		return;
	if (s->err) { /* a line of its own: the row's columns have nothing to say */
		table_flush(w->table, w->out);
		fprintf(w->out, "%8.2fs unreadable: %s\n", (double)s->t_ns / 1e9,
		        strerror(-s->err));
		fflush(w->out);
		return;
	}
	table_row(w->table);
	snprintf(t, sizeof(t), "%.2fs", (double)s->t_ns / 1e9);
	table_text(w->table, 0, t);
	if (watching_process(w))
		process_row(w, s, page);
	else
		file_row(w, s, page);
	if (table_flush(w->table, w->out) != 0)
		w->write_failed = true;
}

void emit_watch_sample(const struct watch_sample *s, void *state)
{
	struct emit_watch *w = state;

	if (w->format == EMIT_TEXT)
		print_text(w, s);
	else if (emit_json(sample_doc(w, s), w->out, EMIT_JSONL) != 0)
		w->write_failed = true;
	w->prev = *s;
	w->have_prev = true;
	w->samples++;
}

void emit_watch_end(struct emit_watch *w, const struct watch_result *res)
{
	static const char *names[] = {"exited", "signal", "count"};
	json_t *o;

	if (res->end == WATCH_FAILED) {
		table_free(w->table);
		w->table = NULL;
		return;
	}
	if (w->format == EMIT_TEXT) {
		table_free(w->table);
		w->table = NULL;
		if (!w->table_opt.no_headings)
			fprintf(w->out, "%8.2fs %s\n", (double)res->t_ns / 1e9,
			        res->end == WATCH_EXITED      ? "process exited"
			        : res->end == WATCH_SIGNALLED ? "stopped by signal"
			                                      : "done");
		if (fflush(w->out) != 0)
			w->write_failed = true;
		return;
	}
	o = emit_doc("watch", false);
	emit_str(o, "event", names[res->end]);
	emit_int(o, "t_ns", (int64_t)res->t_ns);
	emit_int(o, "samples", (int64_t)w->samples);
	if (res->end == WATCH_SIGNALLED)
		emit_int(o, "signal", res->signal);
	if (emit_json(o, w->out, EMIT_JSONL) != 0)
		w->write_failed = true;
}
