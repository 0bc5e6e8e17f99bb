/* emit_iobench: iobench results as JSON entries and as text table rows. */
#ifndef EMIT_IOBENCH_H
#define EMIT_IOBENCH_H

#include "probe/iobench.h"

#include <jansson.h>
#include <stdio.h>

json_t *emit_iobench_entry(const struct iobench_result *r);

void emit_iobench_text_header(FILE *out, const char *path, uint64_t size);
void emit_iobench_text_row(FILE *out, const struct iobench_result *r);

#endif
