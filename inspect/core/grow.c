#include "core/grow.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int grow_for_one(void *items, size_t *cap, size_t count, size_t elem, size_t first)
{
	void *array, *grown;
	size_t want;

	if (count < *cap)
		return 0;
	want = *cap ? *cap * 2 : first;
	if (want < count + 1 || want > SIZE_MAX / elem)
		return -ENOMEM;
	memcpy(&array, items, sizeof(array));
	grown = realloc(array, want * elem);
	if (!grown)
		return -ENOMEM;
	memcpy(items, &grown, sizeof(grown));
	*cap = want;
	/* grown now lives in *items (stored by memcpy, which cppcheck does not follow). */
	// cppcheck-suppress memleak
	return 0;
}
