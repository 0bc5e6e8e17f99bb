/* libchain_b: middle of the chain, needs libchain_c. */
#include "chain_trace.h"

int chain_c(int x);

__attribute__((constructor)) static void init_b(void)
{
	chain_trace("b:init\n");
}

__attribute__((destructor)) static void fini_b(void)
{
	chain_trace("b:fini\n");
}

int chain_b(int x)
{
	return chain_c(x) * 10;
}
