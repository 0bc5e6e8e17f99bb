/* emit_maps_all: the "maps --all" report: every process and every mapped
 * file, as JSON (kind "maps_all") and as text. */
#ifndef EMIT_MAPS_ALL_H
#define EMIT_MAPS_ALL_H

#include "probe/maps_all.h"
#include "core/emit.h"
#include "core/table.h"

/* NULL if out of memory. */
json_t *emit_maps_all_doc(const struct maps_all_report *r);
/* Three tables: the processes (with their total; --output chooses these
 * columns), the users' totals and the files; with --no-headings only the
 * processes' rows. 0, or -1 if out of memory or writing failed. */
int emit_maps_all_text(FILE *out, const struct maps_all_report *r,
                       const struct table_options *opt);
extern const struct table_column emit_maps_all_columns[], emit_maps_all_user_columns[],
        emit_maps_all_file_columns[];
extern const size_t emit_maps_all_ncolumns, emit_maps_all_user_ncolumns,
        emit_maps_all_file_ncolumns;

#endif
