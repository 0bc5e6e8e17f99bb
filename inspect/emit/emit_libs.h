/* emit_libs: the "libs" report (what every shared library costs the
 * machine) as JSON (kind "libs"), as a text table (core/table),
 * and the view that makes Prometheus metrics from the JSON. */
#ifndef EMIT_LIBS_H
#define EMIT_LIBS_H

#include "core/emit.h"
#include "core/table.h"
#include "emit/emit_prom.h"
#include "probe/libs.h"

/* Width of the text outside the table (the table fits the terminal). */
#define EMIT_LIBS_COLUMNS TABLE_WIDTH_NOT_A_TERMINAL

/* How the method of the saving estimate is described wherever it is shown. */
#define EMIT_LIBS_SAVING_METHOD                                                                   \
	"estimate: per library, relro_private_dirty summed over processes less the largest copy " \
	"in one process; assumes every process could place the library at one address and "       \
	"relocate it to the same bytes"

struct emit_libs_view {
	enum libs_sort sort;
	size_t top; /* libraries shown, 0 for all; the totals are over all */
};

/* NULL if out of memory. */
json_t *emit_libs_doc(const struct libs_report *r, const struct emit_libs_view *v);
/* The table of libraries (core/table: the user's columns and units), the
 * saving estimate and the processes read. 0, or -1 if out of memory or the
 * write failed. */
int emit_libs_text(FILE *out, const struct libs_report *r, const struct emit_libs_view *v,
                   const struct table_options *opt);
extern const struct table_column emit_libs_columns[];
extern const size_t emit_libs_ncolumns;

extern const struct emit_prom_view emit_prom_libs[];

#endif
