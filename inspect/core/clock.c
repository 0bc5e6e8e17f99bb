#include "core/clock.h"

uint64_t clock_ns_of(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

uint64_t clock_ns(void)
{
	return clock_ns_of(CLOCK_MONOTONIC);
}
