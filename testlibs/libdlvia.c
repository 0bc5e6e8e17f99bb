/* libdlvia: a dlopen made from inside one of glibc's libraries (the soload
 * run tests put it in LD_PRELOAD): a bare name is searched for this
 * library, which has no DT_RPATH or DT_RUNPATH, not for the program. */
#include <dlfcn.h>

void *dlvia_open(const char *name, int mode)
{
	void *h = dlopen(name, mode);

	/* Not a tail call: dlopen's caller is this library. */
	__asm__ volatile("" ::: "memory");
	return h;
}
