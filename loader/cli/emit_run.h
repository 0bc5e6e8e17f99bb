/* emit_run: the report of soload run (kind "run", docs/schema-run.md). */
#ifndef EMIT_RUN_H
#define EMIT_RUN_H

#include "core/emit.h"
#include "run.h"

json_t *emit_run_doc(const struct run_report *rep);

#endif
