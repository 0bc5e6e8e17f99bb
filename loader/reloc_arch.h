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
	RK_PLT,       /* symbol (JUMP_SLOT), bound now or at first call */
	RK_IRELATIVE, /* resolver(base + addend)() */
	RK_DTPMOD,    /* TLS module id */
	RK_DTPOFF,    /* offset in the module's TLS block */
	RK_TPOFF,     /* offset from the thread pointer (initial-exec) */
	RK_COPY,      /* copy into the executable: never valid in a library */
	RK_TLSDESC,   /* TLS descriptor: two words, resolver and its argument */
};

static const unsigned char reloc_kinds[] = {
        [R_X86_64_NONE] = RK_NONE,       [R_X86_64_64] = RK_SYMBOLIC,
        [R_X86_64_COPY] = RK_COPY,       [R_X86_64_GLOB_DAT] = RK_GOT,
        [R_X86_64_JUMP_SLOT] = RK_PLT,   [R_X86_64_RELATIVE] = RK_RELATIVE,
        [R_X86_64_DTPMOD64] = RK_DTPMOD, [R_X86_64_DTPOFF64] = RK_DTPOFF,
        [R_X86_64_TPOFF64] = RK_TPOFF,   [R_X86_64_IRELATIVE] = RK_IRELATIVE,
        [R_X86_64_TPOFF32] = RK_TPOFF,   [R_X86_64_TLSDESC] = RK_TLSDESC,
};

static inline enum reloc_kind reloc_kind_of(unsigned type)
{
	return type < sizeof(reloc_kinds) ? (enum reloc_kind)reloc_kinds[type] : RK_UNKNOWN;
}

/* The x86-64 name of a relocation type, for people; NULL if unknown. */
static inline const char *reloc_type_name(unsigned type)
{
	static const char *const names[] = {
	        [R_X86_64_NONE] = "NONE",
	        [R_X86_64_64] = "64",
	        [R_X86_64_PC32] = "PC32",
	        [R_X86_64_GOT32] = "GOT32",
	        [R_X86_64_PLT32] = "PLT32",
	        [R_X86_64_COPY] = "COPY",
	        [R_X86_64_GLOB_DAT] = "GLOB_DAT",
	        [R_X86_64_JUMP_SLOT] = "JUMP_SLOT",
	        [R_X86_64_RELATIVE] = "RELATIVE",
	        [R_X86_64_GOTPCREL] = "GOTPCREL",
	        [R_X86_64_32] = "32",
	        [R_X86_64_32S] = "32S",
	        [R_X86_64_16] = "16",
	        [R_X86_64_PC16] = "PC16",
	        [R_X86_64_8] = "8",
	        [R_X86_64_PC8] = "PC8",
	        [R_X86_64_DTPMOD64] = "DTPMOD64",
	        [R_X86_64_DTPOFF64] = "DTPOFF64",
	        [R_X86_64_TPOFF64] = "TPOFF64",
	        [R_X86_64_TLSGD] = "TLSGD",
	        [R_X86_64_TLSLD] = "TLSLD",
	        [R_X86_64_DTPOFF32] = "DTPOFF32",
	        [R_X86_64_GOTTPOFF] = "GOTTPOFF",
	        [R_X86_64_TPOFF32] = "TPOFF32",
	        [R_X86_64_PC64] = "PC64",
	        [R_X86_64_GOTOFF64] = "GOTOFF64",
	        [R_X86_64_GOTPC32] = "GOTPC32",
	        [R_X86_64_SIZE32] = "SIZE32",
	        [R_X86_64_SIZE64] = "SIZE64",
	        [R_X86_64_TLSDESC] = "TLSDESC",
	        [R_X86_64_IRELATIVE] = "IRELATIVE",
	};
	return type < sizeof(names) / sizeof(names[0]) ? names[type] : NULL;
}

#endif
