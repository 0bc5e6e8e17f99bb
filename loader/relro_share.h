/*
 * share: lets processes share a library's relocated read-only data (RELRO).
 *
 * A library opened with SL_SHARE is placed at a base address derived from
 * its identity and a per-boot salt, so every process puts it at the same
 * place and relocates its RELRO to the same bytes. The first process writes
 * those pages to a cache file in the share directory, with what they depend
 * on; later ones (share_warm) check that, map the pages it proves from the
 * file, read-only, and apply only the relocations outside them, so the pages
 * live once in the page cache. Nothing here is ever fatal: when something is
 * missing, stale or unsafe, the library relocates in full or stays private,
 * and the status says why. docs/loader.md describes the file.
 */
#ifndef SL_SHARE_H
#define SL_SHARE_H

#include "soload.h"

#include <elf.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>

/* Who a library is, independent of the path it was opened by. */
struct share_id {
	char text[96]; /* "b<build-id hex>", or "f<dev>-<ino>-<size>-<mtime>" */
	uint64_t hash;
};

/* A library the RELRO may point into, and where it was placed. */
struct share_dep {
	char id[96];
	uint64_t base;
};

/* What one library needs to share its RELRO, kept with the library. */
struct share_ctx {
	char dir[PATH_MAX]; /* first: share_prepare clears what follows */
	struct share_id id;
	uint64_t salt;
	uintptr_t base;         /* where the span should start */
	int placed;             /* the span is at base */
	uint64_t context;       /* hash of deps: part of the cache file's name */
	struct share_dep *deps; /* the scope's libraries, in order (share_add_context) */
	size_t ndeps, deps_cap;
	int usable;       /* 0 once a reason to stay private was found */
	char status[256]; /* "created", "shared" or "private: <reason>" */
	/* One bit a RELRO page: set when the page depends on more than the
	 * placement (share_unproven); NULL when nothing is recorded. */
	unsigned char *unproven;
	uintptr_t relro_lo, relro_hi; /* the whole RELRO pages */
	/* The library's relocations (share_relocs): a new cache records which
	 * of them a warm load must still apply. */
	uintptr_t bias;
	const Elf64_Rela *rela, *jmprel;
	size_t nrela, njmprel;
	int warm;              /* proven pages came from the cache */
	void *meta;            /* a warm cache's metadata, until share_relro */
	const uint32_t *apply; /* in it: the relocations still to apply */
	size_t napply;
	/* The writable segment, [rw_lo, rw_hi), and on a cold load two bits a
	 * word of it (share_placed, share_host_bound, share_unproven): a
	 * symbol bound where placement alone decides, one bound into glibc's
	 * objects, and anything else. */
	uintptr_t rw_lo, rw_hi;
	unsigned char *words;
};

/* The share directory (SOLOAD_SHARE_DIR, else $XDG_RUNTIME_DIR/soload-share,
 * else /tmp/soload-share-<uid>), created 0700 if missing. 0, or -1 with the
 * reason in why. A directory not ours or writable by others is refused. */
int share_dir(char *path, size_t cap, char *why, size_t whycap);

/* This boot's salt, created once per boot in dir. 0, or -1 with why. */
int share_salt(const char *dir, uint64_t *salt, char *why, size_t whycap);

/* Identity of the library open as fd: its build-id, else its file's device,
 * inode, size and mtime. 0, or -errno. */
int share_identify(int fd, struct share_id *id);

/* The page-aligned address, a multiple of align, at which a span of this
 * identity is placed for this salt: inside one 512 GiB window per salt,
 * shared by every library of the boot. */
uintptr_t share_base(const struct share_id *id, uint64_t salt, size_t span, size_t align);

/* Fills ctx for the library open as fd with a span of span bytes aligned to
 * align. Never fails: on trouble ctx->usable is 0 and ctx->status says why. */
void share_prepare(struct share_ctx *ctx, int fd, size_t span, size_t align);

/* Reserves span bytes PROT_NONE at ctx->base with MAP_FIXED_NOREPLACE.
 * Returns the address, or NULL (status "private: base address taken" or
 * the reason it was not tried); the caller then reserves anywhere. */
void *share_reserve(struct share_ctx *ctx, size_t span);

/* Notes that the RELRO may point into a library placed at base with this
 * identity: the cache records the placement of everything it points into,
 * in scope order, and a warm load uses it only if all are where they were. */
void share_add_context(struct share_ctx *ctx, const struct share_id *id, uintptr_t base);

/* The library's load bias (runtime address = bias + vaddr), its DT_RELA
 * and DT_JMPREL tables and its writable segment [rw_lo, rw_hi) (runtime
 * addresses), before share_warm. */
void share_relocs(struct share_ctx *ctx, uintptr_t bias, const Elf64_Rela *rela, size_t nrela,
                  const Elf64_Rela *jmprel, size_t njmprel, uintptr_t rw_lo, uintptr_t rw_hi);

/* Gives up sharing for reason (for the status "private: <reason>"). */
void share_give_up(struct share_ctx *ctx, const char *reason);

/* After relocation and before RELRO is made read-only: shares the pages of
 * [relro, relro + size) through the cache file and fills *st. Only whole
 * pages are considered. Never fails. Does nothing after a warm start. */
void share_relro(struct share_ctx *ctx, void *relro, size_t size, struct sl_share_stats *st);

/*
 * The warm path, before relocation, once the context is complete: if a
 * trusted cache matches (identity, base, the identity and base of every
 * library of the scope, the metadata's checksum) and carries a bitmap,
 * every page it proves is mapped from it, read-only, and relocation
 * applies only the relocations the cache lists (share_apply_list): those
 * outside the proven pages. A warm load neither relocates nor compares
 * the proven pages, as prelink does. Otherwise relocation records which
 * pages depend on more than the placement (share_unproven), and
 * share_relro writes that bitmap and the list with a new cache. Never
 * fails; fills *st.
 */
void share_warm(struct share_ctx *ctx, void *relro, size_t size, struct sl_share_stats *st);
/* After a warm start: 0 and the indexes of the relocations to apply (an
 * index below nrela is one of DT_RELA, the others DT_JMPREL's, after
 * them); -1 when every relocation is to be applied. */
int share_apply_list(const struct share_ctx *ctx, const uint32_t **list, size_t *n);
/* True if the 8 bytes at addr lie in pages mapped from the cache. */
int share_mapped(const struct share_ctx *ctx, uintptr_t addr);
/* The 8 bytes at addr got a value that depends on more than the placement. */
void share_unproven(struct share_ctx *ctx, uintptr_t addr);
/* The 8 bytes at addr got a symbol's address that only the placement of
 * the scope decides: outside the proven pages, a warm load writes the
 * value the cache records instead of looking the symbol up again. */
void share_placed(struct share_ctx *ctx, uintptr_t addr);
/* The 8 bytes at addr got the address of a definition in one of glibc's
 * objects (no addend): a warm load on the same host writes that object's
 * bias there plus the offset the cache records, instead of looking the
 * symbol up again. */
void share_host_bound(struct share_ctx *ctx, uintptr_t addr);
/* Frees what share_warm and share_add_context allocated. */
void share_release(struct share_ctx *ctx);

#endif
