/*
 * hostsym: the symbols of the objects the system's dynamic linker loaded.
 * libsoload looks names up in glibc's global scope itself, through each
 * object's own hash table and with glibc's version rules (hostsym_global),
 * finding out once per object whether glibc opened it RTLD_LOCAL; only
 * what glibc alone can say goes through dlsym / dlvsym (hostsym_lookup),
 * whose misses are remembered while glibc loads and unloads nothing: each
 * failed dlsym costs glibc a formatted error message. Bindings found are
 * not remembered: a lookup in place costs no more than a table of them
 * did, and the table cost a first load pages.
 */
#ifndef SL_HOSTSYM_H
#define SL_HOSTSYM_H

#include <stddef.h>
#include <stdint.h>

/* The address handle (or RTLD_DEFAULT) gives for name, of the given version
 * when version is not NULL; NULL if not defined. Thread-safe. */
void *hostsym_lookup(void *handle, const char *name, const char *version);

/* How many objects glibc has ever loaded (dlpi_adds): a name it lacked it
 * lacks until this changes. Read once per relocation pass. Thread-safe. */
unsigned long long hostsym_generation(void);

struct symbol_key;
struct sl_symtab;

/* What hostsym_global found. */
enum { HOSTSYM_MISS, HOSTSYM_FOUND, HOSTSYM_ASK };

/* The first definition of key in glibc's global scope (the executable, its
 * dependencies and preloads in load order, then what glibc opened
 * RTLD_GLOBAL), looked up by libsoload itself in each object's hash table
 * with glibc's version rules: HOSTSYM_FOUND with *addr (IFUNCs resolved),
 * HOSTSYM_MISS, or HOSTSYM_ASK when only glibc can say (a thread-local or
 * unique definition, an object without a readable hash table). Objects
 * glibc opened RTLD_LOCAL answer nothing. Thread-safe. */
int hostsym_global(struct symbol_key *key, void **addr);

/* 0 when no object of glibc's global scope can define a name of owner's
 * (one owner's GNU hash table holds) whose GNU hash is hash: their bloom
 * filters say no, or, in a long relocation pass, the names owner shares
 * with them do; without reading the name. */
int hostsym_global_may_define(const struct sl_symtab *owner, uint32_t hash);

/* Whether two addresses lie in the same object glibc has loaded. */
int hostsym_same_object(const void *a, const void *b);

/* The object glibc has loaded that holds addr: its index in
 * dl_iterate_phdr's order and its load bias. 0, or -1 if none does.
 * Thread-safe. */
int hostsym_object_at(const void *addr, uint32_t *index, uintptr_t *bias);

/* The load biases of the objects glibc has loaded, in dl_iterate_phdr's
 * order: a malloc'd array of *n, or NULL (out of memory, or they could
 * not be read). One look for a whole table of bindings. Thread-safe. */
uintptr_t *hostsym_object_biases(size_t *n);

/* Around the relocation of one library by this thread: whether glibc has
 * loaded or unloaded objects is checked once, at the start, instead of at
 * every lookup, and owner's names (the library's symbol tables), of which
 * the pass asks hostsym_global_may_define about at most lookups, may be
 * compared with glibc's objects' once for all. Nothing in between may
 * dlopen or dlclose (relocation runs only IFUNC resolvers). */
void hostsym_begin_pass(const struct sl_symtab *owner, size_t lookups);
void hostsym_end_pass(void);

#endif
