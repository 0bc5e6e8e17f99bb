#include "core/grow.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>

Test(grow, doubles_only_when_full)
{
	int *items = NULL;
	size_t cap = 0, count = 0;

	for (int i = 0; i < 100; i++) {
		cr_assert_eq(grow_for_one(&items, &cap, count, sizeof(*items), 4), 0);
		items[count++] = i;
	}
	cr_assert_eq(cap, 128, "4, 8, ... 128");
	for (int i = 0; i < 100; i++)
		cr_assert_eq(items[i], i);
	free(items);
}

Test(grow, refuses_an_impossible_size_and_keeps_the_array)
{
	char *items = malloc(2);
	size_t cap = 2;

	cr_assert_eq(grow_for_one(&items, &cap, 2, (size_t)1 << 62, 1), -ENOMEM);
	cr_assert_eq(cap, 2);
	free(items);
}
