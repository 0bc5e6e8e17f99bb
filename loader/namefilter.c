#include "namefilter.h"

#include <stdlib.h>

/*
 * A GNU hash table keeps, for each name it holds, the name's hash but for
 * the lowest bit (its chain word), so the filter is made from the chains
 * alone, without reading a name: two bits of 2^17 per name, from the hash
 * less its lowest bit. With libc's 3,000 names one name in 500 passes
 * falsely; with a -rdynamic executable's 15,000 more, one in 30.
 */
#define FILTER_BITS (1u << 17)
#define WORD_BITS   64

struct namefilter {
	uint64_t words[FILTER_BITS / WORD_BITS];
};

static uint32_t first_bit(uint32_t h)
{
	return h & (FILTER_BITS - 1);
}

/* A second position, mixed from all of h's bits. */
static uint32_t second_bit(uint32_t h)
{
	return (h * 0x9e3779b1u) >> 15 & (FILTER_BITS - 1);
}

static void set_bit(struct namefilter *f, uint32_t bit)
{
	f->words[bit / WORD_BITS] |= 1ULL << (bit % WORD_BITS);
}

static int has_bit(const struct namefilter *f, uint32_t bit)
{
	return (f->words[bit / WORD_BITS] >> (bit % WORD_BITS)) & 1;
}

static void add_name(struct namefilter *f, uint32_t chain_word)
{
	uint32_t h = chain_word >> 1;

	set_bit(f, first_bit(h));
	set_bit(f, second_bit(h));
}

/* The table: words nbuckets, symoffset, bloom_size, shift, the bloom
 * filter, the buckets, then one chain word per symbol from symoffset on,
 * the chains one after another, the last word of each with its lowest bit
 * set. The chain words are read in one sweep, from the first to the end
 * of the chain that starts last. */
static void add_table(struct namefilter *f, const uint32_t *t)
{
	uint32_t nbuckets = t[0], symoffset = t[1], bloom_words = t[2], last = 0;
	const uint32_t *buckets = t + 4 + (size_t)bloom_words * 2;
	const uint32_t *chains = buckets + nbuckets;

	for (uint32_t b = 0; b < nbuckets; b++)
		if (buckets[b] > last)
			last = buckets[b];
	if (last < symoffset)
		return; /* no symbol hashed */
	for (const uint32_t *c = chains;; c++) {
		add_name(f, *c);
		if (c >= &chains[last - symoffset] && (*c & 1))
			break;
	}
}

struct namefilter *namefilter_build(const uint32_t *const *tables, size_t n)
{
	struct namefilter *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	for (size_t i = 0; i < n; i++)
		add_table(f, tables[i]);
	return f;
}

int namefilter_may_hold(const struct namefilter *f, uint32_t hash)
{
	uint32_t h = hash >> 1;

	return has_bit(f, first_bit(h)) && has_bit(f, second_bit(h));
}

void namefilter_free(struct namefilter *f)
{
	free(f);
}
