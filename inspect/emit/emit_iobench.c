#include "emit/emit_iobench.h"
#include "core/emit.h"

#include <stddef.h>
#include <string.h>

/* Text tables stop here; a longer reason is cut. */
#define TEXT_WIDTH 100

static const char *pattern_name(enum iobench_pattern p)
{
	return p == IOBENCH_SEQ ? "seq" : "rand";
}

static double gib_per_s(uint64_t bytes, uint64_t ns)
{
	return ns ? (double)bytes / (double)ns * 1e9 / (double)(1 << 30) : 0;
}

/* "not measured: why", cut to what is left of the line after used columns. */
static void put_reason(FILE *out, int used, const char *why)
{
	int room = TEXT_WIDTH - used - (int)strlen(" not measured: ");
	int len = (int)strlen(why);

	if (len <= room)
		fprintf(out, " not measured: %s\n", why);
	else
		fprintf(out, " not measured: %.*s...\n", room > 3 ? room - 3 : 0, why);
	fflush(out);
}

void emit_iobench_scratch(json_t *doc, const struct iobench_scratch *s)
{
	if (s->fd < 0) {
		emit_unmeasured(doc, "scratch_dir", s->why);
		emit_unmeasured(doc, "scratch_same_filesystem", s->why);
		return;
	}
	emit_str(doc, "scratch_dir", s->dir);
	json_object_set_new(doc, "scratch_same_filesystem", json_boolean(s->same_fs));
}

static void emit_method(json_t *o, const struct iobench_method *m)
{
	emit_str(o, "method", m->name);
	emit_str(o, "op", m->write ? "write" : "read");
	emit_str(o, "mapping", !m->mmap ? NULL : m->shared ? "shared" : "private");
	json_object_set_new(o, "populate", json_boolean(m->populate));
	emit_str(o, "advice", m->advice_name);
}

/* The measured counters, in output order; gib_per_s comes after ns. */
static const struct {
	const char *key;
	size_t offset;
} counters[] = {
        {"bytes", offsetof(struct iobench_result, bytes)},
        {"ns", offsetof(struct iobench_result, ns)},
        {"minor", offsetof(struct iobench_result, minor)},
        {"major", offsetof(struct iobench_result, major)},
        {"syscalls", offsetof(struct iobench_result, syscalls)},
        {"user_ns", offsetof(struct iobench_result, user_ns)},
        {"sys_ns", offsetof(struct iobench_result, sys_ns)},
        {"cpu_ns", offsetof(struct iobench_result, cpu_ns)},
};

static void emit_counters(json_t *o, const struct iobench_result *r)
{
	for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++) {
		const uint64_t *v = (const uint64_t *)((const char *)r + counters[i].offset);
		emit_measured(o, counters[i].key, (int64_t)*v, r->unavailable);
		if (strcmp(counters[i].key, "ns") != 0)
			continue;
		if (r->unavailable)
			emit_unmeasured(o, "gib_per_s", r->unavailable);
		else
			json_object_set_new(o, "gib_per_s", json_real(gib_per_s(r->bytes, r->ns)));
	}
}

/* key_before and key_after, each null with the reason when unknown. */
static void emit_gauge(json_t *o, const char *key, const struct iobench_gauge *g,
                       const char *unavailable)
{
	char name[64];
	const char *why = unavailable ? unavailable : g->why;

	snprintf(name, sizeof(name), "%s_before", key);
	emit_measured(o, name, g->before, g->before < 0 || unavailable ? why : NULL);
	snprintf(name, sizeof(name), "%s_after", key);
	emit_measured(o, name, g->after, g->after < 0 || unavailable ? why : NULL);
}

json_t *emit_iobench_entry(const struct iobench_result *r)
{
	json_t *o = json_object();

	emit_method(o, r->method);
	emit_str(o, "pattern", pattern_name(r->pattern));
	emit_str(o, "cache", r->cold ? "cold" : "warm");
	emit_counters(o, r);
	emit_measured(o, "resident_pages_before", r->resident_before,
	              r->resident_before < 0 ? r->resident_why : NULL);
	emit_gauge(o, "anon_bytes", &r->anon, r->unavailable);
	emit_gauge(o, "dirty_pages", &r->dirty, r->unavailable);
	return o;
}

