/* soload: the public API end to end on the sample libraries. */
#include "soload.h"
#include "support/testutil.h"

#include <criterion/criterion.h>
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

	cr_assert_not_null(mkdtemp(dir));
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
