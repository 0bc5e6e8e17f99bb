#include "emit.h"

#include <stdarg.h>
#include <string.h>
#include <unistd.h>

int emit_parse_format(const char *name, enum emit_format *out)
{
	static const struct {
		const char *name;
		enum emit_format format;
	} formats[] = {
		{"json", EMIT_JSON},
		{"jsonl", EMIT_JSONL},
		{"text", EMIT_TEXT},
		{"prometheus", EMIT_PROMETHEUS},
	};
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		if (strcmp(name, formats[i].name) == 0) {
			*out = formats[i].format;
			return 0;
		}
	}
	return -1;
}

json_t *emit_doc(const char *kind, bool with_page_size)
{
	json_t *doc = json_object();
	emit_str(doc, "schema", EMIT_SCHEMA);
	emit_str(doc, "kind", kind);
	if (with_page_size)
		emit_int(doc, "page_size", sysconf(_SC_PAGESIZE));
	return doc;
}

void emit_int(json_t *obj, const char *key, int64_t value)
{
	json_object_set_new(obj, key, json_integer(value));
}

void emit_str(json_t *obj, const char *key, const char *value)
{
	json_object_set_new(obj, key, value ? json_string(value) : json_null());
}

void emit_unmeasured(json_t *obj, const char *key, const char *reason)
{
	char why[256];

	json_object_set_new(obj, key, json_null());
	snprintf(why, sizeof(why), "%s_unavailable", key);
	emit_str(obj, why, reason);
}

void emit_measured(json_t *obj, const char *key, int64_t value, const char *reason)
{
	if (reason)
		emit_unmeasured(obj, key, reason);
	else
		emit_int(obj, key, value);
}

int emit_json(json_t *doc, FILE *out, enum emit_format format)
{
	size_t flags = JSON_PRESERVE_ORDER;
	int rc;

	if (format != EMIT_JSONL && isatty(fileno(out)))
		flags |= JSON_INDENT(2);
	else
		flags |= JSON_COMPACT;
	rc = json_dumpf(doc, out, flags);
	json_decref(doc);
	if (rc == 0 && fputc('\n', out) != EOF && fflush(out) == 0)
		return 0;
	return -1;
}

void emit_error(const char *prog, const char *kind, enum emit_format format, const char *fmt,
		...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: %s\n", prog, msg);
	if (format == EMIT_JSON || format == EMIT_JSONL) {
		json_t *doc = emit_doc(kind, false);
		emit_str(doc, "error", msg);
		emit_json(doc, stdout, EMIT_JSONL);
	}
}

void emit_bar(FILE *out, uint64_t part, uint64_t whole, int width)
{
	int filled = whole ? (int)((part * (uint64_t)width + whole / 2) / whole) : 0;

	if (filled > width)
		filled = width;
	fputc('[', out);
	for (int i = 0; i < width; i++)
		fputc(i < filled ? '#' : '.', out);
	fputc(']', out);
}

const char *emit_human_bytes(uint64_t bytes, char *buf, size_t len)
{
	static const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
	double v = (double)bytes;
	int u = 0;

	while (v >= 1024 && u < 5) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%llu B", (unsigned long long)bytes);
	else
		snprintf(buf, len, "%.1f %s", v, units[u]);
	return buf;
}
