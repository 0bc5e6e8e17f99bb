#include "sharednames.h"
#include "loadpath.h"
#include "arraygrow.h"

#include <stdlib.h>

/* A table's names are swept as its chain words (gnunames.h); the other
 * table is asked for both hashes a chain word can stand for at once. */
struct gnu_table {
	uint32_t nbuckets, symoffset, bloom_mask, shift;
	const uint64_t *bloom;
	const uint32_t *buckets;
	const uint32_t *chains; /* by symbol index: set symoffset words back */
	const uint32_t *first;  /* the chain words */
	uint32_t count;
};

LOAD_PATH static struct gnu_table gnu_table(struct gnu_names n)
{
	const uint32_t *h = n.table;
	struct gnu_table t = {h[0], h[1], h[2] - 1, h[3],   (const uint64_t *)(h + 4),
	                      NULL, NULL, NULL,     n.count};

	t.buckets = (const uint32_t *)(t.bloom + h[2]);
	t.chains = t.buckets + h[0] - h[1];
	t.first = gnu_names_first(h);
	return t;
}

/* t's bloom filter for a name of hash even or even | 1 (even's lowest bit
 * clear): the two hashes share a filter word and, for a shift of one or
 * more, the second bit; the first is one of two neighbours. */
LOAD_PATH static int bloom_may_hold_pair(const struct gnu_table *t, uint32_t even)
{
	uint64_t word = t->bloom[(even / 64) & t->bloom_mask];

	if (!((word >> (even % 64)) & 3))
		return 0;
	return t->shift == 0 || ((word >> ((even >> t->shift) % 64)) & 1);
}

/* Whether the chain of t's bucket for hash holds a name of hash even or
 * even | 1. */
LOAD_PATH static int chain_holds_pair(const struct gnu_table *t, uint32_t hash, uint32_t even)
{
	uint32_t i = t->buckets[hash % t->nbuckets];

	if (i < t->symoffset)
		return 0;
	for (;; i++) {
		uint32_t c = t->chains[i];
		if ((c | 1) == (even | 1))
			return 1;
		if (c & 1)
			return 0;
	}
}

LOAD_PATH static int holds_pair(const struct gnu_table *t, uint32_t even)
{
	return bloom_may_hold_pair(t, even) &&
	       (chain_holds_pair(t, even, even) || chain_holds_pair(t, even | 1, even));
}

LOAD_PATH static int add_shared(struct shared_names *s, uint32_t odd)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->hashes[i] == odd)
			return 0;
	if (array_grow(&s->hashes, &s->cap, s->n, sizeof(*s->hashes), 8) != 0)
		return -1;
	s->hashes[s->n++] = odd;
	return 0;
}

/* The names of swept that other holds too: swept's chain words, each
 * asked of other's filter, then of its chain. */
LOAD_PATH static int sweep(struct shared_names *s, const struct gnu_table *swept,
                           const struct gnu_table *other)
{
	const struct gnu_table t = *other; /* in registers: add_shared stores */
	const uint32_t *end = swept->first + swept->count;

	for (const uint32_t *c = swept->first; c < end; c++)
		if (holds_pair(&t, *c & ~1u) && add_shared(s, *c | 1) != 0)
			return -1;
	return 0;
}

static size_t min_count(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

LOAD_PATH size_t shared_names_cost(struct gnu_names lib, const struct gnu_names *tables,
                                   size_t ntables)
{
	size_t cost = 0;

	for (size_t i = 0; i < ntables; i++)
		cost += min_count(lib.count, tables[i].count);
	return cost;
}

/* Sweeps the table with fewer names against the other: a small library's
 * few hundred against libc's 3,000, or libc's against a large library. */
LOAD_PATH int shared_names_find(struct shared_names *s, struct gnu_names lib,
                                const struct gnu_names *tables, size_t ntables)
{
	struct gnu_table own;

	s->n = 0;
	if (!lib.table || !lib.table[0] || !lib.table[2])
		return -1;
	own = gnu_table(lib);
	for (size_t i = 0; i < ntables; i++) {
		struct gnu_table other = gnu_table(tables[i]);
		int rc = own.count < other.count ? sweep(s, &own, &other) : sweep(s, &other, &own);
		if (rc != 0)
			return -1;
	}
	return 0;
}

/* A library shares a few names at most: a line or two to scan. */
LOAD_PATH int shared_names_may_hold(const struct shared_names *s, uint32_t hash)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->hashes[i] == (hash | 1))
			return 1;
	return 0;
}

LOAD_PATH void shared_names_free(struct shared_names *s)
{
	free(s->hashes);
	*s = (struct shared_names){NULL, 0, 0};
}
