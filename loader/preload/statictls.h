/*
 * statictls: static TLS for libraries linked for initial-exec TLS
 * (DF_STATIC_TLS: libgomp, libGLdispatch, libglapi), which glibc serves
 * from spare room it keeps in every thread's initial TLS block. The
 * preload's own initial-exec variable is such room: glibc places it at the
 * same offset from the thread pointer in every thread and copies its
 * initial value (the preload's TLS template) into each new one. A library
 * gets a slice of it at its load and, once it is relocated (the image may
 * hold relocated pointers), its image is copied into this thread's copy
 * and into the template, so threads created later start with it; threads
 * that exist already hold zeros there (the space is never reused), which
 * is right for a library whose image is all zeros. One whose image is
 * not, while other threads exist, has glibc set its block up in every
 * thread (glibctls.h) when the image is known before relocation, and is
 * refused when it is not (checked at the load and again after
 * relocation). A
 * thread created while the template is being written may start with part
 * of the image: loads of such libraries are rare and early.
 */
#ifndef SL_STATICTLS_H
#define SL_STATICTLS_H

/* Bytes of static TLS the preload reserves. */
#define STATICTLS_RESERVE 4096

/* Registers the reserve with libsoload (tls_set_static_provider). */
void statictls_init(void);

#endif
