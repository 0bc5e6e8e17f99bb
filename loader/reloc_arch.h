/*
 * reloc_arch: x86-64 relocation numbers mapped to the generic kinds the
 * relocation step switches on, so reloc.c has no architecture numbers.
 */
#ifndef SL_RELOC_ARCH_H
#define SL_RELOC_ARCH_H

#include <elf.h>

enum reloc_kind {
	RK_UNKNOWN = 0, /* anything not in the table */
	RK_NONE,
	RK_RELATIVE,  /* base + addend */
	RK_SYMBOLIC,  /* symbol + addend */
	RK_GOT,       /* symbol (GLOB_DAT) */
	RK_PLT,       /* symbol (JUMP_SLOT), bound now */
	RK_IRELATIVE, /* resolver(base + addend)() */
	RK_DTPMOD,    /* TLS module id */
	RK_DTPOFF,    /* offset in the module's TLS block */
	RK_TPOFF,     /* offset from the thread pointer (initial-exec) */
	RK_COPY,      /* copy into the executable: never valid in a library */
};

static const unsigned char reloc_kinds[] = {
        [R_X86_64_NONE] = RK_NONE,       [R_X86_64_64] = RK_SYMBOLIC,
        [R_X86_64_COPY] = RK_COPY,       [R_X86_64_GLOB_DAT] = RK_GOT,
        [R_X86_64_JUMP_SLOT] = RK_PLT,   [R_X86_64_RELATIVE] = RK_RELATIVE,
        [R_X86_64_DTPMOD64] = RK_DTPMOD, [R_X86_64_DTPOFF64] = RK_DTPOFF,
        [R_X86_64_TPOFF64] = RK_TPOFF,   [R_X86_64_IRELATIVE] = RK_IRELATIVE,
};

static inline enum reloc_kind reloc_kind_of(unsigned type)
{
	return type < sizeof(reloc_kinds) ? (enum reloc_kind)reloc_kinds[type] : RK_UNKNOWN;
}

#endif