static void put_scratch(FILE *out, const struct iobench_scratch *s, const char *what)
{
	if (s->fd < 0)
		fprintf(out, "%s: none (%s)\n", what, s->why);
	else
		fprintf(out, "%s: a scratch file in %s (%s)\n", what, s->dir,
		        s->same_fs ? "same filesystem" : "another filesystem");
}

void emit_iobench_text_header(FILE *out, const char *path, uint64_t size,
                              const struct iobench_scratch *s)
{
	char human[32];

	fprintf(out, "%s: %s, every byte read\n", path,
	        emit_human_bytes(size, human, sizeof(human)));
	put_scratch(out, s, "writes, never to the file");
	fprintf(out, "\n%-18s %-4s %-5s %6s %8s %7s %6s %8s %8s %8s %8s\n", "METHOD", "ORDR",
	        "CACHE", "GiB/s", "ms", "MINOR", "MAJOR", "SYSCALLS", "USER ms", "SYS ms",
	        "CPU ms");
}

void emit_iobench_text_row(FILE *out, const struct iobench_result *r)
{
	fprintf(out, "%-18s %-4s %-5s", r->method->name, pattern_name(r->pattern),
	        r->cold ? "cold" : "warm");
	if (r->unavailable) {
		put_reason(out, 29, r->unavailable);
		return;
	}
	fprintf(out, " %6.2f %8.1f %7llu %6llu %8llu %8.1f %8.1f %8.1f\n",
	        gib_per_s(r->bytes, r->ns), (double)r->ns / 1e6, (unsigned long long)r->minor,
	        (unsigned long long)r->major, (unsigned long long)r->syscalls,
	        (double)r->user_ns / 1e6, (double)r->sys_ns / 1e6, (double)r->cpu_ns / 1e6);
	fflush(out);
}

/* A gauge's value in a text cell: bytes in human units, pages as a count. */
static void put_gauge(FILE *out, int64_t v, bool bytes, int width)
{
	char cell[32];

	if (v < 0)
		snprintf(cell, sizeof(cell), "?");
	else if (bytes)
		emit_human_bytes((uint64_t)v, cell, sizeof(cell));
	else
		snprintf(cell, sizeof(cell), "%lld", (long long)v);
	fprintf(out, " %*s", width, cell);
}

void emit_iobench_text_memory(FILE *out, const struct iobench_result *r, size_t n)
{
	fprintf(out, "\nMemory around each write run: this process's anonymous memory and the "
	             "scratch\nfile's dirty page-cache pages, before the run and after its last "
	             "write (mapped)\n\n");
	fprintf(out, "%-18s %-4s %-5s %12s %12s %13s %12s\n", "METHOD", "ORDR", "CACHE",
	        "ANON BEFORE", "ANON AFTER", "DIRTY BEFORE", "DIRTY AFTER");
	for (size_t i = 0; i < n; i++) {
		fprintf(out, "%-18s %-4s %-5s", r[i].method->name, pattern_name(r[i].pattern),
		        r[i].cold ? "cold" : "warm");
		if (r[i].unavailable) {
			put_reason(out, 29, r[i].unavailable);
			continue;
		}
		put_gauge(out, r[i].anon.before, true, 12);
		put_gauge(out, r[i].anon.after, true, 12);
		put_gauge(out, r[i].dirty.before, false, 13);
		put_gauge(out, r[i].dirty.after, false, 12);
		fputc('\n', out);
	}
	if (n && (r[0].anon.why || r[0].dirty.why))
		fprintf(out, "? not measured: %s\n",
		        r[0].anon.why ? r[0].anon.why : r[0].dirty.why);
}

/* Copying out. */

static const struct {
	const char *key;
	size_t offset;
} copy_counters[] = {
        {"bytes", offsetof(struct iobench_copy_result, bytes)},
        {"ns", offsetof(struct iobench_copy_result, ns)},
        {"user_ns", offsetof(struct iobench_copy_result, user_ns)},
        {"sys_ns", offsetof(struct iobench_copy_result, sys_ns)},
        {"cpu_ns", offsetof(struct iobench_copy_result, cpu_ns)},
        {"minor", offsetof(struct iobench_copy_result, minor)},
        {"major", offsetof(struct iobench_copy_result, major)},
        {"syscalls", offsetof(struct iobench_copy_result, syscalls)},
        {"in_kernel_bytes", offsetof(struct iobench_copy_result, in_kernel_bytes)},
};

