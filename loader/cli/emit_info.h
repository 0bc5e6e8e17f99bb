/* emit_info: the "info" document of soload info (a library read without
 * running it), as JSON or text. */
#ifndef EMIT_INFO_H
#define EMIT_INFO_H

#include "describe.h"
#include "core/emit.h"

json_t *emit_info_doc(const struct description *d);
void emit_info_text(FILE *out, const struct description *d);

/* "r-x" style protection of PROT_* bits (buf of at least 4 bytes). */
const char *emit_prot(int prot, char *buf);

#endif
