#include "child/holders.h"
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

static int start_shell(struct holder_set *set, const char *script, size_t n)
{
	char *argv[] = {"/bin/sh", "-c", (char *)script, NULL};

	return holders_start(set, argv, n);
}

Test(holders, all_ready_then_stopped_by_closing_stdin)
{
	struct holder_set set;
	int fds = tu_count_fds();
	char want[32];

	cr_assert_eq(start_shell(&set, "echo ready $$; cat >/dev/null; exit 0", 3), 0, "%s",
	             set.failure);
	cr_assert_eq(holders_wait_ready(&set, 10000), 0, "%s", set.failure);
	for (size_t i = 0; i < set.n; i++) {
		snprintf(want, sizeof(want), "ready %d", (int)set.h[i].pid);
		cr_assert_str_eq(set.h[i].line, want);
	}
	holders_stop(&set, 10000);
	cr_assert_null(set.h);
	cr_assert_eq(tu_count_fds(), fds);
}

Test(holders, stop_reaps_holders_with_their_status)
{
	struct holder_set set;
	pid_t pid;

	cr_assert_eq(start_shell(&set, "echo ready; cat >/dev/null", 1), 0);
	cr_assert_eq(holders_wait_ready(&set, 10000), 0, "%s", set.failure);
	pid = set.h[0].pid;
	holders_stop(&set, 10000);
	cr_assert_eq(waitpid(pid, NULL, WNOHANG), -1, "holder %d left behind", (int)pid);
}

Test(holders, failing_holder_is_reported_with_its_stderr)
{
	struct holder_set set;

	cr_assert_eq(start_shell(&set, "echo 'cannot load libfoo.so' >&2; exit 3", 2), 0);
	cr_assert_eq(holders_wait_ready(&set, 10000), -1);
	cr_assert(strstr(set.failure, "exited with status 3 before it was ready"), "%s",
	          set.failure);
	cr_assert(strstr(set.failure, "cannot load libfoo.so"), "%s", set.failure);
	holders_stop(&set, 10000);
}

Test(holders, one_failure_among_ready_holders_fails_the_set)
{
	struct holder_set set;
	char dir[] = "/tmp/holders-test-XXXXXX", script[256], first[64];

	cr_assert_not_null(tu_make_tmpdir(dir));
	/* The one holder that creates the directory first fails. */
	snprintf(script, sizeof(script),
	         "if mkdir %s/first 2>/dev/null; then exit 4; fi; echo ok; cat", dir);
	cr_assert_eq(start_shell(&set, script, 4), 0);
	cr_assert_eq(holders_wait_ready(&set, 10000), -1);
	cr_assert(strstr(set.failure, "exited with status 4"), "%s", set.failure);
	holders_stop(&set, 10000);
	snprintf(first, sizeof(first), "%s/first", dir);
	rmdir(first);
	rmdir(dir);
}

Test(holders, killed_holder_names_the_signal)
{
	struct holder_set set;

	cr_assert_eq(start_shell(&set, "kill -9 $$", 1), 0);
	cr_assert_eq(holders_wait_ready(&set, 10000), -1);
	cr_assert(strstr(set.failure, "killed by signal 9"), "%s", set.failure);
	cr_assert(strstr(set.failure, "(nothing on stderr)"), "%s", set.failure);
	holders_stop(&set, 10000);
}

Test(holders, missing_program_is_reported)
{
	struct holder_set set;
	char *argv[] = {"/nonexistent/holder", NULL};

	cr_assert_eq(holders_start(&set, argv, 1), 0);
	cr_assert_eq(holders_wait_ready(&set, 10000), -1);
	cr_assert(strstr(set.failure, "cannot run /nonexistent/holder"), "%s", set.failure);
	cr_assert(strstr(set.failure, "status 127"), "%s", set.failure);
	holders_stop(&set, 10000);
}

Test(holders, silent_holder_times_out_and_is_killed)
{
	struct holder_set set;
	pid_t pid;

	/* Ignores its stdin closing, so stop has to kill it. */
	cr_assert_eq(start_shell(&set, "exec sleep 30", 1), 0);
	pid = set.h[0].pid;
	cr_assert_eq(holders_wait_ready(&set, 200), -1);
	cr_assert(strstr(set.failure, "not ready after 200 ms"), "%s", set.failure);
	holders_stop(&set, 200);
	cr_assert_eq(waitpid(pid, NULL, WNOHANG), -1);
}
