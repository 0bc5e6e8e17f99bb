#include "kernel/procstat.h"
#include "support/testutil.h"
#include "probe/watch.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <unistd.h>

Test(procstat, reads_this_process)
{
	struct procstat ps;

	cr_assert_eq(procstat_read(getpid(), &ps), 0);
	cr_assert_gt(ps.minflt, 0);
	cr_assert_gt(ps.rss_pages, 0);
	cr_assert_eq(ps.state, 'R');
	cr_assert_geq(ps.rss_anon_pages, 0);
}

Test(procstat, a_missing_process_is_enoent)
{
	struct procstat ps;

	cr_assert_eq(procstat_read(0x7ffffff0, &ps), -ENOENT);
}

static void count_samples(const struct watch_sample *s, void *arg)
{
	cr_assert_eq(s->err, 0);
	(*(int *)arg)++;
}

Test(watch, counted_run_leaves_no_fd_and_restores_the_signal_mask)
{
	struct watch_target t = {getpid(), NULL};
	struct watch_result res;
	sigset_t before, after;
	int fds = tu_count_fds(), n = 0;

	sigprocmask(SIG_SETMASK, NULL, &before);
	watch_run(&t, 1000000, 3, count_samples, &n, &res);
	sigprocmask(SIG_SETMASK, NULL, &after);
	cr_assert_eq(res.end, WATCH_COUNT);
	cr_assert_eq(n, 3);
	cr_assert_eq(tu_count_fds(), fds);
	cr_assert_eq(sigismember(&after, SIGTERM), sigismember(&before, SIGTERM));
}
