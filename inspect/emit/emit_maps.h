/* emit_maps: the "maps" report of one process as JSON and as a pmap-like
 * text table, and the "maps --all" report. */
#ifndef EMIT_MAPS_H
#define EMIT_MAPS_H

#include "core/emit.h"
#include "probe/maps.h"

/* The whole {"kind":"maps","pid":...,"mappings":[...],"totals":{...}} document. */
json_t *emit_maps_doc(const struct maps_report *r, bool with_pages);
/* The text table: one line per mapping, addresses in hex, then totals. */
void emit_maps_text(FILE *out, const struct maps_report *r);

/* The smaps counters as fields of obj, in bytes. */
void emit_maps_counters(json_t *obj, const struct smaps_counters *c);

#endif
