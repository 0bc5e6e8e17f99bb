/* deps: the $ORIGIN chain, init/fini order across it, releasing unused
 * dependencies, missing dependencies, host libraries, DT_RPATH inherited
 * along the chain of loaders (and DT_RUNPATH not), each against dlopen. */
#include "deps.h"
#include "soload.h"
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <link.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[64];

static void make_dir(void)
{
	snprintf(dir, sizeof(dir), "/tmp/soload-deps-XXXXXX");
	cr_assert_not_null(tu_make_tmpdir(dir));
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

/* A scope keeps glibc's libraries as one entry, where the first of them
 * stands: the libraries of ours after it are still searched, and glibc's
 * names found through it, as dlsym on the handle finds both. */
Test(deps, a_handle_finds_glibcs_names_and_ours_after_them)
{
	void *ref = dlopen(TESTLIB("libhostmix.so"), RTLD_NOW | RTLD_LOCAL);
	sl_lib *lib = sl_open(TESTLIB("libhostmix.so"), 0);

	cr_assert_not_null(ref, "%s", dlerror());
	cr_assert_not_null(lib, "%s", sl_error());
	cr_assert_eq(sl_sym(lib, "cos"), dlsym(ref, "cos"), "libm's, before ours in its tree");
	cr_assert_not_null(sl_sym(lib, "chain_b"), "ours after libm: %s", sl_error());
	cr_assert_not_null(sl_sym(lib, "chain_c"), "ours, a level below: %s", sl_error());
	cr_assert_eq(((double (*)(double))sl_sym(lib, "hostmix_cos"))(0.0), 1.0);
	cr_assert_eq(((int (*)(int))sl_sym(lib, "hostmix_chain"))(4),
	             ((int (*)(int))dlsym(ref, "hostmix_chain"))(4));
	sl_close(lib);
	dlclose(ref);
}

Test(deps, a_library_may_use_what_a_sibling_in_its_group_defines)
{
	sl_lib *top;

	cr_assert_null(sl_open(TESTLIB("libgroup_user.so"), 0), "alone it cannot bind");
	cr_assert_str_eq(sl_error(),
	                 TESTLIB("libgroup_user.so") ": undefined symbol group_provided");
	top = sl_open(TESTLIB("libgroup_top.so"), 0);
	cr_assert_not_null(top, "%s", sl_error());
	cr_assert_eq(((int (*)(void))sl_sym(top, "group_top"))(), 42);
	sl_close(top);
}

/* Copies the sample library name into dir/sub (sub "" for dir itself). */
static void copy_lib(const char *name, const char *sub)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "mkdir -p %s/%s && cp %s/%s %s/%s/", dir, sub, TESTLIB(""),
	         name, dir, sub);
	cr_assert_eq(system(cmd), 0, "%s", cmd);
}

struct path_query {
	const char *needle;
	char found[PATH_MAX];
};

static void keep_if_named(const char *path, struct path_query *q)
{
	if (strstr(path, q->needle) && !realpath(path, q->found))
		snprintf(q->found, sizeof(q->found), "%s", path);
}

static int dl_find(struct dl_phdr_info *info, size_t size, void *arg)
{
	(void)size;
	keep_if_named(info->dlpi_name, arg);
	return 0;
}

static void note_loaded(sl_lib *lib, void *arg)
{
	struct sl_info info;

	sl_info(lib, &info);
	keep_if_named(info.path, arg);
}

/* Opens top with libsoload and with dlopen: both must find leaf in the
 * same file, and top's function (no arguments) must give want. */
static void expect_same_leaf(const char *top, const char *fn, int want)
{
	struct path_query ours = {.needle = "librpath_leaf.so"}, sys = ours;
	sl_lib *lib = sl_open(top, 0);
	void *h;

	cr_assert_not_null(lib, "%s", sl_error());
	cr_assert_eq(((int (*)(void))sl_sym(lib, fn))(), want);
	sl_foreach(note_loaded, &ours);
	sl_close(lib);
	h = dlopen(top, RTLD_NOW | RTLD_LOCAL);
	cr_assert_not_null(h, "dlopen finds it too: %s", dlerror());
	cr_assert_eq(((int (*)(void))dlsym(h, fn))(), want);
	dl_iterate_phdr(dl_find, &sys);
	dlclose(h);
	cr_assert_str_neq(ours.found, "");
	cr_assert_str_eq(ours.found, sys.found);
}

/* sl_open(top) must fail with exactly want_prefix, leave nothing behind,
 * and dlopen must refuse it too. */
