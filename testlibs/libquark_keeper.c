/* libquark_keeper: stays loaded for good (-z nodelete), as GLib does, and
 * keeps the names it is given without copying them, as GLib's
 * g_quark_from_static_string does: a name given again is found by
 * comparing it with those kept (tests/loader/test_reload.c). */
#include <string.h>

static const char *kept[16];
static int nkept;

int keeper_intern(const char *name)
{
	for (int i = 0; i < nkept; i++)
		if (strcmp(kept[i], name) == 0)
			return i;
	if (nkept == 16)
		return -1;
	kept[nkept] = name;
	return nkept++;
}
