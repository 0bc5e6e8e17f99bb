/* emit_iobench: iobench results as JSON entries and as text tables
 * (core/table), printed a row at a time as each run ends: read against mmap
 * (with the memory the write phases took), the five ways to copy a file
 * out, and readiness multiplexing. Each _header prints what is measured and
 * returns the table the rows go to (NULL if it cannot be made); the caller
 * releases it with table_free. */
#ifndef EMIT_IOBENCH_H
#define EMIT_IOBENCH_H

#include "probe/iobench.h"
#include "probe/iobench_copy.h"
#include "core/table.h"
#include "emit/linechart.h"
#include "probe/iobench_multiplex.h"

#include <jansson.h>
#include <stdio.h>

/* The scratch file's place in a document: scratch_dir and
 * scratch_same_filesystem, or null with the reason. */
void emit_iobench_scratch(json_t *doc, const struct iobench_scratch *s);

json_t *emit_iobench_entry(const struct iobench_result *r);
struct table *emit_iobench_text_header(FILE *out, const char *path, uint64_t size,
                                       const struct iobench_scratch *s,
                                       const struct table_options *opt);
void emit_iobench_text_row(FILE *out, struct table *t, const struct iobench_result *r);
/* The memory table: one row per write run in r[0..n), all its columns. */
void emit_iobench_text_memory(FILE *out, const struct iobench_result *r, size_t n,
                              const struct table_options *opt);
extern const struct table_column emit_iobench_columns[];
extern const size_t emit_iobench_ncolumns;

json_t *emit_iobench_copy_entry(const struct iobench_copy_result *r);
struct table *emit_iobench_copy_header(FILE *out, const char *path, uint64_t size,
                                       const struct iobench_scratch *s,
                                       const struct table_options *opt);
void emit_iobench_copy_row(FILE *out, struct table *t, const struct iobench_copy_result *r);
extern const struct table_column emit_iobench_copy_columns[];
extern const size_t emit_iobench_copy_ncolumns;

json_t *emit_iobench_mux_entry(const struct iobench_mux_result *r);
struct table *emit_iobench_mux_header(FILE *out, unsigned events, const struct table_options *opt);
/* first: the same method's result at the fewest idle descriptors, or NULL. */
void emit_iobench_mux_row(FILE *out, struct table *t, const struct iobench_mux_result *r,
                          const struct iobench_mux_result *first);
extern const struct table_column emit_iobench_mux_columns[];
extern const size_t emit_iobench_mux_ncolumns;

/* The --svg picture: CPU per event and wake-up time against idle
 * descriptors, a line per method. */
void emit_iobench_mux_chart_init(struct linechart *c, unsigned events);
void emit_iobench_mux_chart_add(struct linechart *c, const struct iobench_mux_result *r);

#endif
