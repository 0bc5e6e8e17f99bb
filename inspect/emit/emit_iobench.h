/* emit_iobench: iobench results as JSON entries and as text tables that
 * fit 100 columns: read against mmap (with the memory the write phases
 * took), the five ways to copy a file out, and readiness multiplexing. */
#ifndef EMIT_IOBENCH_H
#define EMIT_IOBENCH_H

#include "probe/iobench.h"
#include "probe/iobench_copy.h"
#include "emit/linechart.h"
#include "probe/iobench_multiplex.h"

#include <jansson.h>
#include <stdio.h>

/* The scratch file's place in a document: scratch_dir and
 * scratch_same_filesystem, or null with the reason. */
void emit_iobench_scratch(json_t *doc, const struct iobench_scratch *s);

json_t *emit_iobench_entry(const struct iobench_result *r);
void emit_iobench_text_header(FILE *out, const char *path, uint64_t size,
                              const struct iobench_scratch *s);
void emit_iobench_text_row(FILE *out, const struct iobench_result *r);
/* The memory table: one row per write run in r[0..n). */
void emit_iobench_text_memory(FILE *out, const struct iobench_result *r, size_t n);

json_t *emit_iobench_copy_entry(const struct iobench_copy_result *r);
void emit_iobench_copy_header(FILE *out, const char *path, uint64_t size,
                              const struct iobench_scratch *s);
void emit_iobench_copy_row(FILE *out, const struct iobench_copy_result *r);

json_t *emit_iobench_mux_entry(const struct iobench_mux_result *r);
void emit_iobench_mux_header(FILE *out, unsigned events);
/* first: the same method's result at the fewest idle descriptors, or NULL. */
void emit_iobench_mux_row(FILE *out, const struct iobench_mux_result *r,
                          const struct iobench_mux_result *first);

/* The --svg picture: CPU per event and wake-up time against idle
 * descriptors, a line per method. */
void emit_iobench_mux_chart_init(struct linechart *c, unsigned events);
void emit_iobench_mux_chart_add(struct linechart *c, const struct iobench_mux_result *r);

#endif
