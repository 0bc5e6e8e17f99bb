/*
 * glibctls: a block of static TLS that glibc itself sets up in every
 * thread, those that exist already included. The preload's reserve
 * (statictls.c) reaches threads created after a load only: a thread that
 * exists holds zeros where a library's block goes. glibc, loading a
 * library of its own that is linked for initial-exec TLS, copies the
 * library's TLS image into every thread's block (it keeps the list of
 * threads) and into its template for the threads to come. So for an image
 * with initial values, needed while other threads exist, a one-page
 * shared object is written into a memfd: a PT_TLS segment holding exactly
 * that image, and one R_X86_64_TPOFF64 relocation against its own module,
 * through which glibc allocates the block in static TLS and writes its
 * offset from the thread pointer where this module reads it. glibc's
 * dlopen then does the rest. The image must be final when the object is
 * made (relocated: tls.c works it out before relocation where only the
 * load address goes into it, as libGLdispatch's pointer); the block is
 * glibc's for the process's life, as its own static TLS is.
 */
#ifndef SL_GLIBCTLS_H
#define SL_GLIBCTLS_H

#include "tls.h"

#include <stddef.h>

/* A block of img->memsz bytes, aligned to img->align, set up from the
 * image in every thread by glibc; its offset from the thread pointer in
 * *tpoff. 0, or -1 with sl_error() naming lib_name (glibc's own reason
 * when it refused, as "cannot allocate memory in static TLS block"). */
int glibctls_assign(const char *lib_name, const struct tls_image *img, ptrdiff_t *tpoff);

#endif
