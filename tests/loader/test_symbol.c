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

/* ---- The lookup order: glibc's global scope, then the library's own ---- */

/* Exported by this program (linked -rdynamic), as glibc's tests' own
 * -rdynamic executables export theirs (ifuncmain3). */
int scope_probe_value(void)
{
	return 42;
}

/* An interposer of libc's ffs, unversioned, as a preload's malloc is. */
static int ffs_interposed;
int ffs(int i)
{
	ffs_interposed++;
	return __builtin_ffs(i);
}

Test(symbol, the_programs_export_overrides_a_librarys_own_definition)
{
	sl_lib *lib = sl_open(TESTLIB("libscope_own.so"), 0);

	cr_assert_not_null(lib, "%s", sl_error());
	cr_expect_eq(call(lib, "scope_call_own"), 42, "glibc binds the executable's first");
	cr_expect_eq(call(lib, "scope_probe_value"), 1, "sl_sym searches the library's scope");
	sl_close(lib);
}

/* A library's own reference to a name libc defines too binds to libc's
 * (the global scope first), whether the pass asks glibc's objects' filters
 * (one reference), first finds the names the library shares with them
 * (512 more) or, in a process that has asked about many names, tests the
 * filter merged from theirs. */
static void check_own_libc_name(const char *file, int table)
{
	sl_lib *lib = sl_open(file, 0);
	int (*own_abs)(int), (*const *entries)(int);
	int *calls;

	cr_assert_not_null(lib, "%s", sl_error());
	own_abs = (int (*)(int))sl_sym(lib, "ownlibc_abs");
	calls = sl_sym(lib, "own_abs_calls");
	cr_assert(own_abs && calls, "%s", sl_error());
	cr_expect_eq(own_abs(-3), 3, "%s: abs bound to libc's", file);
	if (table) {
		entries = sl_sym(lib, "ownlibc_table");
		cr_assert_not_null(entries, "%s", sl_error());
		cr_expect_eq(entries[0](-4), 4, "%s: the table's first entry is libc's abs", file);
		cr_expect_eq(entries[511](-5), 5, "%s: its last too", file);
	}
	cr_expect_eq(*calls, 0, "%s: the library's own abs never ran", file);
	sl_close(lib);
}

Test(symbol, a_librarys_own_name_that_libc_defines_binds_to_libcs)
{
	check_own_libc_name(TESTLIB("libownlibc.so"), 0);
	check_own_libc_name(TESTLIB("libownlibc_table.so"), 1);
	/* Sixteen loads of 518 lookups each: past hostsym.c's MERGE_AFTER,
	 * later passes test one merged filter of glibc's objects' names. */
	for (int i = 0; i < 16; i++)
		check_own_libc_name(TESTLIB("libownlibc_table.so"), 1);
	check_own_libc_name(TESTLIB("libownlibc.so"), 0);
}

Test(symbol, a_library_glibc_opened_local_answers_no_lookup)
{
	void *local = dlopen(TESTLIB("libscope_local.so"), RTLD_NOW | RTLD_LOCAL);
	sl_lib *lib;

	cr_assert_not_null(local, "%s", dlerror());
	lib = sl_open(TESTLIB("libscope_localuser.so"), 0);
	cr_assert_not_null(lib, "%s", sl_error());
	cr_expect_eq(call(lib, "scope_call_local"), 6, "its own, not the RTLD_LOCAL one's");
	cr_expect_eq(call(lib, "scope_sees_local_only"), 0, "the weak reference stays 0");
	sl_close(lib);
	dlclose(local);
}

Test(symbol, a_library_glibc_opened_global_answers_first)
{
	void *global = dlopen(TESTLIB("libscope_local.so"), RTLD_NOW | RTLD_GLOBAL);
	sl_lib *lib;

	cr_assert_not_null(global, "%s", dlerror());
	lib = sl_open(TESTLIB("libscope_localuser.so"), 0);
	cr_assert_not_null(lib, "%s", sl_error());
	cr_expect_eq(call(lib, "scope_call_local"), 5, "the global scope's before its own");
	cr_expect_eq(call(lib, "scope_sees_local_only"), 1);
	sl_close(lib);
	dlclose(global);
}

