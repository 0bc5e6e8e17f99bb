/*
 * emit_share: the "share" report (what N holders of a library spend on it,
 * per loader) as JSON and as text.
 */
#ifndef EMIT_SHARE_H
#define EMIT_SHARE_H

#include "core/emit.h"
#include "probe/share.h"

/* The document for runs[0..nruns): one loader's fields at the top level,
 * or with nruns > 1 "loader":"all" and one entry per loader in "runs". */
json_t *emit_share_doc(const char *lib, const struct share_run *runs, size_t nruns);

/* Text: per process for one loader; the loaders side by side for several. */
void emit_share_text(FILE *out, const char *lib, const struct share_run *runs, size_t nruns);

/* Prometheus metrics of the runs (docs/prometheus.md). 0, or -1. */
int emit_share_prom(FILE *out, const char *lib, const struct share_run *runs, size_t nruns);

#endif