static void expect_both_refuse(const char *top, const char *want_prefix)
{
	int maps = tu_count_maps(), fds = tu_count_fds();

	cr_assert_null(sl_open(top, 0));
	cr_assert(strncmp(sl_error(), want_prefix, strlen(want_prefix)) == 0,
	          "\n got: %s\nwant: %s...", sl_error(), want_prefix);
	cr_assert_eq(tu_count_maps(), maps);
	cr_assert_eq(tu_count_fds(), fds);
	cr_assert_null(sl_open(top, SL_NOLOAD), "no registry entry left");
	cr_assert_null(dlopen(top, RTLD_NOW | RTLD_LOCAL), "dlopen refuses it too");
}

Test(deps, rpath_is_inherited_down_the_chain_of_loaders_as_by_dlopen)
{
	expect_same_leaf(TESTLIB("librpath_top.so"), "rpath_top", 71);
}

Test(deps, inherited_origin_is_the_directory_of_the_library_whose_rpath_it_is)
{
	char top[128];

	make_dir();
	copy_lib("librpath_top.so", "");
	copy_lib("librpath_mid.so", "sub");
	copy_lib("librpath_leaf.so", "");
	snprintf(top, sizeof(top), "%s/librpath_top.so", dir);
	expect_same_leaf(top, "rpath_top", 71);
	remove_dir();
}

Test(deps, inherited_rpath_miss_lists_the_inherited_directories)
{
	char top[128], want[512];

	make_dir();
	copy_lib("librpath_top.so", "");
	copy_lib("librpath_mid.so", "");
	snprintf(top, sizeof(top), "%s/librpath_top.so", dir);
	snprintf(want, sizeof(want),
	         "%s/librpath_mid.so: needed library librpath_leaf.so not found (searched: "
	         "%s:%s/sub:/etc/ld.so.cache:/lib/x86_64-linux-gnu:",
	         dir, dir, dir);
	expect_both_refuse(top, want);
	remove_dir();
}

Test(deps, runpath_is_not_inherited_as_by_dlopen)
{
	expect_both_refuse(TESTLIB("librunpath_top.so"),
	                   TESTLIB("librpath_mid.so") ": needed library librpath_leaf.so not "
	                                              "found (searched: "
	                                              "/etc/ld.so.cache:/lib/x86_64-linux-gnu:");
}

/* A program with DT_RPATH "$ORIGIN/lib", built now: its DT_RPATH is the
 * last one a library without DT_RUNPATH inherits (glibc's dl-load.c). */
static const char exe_src[] =
        "#include <soload.h>\n#include <dlfcn.h>\n#include <stdio.h>\n"
        "int main(int argc, char **argv)\n{\n\tsl_lib *l = sl_open(argv[1], 0);\n"
        "\tvoid *h = dlopen(argv[1], RTLD_NOW);\n\t(void)argc;\n"
        "\tprintf(\"%s|%s\", l ? \"found\" : sl_error(), h ? \"found\" : \"refused\");\n"
        "\treturn 0;\n}\n";

#ifdef __SANITIZE_ADDRESS__
#define EXE_SANITIZE "-fsanitize=address,undefined"
#else
#define EXE_SANITIZE ""
#endif

Test(deps, the_executables_rpath_comes_last_in_the_chain_as_for_dlopen)
{
	char cmd[1024], out[1024];
	FILE *f;

	make_dir();
	copy_lib("librpath_leaf.so", "lib");
	snprintf(cmd, sizeof(cmd), "%s/prog.c", dir);
	cr_assert_not_null(f = fopen(cmd, "w"));
	fputs(exe_src, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd),
	         "cc %s -Iloader -o %s/prog %s/prog.c -Wl,--disable-new-dtags "
	         "-Wl,-rpath,'$ORIGIN/lib' %s/libsoload.a -lelf -ldl -lpthread",
	         EXE_SANITIZE, dir, dir, BUILD_DIR);
	cr_assert_eq(tu_run(cmd, out, sizeof(out)), 0, "%s", cmd);
	snprintf(cmd, sizeof(cmd), "%s/prog %s", dir, TESTLIB("librpath_mid.so"));
	cr_assert_eq(tu_run(cmd, out, sizeof(out)), 0);
	cr_assert_str_eq(out, "found|found");
	remove_dir();
}

/* glibc's own libraries come from glibc's dlopen, by path when not loaded
 * yet (deps.c): the dynamic linker, loaded by the kernel and known to
 * glibc by name alone, must be the running one, not a second copy. */
Test(deps, a_library_that_needs_the_dynamic_linker_gets_the_running_one)
{
	int before = tu_count_maps_of("ld-linux-x86-64.so.2");
	sl_lib *lib = sl_open(TESTLIB("libtls.so"), 0);

	cr_assert_not_null(lib, "%s", sl_error());
	cr_assert_eq(tu_count_maps_of("ld-linux-x86-64.so.2"), before);
	sl_close(lib);
}
