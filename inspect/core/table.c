#include "core/table.h"

#include "core/emit.h"

#include <libsmartcols/libsmartcols.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_COLUMNS 32

struct table {
	struct libscols_table *tb;
	struct libscols_line *line;
	const struct table_options *opt;
	/* For each of the command's columns, its libsmartcols column, or NULL
	 * when the user did not choose it. */
	struct libscols_column *shown[MAX_COLUMNS];
};

static long find_column(const struct table_column *cols, size_t ncols, const char *name,
                        size_t len)
{
	for (size_t i = 0; i < ncols; i++)
		if (strlen(cols[i].name) == len && strncasecmp(cols[i].name, name, len) == 0)
			return (long)i;
	return -1;
}

/* The columns to show, in order: --output's list, or every column not
 * hidden. Returns how many, or -1 with why. */
static int choose_columns(const struct table_column *cols, size_t ncols, const char *output,
                          size_t *order, char *why, size_t cap)
{
	int n = 0;

	if (!output) {
		for (size_t i = 0; i < ncols; i++)
			if (!(cols[i].flags & TABLE_HIDDEN))
				order[n++] = i;
		return n;
	}
	for (const char *p = output; *p;) {
		size_t len = strcspn(p, ",");
		long c = find_column(cols, ncols, p, len);

		if (c < 0) {
			snprintf(why, cap, "unknown column '%.*s'", (int)len, p);
			return -1;
		}
		if (n < MAX_COLUMNS)
			order[n++] = (size_t)c;
		p += len + (p[len] == ',');
	}
	if (n == 0)
		snprintf(why, cap, "--output names no column");
	return n ? n : -1;
}

static int add_columns(struct table *t, const struct table_column *cols, const size_t *order,
                       int n)
{
	for (int i = 0; i < n; i++) {
		const struct table_column *c = &cols[order[i]];
		int flags = (c->flags & TABLE_RIGHT ? SCOLS_FL_RIGHT : 0) |
		            (c->flags & TABLE_TRUNC ? SCOLS_FL_TRUNC : 0);

		t->shown[order[i]] = scols_table_new_column(t->tb, c->name, c->width, flags);
		if (!t->shown[order[i]])
			return -1;
	}
	return 0;
}

struct table *table_new(const struct table_column *cols, size_t ncols,
                        const struct table_options *opt, char *why, size_t cap)
{
	size_t order[MAX_COLUMNS];
	struct table *t;
	int n;

	if (ncols > MAX_COLUMNS ||
	    (n = choose_columns(cols, ncols, opt->output, order, why, cap)) < 0)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t || !(t->tb = scols_new_table()) || add_columns(t, cols, order, n) != 0) {
		snprintf(why, cap, "out of memory");
		table_free(t);
		return NULL;
	}
	t->opt = opt;
	scols_table_enable_noheadings(t->tb, opt->no_headings);
	scols_table_enable_raw(t->tb, opt->raw);
	return t;
}

int table_row(struct table *t)
{
	t->line = scols_table_new_line(t->tb, NULL);
	return t->line ? 0 : -1;
}

void table_text(struct table *t, size_t col, const char *text)
{
	/* libsmartcols shows control characters as \xHH itself. */
	if (col < MAX_COLUMNS && t->shown[col] && t->line)
		scols_line_set_column_data(t->line, t->shown[col], text ? text : "-");
}

void table_bytes(struct table *t, size_t col, uint64_t bytes)
{
	char buf[32];

	if (t->opt->bytes)
		snprintf(buf, sizeof(buf), "%" PRIu64, bytes);
	else
		emit_human_bytes(bytes, buf, sizeof(buf));
	table_text(t, col, buf);
}

void table_count(struct table *t, size_t col, uint64_t n)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRIu64, n);
	table_text(t, col, buf);
}

int table_print(struct table *t, FILE *out)
{
	int rc;

	scols_table_set_stream(t->tb, out);
	/* Fitted to a terminal; elsewhere to a fixed width, so that what a
	 * script or a test reads does not depend on where it ran. */
	if (!isatty(fileno(out))) {
		scols_table_set_termforce(t->tb, SCOLS_TERMFORCE_ALWAYS);
		scols_table_set_termwidth(t->tb, TABLE_WIDTH_NOT_A_TERMINAL);
	}
	rc = scols_print_table(t->tb);
	table_free(t);
	return rc == 0 && fflush(out) == 0 ? 0 : -1;
}

void table_free(struct table *t)
{
	if (!t)
		return;
	scols_unref_table(t->tb);
	free(t);
}

void table_list_columns(FILE *out, const struct table_column *cols, size_t ncols)
{
	for (size_t i = 0; i < ncols; i++)
		fprintf(out, "  %-14s %s%s\n", cols[i].name, cols[i].help,
		        cols[i].flags & TABLE_HIDDEN ? " (with --output)" : "");
}

const char *table_safe_text(const char *s, char *buf, size_t cap)
{
	size_t n = 0;

	for (; *s && n + 5 < cap; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f)
			n += (size_t)snprintf(buf + n, cap - n, "\\x%02x", c);
		else
			buf[n++] = (char)c;
	}
	buf[n] = '\0';
	return buf;
}
