/*
 * emit_share: the "share" report (what N holders of a library spend on it,
 * per loader) as JSON and as text.
 */
#ifndef EMIT_SHARE_H
#define EMIT_SHARE_H

#include "core/emit.h"
#include "core/table.h"
#include "probe/share.h"

/* The document for runs[0..nruns): one loader's fields at the top level,
 * or with nruns > 1 "loader":"all" and one entry per loader in "runs". */
json_t *emit_share_doc(const char *lib, const struct share_run *runs, size_t nruns);

/* Text: per process for one loader; the loaders side by side for several.
 * 0, or -1 if the table could not be made or written. */
int emit_share_text(FILE *out, const char *lib, const struct share_run *runs, size_t nruns,
                    const struct table_options *opt);
extern const struct table_column emit_share_columns[];
extern const size_t emit_share_ncolumns;

/* Prometheus metrics of the runs (docs/prometheus.md). 0, or -1. */
int emit_share_prom(FILE *out, const char *lib, const struct share_run *runs, size_t nruns);

#endif
