/* libnoexport: exports nothing (-fvisibility=hidden) yet imports from
 * libc, so its GNU hash table is empty and cannot give the symbol count. */
#include <stdlib.h>
#include <string.h>

static char *copy;

__attribute__((constructor)) static void keep_a_copy(void)
{
	copy = strdup(getenv("PATH") ? "path" : "none");
}

__attribute__((destructor)) static void drop_the_copy(void)
{
	free(copy);
}
