/* emit_faults: the faults report as JSON and as a text table with a
 * histogram of faults over each file's offsets. */
#ifndef EMIT_FAULTS_H
#define EMIT_FAULTS_H

#include "core/table.h"
#include "probe/faults.h"
#include "probe/faults_lib.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

/* The "faults" document; with_samples adds the timeline of every fault. */
json_t *emit_faults_doc(char *const argv[], const struct faults_report *rep, bool with_samples);

/* The table, a histogram of the busiest files' offsets and, with_samples,
 * a timeline of the faults (with --no-headings the table's rows only).
 * 0, or -1 if the table could not be made or written. */
int emit_faults_text(FILE *out, char *const argv[], const struct faults_report *rep,
                     bool with_samples, const struct table_options *opt);
extern const struct table_column emit_faults_columns[], emit_faults_lib_columns[];
extern const size_t emit_faults_ncolumns, emit_faults_lib_ncolumns;

/* The "faults" document of --lib: one entry per phase. */
json_t *emit_faults_lib_doc(const char *lib, const char *symbol, const char *loader,
                            const struct faults_lib_report *rep);

int emit_faults_lib_text(FILE *out, const char *lib, const char *symbol, const char *loader,
                         const struct faults_lib_report *rep, const struct table_options *opt);

/* obj["exit_status"] (and "signal") from a wait status. */
void emit_faults_exit(json_t *obj, int wait_status);

#endif
