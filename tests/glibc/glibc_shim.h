/*
 * glibc_shim.h: what glibc's build gives every file it compiles (config.h,
 * through -include libc-symbols.h, and -D flags from its Makefiles) and that
 * the tests and support/ files tests/glibc/glibc_tests.sh builds rely on.
 * Only the few macros they use; written for mapscope, not taken from glibc.
 */
#ifndef GLIBC_SHIM_H
#define GLIBC_SHIM_H

/* support/temp_file.c sizes a buffer with NAME_MAX without <limits.h>. */
#include <limits.h>

/* support_test_main.c: glibc's configure sets the default timeout factor. */
#define TIMEOUTFACTOR 1

/* sysdeps/generic/ifunc-sel.h: an IFUNC resolver runs before the stack
   protector's guard is set up (include/libc-symbols.h in glibc). */
#define inhibit_stack_protector __attribute__((__optimize__("-fno-stack-protector")))

#endif
