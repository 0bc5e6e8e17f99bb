#include "emit_iobench.h"
#include "emit.h"

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

json_t *emit_iobench_entry(const struct iobench_result *r)
{
	json_t *o = json_object();
	static const char *keys[] = {"bytes", "ns",       "gib_per_s", "minor",
	                             "major", "syscalls", "user_ns",   "sys_ns"};

	emit_method(o, r->method);
	emit_str(o, "pattern", pattern_name(r->pattern));
	emit_str(o, "cache", r->cold ? "cold" : "warm");
	if (r->unavailable) {
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			emit_unmeasured(o, keys[i], r->unavailable);
	} else {
		emit_int(o, "bytes", (int64_t)r->bytes);
		emit_int(o, "ns", (int64_t)r->ns);
		json_object_set_new(o, "gib_per_s", json_real(gib_per_s(r)));
		emit_int(o, "minor", (int64_t)r->minor);
		emit_int(o, "major", (int64_t)r->major);
		emit_int(o, "syscalls", (int64_t)r->syscalls);
		emit_int(o, "user_ns", (int64_t)r->user_ns);
		emit_int(o, "sys_ns", (int64_t)r->sys_ns);
		emit_int(o, "cpu_ns", (int64_t)r->cpu_ns);
	}
	emit_measured(o, "resident_pages_before", r->resident_before,
	              r->resident_before < 0 ? "page-cache residency could not be measured"
	                                     : NULL);
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
