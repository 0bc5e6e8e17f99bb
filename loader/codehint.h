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
 * A hint is only ever a cost: a wrong one maps other pages or takes a
 * fault, never changes what runs (empty_fini is checked against the
 * library's own DT_FINI). Under the registry lock (taken here).
 */
#ifndef SL_CODEHINT_H
#define SL_CODEHINT_H

#include <stdint.h>

struct sl_lib;

struct code_hint {
	/* The text pages the initialisers and finalisers run, [lo, hi) as
	 * p_vaddr; lo == hi when unknown or too many to be worth it. */
	uint64_t lo, hi;
	/* DT_FINI, where its code is the empty frame; else 0. */
	uint64_t empty_fini;
};

/* The hint kept for lib's file, or an empty one. */
void code_hint_find(const struct sl_lib *lib, struct code_hint *hint);
/* Keeps what lib's unload found, replacing what was kept for its file. */
void code_hint_keep(const struct sl_lib *lib, const struct code_hint *hint);
/* 1 if the code at fn is the empty frame that crti and crtn make of a
 * DT_FINI with nothing in between; reads up to EMPTY_FRAME_MAX bytes. */
#define EMPTY_FRAME_MAX 13
int code_is_empty_frame(const void *fn);

#endif
