#include "arraygrow.h"
#include "loadpath.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

LOAD_PATH int array_grow(void *items, size_t *cap, size_t count, size_t elem, size_t first)
{
	void *array, *grown;
	size_t want;

	if (count < *cap)
		return 0;
	want = *cap ? *cap * 2 : first;
	if (want < count + 1 || want > SIZE_MAX / elem)
		return -1;
	memcpy(&array, items, sizeof(array));
	if (!(grown = realloc(array, want * elem)))
		return -1;
	memcpy(items, &grown, sizeof(grown));
	*cap = want;
	/* grown now lives in *items (stored by memcpy, which cppcheck does not follow). */
	// cppcheck-suppress memleak
	return 0;
}
