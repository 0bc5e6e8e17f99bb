/* clock: the one clock of every measured duration. */
#include "core/clock.h"

#include <criterion/criterion.h>

Test(clock, a_sleep_of_a_millisecond_reads_as_at_least_that)
{
	struct timespec ms = {0, 1000000};
	uint64_t before = clock_ns(), after;

	nanosleep(&ms, NULL);
	after = clock_ns();
	cr_assert_geq(after - before, 1000000ULL);
	cr_assert_lt(after - before, 5000000000ULL);
}

Test(clock, cpu_time_does_not_count_sleep)
{
	struct timespec ms = {0, 20000000};
	uint64_t before = clock_ns_of(CLOCK_THREAD_CPUTIME_ID);

	nanosleep(&ms, NULL);
	cr_assert_lt(clock_ns_of(CLOCK_THREAD_CPUTIME_ID) - before, 20000000ULL);
}