/* user's scope_global_value comes from the first global library, and its
 * own scope_own_or_global gives way to libscope_global_b's. */
static void check_globals(const char *first, const char *second, int want)
{
	sl_lib *a = sl_open(first, SL_GLOBAL), *b = sl_open(second, SL_GLOBAL), *user;

	cr_assert(a && b, "%s", sl_error());
	user = sl_open(TESTLIB("libscope_global_user.so"), 0);
	cr_assert_not_null(user, "%s", sl_error());
	cr_expect_eq(call(user, "scope_global_call"), want);
	cr_expect_eq(call(user, "scope_own_call"), 'B', "a global definition before its own");
	sl_close(user);
	sl_close(b);
	sl_close(a);
}

Test(symbol, sl_global_libraries_answer_in_the_order_they_became_global)
{
	check_globals(TESTLIB("libscope_global_a.so"), TESTLIB("libscope_global_b.so"), 'A');
}

Test(symbol, sl_global_order_is_the_opening_order_not_the_name)
{
	check_globals(TESTLIB("libscope_global_b.so"), TESTLIB("libscope_global_a.so"), 'B');
}

Test(symbol, sl_global_on_a_library_already_open_makes_it_global)
{
	sl_lib *a = sl_open(TESTLIB("libscope_global_a.so"), 0), *user, *again;

	cr_assert_not_null(a, "%s", sl_error());
	cr_expect_null(sl_open(TESTLIB("libscope_global_user.so"), 0), "not global yet");
	cr_expect(strstr(sl_error(), "scope_global_value"), "%s", sl_error());
	again = sl_open(TESTLIB("libscope_global_a.so"), SL_GLOBAL);
	cr_assert_eq(again, a);
	user = sl_open(TESTLIB("libscope_global_user.so"), 0);
	cr_assert_not_null(user, "%s", sl_error());
	cr_expect_eq(call(user, "scope_global_call"), 'A');
	sl_close(user);
	sl_close(again);
	sl_close(a);
}

Test(symbol, sl_deepbind_puts_the_opened_librarys_scope_first)
{
	sl_lib *lib = sl_open(TESTLIB("libscope_deep_top.so"), SL_DEEPBIND);

	cr_assert_not_null(lib, "%s", sl_error());
	cr_expect_eq(call(lib, "scope_deep_top_call"), 7, "the dependency binds to the top's");
	sl_close(lib);
}

Test(symbol, without_sl_deepbind_the_global_scope_comes_first)
{
	sl_lib *lib = sl_open(TESTLIB("libscope_deep_top.so"), 0);

	cr_assert_not_null(lib, "%s", sl_error());
	cr_expect_eq(call(lib, "scope_deep_top_call"), 42, "the program's export");
	sl_close(lib);
}

Test(symbol, an_unversioned_interposer_wins_over_libcs_versioned_definition)
{
	sl_lib *lib = sl_open(TESTLIB("libscope_ffs.so"), 0);
	int (*f)(int);

	cr_assert_not_null(lib, "%s", sl_error());
	f = (int (*)(int))sl_sym(lib, "scope_ffs");
	cr_assert_not_null(f, "%s", sl_error());
	ffs_interposed = 0;
	cr_expect_eq(f(8), 4);
	cr_expect_eq(ffs_interposed, 1, "ffs@GLIBC_2.2.5 bound to this program's ffs");
	sl_close(lib);
}

Test(symbol, a_dependencys_constructor_runs_after_the_whole_group_is_relocated)
{
	sl_lib *lib = sl_open(TESTLIB("libscope_inittop.so"), 0);

	cr_assert_not_null(lib, "%s", sl_error());
	cr_expect_eq(call(lib, "scope_init_seen"), 9,
	             "strlen(\"relocated\") from its constructor");
	sl_close(lib);
}
