/*
 * reload: what the last unload of a library in this process leaves for
 * the next load of the same file (same device, inode, size and
 * modification time): where it was mapped, and which of its text the
 * initialisers and finalisers run.
 *
 * Where: the next load maps it at the same address if that is still free,
 * as glibc's reload lands in the hole its unload left. Programs depend on
 * that without knowing: a library that stays (GLib, linked -z nodelete)
 * keeps pointers into one that was unloaded (g_quark_from_static_string's
 * strings), and the reload's constructors find them valid again only if
 * the strings are back at the same addresses (libbabeltrace's plugins
 * crashed on a reload before).
 *
 * Which text: a load and unload pays at the unload for every page of text
 * the load left mapped: unmapping invalidates each one's TLB entry, over
 * the range from the first mapped page to the last. Populating an
 * initialiser's page maps the 64 KiB around it (the kernel's
 * fault-around), and calling a DT_FINI at the other end of the text maps
 * the rest, so a small library's whole text is mapped by a load that runs
 * two pages of it (libbz2: 13 pages, 2 of them run). Knowing those pages
 * before mapping, the next load maps them on their own and populated
 * (map.c), where fault-around finds no neighbours, and does not call a
 * DT_FINI that is the empty frame crti and crtn make, which does nothing.
 *
 * A hint changes what is mapped where and when, never what runs: it is
 * kept for one file, and a file rewritten since is another (fileid.h);
 * that its DT_FINI is empty is taken only from a hint of the same build
 * (build-id), so that a file rewritten within one tick of the clock, with
 * its times as they were, is not taken for the one unloaded either. The load's
 * mapping, its initialisers and its unload each look it up (map.c,
 * initfini.c) rather than keep a copy in the library: only that file's
 * unload replaces it, so all three find the same one (or none, if the
 * unloads of 64 other files pushed it out, which only costs what it
 * saved). Under the registry lock (taken here).
 */
#ifndef SL_RELOAD_H
#define SL_RELOAD_H

#include <stdint.h>

struct sl_lib;

struct reload_hint {
	uintptr_t start; /* the first byte of its span, 0 if unknown */
	/* The text pages the initialisers and finalisers run, [lo, hi) as
	 * p_vaddr; lo == hi when unknown or too many to be worth it. */
	uint64_t lo, hi;
	/* DT_FINI is the empty frame: trusted only for the same build
	 * (reload_build), not for the file's identity alone. */
	int fini_empty;
	uint64_t build;
};

/* The hint kept for lib's file, or an empty one. */
void reload_hint_find(const struct sl_lib *lib, struct reload_hint *hint);
/* Keeps what lib's unload found, replacing what was kept for its file. */
void reload_hint_keep(const struct sl_lib *lib, const struct reload_hint *hint);
/* lib's build-id, hashed; 0 if it has none. */
uint64_t reload_build(const struct sl_lib *lib);

#endif
