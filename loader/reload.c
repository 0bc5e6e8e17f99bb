#include "reload.h"
#include "buildid.h"
#include "lib.h"
#include "loadpath.h"
#include "registry.h"
#include "share_place.h"

#include <string.h>

/* Enough for the trees a program loads and unloads over and over (libgtk-3
 * has sixty libraries). Past them the file unloaded longest ago loses its
 * hint; it only loses what the hint saved, and its reload lands wherever
 * there is room, which is where a program that keeps pointers into it
 * would find them stale (reload.h). */
#define RELOAD_HINTS 64

struct kept_hint {
	dev_t dev;
	ino_t ino;
	uint64_t identity;
	unsigned long kept_at; /* when it was last kept: the oldest goes first */
	struct reload_hint hint;
};

static struct kept_hint kept[RELOAD_HINTS];
static size_t nkept;
static unsigned long keeps;

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

/* A free slot, else the one kept longest ago. */
static struct kept_hint *slot_to_fill(void)
{
	struct kept_hint *oldest = &kept[0];

	if (nkept < RELOAD_HINTS)
		return &kept[nkept++];
	for (size_t i = 1; i < RELOAD_HINTS; i++)
		if (kept[i].kept_at < oldest->kept_at)
			oldest = &kept[i];
	return oldest;
}

LOAD_PATH void reload_hint_find(const struct sl_lib *lib, struct reload_hint *hint)
{
	const struct kept_hint *k;

	registry_lock();
	k = kept_for(lib);
	*hint = k ? k->hint : (struct reload_hint){.start = 0};
	registry_unlock();
}

void reload_hint_keep(const struct sl_lib *lib, const struct reload_hint *hint)
{
	struct kept_hint *k;

	registry_lock();
	if (!(k = kept_for(lib)))
		k = slot_to_fill();
	*k = (struct kept_hint){.dev = lib->dev,
	                        .ino = lib->ino,
	                        .identity = lib->file_identity,
	                        .kept_at = ++keeps,
	                        .hint = *hint};
	registry_unlock();
}

uint64_t reload_build(const struct sl_lib *lib)
{
	char hex[81];

	if (lib_build_id(lib, hex, sizeof(hex)) != 0)
		return 0;
	return share_hash(hex, strlen(hex)) | 1;
}
