#include "emit/emit_faults.h"
#include "core/emit.h"

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define HISTOGRAM_COLUMNS 60
#define HISTOGRAM_FILES   4
#define TABLE_ROWS        20 /* the JSON has every mapping */

static const char *NO_COLD = "residency before the run is unknown: name the file with --cold";

void emit_faults_exit(json_t *obj, int wait_status)
{
	char why[64];

	if (WIFEXITED(wait_status)) {
		emit_int(obj, "exit_status", WEXITSTATUS(wait_status));
		return;
	}
	snprintf(why, sizeof(why), "killed by signal %d (%s)", WTERMSIG(wait_status),
	         strsignal(WTERMSIG(wait_status)));
	emit_unmeasured(obj, "exit_status", why);
	emit_int(obj, "signal", WTERMSIG(wait_status));
}

static uint64_t total_of(const struct faults_mapping *m)
{
	return m->minor + m->major;
}

/* Mappings that took faults or were measured, most faults first. */
static size_t rank_mappings(const struct faults_report *rep, size_t *order)
{
	size_t n = 0;

	for (size_t i = 0; i < rep->nmaps; i++)
		if (total_of(&rep->maps[i]) || rep->maps[i].cache_measured)
			order[n++] = i;
	for (size_t i = 1; i < n; i++)
		for (size_t j = i;
		     j > 0 && total_of(&rep->maps[order[j]]) > total_of(&rep->maps[order[j - 1]]);
		     j--) {
			size_t t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	return n;
}

static void emit_cache(json_t *o, const struct faults_mapping *m)
{
	const char *why = m->cache_unavailable ? m->cache_unavailable
	                  : m->file            ? NO_COLD
	                                       : "anonymous memory is not in the page cache";
	int64_t added;

	if (!m->cache_measured) {
		emit_unmeasured(o, "cache_pages_added", why);
		emit_unmeasured(o, "pages_per_major_fault", why);
		return;
	}
	added = (int64_t)m->cache_after - (int64_t)m->cache_before;
	emit_int(o, "cache_pages_before", (int64_t)m->cache_before);
	emit_int(o, "cache_pages_after", (int64_t)m->cache_after);
	emit_int(o, "cache_pages_added", added);
	if (m->major)
		json_object_set_new(o, "pages_per_major_fault",
		                    json_real((double)added / (double)m->major));
	else
		emit_unmeasured(o, "pages_per_major_fault", "no major faults");
}

static json_t *mapping_entry(const struct faults_mapping *m)
{
	json_t *o = json_object();

	emit_str(o, "path", m->path);
	emit_int(o, "minor", (int64_t)m->minor);
	emit_int(o, "major", (int64_t)m->major);
	emit_int(o, "pages", (int64_t)m->pages);
	emit_cache(o, m);
	return o;
}

static json_t *mappings_array(const struct faults_report *rep)
{
	size_t *order = calloc(rep->nmaps + 1, sizeof(*order));
	size_t n = rank_mappings(rep, order);
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, mapping_entry(&rep->maps[order[i]]));
	free(order);
	return a;
}

static json_t *sample_entry(const struct faults_report *rep, const struct faults_sample *s)
{
	const struct faults_mapping *m = s->mapping >= 0 ? &rep->maps[s->mapping] : NULL;
	json_t *o = json_object();

	emit_int(o, "t_ns", (int64_t)s->t_ns);
	emit_int(o, "addr", (int64_t)s->addr);
	/* Kernel addresses do not fit JSON's signed 64-bit integers. */
	if (s->ip >> 63)
		emit_unmeasured(o, "ip",
		                "fault taken in kernel code (e.g. copying for a system call)");
	else
		emit_int(o, "ip", (int64_t)s->ip);
	emit_int(o, "pid", s->pid);
	emit_str(o, "kind", s->major ? "major" : "minor");
	emit_str(o, "path", m ? m->path : NULL);
	if (m && m->file)
		emit_int(o, "offset", (int64_t)s->offset);
	else
		emit_unmeasured(o, "offset",
		                m ? "not a file mapping" : "no mmap record covers addr");
	return o;
}

static json_t *samples_array(const struct faults_report *rep)
{
	json_t *a = json_array();

	for (size_t i = 0; i < rep->nsamples; i++)
		json_array_append_new(a, sample_entry(rep, &rep->samples[i]));
	return a;
}

/* Faults rusage counted that user-mode sampling could not see; 0 rather
 * than negative when children the command did not reap added to perf's. */
static uint64_t unsampled(uint64_t total, uint64_t sampled)
{
	return total > sampled ? total - sampled : 0;
}

/* Under rusage totals: whether perf still sampled user-mode faults, and
 * how many faults it did not see. false if there is nothing per mapping. */
