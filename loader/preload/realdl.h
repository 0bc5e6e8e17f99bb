/*
 * realdl: glibc's own dlopen family, found once at start-up. The preload
 * exports functions of the same names, so a plain call from inside it would
 * come back to itself: glibc's dlsym is read from libc's symbol table (its
 * link_map through _r_debug, its GNU hash table), and the rest are asked of
 * that dlsym with RTLD_NEXT, so a preload loaded after ours still sees them.
 */
#ifndef SL_REALDL_H
#define SL_REALDL_H

#include <dlfcn.h>
#include <link.h>
#include <stddef.h>

struct realdl {
	void *(*dlopen)(const char *file, int mode);
	void *(*dlsym)(void *handle, const char *name);
	void *(*dlvsym)(void *handle, const char *name, const char *version);
	int (*dlclose)(void *handle);
	char *(*dlerror)(void);
	int (*dladdr)(const void *addr, Dl_info *info);
	int (*dladdr1)(const void *addr, Dl_info *info, void **extra, int flags);
	int (*dlinfo)(void *handle, int request, void *arg);
	int (*dl_iterate_phdr)(int (*cb)(struct dl_phdr_info *, size_t, void *), void *data);
	/* Not a dlentry.S slot; NULL before glibc 2.35. */
	int (*dl_find_object)(void *address, struct dl_find_object *result);
};

/* dlentry.S jumps through these slots by offset, in this order. */
_Static_assert(offsetof(struct realdl, dl_iterate_phdr) == 64, "dlentry.S slot offsets");

/* Filled by realdl_init; every member is set once it returned 0. */
extern struct realdl real;

/* 0, or -1 when libc's dlsym could not be found (then nothing works). */
int realdl_init(void);

#endif
