/* Its constructor dlopens libdlctor_leaf.so by bare name, which only its
 * own DT_RUNPATH ($ORIGIN) finds: a dlopen from inside a library searches
 * that library's paths, not the program's. It also asks dladdr about
 * itself, which glibc answers while the constructor runs. */
#define _GNU_SOURCE /* dladdr */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

static void *leaf;
static char why[256];
static int found_itself;

__attribute__((constructor)) static void open_leaf(void)
{
	const char *e;

	Dl_info info;

	found_itself = dladdr((void *)open_leaf, &info) && strstr(info.dli_fname, "libdlctor.so");
	leaf = dlopen("libdlctor_leaf.so", RTLD_NOW);
	if (!leaf)
		snprintf(why, sizeof(why), "%s", (e = dlerror()) ? e : "no dlerror");
}

/* 1 when dladdr named this library from inside its constructor. */
int dlctor_found_itself(void)
{
	return found_itself;
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
