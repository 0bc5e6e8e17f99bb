/* libuniq_a: one of two libraries carrying the same STB_GNU_UNIQUE objects
 * (uniq.h); each reports the addresses it sees. */
#include "uniq.h"

extern "C" int *uniq_a_counter()
{
	return uniq_counter();
}

extern "C" long *uniq_a_box()
{
	return &uniq_box<long>::value;
}

extern "C" int uniq_a_bump()
{
	return ++*uniq_counter();
}
