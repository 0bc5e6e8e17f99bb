/*
 * tls: thread-local storage for the libraries libsoload loads (general- and
 * local-dynamic models). A library's PT_TLS template registers as a module
 * and gets a module id that glibc can never hand out. A block that fits in
 * libsoload's static TLS reserve sits at one offset from the thread pointer
 * in every thread, each thread setting its copy up from the template on
 * its next access after the library is relocated; the others are
 * allocated per thread on first use and die with their thread and their
 * module. tls_get_addr, bound to every loaded library's __tls_get_addr,
 * returns the calling thread's copy; ids that are not ours (host
 * libraries' TLS) go on to glibc's __tls_get_addr. TLS descriptors
 * (-mtls-dialect=gnu2) reach the same blocks through functions that keep
 * every register (tlsdesc.S).
 */
#ifndef SL_TLS_H
#define SL_TLS_H

#include <elf.h>
#include <stddef.h>
#include <stdint.h>

struct sl_lib;

/* This thread's thread pointer (x86-64: %fs:0 holds it); static TLS lies
 * below it. */
static inline char *thread_pointer(void)
{
	char *tp;

	__asm__("mov %%fs:0, %0" : "=r"(tp));
	return tp;
}

/* The argument GD/LD code passes to __tls_get_addr (x86-64 psABI), and the
 * argument word of our TLS descriptors (module 0 there: an undefined weak
 * variable, whose address is offset). */
struct tls_index {
	size_t module;
	size_t offset;
};

/* A library's PT_TLS segment, as mapped: init points at filesz bytes. */
struct tls_image {
	const void *init;
	size_t filesz;
	size_t memsz;
	size_t align;
	int final; /* init is the image as relocated, worked out before relocation */
};

/* Registers a template; *modid gets its module id. 0, -EINVAL (bad align or
 * filesz > memsz), -ENOSPC (too many modules) or -ENOMEM. */
int tls_register(const struct tls_image *img, size_t *modid);
/* Frees every thread's block of modid and forgets the module. No thread may
 * be using the module's variables any more (the library is being unloaded). */
void tls_unregister(size_t modid);
/* 1 if modid was handed out by tls_register (whether or not still live). */
int tls_is_ours(size_t modid);
/* What loaded libraries call as __tls_get_addr. */
void *tls_get_addr(struct tls_index *ti);
/* This thread's block of one of our modules if the thread has used it,
 * else NULL (nothing is allocated: dlinfo's RTLD_DI_TLS_DATA). */
void *tls_block_if_allocated(size_t modid);
/* For a TLS variable of a host (glibc-loaded) library at addr, as this thread
 * sees it (dlsym's answer): glibc's module id and the offset in its block.
 * 0, or -ENOENT if addr is in no host library's TLS block. */
int tls_host_locate(const void *addr, size_t *modid, size_t *offset);
/* Blocks currently allocated across all threads and modules (for tests and
 * leak checks). */
size_t tls_block_count(void);

/* ---- The loader's side (callers hold the registry lock) ---- */

/* Registers lib's PT_TLS, if it has one, as a module (lib->tls_modid).
 * 0, or -1 with sl_error(). */
int tls_attach(struct sl_lib *lib);
/* After lib is relocated: its block in static TLS, if it has one, is set
 * up in every thread from the image, which relocation may have changed (a
 * pointer in .tdata): lazily for libsoload's reserve, by the provider for
 * its space. 0, or -1 with sl_error(). */
int tls_publish(struct sl_lib *lib);
/* Frees the module and every thread's block of it; nothing if none. */
void tls_detach(struct sl_lib *lib);
/* The value of a DTPMOD64 (want_module) or DTPOFF64 relocation r of lib,
 * before the addend: the defining module's id (ours, or glibc's for a host
 * library's variable) or the variable's offset in that module's block.
 * 0, or -1 with sl_error(). */
int tls_relocate(struct sl_lib *lib, const Elf64_Rela *r, int want_module, uint64_t *value);
/* An R_X86_64_TLSDESC relocation r of lib: fills the two words at desc
 * with the resolver (tlsdesc.S) and its argument, the variable's module and
 * offset. 0, or -1 with sl_error(). */
int tls_desc_relocate(struct sl_lib *lib, const Elf64_Rela *r, void *desc);

/* ---- Static TLS (initial-exec) ---- */

/* Space at the same offset from the thread pointer in every thread, from
 * which a library linked for initial-exec TLS (DF_STATIC_TLS) gets its
 * block. libsoload alone has none and refuses such libraries;
 * libsoload-preload.so provides its own reserve (loader/preload/statictls.c). */
struct tls_static_provider {
	/* Makes room for img (memsz bytes, aligned to align) in every thread,
	 * those that exist and those to come; its offset from the thread
	 * pointer goes to *tpoff. img->final when img->init is the image as
	 * relocation will leave it (then it may be set up in threads that
	 * exist now), else the file's bytes. 0, or -1 with sl_error() naming
	 * lib_name. */
	int (*assign)(const char *lib_name, const struct tls_image *img, ptrdiff_t *tpoff);
	/* Once the library is relocated: sets every thread's copy up from the
	 * image (final now). 0, or -1 with sl_error() naming lib_name. */
	int (*publish)(const char *lib_name, const struct tls_image *img, ptrdiff_t tpoff);
};
void tls_set_static_provider(const struct tls_static_provider *p);
/* The value of an R_X86_64_TPOFF64 relocation r of lib, before the addend:
 * the variable's offset from the thread pointer. 0; -2 when there is no
 * static TLS to give (no provider; sl_error() not set); -1 with sl_error(). */
int tls_tpoff_relocate(struct sl_lib *lib, const Elf64_Rela *r, uint64_t *value);

/* What a loaded library's reference to this name binds to instead of the
 * host's definition, or NULL: __tls_get_addr must see our module ids, and
 * __cxa_thread_atexit_impl must keep a library with pending thread_local
 * destructors loaded. */
void *tls_override(const char *name);
/* Our __cxa_thread_atexit_impl: registers fn(obj) with glibc's for this
 * thread's exit, holding a reference on the loaded library whose span holds
 * dso_symbol until fn has run (glibc does the same for its own libraries).
 * 0, or -1 if out of memory. */
int tls_thread_atexit(void (*fn)(void *), void *obj, void *dso_symbol);

#endif
