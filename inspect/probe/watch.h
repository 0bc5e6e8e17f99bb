/*
 * watch: samples a process (RSS, fault counters) or a file (page-cache
 * residency) once per interval, in one epoll loop over a timerfd (the
 * interval), a signalfd (SIGINT, SIGTERM) and, for a process, a pidfd that
 * becomes readable when it exits. No sleeping: the loop ends within one
 * event of the process exiting or a signal arriving.
 */
#ifndef WATCH_H
#define WATCH_H

#include "kernel/procstat.h"
#include "kernel/residency.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct watch_target {
	pid_t pid;        /* > 0: watch this process */
	const char *path; /* else: watch this file's residency */
};

struct watch_sample {
	uint64_t seq;  /* 0, 1, ... */
	uint64_t t_ns; /* since the watch began */
	int err;       /* -errno if this sample could not be read */
	struct procstat proc;
	struct residency file;
};

enum watch_end { WATCH_EXITED, WATCH_SIGNALLED, WATCH_COUNT, WATCH_FAILED };

struct watch_result {
	enum watch_end end;
	int signal;     /* WATCH_SIGNALLED: which */
	uint64_t t_ns;  /* when the loop ended */
	int err;        /* WATCH_FAILED: -errno */
	const char *op; /* WATCH_FAILED: what failed */
};

/* Checks that the target exists and can be watched. 0 or -errno. */
int watch_check(const struct watch_target *t);

/* Takes a sample now and every interval_ns after, calling fn for each,
 * until the process exits, SIGINT or SIGTERM arrives, or count samples
 * were taken (count 0: no limit). SIGINT and SIGTERM are blocked while
 * it runs and restored after. */
void watch_run(const struct watch_target *t, uint64_t interval_ns, uint64_t count,
               void (*fn)(const struct watch_sample *s, void *arg), void *arg,
               struct watch_result *res);

#endif
