#include "core/emit.h"
#include "core/interrupt.h"

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

bool emit_is_utf8(const char *s)
{
	while (*s) {
		int seq = emit_utf8_length(s);
		if (seq == 0)
			return false;
		s += seq;
	}
	return true;
}

json_t *emit_string(const char *s)
{
	static const char replacement[] = "\xef\xbf\xbd"; /* U+FFFD */
	json_t *str = json_string(s);
	size_t n = strlen(s), len = 0;
	char *fixed;

	if (str)
		return str;
	/* Not UTF-8: each stray byte becomes U+FFFD; emit_str puts the exact
	 * bytes beside it in hex. */
	fixed = malloc(3 * n + 1);
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
		memcpy(fixed + len, replacement, 3);
		len += 3;
		s++;
	}
	str = json_stringn(fixed, len);
	free(fixed);
	return str ? str : json_null();
}

/* The bytes of s in lowercase hex, two digits a byte; malloc'd. */
static char *hex_of(const char *s)
{
	size_t n = strlen(s);
	char *hex = malloc(2 * n + 1);

	if (!hex)
		return NULL;
	for (size_t i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", (unsigned char)s[i]);
	hex[2 * n] = '\0';
	return hex;
}

void emit_write_string(FILE *out, const char *s)
{
	json_t *str = emit_string(s);

	json_dumpf(str, out, JSON_ENCODE_ANY);
	json_decref(str);
}

void emit_write_member(FILE *out, const char *key, const char *s)
{
	char *hex;

	fprintf(out, "\"%s\":", key);
	emit_write_string(out, s);
	if (emit_is_utf8(s) || !(hex = hex_of(s)))
		return;
	fprintf(out, ",\"%s_hex\":\"%s\"", key, hex);
	free(hex);
}

void emit_str(json_t *obj, const char *key, const char *value)
{
	char hex_key[256], *hex;

	json_object_set_new(obj, key, value ? emit_string(value) : json_null());
	if (!value || emit_is_utf8(value) || !(hex = hex_of(value)))
		return;
	snprintf(hex_key, sizeof(hex_key), "%s_hex", key);
	json_object_set_new(obj, hex_key, json_string(hex));
	free(hex);
}

void emit_str_list(json_t *obj, const char *key, char *const *items, size_t n)
{
	json_t *list = json_array(), *hexes = NULL;
	char hex_key[256];

	for (size_t i = 0; i < n; i++) {
		json_array_append_new(list, emit_string(items[i]));
		if (!emit_is_utf8(items[i]) && !hexes)
			hexes = json_array();
	}
	json_object_set_new(obj, key, list);
	if (!hexes)
		return;
	for (size_t i = 0; i < n; i++) {
		char *hex = hex_of(items[i]);
		json_array_append_new(hexes, hex ? json_string(hex) : json_null());
		free(hex);
	}
	snprintf(hex_key, sizeof(hex_key), "%s_hex", key);
	json_object_set_new(obj, hex_key, hexes);
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

void emit_interrupted(json_t *doc)
{
	if (interrupt_name() && !json_object_get(doc, "interrupted"))
		emit_str(doc, "interrupted", interrupt_name());
}

int emit_json(json_t *doc, FILE *out, enum emit_format format)
{
	size_t flags = JSON_PRESERVE_ORDER;
	int rc;

	emit_interrupted(doc);
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

/* The state of an emit_indented stream: compact JSON in, indented out. */
struct indenter {
	FILE *out;
	int depth;
	bool in_string, escaped, opened; /* opened: '{' or '[' just written */
};

static void indent_line(struct indenter *in)
{
	fputc('\n', in->out);
	for (int i = 0; i < in->depth; i++)
		fputs("  ", in->out);
}

static void indent_char(struct indenter *in, char c)
{
	bool closing = c == '}' || c == ']';

	if (in->in_string) {
		fputc(c, in->out);
		in->in_string = in->escaped || c != '"';
		in->escaped = !in->escaped && c == '\\';
		return;
	}
	if (c == ' ' || c == '\n' || c == '\t' || c == '\r')
		return;
	if (in->opened && !closing)
		indent_line(in);
	if (closing) {
		in->depth--;
		if (!in->opened)
			indent_line(in);
	}
	in->opened = false;
	fputc(c, in->out);
	if (c == '{' || c == '[') {
		in->depth++;
		in->opened = true;
	} else if (c == ',') {
		indent_line(in);
	} else if (c == ':') {
		fputc(' ', in->out);
	} else if (c == '"') {
		in->in_string = true;
	} else if (closing && in->depth == 0) {
		fputc('\n', in->out);
	}
}

static ssize_t indent_write(void *cookie, const char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++)
		indent_char(cookie, buf[i]);
	return ferror(((struct indenter *)cookie)->out) ? -1 : (ssize_t)n;
}

static int indent_close(void *cookie)
{
	struct indenter *in = cookie;
	int rc = fflush(in->out);

	free(in);
	return rc;
}

FILE *emit_indented(FILE *out)
{
	struct indenter *in = calloc(1, sizeof(*in));
	FILE *f;

	if (!in)
		return NULL;
	in->out = out;
	f = fopencookie(in, "w",
	                (cookie_io_functions_t){.write = indent_write, .close = indent_close});
	if (!f)
		free(in);
	return f;
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

char *emit_text_safe(const char *s)
{
	char *safe = malloc(4 * strlen(s) + 1), *o = safe;

	if (!safe)
		return NULL;
	while (*s) {
		unsigned char c = (unsigned char)*s;
		int seq = emit_utf8_length(s);
		/* A backslash before 'x' would read as an escape: escape it too. */
		bool plain = seq > 1 ||
		             (seq == 1 && c >= 0x20 && c != 0x7f && !(c == '\\' && s[1] == 'x'));

		if (plain) {
			memcpy(o, s, (size_t)seq);
			o += seq;
			s += seq;
			continue;
		}
		o += sprintf(o, "\\x%02x", c);
		s++;
	}
	*o = '\0';
	return safe;
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
