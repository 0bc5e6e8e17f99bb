/* libuniq_fail: bound to the unique objects of uniq.h, then fails to load:
 * it needs a function nobody defines. */
#include "uniq.h"

extern "C" int uniq_fail_missing();

extern "C" int uniq_fail()
{
	return ++*uniq_counter() + uniq_fail_missing();
}
