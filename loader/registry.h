/*
 * registry: every library libsoload has loaded, keyed by device and inode,
 * behind one recursive mutex. One lock because open and close are rare and
 * walk several libraries at once (dependencies); recursive because a
 * library's initialiser or finaliser may itself call sl_open or sl_close.
 */
#ifndef SL_REGISTRY_H
#define SL_REGISTRY_H

#include "lib.h"

void registry_lock(void);
void registry_unlock(void);

/* Lookups; NULL when absent (or being unloaded). */
struct sl_lib *registry_find(dev_t dev, ino_t ino);
struct sl_lib *registry_find_soname(const char *soname);
/* The library (in any state) whose reserved span holds addr. */
struct sl_lib *registry_find_addr(const void *addr);
/* Whether lib is a live handle. */
int registry_contains(const struct sl_lib *lib);

/* Appends lib (load order) / unlinks it. */
void registry_add(struct sl_lib *lib);
void registry_remove(struct sl_lib *lib);

/* Calls fn for every ready library in load order. */
void registry_foreach(void (*fn)(struct sl_lib *lib, void *arg), void *arg);
/* The same for every library mapped with its dependencies, ready or still
 * being relocated and initialised (what a debugger is to see). */
void registry_foreach_mapped(void (*fn)(struct sl_lib *lib, void *arg), void *arg);
/* Every library in any state, under the lock the caller holds; fn must not
 * add or remove libraries. */
void registry_foreach_all(void (*fn)(struct sl_lib *lib, void *arg), void *arg);

#endif
