/* libchain_c: the end of the chain a -> b -> c (found through $ORIGIN). */
#include "chain_trace.h"

__attribute__((constructor)) static void init_c(void)
{
	chain_trace("c:init\n");
}

__attribute__((destructor)) static void fini_c(void)
{
	chain_trace("c:fini\n");
}

int chain_c(int x)
{
	return x + 1;
}
