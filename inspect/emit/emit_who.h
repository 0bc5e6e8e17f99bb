/* emit_who: the "who" report (users of one file) as JSON and as text. */
#ifndef EMIT_WHO_H
#define EMIT_WHO_H

#include "core/emit.h"
#include "probe/who.h"

/* {"kind":"who","path":...,"processes":[...],"totals":{...},"errors":[...]} */
json_t *emit_who_doc(const char *path, const struct who_report *r);
void emit_who_text(FILE *out, const char *path, const struct who_report *r);

#endif
