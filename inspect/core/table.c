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
	bool flushed; /* table_flush printed the header already */
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
		            (c->flags & TABLE_TRUNC ? SCOLS_FL_TRUNC : 0) |
		            (c->flags & TABLE_WRAP ? SCOLS_FL_WRAP : 0);

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

/* As util-linux's tables show sizes: "4K", "1.5M", "512B" (powers of 1024),
 * at most 7 characters, so that a row of sizes fits beside a path. */
static void human_size(uint64_t bytes, char *buf, size_t cap)
{
	static const char units[] = "BKMGTPE";
	uint64_t whole = bytes;
	int u = 0;

	while (whole >= 1024 && u < 6) {
		whole >>= 10;
		u++;
	}
	if (u == 0) {
		snprintf(buf, cap, "%" PRIu64 "B", bytes);
		return;
	}
	/* One decimal, rounded, dropped when it is 0 ("4K", not "4.0K"). */
	uint64_t tenths = (uint64_t)(((double)bytes / (double)(1ULL << (10 * u))) * 10 + 0.5);

	if (tenths % 10 == 0)
		snprintf(buf, cap, "%" PRIu64 "%c", tenths / 10, units[u]);
	else
		snprintf(buf, cap, "%" PRIu64 ".%" PRIu64 "%c", tenths / 10, tenths % 10,
		         units[u]);
}

const char *table_size_text(const struct table_options *opt, uint64_t bytes, char *buf, size_t cap)
{
	if (opt && opt->bytes)
		snprintf(buf, cap, "%" PRIu64 " bytes", bytes);
	else
		human_size(bytes, buf, cap);
	return buf;
}

void table_bytes(struct table *t, size_t col, uint64_t bytes)
{
	char buf[32];

	if (t->opt->bytes)
		snprintf(buf, sizeof(buf), "%" PRIu64, bytes);
	else
		human_size(bytes, buf, sizeof(buf));
	table_text(t, col, buf);
}

void table_count(struct table *t, size_t col, uint64_t n)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRIu64, n);
	table_text(t, col, buf);
}

static void set_stream(struct table *t, FILE *out)
{
	scols_table_set_stream(t->tb, out);
	/* Fitted to a terminal; elsewhere to a fixed width, so that what a
	 * script or a test reads does not depend on where it ran. */
	if (!isatty(fileno(out))) {
		scols_table_set_termforce(t->tb, SCOLS_TERMFORCE_ALWAYS);
		scols_table_set_termwidth(t->tb, TABLE_WIDTH_NOT_A_TERMINAL);
	}
}

int table_print(struct table *t, FILE *out)
{
	int rc;

	set_stream(t, out);
	rc = scols_print_table(t->tb);
	table_free(t);
	return rc == 0 && fflush(out) == 0 ? 0 : -1;
}

int table_flush(struct table *t, FILE *out)
{
	struct libscols_column *cl;
	struct libscols_iter *it;
	int rc;

	if (!t->flushed) {
		set_stream(t, out);
		it = scols_new_iter(SCOLS_ITER_FORWARD);
		while (it && scols_table_next_column(t->tb, it, &cl) == 0)
			if (scols_column_get_whint(cl) >= 1)
				scols_column_set_flags(cl, scols_column_get_flags(cl) |
				                                   SCOLS_FL_STRICTWIDTH);
		scols_free_iter(it);
	}
	if (scols_table_get_nlines(t->tb) == 0)
		return 0;
	rc = scols_print_table(t->tb);
	t->flushed = true;
	scols_table_enable_noheadings(t->tb, 1);
	scols_table_remove_lines(t->tb);
	t->line = NULL;
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
