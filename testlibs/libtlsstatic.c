/* libtlsstatic: a small TLS block reached through TLS descriptors
 * (-mtls-dialect=gnu2), which fits libsoload's static TLS reserve: an
 * initialised variable (.tdata), a zeroed over-aligned one (.tbss), a
 * constructor that touches the block, and tlsdesc_check_regs
 * (tlsdesc_regs.h) on the first. */
#include <stdint.h>

__thread long st_counter = 11;
__thread _Alignas(32) char st_zeros[96];
__thread int st_touched;

/* A thread's first access sets up its copies of the reserve's blocks:
 * libtlsanchor, which needs this library, is loaded but not relocated. */
__attribute__((constructor)) static void touch(void)
{
	st_touched = 1;
}

long st_bump(void)
{
	return ++st_counter;
}

void st_set(long v)
{
	st_counter = v;
}

void *st_addr(void)
{
	return &st_counter;
}

/* 1 if the zeroed array is aligned as declared and still all zero; then
 * marks it. */
int st_zeros_ok(void)
{
	if ((uintptr_t)st_zeros % 32)
		return 0;
	for (int i = 0; i < 96; i++)
		if (st_zeros[i])
			return 0;
	st_zeros[95] = 1;
	return 1;
}

#define CHECK_REGS_VAR "st_counter"
#include "tlsdesc_regs.h"
