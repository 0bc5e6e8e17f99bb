#define _GNU_SOURCE
/* libfindobj: asks _dl_find_object, as libgcc's unwinder does for each
 * return address (GCC 12 on), which object holds an address: its own
 * code, bound to libsoload's answer, which knows the libraries it maps. */
#include <dlfcn.h>

int findobj_at(void *addr, struct dl_find_object *out)
{
	return _dl_find_object(addr, out);
}

int findobj_own(struct dl_find_object *out)
{
	return _dl_find_object((void *)findobj_own, out);
}
