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

static void print_text(struct emit_watch *w, const struct watch_sample *s)
{
	long page = sysconf(_SC_PAGESIZE);
	char a[32], b[32];

	fprintf(w->out, "%8.2fs ", (double)s->t_ns / 1e9);
	if (s->err) {
		fprintf(w->out, "unreadable: %s\n", strerror(-s->err));
	} else if (w->target->pid > 0) {
		const struct procstat *p = &s->proc, *q = &w->prev.proc;
		bool have = w->have_prev && w->prev.err == 0;
		fprintf(w->out, "pid %d %c rss %s  minflt %llu (+%llu)  majflt %llu (+%llu)\n",
		        w->target->pid, p->state,
		        emit_human_bytes(p->rss_pages * (uint64_t)page, a, sizeof(a)),
		        (unsigned long long)p->minflt,
		        (unsigned long long)(have ? p->minflt - q->minflt : 0),
		        (unsigned long long)p->majflt,
		        (unsigned long long)(have ? p->majflt - q->majflt : 0));
	} else if (s->file.unavailable) {
		fprintf(w->out, "%s: resident unknown (%s)\n", w->target->path,
		        s->file.unavailable);
	} else {
		fprintf(w->out, "%s: %s of %s resident ", w->target->path,
		        emit_human_bytes(s->file.resident_pages * (uint64_t)page, a, sizeof(a)),
		        emit_human_bytes(s->file.size, b, sizeof(b)));
		emit_bar(w->out, s->file.resident_pages, s->file.pages, 30);
		fputc('\n', w->out);
	}
	fflush(w->out);
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

	if (w->format == EMIT_TEXT) {
		fprintf(w->out, "%8.2fs %s\n", (double)res->t_ns / 1e9,
		        res->end == WATCH_EXITED      ? "process exited"
		        : res->end == WATCH_SIGNALLED ? "stopped by signal"
		                                      : "done");
		fflush(w->out);
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
