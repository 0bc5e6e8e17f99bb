/* ldcache: ldconfig's cache read as glibc reads it (against `ldconfig -p`
 * on this system's cache), caches written here to test the rest, and the
 * dependency search asking it, DF_1_NODEFLIB included. */
#include "ldcache.h"
#include "soload.h"
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct entry {
	int32_t flags;
	const char *key, *value;
	uint64_t hwcap;
};

/* Writes a cache of the format ldconfig writes, holding n entries, cut to
 * keep bytes if keep is not 0. */
static void write_cache(const char *path, const struct entry *e, uint32_t n, size_t keep)
{
	char buf[4096] = "glibc-ld.so.cache1.1";
	size_t strings = 48 + 24 * (size_t)n, at = strings;
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f);
	memcpy(buf + 20, &n, 4);
	buf[28] = 2; /* little-endian */
	for (uint32_t i = 0; i < n; i++) {
		uint32_t key = at, value = at + strlen(e[i].key) + 1;
		char *slot = buf + 48 + 24 * i;
		strcpy(buf + key, e[i].key);
		strcpy(buf + value, e[i].value);
		at = value + strlen(e[i].value) + 1;
		memcpy(slot, &e[i].flags, 4);
		memcpy(slot + 4, &key, 4);
		memcpy(slot + 8, &value, 4);
		memcpy(slot + 16, &e[i].hwcap, 8);
	}
	cr_assert_eq(fwrite(buf, 1, keep ? keep : at, f), keep ? keep : at);
	fclose(f);
}

Test(ldcache, reads_the_systems_cache_as_ldconfig_prints_it)
{
	FILE *p = popen("/sbin/ldconfig -p", "r");
	char line[1024], name[256], file[768];
	int checked = 0;

	cr_assert_not_null(p);
	while (fgets(line, sizeof(line), p)) {
		const char *got;
		if (sscanf(line, " %255s (libc6,x86-64) => %767s", name, file) != 2)
			continue;
		/* ldconfig -p lists every entry; the first of a name is glibc's. */
		got = ldcache_lookup(name);
		cr_assert_not_null(got, "%s", name);
		if (strcmp(got, file) == 0)
			checked++;
	}
	pclose(p);
	cr_assert_gt(checked, 10, "only %d entries agreed", checked);
}

Test(ldcache, takes_x86_64_entries_without_hardware_subdirectories)
{
	char dir[] = "/tmp/mapscope-XXXXXX", path[64];
	struct entry e[] = {
	        {0x0003, "libpick.so.1", "/i386/libpick.so.1", 0},
	        {0x0303, "libpick.so.1", "/x86_64/libpick.so.1", 0},
	        {0x0303, "libpick.so.1", "/second/libpick.so.1", 0},
	        {0x0303, "libhw.so.1", "/v3/libhw.so.1", 1ULL << 62},
	};

	cr_assert_not_null(tu_make_tmpdir(dir));
	snprintf(path, sizeof(path), "%s/cache", dir);
	write_cache(path, e, 4, 0);
	cr_assert_eq(ldcache_use(path), 0);
	cr_assert_str_eq(ldcache_path(), path);
	cr_assert_str_eq(ldcache_lookup("libpick.so.1"), "/x86_64/libpick.so.1");
	cr_assert_null(ldcache_lookup("libhw.so.1"));
	cr_assert_null(ldcache_lookup("libnone.so"));
	tu_remove_tree(dir);
}

Test(ldcache, a_broken_cache_is_not_used)
{
	char dir[] = "/tmp/mapscope-XXXXXX", path[64];
	struct entry e[] = {{0x0303, "libcut.so.1", "/lib/libcut.so.1", 0}};

	cr_assert_not_null(tu_make_tmpdir(dir));
	snprintf(path, sizeof(path), "%s/cache", dir);
	write_cache(path, e, 1, 90); /* the file ends inside the entry's path */
	cr_assert_eq(ldcache_use(path), 0);
	cr_assert_null(ldcache_lookup("libcut.so.1"));
	write_cache(path, e, 1, 40); /* not even a header */
	cr_assert_eq(ldcache_use(path), -1);
	cr_assert_null(ldcache_lookup("libcut.so.1"));
	snprintf(path, sizeof(path), "%s/none", dir);
	cr_assert_eq(ldcache_use(path), -1);
	tu_remove_tree(dir);
}

