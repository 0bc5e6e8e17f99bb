/*
 * initfini: runs a library's initialisers (DT_INIT, then DT_INIT_ARRAY in
 * order) and finalisers (DT_FINI_ARRAY in reverse, then DT_FINI).
 * Dependencies come first for init and last for fini because the loader
 * initialises each dependency as it finishes loading it.
 */
#ifndef SL_INITFINI_H
#define SL_INITFINI_H

#include "lib.h"

void initfini_run_init(struct sl_lib *lib);

/* fn runs before the initialisers of a library that has any, under the
 * registry lock (the preload shows the library to debuggers and dladdr
 * first: a constructor that crashes is named). Set once, before any load. */
void initfini_set_before_init(void (*fn)(void));
void initfini_run_fini(struct sl_lib *lib);

#endif
