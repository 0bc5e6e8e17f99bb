#include "faults.h"
#include "runner.h"
#include "testutil.h"

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
