/* soload: the public API end to end on the sample libraries. */
#include "soload.h"
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

Test(soload, opens_calls_and_closes_libhello)
{
	sl_lib *lib = sl_open(TESTLIB("libhello.so"), 0);
	int (*add)(int, int);
	const char *(*greet)(const char *);

	cr_assert_not_null(lib, "%s", sl_error());
	add = (int (*)(int, int))sl_sym(lib, "hello_add");
	greet = (const char *(*)(const char *))sl_sym(lib, "hello_greet");
	cr_assert_not_null(add);
	cr_assert_eq(add(2, 3), 5);
	cr_assert_str_eq(greet("tests"), "hello, tests");
	cr_assert_eq(*(int *)sl_sym(lib, "hello_calls"), 2);
	cr_assert_eq(sl_close(lib), 0);
}

Test(soload, same_file_gives_same_handle_with_count_raised)
{
	sl_lib *a = sl_open(TESTLIB("libhello.so"), 0);
	sl_lib *b = sl_open("./" TESTLIB("libhello.so"), 0);
	struct sl_info info;

	cr_assert_not_null(a);
	cr_assert_eq(a, b);
	sl_info(a, &info);
	cr_assert_eq(info.refcount, 2);
	cr_assert_eq(sl_close(b), 0);
	sl_info(a, &info);
	cr_assert_eq(info.refcount, 1);
	cr_assert_eq(sl_close(a), 0);
}

Test(soload, noload_only_returns_loaded_libraries)
{
	sl_lib *lib;

	cr_assert_null(sl_open(TESTLIB("libhello.so"), SL_NOLOAD));
	cr_assert(strstr(sl_error(), "not loaded"));
	lib = sl_open(TESTLIB("libhello.so"), 0);
	cr_assert_eq(sl_open(TESTLIB("libhello.so"), SL_NOLOAD), lib);
	sl_close(lib);
	sl_close(lib);
}

Test(soload, close_of_a_bad_handle_fails)
{
	sl_lib *lib = sl_open(TESTLIB("libhello.so"), 0);

	cr_assert_eq(sl_close(lib), 0);
	cr_assert_eq(sl_close(lib), -1);
	cr_assert(strstr(sl_error(), "not an open library handle"));
	cr_assert_eq(sl_close(NULL), -1);
}

Test(soload, missing_file_is_named_in_the_error)
{
	cr_assert_null(sl_open("/nonexistent/libnope.so", 0));
	cr_assert_str_eq(sl_error(), "/nonexistent/libnope.so: No such file or directory");
	cr_assert_null(sl_open(NULL, 0));
	cr_assert_null(sl_open("/tmp", 0));
	cr_assert(strstr(sl_error(), "/tmp: "), "%s", sl_error());
}

Test(soload, sym_of_an_undefined_name_sets_the_error)
{
	sl_lib *lib = sl_open(TESTLIB("libhello.so"), 0);

	cr_assert_null(sl_sym(lib, "hello_nothing"));
	cr_assert_str_eq(sl_error(), TESTLIB("libhello.so") ": undefined symbol hello_nothing");
	sl_close(lib);
}

