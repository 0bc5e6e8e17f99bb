/* libuniq_root: opened by the unique tests, with libuniq_dep as its
 * dependency; both carry uniq.h's STB_GNU_UNIQUE objects. */
#include "uniq.h"

extern "C" int *uniq_dep_counter();

extern "C" int *uniq_root_counter()
{
	return uniq_counter();
}

extern "C" int *uniq_root_dep_counter()
{
	return uniq_dep_counter();
}
