#include "support/prom_check.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NAME 256

/* What was seen of one metric name. */
struct family {
	char name[MAX_NAME];
	bool help, type, sampled, closed; /* closed: another metric's samples came after */
};

struct state {
	struct prom_report *rep;
	int line;
	struct family *families;
	size_t nfamilies;
	char **series;
	size_t nseries;
	long current; /* index of the metric whose samples came last, or -1 */
};

static void violate(struct state *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void violate(struct state *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (s->rep->violations++ > 0)
		return;
	n = snprintf(s->rep->first, sizeof(s->rep->first), "line %d: ", s->line);
	va_start(ap, fmt);
	vsnprintf(s->rep->first + n, sizeof(s->rep->first) - n, fmt, ap);
	va_end(ap);
}

/* The index of name's family, added if new (which may move the array). */
static long find_family(struct state *s, const char *name)
{
	for (size_t i = 0; i < s->nfamilies; i++)
		if (strcmp(s->families[i].name, name) == 0)
			return (long)i;
	s->families = realloc(s->families, (s->nfamilies + 1) * sizeof(*s->families));
	memset(&s->families[s->nfamilies], 0, sizeof(*s->families));
	snprintf(s->families[s->nfamilies].name, MAX_NAME, "%s", name);
	return (long)s->nfamilies++;
}

/* Length of the name at p ([a-zA-Z_:][a-zA-Z0-9_:]*, or without ':' for
 * labels), 0 if there is none. */
static size_t name_length(const char *p, bool colons)
{
	size_t n = 0;

	while (isalpha((unsigned char)p[n]) || p[n] == '_' || (colons && p[n] == ':') ||
	       (n > 0 && isdigit((unsigned char)p[n])))
		n++;
	return n;
}

/* Copies the metric name at *p into name and moves *p past it. */
static bool take_name(struct state *s, const char **p, char name[MAX_NAME])
{
	size_t n = name_length(*p, true);

	if (n == 0 || n >= MAX_NAME) {
		violate(s, "bad metric name");
		return false;
	}
	memcpy(name, *p, n);
	name[n] = '\0';
	*p += n;
	return true;
}

/* The escapes allowed in text: \\ and \n, and \" when quoted. */
static bool check_escapes(struct state *s, const char *p, const char *end, bool quoted)
{
	for (; p < end; p++) {
		if (*p != '\\')
			continue;
		p++;
		if (p == end || !(*p == '\\' || *p == 'n' || (quoted && *p == '"'))) {
			violate(s, "bad escape in %s", quoted ? "a label value" : "HELP text");
			return false;
		}
	}
	return true;
}

static void check_comment(struct state *s, const char *p)
{
	static const char *const types[] = {"counter", "gauge", "histogram", "summary", "untyped"};
	char name[MAX_NAME];
	bool help = strncmp(p, "# HELP ", 7) == 0, type = strncmp(p, "# TYPE ", 7) == 0;
	struct family *f;
	long i;

	if (!help && !type)
		return; /* any other comment is allowed */
	p += 7;
	if (!take_name(s, &p, name))
		return;
	i = find_family(s, name); /* may move the array */
	f = &s->families[i];
	if (f->sampled)
		violate(s, "%s for %s after its samples", help ? "HELP" : "TYPE", name);
	if ((help && f->help) || (type && f->type))
		violate(s, "second %s for %s", help ? "HELP" : "TYPE", name);
	if (*p != ' ' && !(help && *p == '\0')) {
		violate(s, "no space after the metric name");
		return;
	}
	if (*p)
		p++;
	if (help) {
		f->help = true;
		check_escapes(s, p, p + strlen(p), false);
		return;
	}
	f->type = true;
	s->rep->families++;
	for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++)
		if (strcmp(p, types[t]) == 0)
			return;
	violate(s, "unknown type '%s'", p);
}

