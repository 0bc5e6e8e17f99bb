/*
 * load: the loader's pipeline as the steps see it from inside (soload.c).
 * Callers hold the registry lock.
 */
#ifndef SL_LOAD_H
#define SL_LOAD_H

#include "lib.h"
#include "plan.h"

/* Maps the library open on fd (path names it; fd is always consumed) and
 * its dependencies, or returns the loaded one with its count raised; loader
 * is the library whose DT_NEEDED asked for it (NULL for sl_open). NULL
 * with sl_error(). Relocation and initialisers follow for the whole group
 * once the library sl_open was asked for is mapped (soload.c). */
struct sl_lib *load_fd(const char *path, int fd, int flags, struct sl_lib *loader);
/* How far load_check_fd reads. */
enum load_check {
	LOAD_CHECK_HEADER,  /* header check and load plan */
	LOAD_CHECK_DYNAMIC, /* then map and decode the dynamic section */
	LOAD_CHECK_RELOCS,  /* then the relocation plan (reloc_check) */
	LOAD_CHECK_SYMBOLS, /* then every defined symbol looked up by name */
};

/* The reading steps of load_fd alone, up to upto, on a private library
 * (soload info, the fuzz targets): nothing is registered, resolved or run,
 * fd is left open. NULL with sl_error(); release with load_discard, which
 * takes the registry lock itself. plan receives the load plan. */
struct sl_lib *load_inspect_fd(const char *path, int fd, enum load_check upto,
                               struct load_plan *plan);
void load_discard(struct sl_lib *lib);
/* load_inspect_fd, then load_discard: 0, or -1 with sl_error(). */
int load_check_fd(const char *path, int fd, enum load_check upto);

#endif
