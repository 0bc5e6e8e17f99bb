/* The dynamic symbol tables of an object this process has loaded, found by
 * its path's ending: for tests that read real GNU hash tables (libc's,
 * libm's) the way the loader does. */
#ifndef TU_DYNTABLES_H
#define TU_DYNTABLES_H

#include <elf.h>
#include <link.h>
#include <stdint.h>

struct tu_dyntables {
	const uint32_t *gnu_hash;
	const ElfW(Sym) * symtab;
	const char *strtab;
};

/* The tables of the first loaded object whose path contains suffix; all
 * NULL if there is none. */
struct tu_dyntables tu_dyntables_of(const char *suffix);

#endif