/* {name="value",...}: moves *p past the closing brace. */
static bool check_labels(struct state *s, const char **p)
{
	char seen[16][MAX_NAME];
	int nseen = 0;
	const char *q = *p + 1;

	while (*q != '}') {
		size_t n = name_length(q, false);
		const char *v;

		if (n == 0 || n >= MAX_NAME || strncmp(q, "__", 2) == 0) {
			violate(s, "bad label name");
			return false;
		}
		for (int i = 0; i < nseen; i++)
			if (strlen(seen[i]) == n && strncmp(seen[i], q, n) == 0)
				violate(s, "label %.*s twice", (int)n, q);
		if (nseen < 16)
			snprintf(seen[nseen++], MAX_NAME, "%.*s", (int)n, q);
		q += n;
		if (q[0] != '=' || q[1] != '"') {
			violate(s, "label without =\"value\"");
			return false;
		}
		for (v = q += 2; *q && *q != '"'; q++)
			if (*q == '\\' && q[1])
				q++;
		if (*q != '"' || !check_escapes(s, v, q, true)) {
			if (*q != '"')
				violate(s, "unterminated label value");
			return false;
		}
		q++;
		if (*q == ',')
			q++;
		else if (*q != '}') {
			violate(s, "expected , or } after a label");
			return false;
		}
	}
	*p = q + 1;
	return true;
}

static bool is_number(const char *tok, size_t n)
{
	static const char *const special[] = {"NaN", "+Inf", "-Inf", "Inf"};
	char buf[64], *end;

	if (n == 0 || n >= sizeof(buf))
		return false;
	memcpy(buf, tok, n);
	buf[n] = '\0';
	for (size_t i = 0; i < 4; i++)
		if (strcmp(buf, special[i]) == 0)
			return true;
	strtod(buf, &end);
	return *end == '\0' && (isdigit((unsigned char)buf[0]) || strchr("+-.", buf[0]));
}

static void remember_series(struct state *s, const char *start, const char *end)
{
	char *series = strndup(start, end - start);

	for (size_t i = 0; i < s->nseries; i++) {
		if (strcmp(s->series[i], series) == 0) {
			violate(s, "series %s twice", series);
			free(series);
			return;
		}
	}
	s->series = realloc(s->series, (s->nseries + 1) * sizeof(*s->series));
	s->series[s->nseries++] = series;
}

/* A metric's samples must come together: once another metric's samples
 * start, it is closed. */
static void note_sample_of(struct state *s, const char *name)
{
	long i = find_family(s, name);

	if (s->families[i].closed)
		violate(s, "samples of %s are not together", name);
	if (s->current >= 0 && s->current != i)
		s->families[s->current].closed = true;
	s->families[i].sampled = true;
	s->current = i;
}

static void check_sample(struct state *s, const char *line)
{
	char name[MAX_NAME];
	const char *p = line, *value;
	size_t n;

	if (!take_name(s, &p, name))
		return;
	if (*p == '{' && !check_labels(s, &p))
		return;
	remember_series(s, line, p);
	note_sample_of(s, name);
	s->rep->samples++;
	if (*p != ' ') {
		violate(s, "no space before the value");
		return;
	}
	value = p + 1;
	n = strcspn(value, " ");
	if (!is_number(value, n))
		violate(s, "value '%.*s' is not a number", (int)n, value);
	if (value[n] == ' ') {
		const char *ts = value + n + 1;
		size_t m = strspn(ts, "-0123456789");

		if (m == 0 || ts[m] != '\0')
			violate(s, "bad timestamp");
	}
}

int prom_check(const char *text, struct prom_report *rep)
{
	struct state s = {.rep = rep, .current = -1};
	const char *p = text;

	memset(rep, 0, sizeof(*rep));
	while (*p) {
		const char *nl = strchr(p, '\n');
		char *line;

		s.line++;
		if (!nl) {
			violate(&s, "the last line has no newline");
			break;
		}
		line = strndup(p, nl - p);
		if (line[0] == '#')
			check_comment(&s, line);
		else if (line[0] != '\0')
			check_sample(&s, line);
		free(line);
		p = nl + 1;
	}
	for (size_t i = 0; i < s.nseries; i++)
		free(s.series[i]);
	free(s.series);
	free(s.families);
	return rep->violations;
}
