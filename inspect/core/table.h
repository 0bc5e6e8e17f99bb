/*
 * table: the text tables of both CLIs, through libsmartcols as util-linux's
 * own tools print theirs: a header row, columns fitted to the terminal (100
 * columns when the output is not one), sizes in human units unless the user
 * asks for --bytes, and the columns chosen with -o/--output.
 *
 * A command describes its columns once in a table_column array and fills
 * rows by column index; a column the user did not choose is skipped.
 */
#ifndef TABLE_H
#define TABLE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define TABLE_WIDTH_NOT_A_TERMINAL 100

enum {
	TABLE_RIGHT = 1 << 0,  /* numbers */
	TABLE_TRUNC = 1 << 1,  /* may be cut to fit (paths, names) */
	TABLE_HIDDEN = 1 << 2, /* only shown when named with --output */
	TABLE_WRAP = 1 << 3,   /* wrapped onto more lines to fit (paths: nothing lost) */
};

struct table_column {
	const char *name; /* header, and the name --output takes */
	const char *help; /* one line for --help */
	double width;     /* libsmartcols width hint: < 1 a fraction of the width */
	unsigned flags;
};

/* What the user asked of every table (the common options). */
struct table_options {
	const char *output; /* "NAME,NAME,..." or NULL for the defaults */
	bool bytes;         /* exact byte counts instead of human units */
	bool no_headings;
	bool raw; /* columns separated by one space, nothing aligned */
};

struct table;

/* A table of the chosen columns. NULL with a message in why when --output
 * names a column that does not exist (or memory runs out). */
struct table *table_new(const struct table_column *cols, size_t ncols,
                        const struct table_options *opt, char *why, size_t cap);
/* Starts a new row; the cells below fill it. 0 or -1. */
int table_row(struct table *t);
void table_text(struct table *t, size_t col, const char *text);
void table_bytes(struct table *t, size_t col, uint64_t bytes);
void table_count(struct table *t, size_t col, uint64_t n);
/* Prints the table to out and releases it. 0, or -1 if the write failed. */
int table_print(struct table *t, FILE *out);
/* Prints the rows so far (the header with the first) and forgets them, for
 * output that must not wait for the end (a tree of files, one sample per
 * interval). Columns keep their width hints as fixed widths so that what is
 * printed in pieces stays aligned. 0, or -1 if the write failed. */
int table_flush(struct table *t, FILE *out);
void table_free(struct table *t);

/* A size outside a table in the table's units ("1.5M", or "1234 bytes"
 * with --bytes), so that one output speaks one unit family. Returns buf. */
const char *table_size_text(const struct table_options *opt, uint64_t bytes, char *buf,
                            size_t cap);

/* The columns, one per line with their help, for a command's --help. */
void table_list_columns(FILE *out, const struct table_column *cols, size_t ncols);

/* Text shown to people outside a table: control characters (a newline in
 * a file name) become \xHH into buf, as libsmartcols shows them in cells. */
const char *table_safe_text(const char *s, char *buf, size_t cap);

#endif
