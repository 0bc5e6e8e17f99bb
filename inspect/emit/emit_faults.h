/* emit_faults: the faults report as JSON and as a text table with a
 * histogram of faults over each file's offsets. */
#ifndef EMIT_FAULTS_H
#define EMIT_FAULTS_H

#include "probe/faults.h"
#include "probe/faults_lib.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

/* The "faults" document; with_samples adds the timeline of every fault. */
json_t *emit_faults_doc(char *const argv[], const struct faults_report *rep, bool with_samples);

/* The table, a histogram of the busiest files' offsets and, with_samples,
 * a timeline of the faults. */
void emit_faults_text(FILE *out, char *const argv[], const struct faults_report *rep,
                      bool with_samples);

/* The "faults" document of --lib: one entry per phase. */
json_t *emit_faults_lib_doc(const char *lib, const char *symbol, const char *loader,
                            const struct faults_lib_report *rep);

void emit_faults_lib_text(FILE *out, const char *lib, const char *symbol, const char *loader,
                          const struct faults_lib_report *rep);

/* obj["exit_status"] (and "signal") from a wait status. */
void emit_faults_exit(json_t *obj, int wait_status);

#endif
