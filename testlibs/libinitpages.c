/* libinitpages: a constructor and a destructor on the first pages of its
 * text, then 64 KiB of text nobody runs, then a function and the empty
 * _fini that crti and crtn make. A reload maps only the pages the
 * initialisers and finalisers ran (loader/reload.h;
 * tests/loader/test_reload.c). */
#include "chain_trace.h"

__attribute__((constructor)) static void initpages_init(void)
{
	chain_trace("initpages:init\n");
}

__attribute__((destructor)) static void initpages_dtor(void)
{
	chain_trace("initpages:dtor\n");
}

__asm__(".text\n.p2align 12\ninitpages_padding:\n.skip 65536, 0xcc\n");

int initpages_value(void)
{
	return 7;
}
