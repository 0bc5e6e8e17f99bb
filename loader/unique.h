/*
 * unique: the process-wide table of STB_GNU_UNIQUE symbols (g++'s inline
 * functions' static locals, template static members), as the system linker
 * keeps one: the first definition found for a name serves every library
 * loaded after, the definer's own references included, and one the host's
 * global scope already has comes first of all. "Found" as the system
 * linker finds it: from the scope of the library sl_open opened, for every
 * library that open brings in (symbol.c). A library bound to another's
 * definition holds it (reach.c follows holds), and the definer becomes
 * NODELETE, as glibc makes it; the entries of a library go with it. The
 * holds also record glibc's relocation dependencies. Guarded by the registry
 * lock (unique_bind takes it, for sl_sym; unique_release runs under it).
 */
#ifndef SL_UNIQUE_H
#define SL_UNIQUE_H

#include "symbol.h"

/* def was found for key and is STB_GNU_UNIQUE: replaces it with the one
 * definition of that name, entering def if it is the first. user is the
 * library whose reference is being bound (NULL for sl_sym): it keeps the
 * definer loaded, and a definer another library is bound to is NODELETE
 * from then on (glibc). 0, or -1 with sl_error() (out of memory). */
int unique_bind(struct sl_lib *user, const struct symbol_key *key, struct symdef *def);

/* user keeps lib loaded while it uses one of lib's definitions (glibc's
 * relocation dependencies: a binding to an RTLD_GLOBAL library outside
 * user's own dependencies); nothing if held already or the same. Under the
 * registry lock. 0, or -1 (no memory). */
int unique_hold(struct sl_lib *user, struct sl_lib *lib);

/* user is loaded for good (its group relocated): the definers of the
 * unique definitions it is bound to become NODELETE. */
void unique_settle(const struct sl_lib *user);

/* Calls fn for every library user holds (reach.c's walk). */
void unique_foreach_held(const struct sl_lib *user, void (*fn)(struct sl_lib *lib, void *arg),
                         void *arg);

/* Drops lib's entries and the references its bindings hold. */
void unique_release(struct sl_lib *lib);

#endif
