/* libchain_a: head of the chain, needs libchain_b, found only through its
 * DT_RUNPATH $ORIGIN. Initialisers must run c, b, a; finalisers a, b, c. */
#include "chain_trace.h"

int chain_b(int x);

__attribute__((constructor)) static void init_a(void)
{
	chain_trace("a:init\n");
}

__attribute__((destructor)) static void fini_a(void)
{
	chain_trace("a:fini\n");
}

int chain_a(int x)
{
	return chain_b(x) + 3;
}
