/*
 * deps: a library's DT_NEEDED entries. glibc's own libraries come from the
 * process's dynamic linker (dlopen); every other one is searched as glibc
 * searches it: without a DT_RUNPATH, the DT_RPATH of the library, of its
 * loader and on up, then the executable's (each $ORIGIN the directory of
 * the file it is in); LD_LIBRARY_PATH; the library's DT_RUNPATH; then
 * SOLOAD_LIBRARY_PATH, ldconfig's cache and the system directories (not
 * those two under DF_1_NODEFLIB), and loaded by us. Then the lookup scope is
 * built: the library, its dependencies breadth-first.
 */
#ifndef SL_DEPS_H
#define SL_DEPS_H

#include "lib.h"

/* 0, or -1 with sl_error() ("lib: needed library X not found (searched:
 * ...)") and every dependency loaded so far released. */
int deps_load(struct sl_lib *lib);
/* Releases the dependencies and the scope. */
void deps_release(struct sl_lib *lib);

/* The file a name without a '/' means when caller's code dlopens it
 * (caller NULL: the program's), searched as glibc searches: the DT_RPATH
 * lists (none for a caller with a DT_RUNPATH; else its own, its loaders',
 * the executable's), LD_LIBRARY_PATH (not for a set-user-ID program), the
 * caller's DT_RUNPATH (the executable's for NULL), SOLOAD_LIBRARY_PATH,
 * ldconfig's cache, the system directories. An open fd with the file in
 * path (PATH_MAX bytes), or -1 with sl_error() ("name: not found
 * (searched: ...)"). Under the registry lock. */
int deps_search(const struct sl_lib *caller, const char *name, char *path);
/* deps_search for the program (no caller), the path on the heap (the
 * caller frees it), or NULL: for a caller that goes on to load it, with
 * no PATH_MAX buffer on the stack through the load. */
char *deps_search_copy(const char *name, int *fd);
/* The same for a caller of glibc's with no DT_RPATH or DT_RUNPATH of its
 * own (a host library's dlopen): the executable's DT_RPATH,
 * LD_LIBRARY_PATH, then SOLOAD_LIBRARY_PATH, the cache, the system
 * directories; the executable's DT_RUNPATH is its own alone. */
int deps_search_listless(const char *name, char *path);

/* Where the system's dynamic linker has one of glibc's own libraries
 * loaded (path: PATH_MAX bytes). 0, or -1 if it has not loaded it. */
int deps_host_path(const char *name, char *path);

/* Whether name is one of glibc's own libraries, which only the system's
 * dynamic linker may load. */
int deps_is_host_library(const char *name);

#endif
