/* namefilter: the one filter made from GNU hash tables says "may" for
 * every name the tables hold (it is only ever trusted to say "no"), and
 * "no" for most names they do not. Made from libc's own table, as the
 * relocation pass makes it from the global scope's. */
#include "namefilter.h"
#include "support/dyntables.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

static uint32_t gnu_hash(const char *name)
{
	uint32_t h = 5381;

	for (const unsigned char *s = (const unsigned char *)name; *s; s++)
		h = h * 33 + *s;
	return h;
}

/* The number of symbols libc's GNU hash table holds: to the end of the
 * chain that starts last. */
static uint32_t hashed_symbols(const uint32_t *t)
{
	const uint32_t *buckets = t + 4 + (size_t)t[2] * 2, *chains = buckets + t[0];
	uint32_t last = 0;

	for (uint32_t b = 0; b < t[0]; b++)
		if (buckets[b] > last)
			last = buckets[b];
	while (!(chains[last - t[1]] & 1))
		last++;
	return last + 1;
}

Test(namefilter, holds_every_name_of_its_tables_and_few_others)
{
	struct tu_dyntables libc = tu_dyntables_of("/libc.so.6");
	struct gnu_names tables[1];
	struct namefilter *f;
	unsigned held = 0, false_hits = 0;
	char name[64];

	cr_assert_not_null(libc.gnu_hash, "libc.so.6 with a GNU hash table");
	tables[0] = (struct gnu_names){libc.gnu_hash, gnu_names_count(libc.gnu_hash)};
	cr_assert_eq(tables[0].count + libc.gnu_hash[1], hashed_symbols(libc.gnu_hash),
	             "gnu_names_count: every name from symoffset to the last chain's end");
	f = namefilter_build(tables, 1);
	cr_assert_not_null(f);
	for (uint32_t i = libc.gnu_hash[1]; i < hashed_symbols(libc.gnu_hash); i++, held++) {
		const char *n = libc.strtab + libc.symtab[i].st_name;
		cr_assert(namefilter_may_hold(f, gnu_hash(n)), "libc's %s said absent", n);
	}
	cr_assert_gt(held, 1000, "libc's table holds %u names", held);
	for (int i = 0; i < 10000; i++) {
		snprintf(name, sizeof(name), "no_such_symbol_%d", i);
		false_hits += namefilter_may_hold(f, gnu_hash(name));
	}
	/* At most a page of filter (namefilter.c): libc's names pass an
	 * absent one about one time in 27. */
	cr_expect_lt(false_hits, 400, "%u of 10000 absent names passed", false_hits);
	namefilter_free(f);
}
