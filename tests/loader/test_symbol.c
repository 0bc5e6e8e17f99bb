/* symbol: both hash styles, symbol versions, IFUNCs, the lookup order. */
#include "soload.h"
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef int (*int_fn)(void);

static int call(sl_lib *lib, const char *name)
{
	int_fn fn = (int_fn)sl_sym(lib, name);

	cr_assert_not_null(fn, "%s: %s", name, sl_error());
	return fn();
}

/* lib<style>hash.so defines <style>hash_value, _other (functions) and
 * _data (a variable) as first, first + 1 and first + 2. */
static void check_hash_style(const char *style, int first)
{
	char path[128], name[64];
	sl_lib *lib;

	snprintf(path, sizeof(path), TESTLIB("lib%shash.so"), style);
	lib = sl_open(path, 0);
	cr_assert_not_null(lib, "%s", sl_error());
	snprintf(name, sizeof(name), "%shash_value", style);
	cr_assert_eq(call(lib, name), first);
	snprintf(name, sizeof(name), "%shash_other", style);
	cr_assert_eq(call(lib, name), first + 1);
	snprintf(name, sizeof(name), "%shash_data", style);
	cr_assert_eq(*(int *)sl_sym(lib, name), first + 2);
	snprintf(name, sizeof(name), "%shash_missing", style);
	cr_assert_null(sl_sym(lib, name));
	cr_assert_null(sl_sym(lib, strcmp(style, "gnu") ? "gnuhash_value" : "sysvhash_value"));
	sl_close(lib);
}

Test(symbol, gnu_hash_only_library_resolves)
{
	check_hash_style("gnu", 11);
}

Test(symbol, sysv_hash_only_library_resolves)
{
	check_hash_style("sysv", 21);
}

Test(symbol, lookup_by_name_gives_the_default_version)
{
	sl_lib *lib = sl_open(TESTLIB("libversioned.so"), 0);

	cr_assert_not_null(lib, "%s", sl_error());
	cr_assert_eq(call(lib, "ver_value"), 2);
	cr_assert_eq(call(lib, "ver_only_v1"), 10);
	sl_close(lib);
}

Test(symbol, versioned_references_bind_to_their_version)
{
	sl_lib *lib = sl_open(TESTLIB("libveruser.so"), 0);

	cr_assert_not_null(lib, "%s", sl_error());
	cr_assert_eq(call(lib, "veruser_old"), 1, "ver_value@VERS_1");
	cr_assert_eq(call(lib, "veruser_default"), 2, "ver_value@@VERS_2");
	sl_close(lib);
}

Test(symbol, exported_ifunc_is_resolved_and_irelative_applied)
{
	sl_lib *lib = sl_open(TESTLIB("libifunc.so"), 0);

	cr_assert_not_null(lib, "%s", sl_error());
	cr_assert_eq(call(lib, "ifunc_answer"), 100);
	cr_assert_geq(*(int *)sl_sym(lib, "ifunc_resolver_calls"), 1);
	cr_assert_eq(call(lib, "ifunc_call_local"), 14);
	sl_close(lib);
}

Test(symbol, dependencies_are_searched_after_the_library)
{
	sl_lib *lib = sl_open(TESTLIB("libchain_a.so"), 0);

	cr_assert_not_null(lib, "%s", sl_error());
	cr_assert_not_null(sl_sym(lib, "chain_a"));
	cr_assert_not_null(sl_sym(lib, "chain_c"), "breadth-first into c");
	/* A host library in the scope (libc) answers too, bound as the system
	 * linker binds it: the global scope's first definition (under ASan the
	 * sanitizer's interceptor, not libc's own). */
	cr_assert_eq(sl_sym(lib, "strlen"), dlsym(RTLD_DEFAULT, "strlen"));
	sl_close(lib);
}

Test(symbol, library_exporting_nothing_still_resolves_its_imports)
{
	sl_lib *lib = sl_open(TESTLIB("libnoexport.so"), 0);

	cr_assert_not_null(lib, "%s", sl_error());
	cr_assert_null(sl_sym(lib, "keep_a_copy"), "hidden");
	cr_assert_eq(sl_close(lib), 0);
}

/* A name defined unversioned (hidden) and in three versions: sl_sym gives
 * what dlsym gives, the unversioned definition (libsctp keeps
 * sctp_connectx so for programs built before it had versions). */
Test(symbol, lookup_by_name_prefers_the_unversioned_definition_as_dlsym_does)
{
	static const char path[] = "/usr/lib/x86_64-linux-gnu/libsctp.so.1";
	void *theirs;
	sl_lib *ours;

	if (access(path, R_OK) != 0)
		cr_skip_test("%s is not installed", path);
	theirs = dlopen(path, RTLD_NOW);
	ours = sl_open(path, 0);
	cr_assert_not_null(theirs, "%s", dlerror());
	cr_assert_not_null(ours, "%s", sl_error());
	cr_assert_eq((char *)sl_sym(ours, "sctp_connectx") - (char *)sl_sym(ours, "sctp_bindx"),
	             (char *)dlsym(theirs, "sctp_connectx") - (char *)dlsym(theirs, "sctp_bindx"));
	sl_close(ours);
	dlclose(theirs);
}
