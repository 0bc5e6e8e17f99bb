/* deps: the $ORIGIN chain, init/fini order across it, releasing unused
 * dependencies, missing dependencies, host libraries. */
#include "deps.h"
#include "soload.h"
#include "testutil.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[64];

static void make_dir(void)
{
	snprintf(dir, sizeof(dir), "/tmp/soload-deps-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void remove_dir(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

static const char *slurp(const char *path)
{
	static char buf[1024];
	int fd = open(path, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : 0;

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

Test(deps, chain_through_origin_inits_deps_first_and_finis_them_last)
{
	char trace[96];
	sl_lib *lib;

	make_dir();
	snprintf(trace, sizeof(trace), "%s/trace", dir);
	setenv("SOLOAD_TRACE", trace, 1);
	lib = sl_open(TESTLIB("libchain_a.so"), 0);
	cr_assert_not_null(lib, "%s", sl_error());
	cr_assert_eq(((int (*)(int))sl_sym(lib, "chain_a"))(4), 53);
	cr_assert_str_eq(slurp(trace), "c:init\nb:init\na:init\n");
	cr_assert_eq(sl_close(lib), 0);
	cr_assert_str_eq(slurp(trace), "c:init\nb:init\na:init\na:fini\nb:fini\nc:fini\n");
	unsetenv("SOLOAD_TRACE");
	remove_dir();
}

static void count_lib(sl_lib *lib, void *arg)
{
	struct sl_info info;

	sl_info(lib, &info);
	if (strstr(info.path, "libchain_"))
		++*(int *)arg;
}

Test(deps, last_close_releases_dependencies_no_longer_used)
{
	sl_lib *a = sl_open(TESTLIB("libchain_a.so"), 0);
	sl_lib *c = sl_open(TESTLIB("libchain_c.so"), 0);
	struct sl_info info;
	int n = 0;

	cr_assert_not_null(a, "%s", sl_error());
	sl_info(a, &info);
	cr_assert_eq(info.nneeded, 1, "libc comes from the host, not counted");
	sl_foreach(count_lib, &n);
	cr_assert_eq(n, 3);
	sl_info(c, &info);
	cr_assert_eq(info.refcount, 2, "held by b and by us");
	sl_close(a);
	n = 0;
	sl_foreach(count_lib, &n);
	cr_assert_eq(n, 1, "only c, which we still hold");
	sl_info(c, &info);
	cr_assert_eq(info.refcount, 1);
	sl_close(c);
}

Test(deps, missing_dependency_names_it_and_the_search_and_leaks_nothing)
{
	char path[128], cmd[256];
	int maps, fds;

	make_dir();
	snprintf(cmd, sizeof(cmd), "cp %s %s/", TESTLIB("libchain_a.so"), dir);
	cr_assert_eq(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/libchain_a.so", dir);
	maps = tu_count_maps();
	fds = tu_count_fds();
	cr_assert_null(sl_open(path, 0));
	cr_assert(strstr(sl_error(), "libchain_a.so: needed library libchain_b.so not found "
	                             "(searched: "),
	          "%s", sl_error());
	cr_assert(strstr(sl_error(), dir), "searched $ORIGIN: %s", sl_error());
	cr_assert(strstr(sl_error(), "/usr/lib/x86_64-linux-gnu"), "%s", sl_error());
	cr_assert_eq(tu_count_maps(), maps);
	cr_assert_eq(tu_count_fds(), fds);
	cr_assert_null(sl_open(path, SL_NOLOAD), "no registry entry left");
	remove_dir();
}

Test(deps, library_path_variable_is_searched)
{
	char path[128], cmd[256];
	sl_lib *lib;

	make_dir();
	snprintf(cmd, sizeof(cmd), "cp %s %s/", TESTLIB("libchain_a.so"), dir);
	cr_assert_eq(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/libchain_a.so", dir);
	setenv("SOLOAD_LIBRARY_PATH", "/nonexistent:" BUILD_DIR "/testlibs", 1);
	lib = sl_open(path, 0);
	unsetenv("SOLOAD_LIBRARY_PATH");
	cr_assert_not_null(lib, "%s", sl_error());
	cr_assert_eq(((int (*)(int))sl_sym(lib, "chain_a"))(0), 13);
	sl_close(lib);
	remove_dir();
}

Test(deps, glibc_libraries_are_the_hosts)
{
	cr_assert(deps_is_host_library("libc.so.6"));
	cr_assert(deps_is_host_library("libm.so.6"));
	cr_assert(deps_is_host_library("ld-linux-x86-64.so.2"));
	cr_assert(deps_is_host_library("/lib/x86_64-linux-gnu/libpthread.so.0"));
	cr_assert_not(deps_is_host_library("libz.so.1"));
	cr_assert_not(deps_is_host_library("libcrypto.so.3"));
	cr_assert_not(deps_is_host_library("libmagic.so.1"));
}

Test(deps, a_library_may_use_what_a_sibling_in_its_group_defines)
{
	sl_lib *top;

	cr_assert_null(sl_open(TESTLIB("libgroup_user.so"), 0), "alone it cannot bind");
	cr_assert_str_eq(sl_error(), "libgroup_user.so: undefined symbol group_provided");
	top = sl_open(TESTLIB("libgroup_top.so"), 0);
	cr_assert_not_null(top, "%s", sl_error());
	cr_assert_eq(((int (*)(void))sl_sym(top, "group_top"))(), 42);
	sl_close(top);
}
