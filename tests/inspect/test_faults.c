#include "probe/faults.h"
#include "child/runner.h"
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>
#include <sys/wait.h>

Test(runner, failed_exec_reports_its_errno)
{
	char *argv[] = {"/nonexistent/prog", NULL};
	struct runner r;

	cr_assert_eq(runner_start(&r, argv), 0);
	cr_assert_eq(runner_release(&r), -ENOENT);
}

Test(runner, released_child_runs_and_is_reaped)
{
	char *argv[] = {"sh", "-c", "exit 7", NULL};
	struct runner r;
	struct rusage ru;
	int status;

	cr_assert_eq(runner_start(&r, argv), 0);
	cr_assert_eq(runner_release(&r), 0);
	cr_assert_eq(runner_wait(&r, &status, &ru), 0);
	cr_assert(WIFEXITED(status));
	cr_assert_eq(WEXITSTATUS(status), 7);
	cr_assert_gt(ru.ru_minflt, 0);
}

Test(faults, run_leaves_no_fd_or_mapping_behind)
{
	char *argv[] = {"true", NULL};
	struct faults_request req = {.argv = argv};
	struct faults_report rep;
	char err[256];
	int fds, maps;

	/* A first run sets up what stays (allocator regions under ASan). */
	cr_assert_eq(faults_run(&req, &rep, err, sizeof(err)), 0, "%s", err);
	faults_free(&rep);
	fds = tu_count_fds();
	maps = tu_count_maps();
	cr_assert_eq(faults_run(&req, &rep, err, sizeof(err)), 0, "%s", err);
	cr_assert_gt(rep.kernel_minor, 0);
	faults_free(&rep);
	cr_assert_eq(tu_count_fds(), fds);
	cr_assert_eq(tu_count_maps(), maps);
}

Test(faults, failed_command_leaves_no_fd_behind)
{
	char *argv[] = {"/nonexistent/prog", NULL};
	struct faults_request req = {.argv = argv};
	struct faults_report rep;
	char err[256];
	int fds = tu_count_fds(), maps = tu_count_maps();

	cr_assert_eq(faults_run(&req, &rep, err, sizeof(err)), -1);
	cr_assert_not_null(strstr(err, "/nonexistent/prog"), "%s", err);
	cr_assert_eq(tu_count_fds(), fds);
	cr_assert_eq(tu_count_maps(), maps);
}

/* Runs argv with at most the given sampling; skips where the kernel refuses
 * even user-mode events to this user (kernel.perf_event_paranoid 3). */
static void run_sampled(char **argv, enum faults_sampling sampling, struct faults_report *rep)
{
	struct faults_request req = {.argv = argv, .sampling = sampling};
	char err[256];

	cr_assert_eq(faults_run(&req, rep, err, sizeof(err)), 0, "%s", err);
	if (sampling == FAULTS_SAMPLE_USER && !rep->user_only) {
		cr_log_warn("user-mode perf events refused: %s", rep->unavailable);
		faults_free(rep);
		cr_skip_test("user-mode perf events are refused here");
	}
}

Test(faults, user_mode_sampling_keeps_the_rusage_totals)
{
	char *argv[] = {"sh", "-c", "cat /proc/self/maps >/dev/null", NULL};
	struct faults_report rep;

	run_sampled(argv, FAULTS_SAMPLE_USER, &rep);
	cr_assert_not_null(rep.unavailable);
	cr_assert_str_eq(rep.unavailable, "kernel-mode sampling not asked for");
	/* The totals are the kernel's, never the user-mode figure. */
	cr_assert_eq(rep.minor, rep.kernel_minor);
	cr_assert_eq(rep.major, rep.kernel_major);
	cr_assert_gt(rep.sampled_minor, 0);
	/* exec's own faults are never seen by an exec-enabled event */
	cr_assert_lt(rep.sampled_minor, rep.minor);
	cr_assert_gt(rep.nsamples, 0);
	cr_assert_leq(rep.nsamples, rep.sampled_minor + rep.sampled_major);
	cr_assert_gt(rep.nmaps, 0);
	faults_free(&rep);
}

Test(faults, no_sampling_gives_totals_only)
{
	char *argv[] = {"true", NULL};
	struct faults_report rep;

	run_sampled(argv, FAULTS_SAMPLE_NONE, &rep);
	cr_assert_str_eq(rep.unavailable, "perf events not asked for");
	cr_assert_not(rep.user_only);
	cr_assert_gt(rep.minor, 0);
	cr_assert_eq(rep.minor, rep.kernel_minor);
	cr_assert_eq(rep.nsamples, 0);
	cr_assert_eq(rep.nmaps, 0);
	faults_free(&rep);
}
