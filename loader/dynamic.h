/*
 * dynamic: decodes the dynamic table once into lib->dyn[] (indexed by tag,
 * on the stack while it decodes) and checks every table it points to
 * against the mapped segments: string and symbol tables, both hash tables,
 * versions, relocation tables, init/fini arrays. Later steps use the
 * pointers it leaves in lib, and the few tag values it keeps (dt_flags,
 * dt_flags_1, dt_init, dt_fini, dt_pltgot; lib_has says which were given).
 */
#ifndef SL_DYNAMIC_H
#define SL_DYNAMIC_H

#include "lib.h"

/* 0, or -1 with sl_error() naming the library. */
int dynamic_decode(struct sl_lib *lib);
/* Frees what dynamic_decode allocated. */
void dynamic_release(struct sl_lib *lib);

/* The ELF (SysV) hash of a name, as used by DT_HASH and version tables. */
uint32_t dynamic_elf_hash(const char *name);

#endif
