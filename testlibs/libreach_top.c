/* libreach_top: needs libreach_dep, which binds to what it defines. */
#include "chain_trace.h"

int reach_dep_call(void);

int reach_top_value(void)
{
	return 41;
}

int reach_top_call(void)
{
	return reach_dep_call();
}

__attribute__((destructor)) static void fini(void)
{
	chain_trace("top\n");
}
