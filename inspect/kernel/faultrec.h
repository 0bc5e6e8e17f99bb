/*
 * faultrec: records a process's page faults with perf_event_open.
 *
 * Two software events (minor and major page faults), one sample per fault
 * (address, instruction pointer, pid, time), plus the kernel's mmap records
 * (file, offset) so each fault can later be attributed to a mapping. The
 * events follow the process's children and start counting at its next exec.
 * Records are copied out of the ring buffers by faultrec_drain; records the
 * kernel had to drop because a buffer was full are counted, never hidden.
 * Without CAP_PERFMON and with kernel.perf_event_paranoid at 2 the kernel
 * allows only user-mode events: faults taken on user-mode instructions are
 * then recorded, and the ones the kernel takes on the process's behalf
 * (exec, copy_to_user in read(), get_user_pages) are neither counted nor
 * sampled.
 */
#ifndef FAULTREC_H
#define FAULTREC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct faultrec_sample {
	uint64_t time_ns; /* CLOCK_MONOTONIC */
	uint64_t addr;    /* faulting data address */
	uint64_t ip;      /* instruction that faulted */
	uint32_t pid;
	bool major;
};

struct faultrec_mmap {
	uint64_t time_ns; /* CLOCK_MONOTONIC */
	uint64_t start, len, pgoff;
	uint32_t pid;
	char *path; /* file name, or "//anon", "[heap]", ... as the kernel names it */
};

/* A process forked (threads are not recorded): it inherits ppid's mappings
 * without mmap records of its own. */
struct faultrec_fork {
	uint32_t pid, ppid;
};

enum { FAULTREC_MINOR, FAULTREC_MAJOR };

/* The kernel refuses to map one ring for an inherited per-task event, so
 * there is one event per kind and CPU, each with its own ring. */
struct faultrec_event {
	int fd;
	int kind;         /* FAULTREC_MINOR or FAULTREC_MAJOR */
	void *ring;       /* metadata page followed by the data pages */
	size_t ring_size; /* bytes mapped */
};

struct faultrec {
	struct faultrec_event *ev;
	int nev;
	struct faultrec_sample *samples;
	size_t nsamples, samples_cap;
	struct faultrec_mmap *mmaps;
	size_t nmmaps, mmaps_cap;
	struct faultrec_fork *forks;
	size_t nforks, forks_cap;
	uint64_t lost;      /* records the kernel dropped (PERF_RECORD_LOST) */
	uint64_t throttled; /* PERF_RECORD_THROTTLE records seen */
};

/* Opens both events on pid (which has not exec'd yet), for every fault or,
 * user_only, for faults taken in user mode. 0, or -errno from
 * perf_event_open or mmap; *why then names the step that failed. */
int faultrec_open(struct faultrec *fr, pid_t pid, bool user_only, const char **why);

/* Copies every complete record out of the ring buffers. 0 or -ENOMEM.
 * Records from different rings are not in time order. */
int faultrec_drain(struct faultrec *fr);

/* The kernel's count of faults of a kind (all samples, lost or not). 0 or -errno. */
int faultrec_count(const struct faultrec *fr, int kind, uint64_t *count);

/* Unmaps the buffers, closes the events and frees the records. */
void faultrec_close(struct faultrec *fr);

#endif
