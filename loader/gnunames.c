#include "gnunames.h"
#include "loadpath.h"

LOAD_PATH uint32_t gnu_names_count(const uint32_t *t)
{
	const uint32_t *first = gnu_names_first(t), *c;
	const uint32_t *buckets = first - t[0];
	uint32_t last = 0;

	for (uint32_t b = 0; b < t[0]; b++)
		if (buckets[b] > last)
			last = buckets[b];
	if (last < t[1])
		return 0;
	for (c = first + (last - t[1]); !(*c & 1); c++)
		;
	return (uint32_t)(c - first) + 1;
}
