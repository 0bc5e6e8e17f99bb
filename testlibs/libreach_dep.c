/* libreach_dep: calls reach_top_value(), which only libreach_top (a library
 * that needs this one) defines: a relocation dependency back to it, so the
 * two make a cycle that only reachability unloads (glibc's elf/reldep5). */
#include "chain_trace.h"

int reach_top_value(void);

int reach_dep_call(void)
{
	return reach_top_value() + 1;
}

__attribute__((destructor)) static void fini(void)
{
	chain_trace("dep\n");
}
