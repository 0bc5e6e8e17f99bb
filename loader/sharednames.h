/*
 * sharednames: the names one library's GNU hash table shares with a set of
 * other GNU hash tables, found by walking theirs once against its own. A
 * relocation pass asks, for every symbol a library defines, whether
 * glibc's global scope defines it first (glibc's order); almost never: a
 * library shares a handful of names with libc at most, and the rest of the
 * pass answers from that short list. Nothing of it outlives the pass: a
 * filter of every name glibc's objects define, kept for the process
 * instead, was 4 KiB of new heap in every process that loaded a library
 * of some size, more than glibc's own dlopen kept.
 */
#ifndef SL_SHAREDNAMES_H
#define SL_SHAREDNAMES_H

#include "gnunames.h"

#include <stddef.h>
#include <stdint.h>

/* The GNU hashes of the shared names, each with its lowest bit set (a
 * hash table's chain keeps a name's hash but for that bit). */
struct shared_names {
	uint32_t *hashes;
	size_t n, cap;
};

/* What finding them costs, in tests of a filter: for each of the other
 * tables, the names of the smaller of it and lib. */
size_t shared_names_cost(struct gnu_names lib, const struct gnu_names *tables, size_t ntables);

/* Finds the names lib's table (checked as dynamic.c checks a library's)
 * shares with any of tables[0..ntables). 0, or -1 when lib has no table
 * or memory ran out: s then says nothing. */
int shared_names_find(struct shared_names *s, struct gnu_names lib, const struct gnu_names *tables,
                      size_t ntables);

/* 0 when no table of the set holds a name of GNU hash hash that lib's
 * holds; 1 when one may. */
int shared_names_may_hold(const struct shared_names *s, uint32_t hash);

void shared_names_free(struct shared_names *s);

#endif
