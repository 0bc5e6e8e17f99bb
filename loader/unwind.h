/*
 * unwind: lets C++ exceptions pass through libraries libsoload maps. The
 * unwinder (libgcc) asks glibc which object holds each return address
 * (_dl_find_object from GCC 12 on, dl_iterate_phdr before), and glibc
 * knows only its own objects. A libgcc_s we load has its _dl_find_object
 * bound to ours, which knows our libraries too (frametable.h): as glibc
 * does, nothing is read of a frame table until an exception or a
 * backtrace needs it. Any other unwinder (the process's, an older
 * libgcc_s) has each library's .eh_frame registered with its
 * __register_frame after relocation and deregistered before unmapping.
 */
#ifndef SL_UNWIND_H
#define SL_UNWIND_H

#include <elf.h>
#include <stddef.h>
#include <stdint.h>

struct sl_unwind {
	void *eh_frame;             /* what was registered, NULL if nothing */
	void (*deregister)(void *); /* the matching __deregister_frame */
	int settled;  /* an unwinder was found for it: registered, or nothing to register */
	int attached; /* past unwind_attach: its code may run */
	int listed;   /* in the frame table our _dl_find_object reads */
	int checked;  /* its frame table, once first asked for: 1 sound, -1 malformed */
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
struct dl_find_object;
/* What a loaded library's reference to name binds to in glibc's place:
 * our _dl_find_object, or NULL for any other name. */
void *unwind_override(const char *name);
/* _dl_find_object's answer for pc: the library of ours holding it, else
 * glibcs's (glibc's _dl_find_object). Async-signal-safe. */
int unwind_find_object(void *pc, struct dl_find_object *result,
                       int (*glibcs)(void *, struct dl_find_object *));
/* Every unwinder of the process asks unwind_find_object (the preload puts
 * it in glibc's place): no library's frames need registering with any. */
void unwind_host_asks_us(void);
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