static char *read_file(const char *path)
{
	static char buf[4096];
	FILE *f = fopen(path, "r");
	size_t n = 0;

	if (f) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

Test(soload, counter_runs_constructors_then_destructor_on_last_close)
{
	char dir[] = "/tmp/soload-counter-XXXXXX", trace[64];
	sl_lib *lib, *again;

	cr_assert_not_null(tu_make_tmpdir(dir));
	snprintf(trace, sizeof(trace), "%s/trace", dir);
	setenv("SOLOAD_TRACE", trace, 1);
	lib = sl_open(TESTLIB("libcounter.so"), 0);
	cr_assert_not_null(lib, "%s", sl_error());
	cr_assert_eq(*(int *)sl_sym(lib, "counter_inits"), 2);
	cr_assert_eq(((int (*)(void))sl_sym(lib, "counter_array_init_ran"))(), 1);
	cr_assert_eq(*(int *)sl_sym(lib, "counter_value"), 42);
	cr_assert_eq(((int (*)(void))sl_sym(lib, "counter_next"))(), 43);
	cr_assert_eq(((long (*)(void))sl_sym(lib, "counter_bss_sum"))(), 0);
	again = sl_open(TESTLIB("libcounter.so"), 0);
	cr_assert_eq(*(int *)sl_sym(again, "counter_inits"), 2, "initialisers ran once");
	sl_close(again);
	cr_assert_str_eq(read_file(trace), "counter:init\n");
	sl_close(lib);
	cr_assert_str_eq(read_file(trace), "counter:init\ncounter:fini\n");
	unlink(trace);
	rmdir(dir);
	unsetenv("SOLOAD_TRACE");
}

Test(soload, info_describes_segments_and_relro)
{
	sl_lib *lib = sl_open(TESTLIB("libcounter.so"), 0);
	struct sl_info info;
	int writable = 0, exec = 0;

	cr_assert_eq(sl_info(lib, &info), 0);
	cr_assert(strstr(info.path, "libcounter.so"));
	cr_assert_eq(info.refcount, 1);
	cr_assert_gt(info.nsegments, 1);
	for (size_t i = 0; i < info.nsegments; i++) {
		const struct sl_segment *s = &info.segments[i];
		cr_assert_eq(s->start, info.base + (s->vaddr & ~4095UL));
		cr_assert_not((s->prot & PROT_WRITE) && (s->prot & PROT_EXEC));
		writable += !!(s->prot & PROT_WRITE);
		exec += !!(s->prot & PROT_EXEC);
	}
	cr_assert_eq(writable, 1);
	cr_assert_eq(exec, 1);
	cr_assert_neq(info.relro_start, 0);
	cr_assert_eq(info.share.requested, 0);
	sl_close(lib);
}

Test(soload, glibc_libraries_are_refused_by_name)
{
	int maps = tu_count_maps();

	cr_assert_null(sl_open("/lib/x86_64-linux-gnu/libc.so.6", 0));
	cr_assert(strstr(sl_error(), "libc.so.6: one of glibc's own libraries"), "%s", sl_error());
	cr_assert_null(sl_open("/lib/x86_64-linux-gnu/libm.so.6", 0));
	cr_assert_eq(tu_count_maps(), maps);
}

/* A name without a '/' is searched as dlopen searches it; the same file
 * gives the same handle, whichever way it was named. */
Test(soload, a_name_is_searched_and_gives_the_same_handle_as_its_path)
{
	int maps = tu_count_maps(), fds = tu_count_fds();
	char path[PATH_MAX];
	sl_lib *by_path, *by_name;

	setenv("SOLOAD_LIBRARY_PATH", "/nonexistent:" BUILD_DIR "/testlibs", 1);
	cr_assert_eq(sl_find("libhello.so", path, sizeof(path)), 0, "%s", sl_error());
	cr_assert_str_eq(path, BUILD_DIR "/testlibs/libhello.so");
	by_name = sl_open("libhello.so", 0);
	unsetenv("SOLOAD_LIBRARY_PATH");
	cr_assert_not_null(by_name, "%s", sl_error());
	by_path = sl_open(TESTLIB("libhello.so"), 0);
	cr_assert_eq(by_path, by_name);
	cr_assert_eq(((int (*)(int, int))sl_sym(by_name, "hello_add"))(2, 3), 5);
	sl_close(by_path);
	sl_close(by_name);
	cr_assert_null(sl_open("libhello.so", 0), "not without SOLOAD_LIBRARY_PATH");
	cr_assert(strstr(sl_error(), "libhello.so: not found (searched: /etc/ld.so.cache:"), "%s",
	          sl_error());
	cr_assert_eq(tu_count_maps(), maps);
	cr_assert_eq(tu_count_fds(), fds);
}

/* LD_LIBRARY_PATH is searched as dlopen searches it, before
 * SOLOAD_LIBRARY_PATH and ldconfig's cache. */
Test(soload, a_name_is_searched_in_ld_library_path_first)
{
	char dir[64] = "/tmp/mapscope-XXXXXX", copy[PATH_MAX], cmd[PATH_MAX + 64], path[PATH_MAX];
	char out[64];

	cr_assert_not_null(tu_make_tmpdir(dir));
	snprintf(copy, sizeof(copy), "%s/libhello.so", dir);
	snprintf(cmd, sizeof(cmd), "cp " TESTLIB("libhello.so") " %s", copy);
	cr_assert_eq(tu_run(cmd, out, sizeof(out)), 0);
	setenv("SOLOAD_LIBRARY_PATH", BUILD_DIR "/testlibs", 1);
	setenv("LD_LIBRARY_PATH", dir, 1);
	cr_expect_eq(sl_find("libhello.so", path, sizeof(path)), 0, "%s", sl_error());
	unsetenv("LD_LIBRARY_PATH");
	cr_expect_str_eq(path, copy);
	cr_expect_eq(sl_find("libhello.so", path, sizeof(path)), 0, "%s", sl_error());
	cr_expect_str_eq(path, BUILD_DIR "/testlibs/libhello.so");
	unsetenv("SOLOAD_LIBRARY_PATH");
	tu_remove_tree(dir);
}

Test(soload, find_gives_the_file_open_would_load)
{
	char path[PATH_MAX], tiny[8];
	sl_lib *z;

	cr_assert_eq(sl_find("libz.so.1", path, sizeof(path)), 0, "%s", sl_error());
	cr_assert(path[0] == '/' && strstr(path, "/libz.so.1"), "%s", path);
	cr_assert_eq(access(path, R_OK), 0);
	z = sl_open("libz.so.1", 0);
	cr_assert_not_null(z, "%s", sl_error());
	cr_assert_eq(sl_open(path, SL_NOLOAD), z, "the same file");
	sl_close(z);
	sl_close(z);
	/* A path is what it is; too small a buffer and a miss are errors. */
	cr_assert_eq(sl_find(TESTLIB("libhello.so"), path, sizeof(path)), 0);
	cr_assert_str_eq(path, TESTLIB("libhello.so"));
	cr_assert_eq(sl_find("libz.so.1", tiny, sizeof(tiny)), -1);
	cr_assert(strstr(sl_error(), "does not fit in 8 bytes"), "%s", sl_error());
	cr_assert_eq(sl_find("/nonexistent/libx.so", path, sizeof(path)), -1);
	cr_assert_str_eq(sl_error(), "/nonexistent/libx.so: No such file or directory");
	cr_assert_eq(sl_find("libnosuch.so.9", path, sizeof(path)), -1);
	cr_assert(strstr(sl_error(), "libnosuch.so.9: not found (searched: "), "%s", sl_error());
	/* glibc's own: the file the system's dynamic linker has loaded. */
	cr_assert_eq(sl_find("libc.so.6", path, sizeof(path)), 0, "%s", sl_error());
	cr_assert(path[0] == '/' && strstr(path, "libc.so.6"), "%s", path);
	cr_assert_null(sl_open("libc.so.6", 0));
	cr_assert_str_eq(sl_error(), "libc.so.6: one of glibc's own libraries: only the system's "
	                             "dynamic linker loads those (use dlopen)");
}
