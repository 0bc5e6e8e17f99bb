/* emit_who: the "who" report (users of a file) as JSON and as text. */
#ifndef EMIT_WHO_H
#define EMIT_WHO_H

#include "core/emit.h"
#include "core/table.h"
#include "probe/who.h"

/* {"kind":"who","path":...,"processes":[...],"totals":{...},"errors":[...]} */
json_t *emit_who_doc(const char *path, const struct who_report *r);
/* The file, then a table of its users, then how many were scanned and which
 * could not be read. 0, or -1 if the table could not be made or written. */
int emit_who_text(FILE *out, const char *path, const struct who_report *r,
                  const struct table_options *opt);
extern const struct table_column emit_who_columns[];
extern const size_t emit_who_ncolumns;

/* Several paths: one document of kind "who_files", each file's report as
 * "who" gives it, and the paths that could not be looked up. */
json_t *emit_who_set_begin(void);
void emit_who_set_add(json_t *doc, const char *path, const struct who_report *r);
void emit_who_set_error(json_t *doc, const char *path, const char *error);

#endif
