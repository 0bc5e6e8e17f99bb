/*
 * iobench: read() against mmap over one file, measured. Every method reads
 * every byte of the range (a checksum over 64-bit words), in file order or
 * in a random page order, from a cold page cache (evicted with
 * POSIX_FADV_DONTNEED first) or a warm one. Writes compare copy-on-write
 * faults of a private mapping with a shared one. Each run records wall
 * time, faults and CPU time of the calling thread (getrusage RUSAGE_THREAD)
 * and the system calls the method made (counted by the benchmark itself).
 */
#ifndef IOBENCH_H
#define IOBENCH_H

#include <stdbool.h>
#include <stdint.h>

enum iobench_pattern { IOBENCH_SEQ, IOBENCH_RAND };

struct iobench_method {
	const char *name; /* "read", "mmap_shared", ... */
	bool mmap;        /* false: read()/pread() into a buffer */
	bool shared;      /* MAP_SHARED, else MAP_PRIVATE */
	bool populate;    /* MAP_POPULATE */
	int advice;       /* madvise advice, or -1 for none */
	const char *advice_name;
	bool write; /* writes one byte per page instead of reading */
};

struct iobench_result {
	const struct iobench_method *method;
	enum iobench_pattern pattern;
	bool cold;
	uint64_t bytes; /* bytes read, or bytes of the pages written */
	uint64_t ns;
	uint64_t minor, major;
	uint64_t syscalls;
	uint64_t user_ns, sys_ns; /* getrusage: the kernel's tick-sampled split */
	uint64_t cpu_ns;          /* CLOCK_THREAD_CPUTIME_ID: exact user + system */
	int64_t resident_before;  /* pages of the file cached when the run began, -1 unknown */
	const char *resident_why; /* why resident_before is unknown */
	const char *unavailable;  /* non-NULL: the run could not be made, and why */
};

/* The methods measured, ended by a zeroed entry. */
extern const struct iobench_method iobench_methods[];

/* Creates path with size bytes of non-zero data, flushed to disk. 0 or -errno. */
int iobench_create(const char *path, uint64_t size);

/* Runs every method x pattern x cache state over the first size bytes of
 * path, calling report for each result as it is made. 0, or -errno when
 * the file cannot be opened, -EINVAL if it is not a regular file, -ENODATA
 * if it is empty. */
int iobench_run(const char *path, uint64_t size,
                void (*report)(const struct iobench_result *r, void *arg), void *arg);

#endif
