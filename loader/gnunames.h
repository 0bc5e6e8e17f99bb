/*
 * gnunames: a GNU hash table's names, read as its chain words. The table:
 * words nbuckets, symoffset, bloom_size, shift, the bloom filter, the
 * buckets, then one chain word per symbol from symoffset on, the chains one
 * after another, the last word of each with its lowest bit set, the others
 * with the name's hash's. So a chain word c stands for a name of hash
 * c & ~1 or c | 1, and a table's names are read in one sweep of its chain
 * words, without reading a name (namefilter.c, sharednames.c).
 */
#ifndef SL_GNUNAMES_H
#define SL_GNUNAMES_H

#include <stddef.h>
#include <stdint.h>

/* A GNU hash table (its first word, as DT_GNU_HASH points to it) and the
 * number of names it holds, which it does not store. */
struct gnu_names {
	const uint32_t *table;
	uint32_t count;
};

/* The number of names GNU hash table t holds: to the end of the chain
 * that starts last (a read of every bucket). */
uint32_t gnu_names_count(const uint32_t *t);

/* The first of the table's count chain words. */
static inline const uint32_t *gnu_names_first(const uint32_t *t)
{
	return t + 4 + (size_t)t[2] * 2 + t[0];
}

#endif
