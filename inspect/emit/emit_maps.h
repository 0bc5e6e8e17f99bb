/* emit_maps: the "maps" report of one process as JSON and as a pmap-like
 * text table, and the "maps --all" report. */
#ifndef EMIT_MAPS_H
#define EMIT_MAPS_H

#include "core/emit.h"
#include "core/table.h"
#include "probe/maps.h"

/* The whole {"kind":"maps","pid":...,"mappings":[...],"totals":{...}} document. */
json_t *emit_maps_doc(const struct maps_report *r, bool with_pages);
/* Several processes (maps PID PID..., --comm): one document of kind
 * "maps_processes" with each process's report as "maps" gives it, and the
 * processes that could not be read. */
json_t *emit_maps_set_begin(void);
void emit_maps_set_add(json_t *doc, const struct maps_report *r, bool with_pages);
void emit_maps_set_error(json_t *doc, pid_t pid, const char *error);

/* The text table: one row per mapping, as pmap -X names them, then the
 * totals; with --pages each mapping's page runs below. 0, or -1 if the
 * table could not be made or written. */
int emit_maps_text(FILE *out, const struct maps_report *r, const struct table_options *opt);
extern const struct table_column emit_maps_columns[];
extern const size_t emit_maps_ncolumns;

/* The smaps counters as fields of obj, in bytes. */
void emit_maps_counters(json_t *obj, const struct smaps_counters *c);

#endif
