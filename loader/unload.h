/*
 * unload: the loader's close path. Libraries go only as reach.h decides,
 * each unreachable set at once: every finaliser first, then each step's
 * release, then the structs. Under the registry lock.
 */
#ifndef SL_UNLOAD_H
#define SL_UNLOAD_H

#include "lib.h"

/* Unloads one library nothing refers to (a failed load before it was
 * registered, an inspected one): finalisers, every step's release, free. */
void unload_one(struct sl_lib *lib);
/* Drops a reference another library held (a dependency, a hold): the
 * count sl_info shows. Unloading is unload_collect's alone. */
void unload_unref(struct sl_lib *lib);
/* Drops one direct open (sl_close, a failed sl_open), then unloads what
 * is no longer reached (reach.h). */
void unload_close(struct sl_lib *lib);
/* A pin keeps lib loaded like an open that is no handle (a thread_local
 * destructor still to run); unpinning collects as unload_close does. */
void unload_pin(struct sl_lib *lib);
void unload_unpin(struct sl_lib *lib);
/* Unloads every library no root reaches, as one set: finalisers first, in
 * the reverse of initialisation order. */
void unload_collect(void);
/* At exit: every library still loaded runs its finalisers, the latest
 * initialised first, as glibc's _dl_fini; nothing is unmapped. */
void unload_at_exit(void);

#endif
