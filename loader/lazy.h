/*
 * lazy: binding a library's PLT at the first call of each function
 * (SL_LAZY), as the x86-64 psABI describes it. At load, each JUMP_SLOT of
 * DT_JMPREL gets the address of its own PLT entry's push (its link-time
 * value plus the base), GOT[1] the library and GOT[2] lazyplt.S's
 * trampoline; the first call through a slot comes to lazy_fixup, which
 * resolves the symbol as relocation would (symbol_resolve), then in the
 * scopes of libraries loaded later that hold this one as a dependency (as
 * glibc adds a new dlopen's scope to its dependencies'), writes the slot and
 * returns the target. Everything else (IRELATIVE, TLS descriptors, the
 * other relocations) stays bound at load.
 */
#ifndef SL_LAZY_H
#define SL_LAZY_H

#include "lib.h"

/* Before lib's relocations: whether its JUMP_SLOTs wait for their first
 * call. Not without SL_LAZY, nor with LD_BIND_NOW set (non-empty), nor for
 * a library linked with DF_BIND_NOW, DF_1_NOW or DT_BIND_NOW, nor one
 * whose GOT[1] and GOT[2] cannot be written (no DT_PLTGOT, outside the
 * writable segments, or in RELRO pages a share cache proved). When lazy,
 * writes GOT[1] and GOT[2]. 0, or -1 with sl_error() (out of memory). */
int lazy_prepare(struct sl_lib *lib);

/* The JUMP_SLOT r of lib, at where: 1 if it was left for its first call
 * (where holds its PLT entry), 0 if it must be bound now (lib not lazy, r
 * not one of DT_JMPREL's, the slot in RELRO, its PLT entry outside lib's
 * executable segments). */
int lazy_defer(struct sl_lib *lib, const Elf64_Rela *r, uint64_t *where);

/* Frees what lazy_prepare allocated. */
void lazy_release(struct sl_lib *lib);

/* The trampoline's C half: binds lib's DT_JMPREL entry index and returns
 * its target. A symbol nothing defines ends the process: "PROG: symbol
 * lookup error: LIB: undefined symbol: NAME" on stderr, then abort(). */
void *lazy_fixup(struct sl_lib *lib, uint64_t index);

#endif
