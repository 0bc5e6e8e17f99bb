/*
 * unwind: lets C++ exceptions pass through libraries libsoload maps. The
 * unwinder (libgcc) finds frames through dl_iterate_phdr, which knows only
 * the system loader's libraries, so each loaded library's .eh_frame is
 * registered with __register_frame after relocation and deregistered
 * before it is unmapped. .eh_frame is found through PT_GNU_EH_FRAME.
 */
#ifndef SL_UNWIND_H
#define SL_UNWIND_H

#include <elf.h>
#include <stddef.h>
#include <stdint.h>

struct sl_unwind {
	void *eh_frame;             /* what was registered, NULL if nothing */
	void (*deregister)(void *); /* the matching __deregister_frame */
	int settled; /* an unwinder was found for it: registered, or nothing to register */
};

/* The start of .eh_frame of a library mapped at base (runtime address =
 * base + vaddr), found through PT_GNU_EH_FRAME's eh_frame_ptr. NULL if the
 * library has none, or if the header, the first record or the chain that
 * leads to the terminator is malformed or leaves the readable segment that
 * holds it. That chain is walked from the last FDE the header's search
 * table lists (else from the first record): the pages of .eh_frame before
 * it are not read. */
void *unwind_find_eh_frame(uintptr_t base, const Elf64_Phdr *ph, size_t phnum);

/* Registers eh_frame with register_fn (libgcc's __register_frame as the
 * library would bind it) and remembers deregister_fn. Does nothing, leaving
 * u empty, when any of the three is NULL or .eh_frame is empty. */
void unwind_register(struct sl_unwind *u, void *eh_frame, void *register_fn, void *deregister_fn);
/* Undoes unwind_register; safe on an empty u. */
void unwind_deregister(struct sl_unwind *u);

/* ---- The loader's side ---- */

struct sl_lib;
/* After relocation: registers lib's .eh_frame with the unwinder its code
 * would call (a libgcc_s in its scope, else the process's, if any). */
void unwind_attach(struct sl_lib *lib);
/* Before an open's initialisers: the libraries of root's scope loaded
 * earlier while no unwinder was in reach (a C library opened on its own
 * in a C program), registered with the libgcc_s this open brought, which
 * the C++ code of root's tree throws with. */
void unwind_adopt(struct sl_lib *root);
/* Before unmapping. */
void unwind_detach(struct sl_lib *lib);

#endif
