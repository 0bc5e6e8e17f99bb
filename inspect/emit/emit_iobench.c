#include "emit/emit_iobench.h"
#include "core/emit.h"

#include <stddef.h>
#include <string.h>

static const char *pattern_name(enum iobench_pattern p)
{
	return p == IOBENCH_SEQ ? "seq" : "rand";
}

static double gib_per_s(const struct iobench_result *r)
{
	return r->ns ? (double)r->bytes / (double)r->ns * 1e9 / (double)(1 << 30) : 0;
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
			json_object_set_new(o, "gib_per_s", json_real(gib_per_s(r)));
	}
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
	return o;
}

void emit_iobench_text_header(FILE *out, const char *path, uint64_t size)
{
	char human[32];

	fprintf(out, "%s: %s, every byte read (or one byte per page written)\n\n", path,
	        emit_human_bytes(size, human, sizeof(human)));
	fprintf(out, "%-19s %-4s %-4s %8s %9s %7s %7s %8s %8s %8s %8s\n", "METHOD", "ORDR",
	        "CACHE", "GiB/s", "ms", "MINOR", "MAJOR", "SYSCALLS", "USER ms", "SYS ms",
	        "CPU ms");
}

void emit_iobench_text_row(FILE *out, const struct iobench_result *r)
{
	fprintf(out, "%-19s %-4s %-5s", r->method->name, pattern_name(r->pattern),
	        r->cold ? "cold" : "warm");
	if (r->unavailable) {
		fprintf(out, " not measured: %s\n", r->unavailable);
		return;
	}
	fprintf(out, "%7.2f %9.1f %7llu %7llu %8llu %8.1f %8.1f %8.1f\n", gib_per_s(r),
	        (double)r->ns / 1e6, (unsigned long long)r->minor, (unsigned long long)r->major,
	        (unsigned long long)r->syscalls, (double)r->user_ns / 1e6, (double)r->sys_ns / 1e6,
	        (double)r->cpu_ns / 1e6);
	fflush(out);
}
