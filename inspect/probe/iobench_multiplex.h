/*
 * iobench_multiplex: readiness multiplexing as the number of descriptors
 * grows. N idle pipes, and one that a second process makes ready again and
 * again; select(), poll() and epoll_wait() each wait for it. Each event is
 * timed from the writer's clock reading just before its write(2) to ours
 * just after the wait returns, and the waiting thread's CPU time per event
 * is taken; each figure is the median over the events. select and poll hand the kernel every
 * descriptor on every call (and the kernel scans them all again on the way out); epoll registers
 * them once and keeps a ready list.
 */
#ifndef IOBENCH_MULTIPLEX_H
#define IOBENCH_MULTIPLEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum iobench_mux { MUX_SELECT, MUX_POLL, MUX_EPOLL, MUX_N };

extern const char *const iobench_mux_names[MUX_N];

struct iobench_mux_result {
	enum iobench_mux method;
	unsigned idle;                        /* idle descriptors besides the ready one */
	unsigned events;                      /* events timed */
	uint64_t wake_ns_median, wake_ns_p90; /* write to wake-up */
	uint64_t cpu_ns_per_event;            /* the waiting thread's CPU time, median */
	uint64_t syscalls_per_event;          /* the wait, the read of the event, the reply */
	uint64_t setup_ns;                    /* epoll_ctl of every descriptor; 0 for the others */
	const char *unavailable;              /* non-NULL: not measured, and why */
	char why[192];
};

/* Measures each method at each count of idle descriptors in idle (n counts,
 * any order; measured in ascending order), timing events events each,
 * calling report with each result. 0, or -errno when the writer process or
 * its pipes could not be set up. */
int iobench_mux_run(const unsigned *idle, size_t n, unsigned events,
                    void (*report)(const struct iobench_mux_result *r, void *arg), void *arg);

#endif
