/* emit_libs: the "libs" report (what every shared library costs the
 * machine) as JSON (kind "libs"), as a text table that fits 100 columns,
 * and the view that makes Prometheus metrics from the JSON. */
#ifndef EMIT_LIBS_H
#define EMIT_LIBS_H

#include "core/emit.h"
#include "emit/emit_prom.h"
#include "probe/libs.h"

/* Width of the text table, path included. */
#define EMIT_LIBS_COLUMNS 100

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
/* 0, or -1 if out of memory. */
int emit_libs_text(FILE *out, const struct libs_report *r, const struct emit_libs_view *v);

extern const struct emit_prom_view emit_prom_libs[];

#endif
