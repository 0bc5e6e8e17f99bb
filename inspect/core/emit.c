#include "core/emit.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

int emit_utf8_length(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	static const struct {
		unsigned char lead_lo, lead_hi, next_lo, next_hi, len;
	} forms[] = {
	        {0xc2, 0xdf, 0x80, 0xbf, 2}, {0xe0, 0xe0, 0xa0, 0xbf, 3},
	        {0xe1, 0xec, 0x80, 0xbf, 3}, {0xed, 0xed, 0x80, 0x9f, 3},
	        {0xee, 0xef, 0x80, 0xbf, 3}, {0xf0, 0xf0, 0x90, 0xbf, 4},
	        {0xf1, 0xf3, 0x80, 0xbf, 4}, {0xf4, 0xf4, 0x80, 0x8f, 4},
	};

	if (s[0] < 0x80)
		return 1;
	for (size_t f = 0; f < sizeof(forms) / sizeof(forms[0]); f++) {
		if (s[0] < forms[f].lead_lo || s[0] > forms[f].lead_hi)
			continue;
		if (s[1] < forms[f].next_lo || s[1] > forms[f].next_hi)
			return 0;
		for (int i = 2; i < forms[f].len; i++)
			if ((s[i] & 0xc0) != 0x80)
				return 0;
		return forms[f].len;
	}
	return 0;
}

json_t *emit_string(const char *s)
{
	json_t *str = json_string(s);
	size_t n = strlen(s), len = 0;
	char *fixed;

	if (str)
		return str;
	/* Not UTF-8: each stray byte becomes two bytes, U+0080..U+00FF. */
	fixed = malloc(2 * n + 1);
	if (!fixed)
		return json_null();
	while (*s) {
		int seq = emit_utf8_length(s);
		if (seq > 0) {
			memcpy(fixed + len, s, (size_t)seq);
			len += (size_t)seq;
			s += seq;
			continue;
		}
		fixed[len++] = (char)(0xc0 | ((unsigned char)*s >> 6));
		fixed[len++] = (char)(0x80 | ((unsigned char)*s & 0x3f));
		s++;
	}
	str = json_stringn(fixed, len);
	free(fixed);
	return str ? str : json_null();
}

void emit_write_string(FILE *out, const char *s)
{
	json_t *str = emit_string(s);

	json_dumpf(str, out, JSON_ENCODE_ANY);
	json_decref(str);
}

void emit_str(json_t *obj, const char *key, const char *value)
{
	json_object_set_new(obj, key, value ? emit_string(value) : json_null());
}

json_t *emit_proc_errors(const struct proc_errors *e)
{
	json_t *list = json_array();

	for (size_t i = 0; i < e->count; i++) {
		json_t *o = json_object();
		emit_int(o, "pid", e->items[i].pid);
		emit_str(o, "error", e->items[i].error);
		json_array_append_new(list, o);
	}
	return list;
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

void emit_error(const char *prog, const char *kind, enum emit_format format, const char *fmt, ...)
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

const char *emit_plural(uint64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
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
