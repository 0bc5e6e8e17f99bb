/* unique: STB_GNU_UNIQUE symbols have one definition per process, the
 * first loaded (or the host's); a definer another library binds stays for
 * good, one only its own library used is forgotten when that goes; glibc's
 * dlopen gives the same answers. */
#include "soload.h"
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <dlfcn.h>
#include <link.h>
#include <string.h>
#include <sys/mman.h>

typedef int *(*counter_fn)(void);
typedef long *(*box_fn)(void);
typedef int (*bump_fn)(void);

static int inside(sl_lib *lib, const void *p)
{
	struct sl_info info;

	cr_assert_eq(sl_info(lib, &info), 0);
	return (uintptr_t)p >= info.base && (uintptr_t)p - info.base < info.span;
}

static uintptr_t sl_base(sl_lib *lib)
{
	struct sl_info info;

	cr_assert_eq(sl_info(lib, &info), 0);
	return info.base;
}

static sl_lib *open_lib(const char *path)
{
	sl_lib *lib = sl_open(path, 0);

	cr_assert_not_null(lib, "%s", sl_error());
	return lib;
}

Test(unique, both_libraries_share_the_first_loaded_definition)
{
	sl_lib *a = open_lib(TESTLIB("libuniq_a.so")), *b = open_lib(TESTLIB("libuniq_b.so"));
	int *ca = ((counter_fn)sl_sym(a, "uniq_a_counter"))();

	cr_assert(inside(a, ca), "a's own reference binds to a's definition");
	cr_assert_eq(((counter_fn)sl_sym(b, "uniq_b_counter"))(), ca);
	cr_assert_eq(((box_fn)sl_sym(b, "uniq_b_box"))(), ((box_fn)sl_sym(a, "uniq_a_box"))());
	cr_assert_eq(*((box_fn)sl_sym(b, "uniq_b_box"))(), 100);
	cr_assert_eq(((bump_fn)sl_sym(a, "uniq_a_bump"))(), 1);
	cr_assert_eq(((bump_fn)sl_sym(b, "uniq_b_bump"))(), 2);
	cr_assert_eq(sl_sym(b, "_ZZ12uniq_countervE1n"), ca, "sl_sym gives the one definition");
	sl_close(b);
	sl_close(a);
}

/* The dependency is relocated first, but its reference is looked up from
 * the opened library's scope, so the root's copy is the one. */
Test(unique, a_dependency_binds_to_the_opened_librarys_copy_as_with_dlopen)
{
	sl_lib *root = open_lib(TESTLIB("libuniq_root.so"));
	void *theirs = dlopen(TESTLIB("libuniq_root.so"), RTLD_NOW | RTLD_LOCAL);
	struct link_map *map;
	int *ours_root, *ours_dep, *their_root, *their_dep;

	cr_assert_not_null(theirs, "%s", dlerror());
	cr_assert_eq(dlinfo(theirs, RTLD_DI_LINKMAP, &map), 0);
	ours_root = ((counter_fn)sl_sym(root, "uniq_root_counter"))();
	ours_dep = ((counter_fn)sl_sym(root, "uniq_root_dep_counter"))();
	their_root = ((counter_fn)dlsym(theirs, "uniq_root_counter"))();
	their_dep = ((counter_fn)dlsym(theirs, "uniq_root_dep_counter"))();
	cr_expect_eq(their_dep, their_root, "glibc: one copy");
	cr_expect_eq(ours_dep, ours_root, "soload: one copy");
	cr_expect(inside(root, ours_root), "soload: the root's copy");
	cr_expect_eq((uintptr_t)ours_root - sl_base(root), (uintptr_t)their_root - map->l_addr,
	             "the same copy as glibc's");
	dlclose(theirs);
	sl_close(root);
}

Test(unique, dlopen_gives_one_definition_too)
{
	void *a = dlopen(TESTLIB("libuniq_a.so"), RTLD_NOW | RTLD_LOCAL);
	void *b = dlopen(TESTLIB("libuniq_b.so"), RTLD_NOW | RTLD_LOCAL);

	cr_assert(a && b, "%s", dlerror());
	cr_assert_eq(((counter_fn)dlsym(b, "uniq_b_counter"))(),
	             ((counter_fn)dlsym(a, "uniq_a_counter"))());
}

/* glibc makes a library NODELETE for good once another library is bound
 * to one of its unique definitions (elf/tst-dlopen-nodelete-reloc): a
 * stays when b, its user, is closed too. */
