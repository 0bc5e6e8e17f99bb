#include "namefilter.h"

#include <stdlib.h>

/*
 * A GNU hash table keeps, for each name it holds, the name's hash but for
 * the lowest bit (its chain word), so the filter is made from the chains
 * alone, without reading a name: two bits per name, from the hash less its
 * lowest bit, in a filter of at least BITS_PER_NAME bits for each name the
 * tables hold (a power of two, so 12 to 24): a name they do not hold
 * passes one time in 36 to one in 140, and a false pass only costs the
 * tests of each object's own filter. Sized so because its pages are new
 * memory: a fixed 2^17 bits was four pages for libc and libm, and each
 * page's first touch cost a fresh process's first load about 10 us. At
 * most 2^15 bits, a page: libc's 3,000 names alone would ask 2^16, and
 * at 2^15 a name it does not hold still passes only one time in 27.
 */
#define BITS_PER_NAME 12
#define MIN_BITS      (1u << 12)
#define MAX_BITS      (1u << 15)
#define WORD_BITS     64

struct namefilter {
	unsigned log2_bits;
	uint64_t words[];
};

static uint32_t first_bit(const struct namefilter *f, uint32_t h)
{
	return h & ((1u << f->log2_bits) - 1);
}

/* A second position, mixed from all of h's bits. */
static uint32_t second_bit(const struct namefilter *f, uint32_t h)
{
	return (h * 0x9e3779b1u) >> (32 - f->log2_bits);
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

	set_bit(f, first_bit(f, h));
	set_bit(f, second_bit(f, h));
}

static void add_table(struct namefilter *f, struct gnu_names t)
{
	const uint32_t *first = gnu_names_first(t.table);

	for (const uint32_t *c = first; c < first + t.count; c++)
		add_name(f, *c);
}

/* log2 of the filter's size for the names the tables hold. */
static unsigned size_for(const struct gnu_names *tables, size_t n)
{
	size_t names = 0;
	unsigned log2_bits = 0;

	for (size_t i = 0; i < n; i++)
		names += tables[i].count;
	while ((1ul << log2_bits) < MIN_BITS ||
	       ((1ul << log2_bits) < MAX_BITS && (1ul << log2_bits) < names * BITS_PER_NAME))
		log2_bits++;
	return log2_bits;
}

struct namefilter *namefilter_build(const struct gnu_names *tables, size_t n)
{
	unsigned log2_bits = size_for(tables, n);
	struct namefilter *f = calloc(1, sizeof(*f) + (1ul << log2_bits) / 8);

	if (!f)
		return NULL;
	f->log2_bits = log2_bits;
	for (size_t i = 0; i < n; i++)
		add_table(f, tables[i]);
	return f;
}

int namefilter_may_hold(const struct namefilter *f, uint32_t hash)
{
	uint32_t h = hash >> 1;

	return has_bit(f, first_bit(f, h)) && has_bit(f, second_bit(f, h));
}

void namefilter_free(struct namefilter *f)
{
	free(f);
}
