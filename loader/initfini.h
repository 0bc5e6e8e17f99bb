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
void initfini_run_fini(struct sl_lib *lib);

#endif
