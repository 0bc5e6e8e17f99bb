/*
 * load: the loader's pipeline as the steps see it from inside (soload.c).
 * Callers hold the registry lock.
 */
#ifndef SL_LOAD_H
#define SL_LOAD_H

#include "lib.h"

/* Loads the library open on fd (path names it; fd is always consumed), or
 * returns the loaded one with its count raised. NULL with sl_error(). */
struct sl_lib *load_fd(const char *path, int fd, int flags);
/* Drops one reference; the last one unloads. */
void load_release(struct sl_lib *lib);

#endif
