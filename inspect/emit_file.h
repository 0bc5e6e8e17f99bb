/* emit_file: the "file" report as JSON and as text. */
#ifndef EMIT_FILE_H
#define EMIT_FILE_H

#include "emit.h"
#include "residency.h"

/* {"path":...,"size":...,"pages":...,"resident_pages":...} for one file. */
json_t *emit_file_entry(const char *path, const struct residency *r);
/* One text line: path, size, resident pages and a residency bar. */
void emit_file_text(FILE *out, const char *path, const struct residency *r);

#endif
