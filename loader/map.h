/*
 * map: makes a load plan real. Reserves the whole span (PROT_NONE, aligned
 * to the largest p_align; or, as glibc does, by mapping the first segment
 * over all of it; or not at all, where the last unload's span is still
 * free), maps each segment MAP_FIXED|MAP_PRIVATE from the file
 * with its own protection, zeroes the bss tail of the last file page and
 * maps the rest anonymous. Gaps between segments are PROT_NONE.
 */
#ifndef SL_MAP_H
#define SL_MAP_H

#include "lib.h"
#include "plan.h"

/* Maps plan from fd into lib (map_start, span, base, segments, relro, and
 * the program headers later steps need). 0, or -1 with sl_error() and
 * nothing left mapped. */
int map_library(struct sl_lib *lib, int fd, const struct load_plan *plan);
/* Unmaps everything map_library mapped. */
void map_release(struct sl_lib *lib);
/* With SL_SHARE, before relocation: the cache's context, and the RELRO
 * pages a warm cache proves mapped from it (relro_share.h, share_warm). */
void map_share_begin(struct sl_lib *lib);
/* Before relocation: the pages from vaddr's (link-time, past RELRO) to
 * the end of its writable segment, if relocation's writes there would
 * fault (a segment not populated when mapped), else 0; then the pages of
 * them whose bit is set in written copied, a run per madvise. */
size_t map_prefault_span(const struct sl_lib *lib, uint64_t vaddr);
/* Where in the file [vaddr, vaddr + len) lies (link-time addresses), or -1
 * if no segment holds all of it in its file bytes. */
off_t map_file_offset(const struct sl_lib *lib, uint64_t vaddr, size_t len);
/* Copies RELRO in, before relocation writes it (MADV_POPULATE_WRITE). */
void map_prefault_relro(const struct sl_lib *lib);
void map_prefault_pages(const struct sl_lib *lib, uint64_t vaddr, const unsigned char *written,
                        size_t npages);
/* Makes the RELRO range read-only. 0, or -1 with sl_error(). */
int map_protect_relro(struct sl_lib *lib);
/* 1 if a reload maps the hinted pages of this segment apart (reload.h):
 * text, not the first segment (populated whole, or mapped over the span),
 * and without bss (whose last file page is written, and would be copied). */
int map_text_splits(uint64_t file_offset, uint64_t file_size, uint64_t mem_size, int prot);

#endif
