/* reach: unloading by reachability. A library bound to what another one
 * defines outside its own dependencies keeps that one loaded (glibc's
 * relocation dependencies), and a cycle that makes goes whole, each
 * finaliser once, when no open handle reaches it any more. */
#include "soload.h"
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

static char dir[64], trace[96];

/* libreach_top (which libreach_dep binds back to) and libreach_other,
 * both needing libreach_dep, then top's handle closed. */
static void open_both_close_top(sl_lib **other)
{
	sl_lib *top;

	snprintf(dir, sizeof(dir), "/tmp/mapscope-XXXXXX");
	cr_assert_not_null(tu_make_tmpdir(dir));
	snprintf(trace, sizeof(trace), "%s/trace", dir);
	setenv("SOLOAD_TRACE", trace, 1);
	top = sl_open(TESTLIB("libreach_top.so"), 0);
	cr_assert_not_null(top, "%s", sl_error());
	cr_assert_eq(((int (*)(void))sl_sym(top, "reach_top_call"))(), 42);
	*other = sl_open(TESTLIB("libreach_other.so"), 0);
	cr_assert_not_null(*other, "%s", sl_error());
	cr_assert_eq(sl_close(top), 0);
}

static char *traced(void)
{
	char *text = tu_read_file(trace);

	return text ? text : calloc(1, 1);
}

static void done(void)
{
	unsetenv("SOLOAD_TRACE");
	tu_remove_tree(dir);
}

Test(reach, a_library_kept_by_a_relocation_dependency_while_another_handle_is_open)
{
	sl_lib *other;
	char *text;

	open_both_close_top(&other);
	cr_assert_gt(tu_count_maps_of("libreach_top.so"), 0, "libreach_dep still uses it");
	cr_assert_str_eq(text = traced(), "", "no finaliser ran");
	cr_assert_eq(((int (*)(void))sl_sym(other, "reach_other_call"))(), 42);
	cr_assert_eq(sl_close(other), 0);
	free(text);
	done();
}

Test(reach, a_cycle_through_a_relocation_dependency_goes_with_the_last_handle)
{
	sl_lib *other;
	char *text;
	int fds = tu_count_fds();

	open_both_close_top(&other);
	cr_assert_eq(sl_close(other), 0);
	cr_assert_eq(tu_count_maps_of("libreach_"), 0, "every mapping gone");
	/* Each finaliser once, the reverse of the order they were initialised
	 * in: dep, top, other. */
	cr_assert_str_eq(text = traced(), "other\ntop\ndep\n");
	cr_assert_null(sl_open(TESTLIB("libreach_top.so"), SL_NOLOAD));
	cr_assert_null(sl_open(TESTLIB("libreach_dep.so"), SL_NOLOAD));
	cr_assert_eq(sl_close(other), -1, "a handle closed is no handle");
	cr_assert_eq(tu_count_fds(), fds);
	free(text);
	done();
}

Test(reach, a_dependency_is_no_handle_to_close)
{
	sl_lib *top = sl_open(TESTLIB("libreach_top.so"), 0), *dep;
	struct sl_info info;

	cr_assert_not_null(top, "%s", sl_error());
	sl_info(top, &info);
	cr_assert_eq(info.nneeded, 1);
	dep = info.needed[0];
	cr_assert_eq(sl_close(dep), -1, "only what sl_open gave out is closed");
	cr_assert_eq(((int (*)(void))sl_sym(top, "reach_top_call"))(), 42);
	cr_assert_eq(sl_close(top), 0);
	cr_assert_eq(tu_count_maps_of("libreach_"), 0);
}

/* Lazy binding: liblazy_user's first call of lazy_late binds it in
 * liblazy_late, which needs liblazy_user. The binding holds liblazy_late
 * (a cycle), so closing liblazy_late's handle leaves it for the call that
 * is already bound; the last handle takes both. */
Test(reach, a_lazy_binding_to_a_library_that_needs_the_caller_keeps_it)
{
	sl_lib *user = sl_open(TESTLIB("liblazy_user.so"), SL_LAZY), *late;
	int (*call)(int);

	cr_assert_not_null(user, "%s", sl_error());
	late = sl_open(TESTLIB("liblazy_late.so"), SL_LAZY);
	cr_assert_not_null(late, "%s", sl_error());
	call = (int (*)(int))sl_sym(user, "lazy_call_late");
	cr_assert_eq(call(3), 7);
	cr_assert_eq(sl_close(late), 0);
	cr_assert_gt(tu_count_maps_of("liblazy_late.so"), 0, "liblazy_user's binding holds it");
	cr_assert_eq(call(4), 9);
	cr_assert_eq(sl_close(user), 0);
	cr_assert_eq(tu_count_maps_of("liblazy_"), 0);
}
