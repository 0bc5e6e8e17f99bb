#include "reload.h"
#include "lib.h"
#include "loadpath.h"
#include "registry.h"

/* Enough for the trees a program loads and unloads over and over (libgtk-3
 * has sixty libraries); a file past them only loses its hint. Replaced in
 * turn, oldest first. */
#define RELOAD_HINTS 64

struct kept_hint {
	dev_t dev;
	ino_t ino;
	uint64_t identity;
	struct reload_hint hint;
};

static struct kept_hint kept[RELOAD_HINTS];
static size_t nkept, next_slot;

static int same_file(const struct kept_hint *k, const struct sl_lib *lib)
{
	return k->dev == lib->dev && k->ino == lib->ino && k->identity == lib->file_identity;
}

LOAD_PATH static struct kept_hint *kept_for(const struct sl_lib *lib)
{
	for (size_t i = 0; i < nkept; i++)
		if (same_file(&kept[i], lib))
			return &kept[i];
	return NULL;
}

LOAD_PATH void reload_hint_find(const struct sl_lib *lib, struct reload_hint *hint)
{
	const struct kept_hint *k;

	registry_lock();
	k = kept_for(lib);
	*hint = k ? k->hint : (struct reload_hint){0, 0, 0, 0};
	registry_unlock();
}

void reload_hint_keep(const struct sl_lib *lib, const struct reload_hint *hint)
{
	struct kept_hint *k;

	registry_lock();
	if (!(k = kept_for(lib))) {
		k = &kept[next_slot];
		next_slot = (next_slot + 1) % RELOAD_HINTS;
		if (nkept < RELOAD_HINTS)
			nkept++;
	}
	*k = (struct kept_hint){lib->dev, lib->ino, lib->file_identity, *hint};
	registry_unlock();
}
