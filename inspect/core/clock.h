/* clock: the one clock every measured duration is read from, in nanoseconds. */
#ifndef CLOCK_H
#define CLOCK_H

#include <stdint.h>
#include <time.h>

/* Nanoseconds on CLOCK_MONOTONIC: wall time that never jumps. */
uint64_t clock_ns(void);
/* Nanoseconds on any clock, e.g. CLOCK_PROCESS_CPUTIME_ID for CPU time. */
uint64_t clock_ns_of(clockid_t clock);

#endif
