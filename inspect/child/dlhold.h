/*
 * dlhold: the glibc side of `mapscope share`. Loads a library with the
 * system's dlopen and lists the files that load brought in, so a dlopen
 * holder can be measured the same way as a `soload hold` one.
 */
#ifndef DLHOLD_H
#define DLHOLD_H

#include <jansson.h>
#include <stddef.h>

struct dlhold {
	void *handle;
	size_t n;
	char **paths; /* the library first, then what it brought in */
	char error[512];
};

/* dlopen(lib, RTLD_NOW); 0, or -1 with d->error. */
int dlhold_open(struct dlhold *d, const char *lib);
/* The ready line (core/holdline) of a holder that loaded d: the library,
 * needing everything else the load brought in, each also a dependency. */
json_t *dlhold_line(const struct dlhold *d, int pid);
/* dlclose and free; safe after a failed open. */
void dlhold_close(struct dlhold *d);

#endif
