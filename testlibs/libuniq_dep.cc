/* libuniq_dep: a dependency of libuniq_root carrying the same STB_GNU_UNIQUE
 * object (uniq.h) and referring to it itself. Relocated before its root, yet
 * the system linker binds its reference to the root's copy: every library
 * one dlopen brings in looks up in the opened library's scope. */
#include "uniq.h"

extern "C" int *uniq_dep_counter()
{
	return uniq_counter();
}
