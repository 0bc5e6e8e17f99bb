/*
 * reloc: applies a library's relocations (DT_RELR, then DT_RELA, then the
 * PLT's, all bound now). Each target must lie in a writable segment: a
 * relocation into read-only, non-RELRO memory is refused.
 */
#ifndef SL_RELOC_H
#define SL_RELOC_H

#include "lib.h"

/* 0, or -1 with sl_error(): "lib: unsupported relocation type N at
 * offset 0x...", "lib: undefined symbol NAME", ... */
int reloc_library(struct sl_lib *lib);
/* The relocation plan alone: every entry has a kind we apply, a writable
 * target and a symbol in the table; nothing is resolved, written or run
 * (for tests/fuzz). 0, or -1 with the message reloc_library would give. */
int reloc_check(struct sl_lib *lib);

#endif
