/* emit_maps_all: the "maps --all" report: every process and every mapped
 * file, as JSON (kind "maps_all") and as text. */
#ifndef EMIT_MAPS_ALL_H
#define EMIT_MAPS_ALL_H

#include "probe/maps_all.h"
#include "core/emit.h"

/* NULL if out of memory. */
json_t *emit_maps_all_doc(const struct maps_all_report *r);
/* 0, or -1 if out of memory. */
int emit_maps_all_text(FILE *out, const struct maps_all_report *r);

#endif