static bool emit_sampling(json_t *doc, const struct faults_report *rep)
{
	emit_str(doc, "perf_event_unavailable", rep->unavailable);
	emit_str(doc, "sampling", rep->user_only ? "user_mode_only" : "none");
	if (!rep->user_only)
		return false;
	emit_int(doc, "sampled_minor", (int64_t)rep->sampled_minor);
	emit_int(doc, "sampled_major", (int64_t)rep->sampled_major);
	emit_int(doc, "unsampled_minor", (int64_t)unsampled(rep->minor, rep->sampled_minor));
	emit_int(doc, "unsampled_major", (int64_t)unsampled(rep->major, rep->sampled_major));
	return true;
}

static void count_unattributed(const struct faults_report *rep, uint64_t *minor, uint64_t *major)
{
	*minor = *major = 0;
	for (size_t i = 0; i < rep->nsamples; i++)
		if (rep->samples[i].mapping < 0)
			(*(rep->samples[i].major ? major : minor))++;
}

json_t *emit_faults_doc(char *const argv[], const struct faults_report *rep, bool with_samples)
{
	json_t *doc = emit_doc("faults", true);
	uint64_t un_minor, un_major;
	size_t argc = 0;

	while (argv[argc])
		argc++;
	emit_str_list(doc, "command", argv, argc);
	emit_faults_exit(doc, rep->wait_status);
	emit_str(doc, "source", rep->unavailable ? "rusage" : "perf_event");
	emit_int(doc, "wall_ns", (int64_t)rep->wall_ns);
	emit_int(doc, "minor", (int64_t)rep->minor);
	emit_int(doc, "major", (int64_t)rep->major);
	emit_int(doc, "kernel_minor", (int64_t)rep->kernel_minor);
	emit_int(doc, "kernel_major", (int64_t)rep->kernel_major);
	if (rep->unavailable && !emit_sampling(doc, rep)) {
		emit_unmeasured(doc, "lost_samples", rep->unavailable);
		emit_unmeasured(doc, "by_mapping", rep->unavailable);
		if (with_samples)
			emit_unmeasured(doc, "samples", rep->unavailable);
		return doc;
	}
	emit_int(doc, "lost_samples", (int64_t)rep->lost);
	emit_int(doc, "throttled", (int64_t)rep->throttled);
	count_unattributed(rep, &un_minor, &un_major);
	emit_int(doc, "unattributed_minor", (int64_t)un_minor);
	emit_int(doc, "unattributed_major", (int64_t)un_major);
	json_object_set_new(doc, "by_mapping", mappings_array(rep));
	if (with_samples)
		json_object_set_new(doc, "samples", samples_array(rep));
	return doc;
}

/* The rest of the totals line when only user-mode faults were sampled:
 * the table below then covers the sampled ones, and this says what is not. */
static void print_user_only(FILE *out, const struct faults_report *rep)
{
	fprintf(out,
	        " (process counters); sampled user-mode faults only: %llu minor, %llu major;"
	        " not sampled (exec, kernel mode): %llu minor, %llu major; %s\n",
	        (unsigned long long)rep->sampled_minor, (unsigned long long)rep->sampled_major,
	        (unsigned long long)unsampled(rep->minor, rep->sampled_minor),
	        (unsigned long long)unsampled(rep->major, rep->sampled_major), rep->unavailable);
}

static void print_header(FILE *out, char *const argv[], const struct faults_report *rep)
{
	fprintf(out, "command:");
	for (int i = 0; argv[i]; i++)
		fprintf(out, " %s", argv[i]);
	if (WIFEXITED(rep->wait_status))
		fprintf(out, "   exit %d", WEXITSTATUS(rep->wait_status));
	else
		fprintf(out, "   killed by signal %d", WTERMSIG(rep->wait_status));
	fprintf(out, "   wall %.1f ms\n", (double)rep->wall_ns / 1e6);
	fprintf(out, "faults: %llu minor, %llu major", (unsigned long long)rep->minor,
	        (unsigned long long)rep->major);
	if (rep->unavailable && !rep->user_only) {
		fprintf(out, " (process counters only; no addresses: %s)\n", rep->unavailable);
		return;
	}
	if (rep->user_only)
		print_user_only(out, rep);
	else
		fprintf(out, " from exec on (whole process incl. exec: %llu minor, %llu major)\n",
		        (unsigned long long)rep->kernel_minor,
		        (unsigned long long)rep->kernel_major);
	if (rep->lost)
		fprintf(out, "warning: the kernel dropped %llu sample records\n",
		        (unsigned long long)rep->lost);
}

