/* emit_hold: the "hold" line of soload hold: each library as loaded (base,
 * segments, RELRO, reference count, sharing) and, with --gdb, the gdb
 * command that loads its symbols at the right addresses. */
#ifndef EMIT_HOLD_H
#define EMIT_HOLD_H

#include "describe.h"
#include "core/emit.h"
#include "soload.h"

struct hold_entry {
	sl_lib *lib;
	struct section *sections; /* NULL unless --gdb */
	size_t nsections;
};

json_t *emit_hold_doc(int pid, const struct hold_entry *e, size_t n);
void emit_hold_text(FILE *out, int pid, const struct hold_entry *e, size_t n);

/* The add-symbol-file command for one library, malloc'ed. */
char *emit_hold_gdb_command(const struct sl_info *info, const struct section *s, size_t n);

#endif
