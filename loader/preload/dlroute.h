/*
 * dlroute: what each exported dl* function (dlentry.S) does. A route
 * returns 1 with args->ret set when the call was libsoload's matter, or 0
 * to have glibc's own function run with the original arguments and caller:
 * dlopen(NULL), glibc's libraries, libraries the host already holds, calls
 * from libsoload itself, handles glibc gave out, addresses outside
 * libsoload's libraries.
 */
#ifndef SL_DLROUTE_H
#define SL_DLROUTE_H

#include <stdint.h>

/* The frame dlentry.S builds: the answer, then the argument registers. */
struct dl_args {
	uintptr_t ret;
	uintptr_t a[6];
};

int route_dlopen(struct dl_args *args, void *caller);
int route_dlsym(struct dl_args *args, void *caller);
int route_dlvsym(struct dl_args *args, void *caller);
int route_dlclose(struct dl_args *args, void *caller);
int route_dlerror(struct dl_args *args, void *caller);
int route_dladdr(struct dl_args *args, void *caller);
int route_dladdr1(struct dl_args *args, void *caller);
int route_dlinfo(struct dl_args *args, void *caller);
int route_dl_iterate_phdr(struct dl_args *args, void *caller);

#endif