static uint64_t peak_of(const uint64_t *bucket, int n)
{
	uint64_t peak = 0;

	for (int b = 0; b < n; b++)
		peak = bucket[b] > peak ? bucket[b] : peak;
	return peak;
}

/* One row of HISTOGRAM_COLUMNS cells, shaded against peak; empty cells blank. */
static void print_shades(FILE *out, const uint64_t *bucket, uint64_t peak)
{
	static const char shades[] = " .:-=+*#%@";

	fputc('|', out);
	for (int b = 0; b < HISTOGRAM_COLUMNS; b++)
		fputc(shades[bucket[b] ? 1 + bucket[b] * 8 / (peak ? peak : 1) : 0], out);
	fprintf(out, "|\n");
}

static int column_of(uint64_t value, uint64_t span)
{
	uint64_t b = span ? value * HISTOGRAM_COLUMNS / span : 0;

	return b < HISTOGRAM_COLUMNS ? (int)b : HISTOGRAM_COLUMNS - 1;
}

static void print_histogram(FILE *out, const struct faults_report *rep, int mi)
{
	const struct faults_mapping *m = &rep->maps[mi];
	uint64_t span = m->file_size > m->max_offset ? m->file_size : m->max_offset + 1;
	uint64_t bucket[HISTOGRAM_COLUMNS] = {0}, peak;
	char size[32];

	for (size_t i = 0; i < rep->nsamples; i++)
		if (rep->samples[i].mapping == mi)
			bucket[column_of(rep->samples[i].offset, span)]++;
	peak = peak_of(bucket, HISTOGRAM_COLUMNS);
	fprintf(out, "\n%s: faults over %s of offsets (peak %llu per column)\n", m->path,
	        emit_human_bytes(span, size, sizeof(size)), (unsigned long long)peak);
	print_shades(out, bucket, peak);
}

/* --samples in text: minor and major faults over the run's wall time. */
static void print_timeline(FILE *out, const struct faults_report *rep)
{
	uint64_t bucket[2][HISTOGRAM_COLUMNS] = {{0}}, peak[2];

	for (size_t i = 0; i < rep->nsamples; i++)
		bucket[rep->samples[i].major][column_of(rep->samples[i].t_ns, rep->wall_ns)]++;
	fprintf(out, "\ntimeline over %.1f ms, %.2f ms per column:\n", (double)rep->wall_ns / 1e6,
	        (double)rep->wall_ns / 1e6 / HISTOGRAM_COLUMNS);
	for (int k = 0; k < 2; k++) {
		peak[k] = peak_of(bucket[k], HISTOGRAM_COLUMNS);
		fprintf(out, "%-5s ", k ? "major" : "minor");
		print_shades(out, bucket[k], peak[k]);
	}
	fprintf(out, "      (peak %llu minor, %llu major per column)\n",
	        (unsigned long long)peak[0], (unsigned long long)peak[1]);
}

/* The first column fits the longest path shown, so long paths do not push
 * the figures out of line (the labels of the summing rows fit in 40). */
static int path_width(const struct faults_report *rep, const size_t *order, size_t n)
{
	size_t width = 40;

	for (size_t i = 0; i < n && i < TABLE_ROWS; i++)
		if (strlen(rep->maps[order[i]].path) > width)
			width = strlen(rep->maps[order[i]].path);
	return (int)width;
}

static void print_row(FILE *out, int width, const struct faults_mapping *m)
{
	fprintf(out, "%-*s %9llu %7llu %9llu", width, m->path, (unsigned long long)m->minor,
	        (unsigned long long)m->major, (unsigned long long)m->pages);
	if (m->cache_measured)
		fprintf(out, " %11lld\n", (long long)m->cache_after - (long long)m->cache_before);
	else
		fprintf(out, " %11s\n", "-");
}

/* One line for the mappings past the table's end, so the table stays short
 * and the columns still add up. */
static void print_rest(FILE *out, int width, const struct faults_report *rep, const size_t *order,
                       size_t n)
{
	uint64_t minor = 0, major = 0;
	char label[64];

	for (size_t i = 0; i < n; i++) {
		minor += rep->maps[order[i]].minor;
		major += rep->maps[order[i]].major;
	}
	snprintf(label, sizeof(label), "(%zu more mappings)", n);
	fprintf(out, "%-*s %9llu %7llu %9s %11s\n", width, label, (unsigned long long)minor,
	        (unsigned long long)major, "-", "-");
}

/* The --cold files' page cache before and after the run, whether or not
 * the command mapped them (a file read with read() takes no faults). */
