/* Needs libscope_initdep, whose constructor calls scope_init_top_value:
 * its PLT call to strlen and its pointer need this library relocated. */
#include <string.h>

static const char *text = "relocated";

int scope_init_top_value(void)
{
	return (int)strlen(text);
}
