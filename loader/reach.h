/*
 * reach: which libraries to unload, by reachability, as glibc's dlclose
 * decides. The roots are the libraries still opened directly (sl_open
 * handles not closed), pinned (a thread_local destructor to run), or
 * NODELETE and ready; from them the walk follows DT_NEEDED dependencies
 * and holds (unique.c: relocation dependencies and unique bindings).
 * Whatever it does not reach, cycles included, goes together. Under the
 * registry lock.
 */
#ifndef SL_REACH_H
#define SL_REACH_H

#include "lib.h"

#include <stddef.h>

/* The libraries no root reaches, each marked dying, in the order their
 * finalisers run: the reverse of the order they were initialised in (a
 * dependency after the libraries that need it, a cycle as glibc closes
 * it). *out is malloc'd (NULL when the set is empty). The count, or 0 with
 * nothing marked when memory runs out (then nothing is unloaded). */
size_t reach_unreachable(struct sl_lib ***out);

/* Sorts set into that finalisation order. */
void reach_order(struct sl_lib **set, size_t n);

#endif