static void print_cold_files(FILE *out, const struct faults_report *rep)
{
	for (size_t i = 0; i < rep->nmaps; i++) {
		const struct faults_mapping *m = &rep->maps[i];

		if (m->cache_measured)
			fprintf(out, "page cache of %s: %llu pages before, %llu after (%+lld)\n",
			        m->path, (unsigned long long)m->cache_before,
			        (unsigned long long)m->cache_after,
			        (long long)m->cache_after - (long long)m->cache_before);
		else if (m->cache_unavailable)
			fprintf(out, "page cache of %s: unknown (%s)\n", m->path,
			        m->cache_unavailable);
	}
}

void emit_faults_text(FILE *out, char *const argv[], const struct faults_report *rep,
                      bool with_samples)
{
	uint64_t un_minor, un_major;
	size_t *order;
	size_t n;
	int shown = 0, width;

	print_header(out, argv, rep);
	print_cold_files(out, rep);
	if (rep->unavailable && !rep->user_only)
		return;
	order = calloc(rep->nmaps + 1, sizeof(*order));
	n = rank_mappings(rep, order);
	width = path_width(rep, order, n);
	fprintf(out, "\n%-*s %9s %7s %9s %11s\n", width, "MAPPING", "MINOR", "MAJOR", "PAGES",
	        "CACHE+PAGES");
	for (size_t i = 0; i < n && i < TABLE_ROWS; i++)
		print_row(out, width, &rep->maps[order[i]]);
	if (n > TABLE_ROWS)
		print_rest(out, width, rep, order + TABLE_ROWS, n - TABLE_ROWS);
	count_unattributed(rep, &un_minor, &un_major);
	if (un_minor + un_major)
		fprintf(out, "%-*s %9llu %7llu %9s %11s\n", width, "(no mapping known)",
		        (unsigned long long)un_minor, (unsigned long long)un_major, "-", "-");
	if (rep->user_only)
		fprintf(out, "%-*s %9llu %7llu %9s %11s\n", width,
		        "(not sampled: exec, kernel mode)",
		        (unsigned long long)unsampled(rep->minor, rep->sampled_minor),
		        (unsigned long long)unsampled(rep->major, rep->sampled_major), "-", "-");
	for (size_t i = 0; i < n && shown < HISTOGRAM_FILES; i++) {
		if (rep->maps[order[i]].file && total_of(&rep->maps[order[i]])) {
			print_histogram(out, rep, (int)order[i]);
			shown++;
		}
	}
	if (with_samples)
		print_timeline(out, rep);
	free(order);
}

static const char *const phase_names[LIBFAULTS_NPHASES] = {"load", "call"};

json_t *emit_faults_lib_doc(const char *lib, const char *symbol, const char *loader,
                            const struct faults_lib_report *rep)
{
	json_t *doc = emit_doc("faults", true), *phases = json_array();
	uint64_t minor = 0, major = 0;

	emit_str(doc, "library", lib);
	emit_str(doc, "symbol", symbol);
	emit_str(doc, "loader", loader);
	json_object_set_new(doc, "already_loaded", json_boolean(rep->already_loaded));
	emit_str(doc, "source", rep->perf ? "perf_event" : "rusage");
	if (!rep->perf)
		emit_str(doc, "perf_event_unavailable", rep->perf_why);
	for (int i = 0; i < LIBFAULTS_NPHASES; i++) {
		const struct faults_lib_phase *p = &rep->phase[i];
		json_t *o = json_object();
		emit_str(o, "phase", phase_names[i]);
		emit_int(o, "minor", (int64_t)p->minor);
		emit_int(o, "major", (int64_t)p->major);
		emit_int(o, "ns", (int64_t)p->ns);
		json_array_append_new(phases, o);
		minor += p->minor;
		major += p->major;
	}
	emit_int(doc, "minor", (int64_t)minor);
	emit_int(doc, "major", (int64_t)major);
	json_object_set_new(doc, "phases", phases);
	return doc;
}

void emit_faults_lib_text(FILE *out, const char *lib, const char *symbol, const char *loader,
                          const struct faults_lib_report *rep)
{
	fprintf(out, "library: %s (%s)   symbol: %s   counted by: %s\n", lib, loader, symbol,
	        rep->perf ? "perf_event" : "getrusage");
	if (!rep->perf)
		fprintf(out, "(perf events refused: %s)\n", rep->perf_why);
	if (rep->already_loaded)
		fprintf(out, "note: mapscope had %s loaded already; load only raised its count\n",
		        lib);
	fprintf(out, "\n%-6s %9s %7s %12s\n", "PHASE", "MINOR", "MAJOR", "TIME us");
	for (int i = 0; i < LIBFAULTS_NPHASES; i++)
		fprintf(out, "%-6s %9llu %7llu %12.1f\n", phase_names[i],
		        (unsigned long long)rep->phase[i].minor,
		        (unsigned long long)rep->phase[i].major, (double)rep->phase[i].ns / 1e3);
}
