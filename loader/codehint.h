/*
 * codehint: what the last unload of a library in this process found out
 * about the code its initialisers and finalisers run, kept for the next
 * load of the same file (same device, inode, size and modification time).
 *
 * A load and unload pays at the unload for every page of text the load
 * left mapped: unmapping invalidates each one's TLB entry, over the range
 * from the first mapped page to the last. Populating an initialiser's page
 * maps the 64 KiB around it (the kernel's fault-around), and calling a
 * DT_FINI at the other end of the text maps the rest, so a small
 * library's whole text is mapped by a load that runs two pages of it
 * (libbz2: 13 pages, 2 of them run). Knowing those pages before mapping,
 * the next load maps them on their own and populated (map.c), where
 * fault-around finds no neighbours, and does not call a DT_FINI that is
 * the empty frame crti and crtn make, which does nothing.
 *
 * A hint changes what is mapped when, never what runs: it is kept for one
 * file, and a file rewritten since is another. The load's mapping, its
 * initialisers and its unload each look it up (map.c, initfini.c) rather
 * than keep a copy in the library: only that file's unload replaces it,
 * so all three find the same one (or none, if the unloads of 32 other
 * files pushed it out, which only costs what it saved). Under the
 * registry lock (taken here).
 */
#ifndef SL_CODEHINT_H
#define SL_CODEHINT_H

#include <stdint.h>
#include <sys/stat.h>

struct sl_lib;

struct code_hint {
	/* The text pages the initialisers and finalisers run, [lo, hi) as
	 * p_vaddr; lo == hi when unknown or too many to be worth it. */
	uint64_t lo, hi;
	int fini_empty; /* DT_FINI is the empty frame */
};

/* The hint kept for lib's file, or an empty one. */
void code_hint_find(const struct sl_lib *lib, struct code_hint *hint);
/* Keeps what lib's unload found, replacing what was kept for its file. */
void code_hint_keep(const struct sl_lib *lib, const struct code_hint *hint);
/* The file's size and modification time in one word: with its device and
 * inode, what tells a file rewritten in place from the one unloaded. */
uint64_t code_hint_stamp(const struct stat *st);
/* 1 if the code at fn is the empty frame that crti and crtn make of a
 * DT_FINI with nothing in between; reads up to EMPTY_FRAME_MAX bytes. */
#define EMPTY_FRAME_MAX 13
int code_is_empty_frame(const void *fn);

#endif