json_t *emit_iobench_copy_entry(const struct iobench_copy_result *r)
{
	json_t *o = json_object(), *io;
	const char *io_why = r->unavailable ? r->unavailable : r->io_why;

	emit_str(o, "method", iobench_copy_names[r->method]);
	emit_str(o, "to", iobench_dest_names[r->dest]);
	emit_str(o, "cache", r->cold ? "cold" : "warm");
	for (size_t i = 0; i < sizeof(copy_counters) / sizeof(copy_counters[0]); i++) {
		const uint64_t *v = (const uint64_t *)((const char *)r + copy_counters[i].offset);
		emit_measured(o, copy_counters[i].key, (int64_t)*v, r->unavailable);
		if (strcmp(copy_counters[i].key, "ns") != 0)
			continue;
		if (r->unavailable)
			emit_unmeasured(o, "gib_per_s", r->unavailable);
		else
			json_object_set_new(o, "gib_per_s", json_real(gib_per_s(r->bytes, r->ns)));
	}
	emit_measured(o, "user_space_bytes", r->user_bytes, io_why);
	if (io_why) {
		emit_unmeasured(o, "io", io_why);
	} else {
		io = json_object();
		for (size_t i = 0; i < procio_nfields; i++) {
			const uint64_t *v =
			        (const uint64_t *)((const char *)&r->io + procio_fields[i].offset);
			emit_int(io, procio_fields[i].key, (int64_t)*v);
		}
		json_object_set_new(o, "io", io);
	}
	emit_measured(o, "resident_pages_before", r->resident_before,
	              r->resident_before < 0 ? r->resident_why : NULL);
	return o;
}

void emit_iobench_copy_header(FILE *out, const char *path, uint64_t size,
                              const struct iobench_scratch *s)
{
	char human[32];

	fprintf(out, "%s: %s copied out, five ways\n", path,
	        emit_human_bytes(size, human, sizeof(human)));
	put_scratch(out, s, "file receiver");
	fprintf(out, "USER BYTES: copied into user space by system calls (/proc/thread-self/io "
	             "rchar,\nless what sendfile and copy_file_range moved inside the kernel); "
	             "DISK: read_bytes\ncold*: some of the file's pages could not be evicted "
	             "before the run\n");
	fprintf(out, "\n%-15s %-6s %-5s %6s %8s %7s %7s %8s %9s %10s %9s\n", "METHOD", "TO",
	        "CACHE", "GiB/s", "ms", "USER ms", "SYS ms", "SYSCALLS", "FLT mn/mj", "USER BYTES",
	        "DISK");
}

static void put_bytes(FILE *out, int64_t v, int width)
{
	char cell[32];

	if (v < 0)
		snprintf(cell, sizeof(cell), "?");
	else if (v == 0)
		snprintf(cell, sizeof(cell), "0");
	else
		emit_human_bytes((uint64_t)v, cell, sizeof(cell));
	fprintf(out, " %*s", width, cell);
}

void emit_iobench_copy_row(FILE *out, const struct iobench_copy_result *r)
{
	char faults[48];

	fprintf(out, "%-15s %-6s %-5s", iobench_copy_names[r->method], iobench_dest_names[r->dest],
	        !r->cold                 ? "warm"
	        : r->resident_before > 0 ? "cold*"
	                                 : "cold");
	if (r->unavailable) {
		put_reason(out, 27, r->unavailable);
		return;
	}
	snprintf(faults, sizeof(faults), "%llu/%llu", (unsigned long long)r->minor,
	         (unsigned long long)r->major);
	fprintf(out, " %6.2f %8.1f %7.1f %7.1f %8llu %9s", gib_per_s(r->bytes, r->ns),
	        (double)r->ns / 1e6, (double)r->user_ns / 1e6, (double)r->sys_ns / 1e6,
	        (unsigned long long)r->syscalls, faults);
	put_bytes(out, r->user_bytes, 10);
	put_bytes(out, r->io_why ? -1 : (int64_t)r->io.read_bytes, 9);
	fputc('\n', out);
	fflush(out);
}

