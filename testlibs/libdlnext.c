/* dlsym(RTLD_NEXT, ...) from inside a dlopened library: the next
 * definition after this library's own, here libc's. */
#include <dlfcn.h>
#include <stdlib.h>

/* An atoi of its own, which hands over to the next one. (The program
 * calls it through dlsym: whether the library's own calls reach it differs,
 * glibc binding them to the global scope's first atoi.) */
int atoi(const char *s)
{
	int (*next)(const char *) = (int (*)(const char *))dlsym(RTLD_NEXT, "atoi");

	return next ? next(s) + 1000 : -1; /* its own atoi again would recurse */
}
