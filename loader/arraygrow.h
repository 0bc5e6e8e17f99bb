/*
 * arraygrow: room for one more element in a growable array of the
 * loader's, doubling its capacity when full (the inspector's arrays have
 * their own rule, inspect/core/grow.c, a layer libsoload does not link).
 */
#ifndef SL_ARRAYGROW_H
#define SL_ARRAYGROW_H

#include <stddef.h>

/* Makes *items (a pointer to the array: count used, *cap allocated, elem
 * bytes each) hold at least count + 1, starting at first elements. 0, or
 * -1 when out of memory (the array unchanged). */
int array_grow(void *items, size_t *cap, size_t count, size_t elem, size_t first);

#endif
