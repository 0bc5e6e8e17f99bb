/* libownfini: a DT_FINI of its own (-Wl,-fini), with work in it, which
 * every unload runs however many times the library was loaded before
 * (tests/loader/test_reload.c). */
#include "chain_trace.h"

void ownfini_fini(void)
{
	chain_trace("ownfini:fini\n");
}

int ownfini_value(void)
{
	return 5;
}
