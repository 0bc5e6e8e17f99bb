/* libreach_other: a second library that needs libreach_dep. */
#include "chain_trace.h"

int reach_dep_call(void);

int reach_other_call(void)
{
	return reach_dep_call();
}

__attribute__((destructor)) static void fini(void)
{
	chain_trace("other\n");
}
