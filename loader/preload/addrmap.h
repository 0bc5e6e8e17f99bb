/*
 * addrmap: where libsoload's libraries lie, for the system's tools. A
 * sorted list of address ranges, rebuilt after each load or unload the
 * preload serves and searched in a binary search, answers dladdr, dladdr1
 * and dlinfo for them (from before their initialisers run, as glibc's
 * list has them), and dl_iterate_phdr lists them after glibc's own
 * objects (so unwinders and plugin hosts find them). Each library gets a
 * struct link_map of its own (l_addr, l_name, l_ld, and l_next and l_prev
 * in a list of libsoload's libraries, never glibc's), valid while it stays
 * loaded; that list is the debugger's (rdebug.h).
 */
#ifndef SL_ADDRMAP_H
#define SL_ADDRMAP_H

#include <dlfcn.h>
#include <link.h>

struct sl_lib;

/* Reads the registry again. Takes the registry lock, then its own. */
void addrmap_rebuild(void);

/* Counts a change of the global scope that is not a new object (a library
 * made RTLD_GLOBAL), so that caches keyed on dlpi_adds see it. */
void addrmap_note_scope_change(void);

/* 1 with *info filled (and *sym the nearest symbol, or NULL) when addr lies
 * in one of libsoload's libraries, else 0. */
int addrmap_dladdr(const void *addr, Dl_info *info, const ElfW(Sym) * *sym, struct link_map **lm);

/* The link_map of a library libsoload loaded, or NULL. */
struct link_map *addrmap_link_map(const struct sl_lib *lib);

/* The library (ready, or mapped and being initialised) holding addr, or
 * NULL. */
struct sl_lib *addrmap_lib_at(const void *addr);

/* dl_iterate_phdr over glibc's objects (through iterate, glibc's own
 * function), then, when with_ours, libsoload's; dlpi_adds and dlpi_subs
 * count both either way. */
int addrmap_iterate(int (*iterate)(int (*)(struct dl_phdr_info *, size_t, void *), void *),
                    int (*cb)(struct dl_phdr_info *, size_t, void *), void *data, int with_ours);

#endif