Test(ldcache, a_dependency_only_the_cache_knows_is_found_through_it)
{
	char dir[] = "/tmp/mapscope-XXXXXX", path[64], hello[64], cmd[256];
	struct entry e[] = {{0x0303, "libhello.so", hello, 0}};
	struct sl_info info, dep;
	sl_lib *lib;

	cr_assert_not_null(tu_make_tmpdir(dir));
	snprintf(hello, sizeof(hello), "%s/libhello.so", dir);
	snprintf(cmd, sizeof(cmd), "cp %s %s", TESTLIB("libhello.so"), hello);
	cr_assert_eq(system(cmd), 0);
	cr_assert_null(sl_open(TESTLIB("libcacheuser.so"), 0), "not without the cache");
	snprintf(path, sizeof(path), "%s/cache", dir);
	write_cache(path, e, 1, 0);
	cr_assert_eq(ldcache_use(path), 0);
	lib = sl_open(TESTLIB("libcacheuser.so"), 0);
	cr_assert_not_null(lib, "%s", sl_error());
	cr_assert_eq(((int (*)(int, int))sl_sym(lib, "cacheuser_add"))(2, 3), 10);
	sl_info(lib, &info);
	cr_assert_eq(info.nneeded, 1);
	sl_info(info.needed[0], &dep);
	cr_assert_str_eq(dep.path, hello);
	sl_close(lib);
	tu_remove_tree(dir);
}

/* The file in place of path, as ldconfig writes it: a new file renamed
 * over the old, whose mapping stays valid. */
static void replace_cache(const char *path, const struct entry *e, uint32_t n)
{
	char next[128];

	snprintf(next, sizeof(next), "%s.new", path);
	write_cache(next, e, n, 0);
	cr_assert_eq(rename(next, path), 0);
}

Test(ldcache, stays_mapped_across_loads_and_follows_a_new_file)
{
	char dir[] = "/tmp/mapscope-XXXXXX", path[64];
	struct entry old[] = {{0x0303, "libpick.so.1", "/old/libpick.so.1", 0}};
	struct entry new[] = {{0x0303, "libpick.so.1", "/new/libpick.so.1", 0}};

	cr_assert_not_null(tu_make_tmpdir(dir));
	snprintf(path, sizeof(path), "%s/cache", dir);
	write_cache(path, old, 1, 0);
	cr_assert_eq(ldcache_use(path), 0);
	for (int load = 0; load < 3; load++) {
		cr_assert_str_eq(ldcache_lookup("libpick.so.1"), "/old/libpick.so.1");
		ldcache_release();
		cr_assert_eq(tu_count_maps_of(path), 1, "one mapping, kept between loads");
	}
	replace_cache(path, new, 1);
	cr_assert_str_eq(ldcache_lookup("libpick.so.1"), "/new/libpick.so.1",
	                 "the next load reads the new file");
	ldcache_release();
	cr_assert_eq(tu_count_maps_of(path), 1,
	             "the old file's mapping (\"path (deleted)\") is gone");
	unlink(path);
	cr_assert_null(ldcache_lookup("libpick.so.1"), "no cache once the file is gone");
	cr_assert_eq(tu_count_maps_of(path), 0);
	tu_remove_tree(dir);
}

Test(ldcache, nodefaultlib_keeps_out_of_the_system_directories_as_with_dlopen)
{
	int maps = tu_count_maps(), fds = tu_count_fds();

	cr_assert_null(sl_open(TESTLIB("libnodeflib.so"), 0));
	cr_assert_str_eq(sl_error(),
	                 TESTLIB("libnodeflib.so") ": needed library libbz2.so.1.0 not found "
	                                           "(searched: /etc/ld.so.cache)");
	cr_assert_eq(tu_count_maps(), maps);
	cr_assert_eq(tu_count_fds(), fds);
	cr_assert_null(dlopen(TESTLIB("libnodeflib.so"), RTLD_NOW), "dlopen refuses it too");
}
