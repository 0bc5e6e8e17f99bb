/* grow: room for one more element in a growable array, doubling its
 * capacity when full. The reports (mappings, page runs, processes, errors)
 * are plain arrays grown this way. */
#ifndef GROW_H
#define GROW_H

#include <stddef.h>

/* Makes *items (count used, *cap allocated, of elem bytes each) hold at
 * least count + 1, starting at first. 0, or -ENOMEM (the array unchanged). */
int grow_for_one(void *items, size_t *cap, size_t count, size_t elem, size_t first);

#endif
