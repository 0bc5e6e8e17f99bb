/* Its constructor dlopens libdlctor_leaf.so by bare name, which only its
 * own DT_RUNPATH ($ORIGIN) finds: a dlopen from inside a library searches
 * that library's paths, not the program's. */
#include <dlfcn.h>
#include <stdio.h>

static void *leaf;
static char why[256];

__attribute__((constructor)) static void open_leaf(void)
{
	const char *e;

	leaf = dlopen("libdlctor_leaf.so", RTLD_NOW);
	if (!leaf)
		snprintf(why, sizeof(why), "%s", (e = dlerror()) ? e : "no dlerror");
}

/* The leaf's value, or -1 (dlctor_error then says why). */
int dlctor_leaf_value(void)
{
	int (*f)(void) = leaf ? (int (*)(void))dlsym(leaf, "leaf_value") : NULL;

	return f ? f() : -1;
}

const char *dlctor_error(void)
{
	return why;
}
