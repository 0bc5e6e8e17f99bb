/*
 * stage: a library's relative relocations applied to a copy of its pages
 * read from the file, which the kernel then writes into the mapping
 * (process_vm_writev), before anything has touched those pages.
 *
 * Relocation writes nearly every page of a large library's RELRO (vtables,
 * typeinfo, pointer tables), and in a virtual machine with shadow page
 * tables a process's first touch of a page costs about 5 us even when the
 * kernel has already copied it in (MADV_POPULATE_WRITE): libLLVM-15's
 * 2,083 pages of relative relocations took 12 ms populated and written,
 * 36 ms faulted as glibc does, and 4 to 5 ms staged (bench/README.md). The
 * pages are copied exactly as a write fault copies them, so private memory
 * stays that of the pages written. Relative relocations need only the
 * load address, so they are staged right after mapping, while the file is
 * open; the rest are applied in place by reloc.c, which skips the staged.
 */
#ifndef SL_STAGE_H
#define SL_STAGE_H

#include "lib.h"

#include <stddef.h>

/* Whether the writable segment of this size, with RELRO of relro_size
 * bytes, is to be staged: then map.c neither populates nor prefaults it.
 * Not with SL_SHARE (its RELRO may come from the cache) or SL_POPULATE. */
int stage_wanted(const struct sl_lib *lib, size_t relro_size);

/* Applies lib's relative relocations that lie in its writable segment's
 * file pages, reading them from fd, and records them as done
 * (lib->staged_begin, lib->staged_end); if none could be staged, has
 * map.c prefault RELRO as it would have. Never fails: whatever is not
 * staged is applied in place later. */
void stage_relative(struct sl_lib *lib, int fd);

#endif
