/* sharednames: the names one GNU hash table shares with others, found by
 * sweeping chain words, against the names both really define. libm and
 * libc share a few (ldexp, frexp, modf...): every one is found, a name only
 * libm defines is not, whichever table is the library's. */
#include "sharednames.h"
#include "support/dyntables.h"

#include <criterion/criterion.h>
#include <dlfcn.h>
#include <string.h>

static struct tu_dyntables tables_of(const char *suffix)
{
	struct tu_dyntables t = tu_dyntables_of(suffix);

	cr_assert(t.gnu_hash && t.symtab && t.strtab, "%s with a GNU hash table", suffix);
	return t;
}

static uint32_t gnu_hash(const char *name)
{
	uint32_t h = 5381;

	for (const unsigned char *s = (const unsigned char *)name; *s; s++)
		h = h * 33 + *s;
	return h;
}

/* Whether t's table holds name, read the plain way: its bucket's chain,
 * each candidate's name compared. */
static int defines(const struct tu_dyntables *t, const char *name)
{
	const uint32_t *h = t->gnu_hash, *buckets = h + 4 + (size_t)h[2] * 2;
	const uint32_t *chains = buckets + h[0] - h[1];
	uint32_t hash = gnu_hash(name), i = buckets[hash % h[0]];

	for (; i >= h[1]; i++) {
		if ((chains[i] | 1) == (hash | 1) &&
		    !strcmp(t->strtab + t->symtab[i].st_name, name))
			return 1;
		if (chains[i] & 1)
			break;
	}
	return 0;
}

static struct gnu_names names_of(const struct tu_dyntables *t)
{
	return (struct gnu_names){t->gnu_hash, gnu_names_count(t->gnu_hash)};
}

/* Every name both define is held; a few hashes more at most. */
static void check_shared(struct gnu_names lib, struct gnu_names other,
                         const struct tu_dyntables *libm, const struct tu_dyntables *libc)
{
	struct shared_names s = {0};
	unsigned both = 0;

	cr_assert_eq(shared_names_find(&s, lib, &other, 1), 0);
	for (uint32_t i = 0; i < names_of(libm).count; i++) {
		const char *n = libm->strtab + libm->symtab[libm->gnu_hash[1] + i].st_name;
		if (!defines(libc, n))
			continue;
		both++;
		cr_expect(shared_names_may_hold(&s, gnu_hash(n)), "%s, in both, not found", n);
	}
	cr_expect_geq(both, 3, "libm and libc share %u names", both);
	cr_expect_leq(s.n, both + 4, "%zu hashes for %u shared names", s.n, both);
	cr_expect_not(shared_names_may_hold(&s, gnu_hash("cos")), "cos is libm's alone");
	shared_names_free(&s);
}

Test(sharednames, finds_the_names_libm_shares_with_libc_either_way)
{
	void *m = dlopen("libm.so.6", RTLD_NOW);
	struct tu_dyntables libm, libc;

	cr_assert_not_null(m, "%s", dlerror());
	libm = tables_of("/libm.so.6");
	libc = tables_of("/libc.so.6");
	cr_assert(defines(&libm, "cos") && !defines(&libc, "cos"));
	cr_assert_gt(names_of(&libc).count, 1000, "libc's table holds %u names",
	             names_of(&libc).count);
	check_shared(names_of(&libm), names_of(&libc), &libm, &libc);
	check_shared(names_of(&libc), names_of(&libm), &libm, &libc);
	dlclose(m);
}

Test(sharednames, no_table_finds_nothing)
{
	struct shared_names s = {0};
	struct gnu_names none = {NULL, 0};

	cr_expect_eq(shared_names_find(&s, none, NULL, 0), -1);
	cr_expect_eq(s.n, 0);
}
