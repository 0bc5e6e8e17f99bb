#include "emit/emit_iobench.h"
#include "core/emit.h"
#include "core/table.h"

#include <stddef.h>
#include <string.h>

/* Text outside the tables stops here; a longer reason is cut. */
#define TEXT_WIDTH TABLE_WIDTH_NOT_A_TERMINAL

static const char *pattern_name(enum iobench_pattern p)
{
	return p == IOBENCH_SEQ ? "seq" : "rand";
}

static double gib_per_s(uint64_t bytes, uint64_t ns)
{
	return ns ? (double)bytes / (double)ns * 1e9 / (double)(1 << 30) : 0;
}

/* Under a row whose run failed: "  not measured: why", cut to the width. */
static void put_reason(FILE *out, const char *why)
{
	int room = TEXT_WIDTH - (int)strlen("  not measured: ");
	int len = (int)strlen(why);

	if (len <= room)
		fprintf(out, "  not measured: %s\n", why);
	else
		fprintf(out, "  not measured: %.*s...\n", room - 3, why);
	fflush(out);
}

static void cell_ms(struct table *t, size_t col, uint64_t ns)
{
	char cell[32];

	snprintf(cell, sizeof(cell), "%.1f", (double)ns / 1e6);
	table_text(t, col, cell);
}

static void cell_real(struct table *t, size_t col, const char *fmt, double v)
{
	char cell[32];

	snprintf(cell, sizeof(cell), fmt, v);
	table_text(t, col, cell);
}

/* Every cell from col on says "?": the run measured nothing. */
static void cells_unknown(struct table *t, size_t col, size_t ncols)
{
	for (; col < ncols; col++)
		table_text(t, col, "?");
}

/* Prints the row just filled, and the reason under it when it failed. */
static void flush_row(FILE *out, struct table *t, const char *unavailable)
{
	table_flush(t, out);
	if (unavailable)
		put_reason(out, unavailable);
}