/* Multiplexing. */

json_t *emit_iobench_mux_entry(const struct iobench_mux_result *r)
{
	json_t *o = json_object();
	const char *why = r->unavailable;

	emit_str(o, "method", iobench_mux_names[r->method]);
	emit_int(o, "idle_fds", r->idle);
	emit_measured(o, "events", r->events, why);
	emit_measured(o, "wake_ns_median", (int64_t)r->wake_ns_median, why);
	emit_measured(o, "wake_ns_p90", (int64_t)r->wake_ns_p90, why);
	emit_measured(o, "cpu_ns_per_event", (int64_t)r->cpu_ns_per_event, why);
	emit_measured(o, "syscalls_per_event", (int64_t)r->syscalls_per_event, why);
	emit_measured(o, "setup_ns", (int64_t)r->setup_ns, why);
	return o;
}

void emit_iobench_mux_header(FILE *out, unsigned events)
{
	fprintf(out,
	        "One pipe made ready by another process, waited for among N idle pipes; "
	        "%u events\neach. WAKE: from the writer's write() to the wait's return. "
	        "CPU: the waiting\nthread's, per event (the wait, a read, a reply)\n\n",
	        events);
	fprintf(out, "%-7s %9s %7s %12s %12s %13s %10s %12s\n", "METHOD", "IDLE FDS", "EVENTS",
	        "WAKE us med", "WAKE us p90", "CPU us/event", "CPU GROWTH", "SETUP ms");
}

void emit_iobench_mux_row(FILE *out, const struct iobench_mux_result *r,
                          const struct iobench_mux_result *first)
{
	fprintf(out, "%-7s %9u", iobench_mux_names[r->method], r->idle);
	if (r->unavailable) {
		put_reason(out, 17, r->unavailable);
		return;
	}
	fprintf(out, " %7u %12.1f %12.1f %13.2f", r->events, (double)r->wake_ns_median / 1e3,
	        (double)r->wake_ns_p90 / 1e3, (double)r->cpu_ns_per_event / 1e3);
	if (first && !first->unavailable && first->cpu_ns_per_event)
		fprintf(out, " %9.1fx",
		        (double)r->cpu_ns_per_event / (double)first->cpu_ns_per_event);
	else
		fprintf(out, " %10s", "-");
	if (r->method == MUX_EPOLL)
		fprintf(out, " %12.2f\n", (double)r->setup_ns / 1e6);
	else
		fprintf(out, " %12s\n", "-");
	fflush(out);
}

static const char *const mux_colours[MUX_N] = {
        [MUX_SELECT] = "#d95f02",
        [MUX_POLL] = "#7570b3",
        [MUX_EPOLL] = "#1b9e77",
};

void emit_iobench_mux_chart_init(struct linechart *c, unsigned events)
{
	static char note[128];

	memset(c, 0, sizeof(*c));
	snprintf(note, sizeof(note),
	         "one pipe made ready by another process among N idle ones, %u events "
	         "per point",
	         events);
	c->title = "mapscope iobench --multiplex: select, poll and epoll as descriptors grow";
	c->note = note;
	c->npanels = 2;
	c->panels[0] = (struct linechart_panel){
	        .title = "CPU per event", .x_label = "idle descriptors", .y_label = "us"};
	c->panels[1] = (struct linechart_panel){
	        .title = "Wake-up, median", .x_label = "idle descriptors", .y_label = "us"};
	for (int i = 0; i < MUX_N; i++)
		for (int p = 0; p < 2; p++) {
			c->panels[p].series[i].name = iobench_mux_names[i];
			c->panels[p].series[i].colour = mux_colours[i];
		}
}

void emit_iobench_mux_chart_add(struct linechart *c, const struct iobench_mux_result *r)
{
	double cpu = r->unavailable ? 0 : (double)r->cpu_ns_per_event / 1e3;
	double wake = r->unavailable ? 0 : (double)r->wake_ns_median / 1e3;

	linechart_add(&c->panels[0], r->method, r->idle, cpu);
	linechart_add(&c->panels[1], r->method, r->idle, wake);
}
