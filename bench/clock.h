/* clock: the benchmarks' one way to read a clock. */
#ifndef BENCH_CLOCK_H
#define BENCH_CLOCK_H

#include <time.h>

/* Nanoseconds on clock (CLOCK_MONOTONIC, CLOCK_THREAD_CPUTIME_ID...). */
static inline double bench_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* Microseconds of wall time. */
static inline double bench_us(void)
{
	return bench_ns(CLOCK_MONOTONIC) / 1e3;
}

#endif
