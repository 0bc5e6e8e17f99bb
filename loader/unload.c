#include "unload.h"
#include "deps.h"
#include "dynamic.h"
#include "initfini.h"
#include "lazy.h"
#include "map.h"
#include "reach.h"
#include "registry.h"
#include "symbol.h"
#include "tls.h"
#include "unique.h"
#include "unwind.h"

#include <stdlib.h>

/* Releases whatever the steps built but the struct; each release undoes
 * only its own step and does nothing when that step never ran. What lib
 * held loses a reference, so those libraries must still exist. The unique
 * names lib defined are copied out of its string table before it is
 * unmapped. */
static void release_steps(struct sl_lib *lib)
{
	registry_remove(lib);
	symbol_forget(lib);
	unique_release(lib);
	unwind_detach(lib);
	tls_detach(lib);
	map_release(lib);
	lazy_release(lib);
	deps_release(lib);
	dynamic_release(lib);
}

static void free_lib(struct sl_lib *lib)
{
	free(lib->path);
	free(lib);
}

void unload_one(struct sl_lib *lib)
{
	initfini_run_fini(lib);
	release_steps(lib);
	free_lib(lib);
}

/* A set unloaded together: every finaliser first, in the set's order
 * (a finaliser may still call into another member), then every member's
 * frames deregistered (a member's may be registered with another
 * member's libgcc_s, which must still be mapped), then the rest. */
static void unload_set(struct sl_lib **set, size_t n)
{
	for (size_t i = 0; i < n; i++)
		initfini_run_fini(set[i]);
	for (size_t i = 0; i < n; i++)
		unwind_detach(set[i]);
	for (size_t i = 0; i < n; i++)
		release_steps(set[i]);
	for (size_t i = 0; i < n; i++)
		free_lib(set[i]);
}

/* A finaliser's own sl_close waits for the set being unloaded: the walk
 * runs again when that set is gone. Under the registry lock. */
static int collecting, collect_again;

void unload_collect(void)
{
	struct sl_lib **set;
	size_t n;

	if (collecting) {
		collect_again = 1;
		return;
	}
	collecting = 1;
	do {
		collect_again = 0;
		n = reach_unreachable(&set);
		unload_set(set, n);
		free(set);
	} while (collect_again);
	collecting = 0;
}

static void count_all(struct sl_lib *lib, void *arg)
{
	(void)lib;
	++*(size_t *)arg;
}

static void count_ready(struct sl_lib *lib, void *arg)
{
	struct sl_lib ***at = arg;

	if (lib->state == LIB_READY && !lib->dying && lib->initialised)
		*(*at)++ = lib;
}

void unload_at_exit(void)
{
	struct sl_lib **set, **end;
	size_t n = 0;

	int was_collecting;

	registry_lock();
	/* A finaliser's dlclose must not free what the loop has yet to reach:
	 * the process is ending, nothing need be unmapped. */
	was_collecting = collecting;
	collecting = 1;
	registry_foreach_all(count_all, &n);
	if ((set = end = malloc((n + 1) * sizeof(*set)))) {
		registry_foreach_all(count_ready, &end);
		reach_order(set, (size_t)(end - set));
		for (struct sl_lib **l = set; l < end; l++)
			initfini_run_fini(*l);
		free(set);
	}
	collecting = was_collecting;
	registry_unlock();
}

void unload_unref(struct sl_lib *lib)
{
	if (lib->refcount > 0)
		lib->refcount--;
}

void unload_close(struct sl_lib *lib)
{
	if (lib->opens > 0) {
		lib->opens--;
		unload_unref(lib);
	}
	if (!lib->opens && !lib->pins)
		unload_collect();
}

void unload_pin(struct sl_lib *lib)
{
	lib->pins++;
	lib->refcount++;
}

void unload_unpin(struct sl_lib *lib)
{
	if (lib->pins > 0) {
		lib->pins--;
		unload_unref(lib);
	}
	if (!lib->pins && !lib->opens)
		unload_collect();
}