Test(unique, a_definition_another_library_bound_stays_after_its_user_closes)
{
	sl_lib *a = open_lib(TESTLIB("libuniq_a.so")), *b = open_lib(TESTLIB("libuniq_b.so"));

	cr_assert_eq(sl_close(a), 0);
	cr_assert_gt(tu_count_maps_of("libuniq_a.so"), 0, "b still uses a's definition");
	cr_assert_eq(((bump_fn)sl_sym(b, "uniq_b_bump"))(), 1);
	cr_assert_eq(sl_close(b), 0);
	cr_assert_eq(tu_count_maps_of("libuniq_b.so"), 0, "the user goes");
	cr_assert_gt(tu_count_maps_of("libuniq_a.so"), 0, "the definer stays, NODELETE");
	a = sl_open(TESTLIB("libuniq_a.so"), SL_NOLOAD);
	cr_assert_not_null(a);
	cr_assert_eq(((bump_fn)sl_sym(a, "uniq_a_bump"))(), 2, "the same object");
	cr_assert_eq(sl_close(a), 0);
	cr_assert_gt(tu_count_maps_of("libuniq_a.so"), 0);
}

/* A library bound to a's definition that then fails to load leaves a as
 * it was, not NODELETE (glibc's elf/tst-dlopen-nodelete-reloc, case 6,
 * the other way round). */
Test(unique, a_failed_load_does_not_make_the_definer_nodelete)
{
	sl_lib *a = open_lib(TESTLIB("libuniq_a.so"));

	cr_assert_null(sl_open(TESTLIB("libuniq_fail.so"), 0));
	cr_assert(strstr(sl_error(), "uniq_fail_missing"), "%s", sl_error());
	cr_assert_eq(tu_count_maps_of("libuniq_fail.so"), 0);
	cr_assert_eq(sl_close(a), 0);
	cr_assert_eq(tu_count_maps_of("libuniq_"), 0);
}

/* A definition only its own library used goes with it, and the table
 * forgets it: b, first now, defines the name afresh (and cannot be
 * mapped where a was, where a stale entry would point). */
Test(unique, a_definition_no_other_library_used_goes_with_its_library)
{
	sl_lib *a = open_lib(TESTLIB("libuniq_a.so")), *b;
	struct sl_info old_a;
	void *hole;

	cr_assert_eq(((bump_fn)sl_sym(a, "uniq_a_bump"))(), 1);
	sl_info(a, &old_a);
	cr_assert_eq(sl_close(a), 0);
	cr_assert_eq(tu_count_maps_of("libuniq_"), 0);
	hole = mmap((void *)old_a.base, old_a.span, PROT_NONE,
	            MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	cr_assert_eq(hole, (void *)old_a.base);
	b = open_lib(TESTLIB("libuniq_b.so"));
	int *cb = ((counter_fn)sl_sym(b, "uniq_b_counter"))();
	cr_assert(inside(b, cb), "%p", (void *)cb);
	cr_assert_eq(((bump_fn)sl_sym(b, "uniq_b_bump"))(), 1, "a fresh object");
	sl_close(b);
	cr_assert_eq(tu_count_maps_of("libuniq_"), 0);
	munmap(hole, old_a.span);
}

Test(unique, the_hosts_definition_comes_first)
{
	void *host = dlopen(TESTLIB("libuniq_a.so"), RTLD_NOW | RTLD_GLOBAL);
	int *ch;
	sl_lib *b;

	cr_assert_not_null(host, "%s", dlerror());
	ch = ((counter_fn)dlsym(host, "uniq_a_counter"))();
	b = open_lib(TESTLIB("libuniq_b.so"));
	cr_assert_eq(((counter_fn)sl_sym(b, "uniq_b_counter"))(), ch);
	cr_assert_eq(((bump_fn)sl_sym(b, "uniq_b_bump"))(), 1);
	cr_assert_eq(*ch, 1);
	sl_close(b);
	cr_assert_eq(tu_count_maps_of("libuniq_b.so"), 0);
	dlclose(host);
}

Test(unique, a_second_copy_of_a_host_library_keeps_its_own_objects)
{
	void *host = dlopen(TESTLIB("libcxxfmt.so"), RTLD_NOW | RTLD_GLOBAL);
	sl_lib *ours;

	cr_assert_not_null(host, "%s", dlerror());
	cr_assert_str_eq(((const char *(*)(long))dlsym(host, "cxxfmt"))(255), "v=255 hex ff");
	ours = open_lib(TESTLIB("libcxxfmt.so"));
	cr_assert_str_eq(((const char *(*)(long))sl_sym(ours, "cxxfmt"))(255), "v=255 hex ff",
	                 "libstdc++ loaded twice: its facet ids stay with each copy");
	sl_close(ours);
	dlclose(host);
}