static struct table *new_table(const struct table_column *cols, size_t ncols,
                               const struct table_options *opt)
{
	char why[128];

	return table_new(cols, ncols, opt, why, sizeof(why));
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

enum {
	M_METHOD,
	M_ORDER,
	M_CACHE,
	M_GIBS,
	M_MS,
	M_MINOR,
	M_MAJOR,
	M_SYSCALLS,
	M_USER,
	M_SYS,
	M_CPU,
	M_NCOLS
};

/* Widths are fixed: a row is printed as each run ends. */
const struct table_column emit_iobench_columns[] = {
        [M_METHOD] = {"METHOD", "read(), or mmap with its flags and advice; writes", 19, 0},
        [M_ORDER] = {"ORDER", "seq: file order; rand: random page order", 6, 0},
        [M_CACHE] = {"CACHE", "cold: evicted from the page cache first; warm", 6, 0},
        [M_GIBS] = {"GIB/S", "GiB a second", 7, TABLE_RIGHT},
        [M_MS] = {"MS", "wall-clock milliseconds", 8, TABLE_RIGHT},
        [M_MINOR] = {"MINOR", "minor page faults", 7, TABLE_RIGHT},
        [M_MAJOR] = {"MAJOR", "major page faults (read from disk)", 6, TABLE_RIGHT},
        [M_SYSCALLS] = {"SYSCALLS", "system calls made", 9, TABLE_RIGHT},
        [M_USER] = {"USER-MS", "CPU milliseconds in user space", 8, TABLE_RIGHT},
        [M_SYS] = {"SYS-MS", "CPU milliseconds in the kernel", 7, TABLE_RIGHT},
        [M_CPU] = {"CPU-MS", "CPU milliseconds in all", 7, TABLE_RIGHT},
};
const size_t emit_iobench_ncolumns = M_NCOLS;

struct table *emit_iobench_text_header(FILE *out, const char *path, uint64_t size,
                                       const struct iobench_scratch *s,
                                       const struct table_options *opt)
{
	char human[32];

	fprintf(out, "%s: %s, every byte read\n", path,
	        table_size_text(opt, size, human, sizeof(human)));
	put_scratch(out, s, "writes, never to the file");
	fputc('\n', out);
	return new_table(emit_iobench_columns, M_NCOLS, opt);
}

void emit_iobench_text_row(FILE *out, struct table *t, const struct iobench_result *r)
{
	table_row(t);
	table_text(t, M_METHOD, r->method->name);
	table_text(t, M_ORDER, pattern_name(r->pattern));
	table_text(t, M_CACHE, r->cold ? "cold" : "warm");
	if (r->unavailable) {
		cells_unknown(t, M_GIBS, M_NCOLS);
	} else {
		cell_real(t, M_GIBS, "%.2f", gib_per_s(r->bytes, r->ns));
		cell_ms(t, M_MS, r->ns);
		table_count(t, M_MINOR, r->minor);
		table_count(t, M_MAJOR, r->major);
		table_count(t, M_SYSCALLS, r->syscalls);
		cell_ms(t, M_USER, r->user_ns);
		cell_ms(t, M_SYS, r->sys_ns);
		cell_ms(t, M_CPU, r->cpu_ns);
	}
	flush_row(out, t, r->unavailable);
}

enum {
	W_METHOD,
	W_ORDER,
	W_CACHE,
	W_ANON_BEFORE,
	W_ANON_AFTER,
	W_DIRTY_BEFORE,
	W_DIRTY_AFTER,
	W_NCOLS
};

static const struct table_column memory_columns[] = {
        [W_METHOD] = {"METHOD", "the write run", 18, 0},
        [W_ORDER] = {"ORDER", "seq or rand", 5, 0},
        [W_CACHE] = {"CACHE", "cold or warm", 5, 0},
        [W_ANON_BEFORE] = {"ANON-BEFORE", "this process's anonymous memory before", 12,
                           TABLE_RIGHT},
        [W_ANON_AFTER] = {"ANON-AFTER", "and after the last write", 12, TABLE_RIGHT},
        [W_DIRTY_BEFORE] = {"DIRTY-BEFORE", "the scratch file's dirty pages before", 13,
                            TABLE_RIGHT},
        [W_DIRTY_AFTER] = {"DIRTY-AFTER", "and after the last write", 12, TABLE_RIGHT},
};

/* A gauge's value in a cell: bytes in the table's units, pages as a count. */
static void cell_gauge(struct table *t, size_t col, int64_t v, bool bytes)
{
	if (v < 0)
		table_text(t, col, "?");
	else if (bytes)
		table_bytes(t, col, (uint64_t)v);
	else
		table_count(t, col, (uint64_t)v);
}

void emit_iobench_text_memory(FILE *out, const struct iobench_result *r, size_t n,
                              const struct table_options *opt)
{
	/* --output chose the main table's columns; this one shows all of its own */
	struct table_options own = {
	        .bytes = opt->bytes, .no_headings = opt->no_headings, .raw = opt->raw};
	struct table *t = new_table(memory_columns, W_NCOLS, &own);

	fprintf(out, "\nMemory around each write run: this process's anonymous memory and the "
	             "scratch\nfile's dirty page-cache pages, before the run and after its last "
	             "write (mapped)\n\n");
	for (size_t i = 0; t && i < n; i++) {
		table_row(t);
		table_text(t, W_METHOD, r[i].method->name);
		table_text(t, W_ORDER, pattern_name(r[i].pattern));
		table_text(t, W_CACHE, r[i].cold ? "cold" : "warm");
		if (r[i].unavailable) {
			cells_unknown(t, W_ANON_BEFORE, W_NCOLS);
			continue;
		}
		cell_gauge(t, W_ANON_BEFORE, r[i].anon.before, true);
		cell_gauge(t, W_ANON_AFTER, r[i].anon.after, true);
		cell_gauge(t, W_DIRTY_BEFORE, r[i].dirty.before, false);
		cell_gauge(t, W_DIRTY_AFTER, r[i].dirty.after, false);
	}
	if (t)
		table_print(t, out);
	for (size_t i = 0; i < n; i++)
		if (r[i].unavailable) {
			put_reason(out, r[i].unavailable);
			break;
		}
	if (n && (r[0].anon.why || r[0].dirty.why))
		put_reason(out, r[0].anon.why ? r[0].anon.why : r[0].dirty.why);
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

enum {
	K_METHOD,
	K_TO,
	K_CACHE,
	K_GIBS,
	K_MS,
	K_USER,
	K_SYS,
	K_SYSCALLS,
	K_FAULTS,
	K_MINOR,
	K_MAJOR,
	K_USER_BYTES,
	K_DISK,
	K_NCOLS
};

const struct table_column emit_iobench_copy_columns[] = {
        [K_METHOD] = {"METHOD", "read+write, mmap+write, sendfile, splice, copy_file_range", 16,
                      0},
        [K_TO] = {"TO", "the receiver: pipe, socket, tcp or file", 6, 0},
        [K_CACHE] = {"CACHE", "cold, cold* (some pages stayed cached) or warm", 6, 0},
        [K_GIBS] = {"GIB/S", "GiB a second", 6, TABLE_RIGHT},
        [K_MS] = {"MS", "wall-clock milliseconds", 8, TABLE_RIGHT},
        [K_USER] = {"USER-MS", "CPU milliseconds in user space", 8, TABLE_RIGHT | TABLE_HIDDEN},
        [K_SYS] = {"SYS-MS", "CPU milliseconds in the kernel", 7, TABLE_RIGHT},
        [K_SYSCALLS] = {"SYSCALLS", "system calls made", 9, TABLE_RIGHT},
        [K_FAULTS] = {"FLT-MN/MJ", "minor/major page faults", 10, TABLE_RIGHT},
        [K_MINOR] = {"MINOR", "minor page faults", 7, TABLE_RIGHT | TABLE_HIDDEN},
        [K_MAJOR] = {"MAJOR", "major page faults", 6, TABLE_RIGHT | TABLE_HIDDEN},
        [K_USER_BYTES] = {"USER-BYTES", "bytes copied into user space", 11, TABLE_RIGHT},
        [K_DISK] = {"DISK", "bytes read from disk (read_bytes)", 8, TABLE_RIGHT},
};
const size_t emit_iobench_copy_ncolumns = K_NCOLS;

struct table *emit_iobench_copy_header(FILE *out, const char *path, uint64_t size,
                                       const struct iobench_scratch *s,
                                       const struct table_options *opt)
{
	char human[32];

	fprintf(out, "%s: %s copied out, five ways\n", path,
	        table_size_text(opt, size, human, sizeof(human)));
	put_scratch(out, s, "file receiver");
	fprintf(out, "USER-BYTES: copied into user space by system calls (/proc/thread-self/io "
	             "rchar,\nless what sendfile and copy_file_range moved inside the kernel); "
	             "DISK: read_bytes\ncold*: some of the file's pages could not be evicted "
	             "before the run\n\n");
	return new_table(emit_iobench_copy_columns, K_NCOLS, opt);
}

static void cell_size(struct table *t, size_t col, int64_t v)
{
	if (v < 0)
		table_text(t, col, "?");
	else
		table_bytes(t, col, (uint64_t)v);
}

void emit_iobench_copy_row(FILE *out, struct table *t, const struct iobench_copy_result *r)
{
	char faults[48];

	table_row(t);
	table_text(t, K_METHOD, iobench_copy_names[r->method]);
	table_text(t, K_TO, iobench_dest_names[r->dest]);
	table_text(t, K_CACHE, !r->cold ? "warm" : r->resident_before > 0 ? "cold*" : "cold");
	if (r->unavailable) {
		cells_unknown(t, K_GIBS, K_NCOLS);
		flush_row(out, t, r->unavailable);
		return;
	}
	snprintf(faults, sizeof(faults), "%llu/%llu", (unsigned long long)r->minor,
	         (unsigned long long)r->major);
	cell_real(t, K_GIBS, "%.2f", gib_per_s(r->bytes, r->ns));
	cell_ms(t, K_MS, r->ns);
	cell_ms(t, K_USER, r->user_ns);
	cell_ms(t, K_SYS, r->sys_ns);
	table_count(t, K_SYSCALLS, r->syscalls);
	table_text(t, K_FAULTS, faults);
	table_count(t, K_MINOR, r->minor);
	table_count(t, K_MAJOR, r->major);
	cell_size(t, K_USER_BYTES, r->user_bytes);
	cell_size(t, K_DISK, r->io_why ? -1 : (int64_t)r->io.read_bytes);
	flush_row(out, t, NULL);
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

enum { X_METHOD, X_IDLE, X_EVENTS, X_WAKE_MED, X_WAKE_P90, X_CPU, X_GROWTH, X_SETUP, X_NCOLS };

const struct table_column emit_iobench_mux_columns[] = {
        [X_METHOD] = {"METHOD", "select, poll or epoll", 7, 0},
        [X_IDLE] = {"IDLE-FDS", "idle descriptors waited on beside the one", 9, TABLE_RIGHT},
        [X_EVENTS] = {"EVENTS", "events measured", 7, TABLE_RIGHT},
        [X_WAKE_MED] = {"WAKE-US-MED", "microseconds from write() to the wait's return, median",
                        12, TABLE_RIGHT},
        [X_WAKE_P90] = {"WAKE-US-P90", "the same, 90th percentile", 12, TABLE_RIGHT},
        [X_CPU] = {"CPU-US/EVENT", "the waiting thread's CPU microseconds per event", 13,
                   TABLE_RIGHT},
        [X_GROWTH] = {"CPU-GROWTH", "CPU per event against the fewest descriptors", 11,
                      TABLE_RIGHT},
        [X_SETUP] = {"SETUP-MS", "epoll: milliseconds to register the descriptors", 9,
                     TABLE_RIGHT},
};
const size_t emit_iobench_mux_ncolumns = X_NCOLS;

struct table *emit_iobench_mux_header(FILE *out, unsigned events, const struct table_options *opt)
{
	fprintf(out,
	        "One pipe made ready by another process, waited for among N idle pipes; "
	        "%u events\neach. WAKE: from the writer's write() to the wait's return. "
	        "CPU: the waiting\nthread's, per event (the wait, a read, a reply)\n\n",
	        events);
	return new_table(emit_iobench_mux_columns, X_NCOLS, opt);
}

void emit_iobench_mux_row(FILE *out, struct table *t, const struct iobench_mux_result *r,
                          const struct iobench_mux_result *first)
{
	table_row(t);
	table_text(t, X_METHOD, iobench_mux_names[r->method]);
	table_count(t, X_IDLE, r->idle);
	if (r->unavailable) {
		cells_unknown(t, X_EVENTS, X_NCOLS);
		flush_row(out, t, r->unavailable);
		return;
	}
	table_count(t, X_EVENTS, r->events);
	cell_real(t, X_WAKE_MED, "%.1f", (double)r->wake_ns_median / 1e3);
	cell_real(t, X_WAKE_P90, "%.1f", (double)r->wake_ns_p90 / 1e3);
	cell_real(t, X_CPU, "%.2f", (double)r->cpu_ns_per_event / 1e3);
	if (first && !first->unavailable && first->cpu_ns_per_event)
		cell_real(t, X_GROWTH, "%.1fx",
		          (double)r->cpu_ns_per_event / (double)first->cpu_ns_per_event);
	else
		table_text(t, X_GROWTH, "-");
	if (r->method == MUX_EPOLL)
		cell_real(t, X_SETUP, "%.2f", (double)r->setup_ns / 1e6);
	else
		table_text(t, X_SETUP, "-");
	flush_row(out, t, NULL);
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
