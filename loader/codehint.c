#include "codehint.h"
#include "lib.h"
#include "loadpath.h"
#include "registry.h"

#include <string.h>

/* Enough for the libraries a program loads and unloads over and over; a
 * file past them only loses its hint. Replaced in turn, oldest first. */
#define CODE_HINTS 32

struct kept_hint {
	dev_t dev;
	ino_t ino;
	uint64_t stamp;
	struct code_hint hint;
};

static struct kept_hint kept[CODE_HINTS];
static size_t nkept, next_slot;

static int same_file(const struct kept_hint *k, const struct sl_lib *lib)
{
	return k->dev == lib->dev && k->ino == lib->ino && k->stamp == lib->file_stamp;
}

static struct kept_hint *kept_for(const struct sl_lib *lib)
{
	for (size_t i = 0; i < nkept; i++)
		if (same_file(&kept[i], lib))
			return &kept[i];
	return NULL;
}

LOAD_PATH void code_hint_find(const struct sl_lib *lib, struct code_hint *hint)
{
	const struct kept_hint *k;

	registry_lock();
	k = kept_for(lib);
	*hint = k ? k->hint : (struct code_hint){0, 0, 0};
	registry_unlock();
}

void code_hint_keep(const struct sl_lib *lib, const struct code_hint *hint)
{
	struct kept_hint *k;

	registry_lock();
	if (!(k = kept_for(lib))) {
		k = &kept[next_slot];
		next_slot = (next_slot + 1) % CODE_HINTS;
		if (nkept < CODE_HINTS)
			nkept++;
	}
	*k = (struct kept_hint){lib->dev, lib->ino, lib->file_stamp, *hint};
	registry_unlock();
}

LOAD_PATH uint64_t code_hint_stamp(const struct stat *st)
{
	uint64_t h = (uint64_t)st->st_size * 0x9e3779b97f4a7c15ULL;

	h ^= (uint64_t)st->st_mtim.tv_sec + (h << 6) + (h >> 2);
	h ^= (uint64_t)st->st_mtim.tv_nsec + (h << 6) + (h >> 2);
	return h;
}

/* x86-64's crti.o opens _init and _fini with a frame (sub $8, %rsp) that
 * crtn.o closes (add $8, %rsp; ret); with -fcf-protection an endbr64
 * comes first. */
static const unsigned char empty_frame[] = {0x48, 0x83, 0xec, 0x08, 0x48, 0x83, 0xc4, 0x08, 0xc3};
static const unsigned char endbr64[] = {0xf3, 0x0f, 0x1e, 0xfa};

int code_is_empty_frame(const void *fn)
{
	const unsigned char *code = fn;

	if (memcmp(code, endbr64, sizeof(endbr64)) == 0)
		code += sizeof(endbr64);
	return memcmp(code, empty_frame, sizeof(empty_frame)) == 0;
}
