/*
 * reloc: applies a library's relocations (DT_RELR, then DT_RELA, then the
 * PLT's, bound now, or with SL_LAZY at their first call: lazy.c). Each
 * target must lie in a writable segment: a relocation into read-only,
 * non-RELRO memory is refused.
 */
#ifndef SL_RELOC_H
#define SL_RELOC_H

#include "lib.h"

/* 0, or -1 with sl_error(): "lib: unsupported relocation type N at
 * offset 0x...", "lib: undefined symbol NAME", ... */
int reloc_library(struct sl_lib *lib);
/* Checks every relocation as reloc_library would, writing nothing (soload
 * info, the fuzz targets). 0, or -1 with the same sl_error(). */
int reloc_check(struct sl_lib *lib);
/* How many of DT_RELA's first entries are relative relocations: the
 * linker puts them first, sorted by address (stage.c). */
size_t reloc_relative_count(const struct sl_lib *lib);

#endif
