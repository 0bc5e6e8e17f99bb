/*
 * symbol: finds symbols. Inside one library through DT_GNU_HASH (bloom
 * filter first) or DT_HASH, honouring symbol versions; for a reference, in
 * glibc's order: the global scope (the host's objects, through their own
 * hash tables, then libsoload's SL_GLOBAL libraries), then the local scope
 * (the library opened, then its dependencies breadth-first); SL_DEEPBIND
 * puts the local scope first.
 */
#ifndef SL_SYMBOL_H
#define SL_SYMBOL_H

#include "lib.h"

/* What a lookup asks for. Build with symbol_key(). */
struct symbol_key {
	const char *name;
	uint32_t gnu_hash;
	uint32_t sysv_hash; /* computed on first use */
	int have_sysv_hash;
	const struct sl_version *version; /* NULL: unversioned, as below */
	/* Without a version, as glibc: a definition of version index below
	 * this (2 for dlsym, 3 for a reference) wins at once; otherwise the
	 * one visible versioned definition, if there is exactly one. */
	unsigned unversioned_below;
};

/* Where a symbol was found: in one of our libraries (lib, sym), or in the
 * host's (lib NULL). addr is the runtime address, IFUNCs already resolved;
 * for TLS symbols it is the offset within the module's block. */
struct symdef {
	struct sl_lib *lib;
	const Elf64_Sym *sym;
	uintptr_t addr;
};

void symbol_key(struct symbol_key *key, const char *name, const struct sl_version *version);

/* The definition of key in the table t alone, or NULL. */
const Elf64_Sym *symbol_find_in(const struct sl_symtab *t, struct symbol_key *key);

/* Resolves lib's dynamic symbol symidx for a relocation: 0 with *def
 * filled (addr 0 for an undefined weak symbol), or -1 with sl_error()
 * "lib: undefined symbol NAME". */
int symbol_resolve(struct sl_lib *lib, uint32_t symidx, struct symdef *def);

/* Looks name up in lib's scope without the global scope (sl_sym, dlsym of
 * a handle): the default version, or with version that version alone
 * (dlvsym). 0 with *def, or -1 with sl_error() "lib: undefined symbol
 * NAME[, version V]". */
int symbol_lookup(struct sl_lib *lib, const char *name, const char *version, struct symdef *def);

/* SL_GLOBAL: lib and its dependencies join the global scope, after the
 * host's objects and the libraries already there (0, or -1 with
 * sl_error()); symbol_forget takes an unloaded library out. Under the
 * registry lock. */
int symbol_make_global(struct sl_lib *lib);
void symbol_forget(struct sl_lib *lib);

/* name (of version, if not NULL) in the libraries libsoload holds in the
 * global scope, skip's left out: 0 with *def, or -1. The host's part of
 * the global scope is glibc's to answer (the preload asks it first). */
int symbol_lookup_global(const char *name, const char *version, const struct sl_lib *skip,
                         struct symdef *def);

/* The name of lib's dynamic symbol symidx, or "?" if out of range. */
/* The runtime value of lib's definition s: an IFUNC's resolver is called,
 * a thread-local symbol's value is its offset in the block. */
uintptr_t symbol_value(const struct sl_lib *lib, const Elf64_Sym *s);

const char *symbol_name(const struct sl_lib *lib, uint32_t symidx);

/* The version lib's reference symidx asks for, in *out, or NULL. */
const struct sl_version *symbol_wanted_version(const struct sl_lib *lib, uint32_t symidx,
                                               struct sl_version *out);

#endif
