/*
 * iobench: read() against mmap over one file, measured. Every method reads
 * every byte of the range (a checksum over 64-bit words), in file order or
 * in a random page order, from a cold page cache (evicted with
 * POSIX_FADV_DONTNEED first) or a warm one. Writes compare copy-on-write
 * faults of a private mapping with a shared one, on a scratch file the tool
 * creates: the file measured is opened read-only and never written. Each
 * run records wall time, faults and CPU time of the calling thread
 * (getrusage RUSAGE_THREAD), the system calls the method made (counted by
 * the benchmark itself), and the process's anonymous memory and the file's
 * dirty page-cache pages before the run and after its last access.
 *
 * The copy (iobench_copy.h) and multiplexing (iobench_multiplex.h)
 * benchmarks share the scratch file and cache helpers declared here.
 */
#ifndef IOBENCH_H
#define IOBENCH_H

#include <limits.h>
#include <stddef.h>
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
	bool write; /* writes one byte per page of the scratch file instead of reading */
};

/* A figure taken before a run and after its last access, or why not. */
struct iobench_gauge {
	int64_t before, after; /* -1: unknown */
	const char *why;       /* non-NULL when unknown */
};

struct iobench_result {
	const struct iobench_method *method;
	enum iobench_pattern pattern;
	bool cold;
	uint64_t bytes; /* bytes read, or bytes of the pages written */
	uint64_t ns;
	uint64_t minor, major;
	uint64_t syscalls;
	uint64_t user_ns, sys_ns;   /* getrusage: the kernel's tick-sampled split */
	uint64_t cpu_ns;            /* CLOCK_THREAD_CPUTIME_ID: exact user + system */
	int64_t resident_before;    /* pages of the file cached when the run began, -1 unknown */
	const char *resident_why;   /* why resident_before is unknown */
	struct iobench_gauge anon;  /* bytes of anonymous memory of this process (smaps_rollup) */
	struct iobench_gauge dirty; /* dirty page-cache pages of the file accessed (cachestat) */
	const char *unavailable;    /* non-NULL: the run could not be made, and why */
};

/* The scratch file the write phases use: unnamed (O_TMPFILE, or a name
 * removed at once), so nothing is left behind even if the tool is killed. */
struct iobench_scratch {
	int fd;             /* -1: none could be made, see why */
	char dir[PATH_MAX]; /* where it lives */
	bool same_fs;       /* on the filesystem of the file measured */
	char why[PATH_MAX + 96];
};

/* The methods measured, ended by a zeroed entry. */
extern const struct iobench_method iobench_methods[];

/* Creates path with size bytes of non-zero data, flushed to disk. 0 or -errno. */
int iobench_create(const char *path, uint64_t size);

/* Makes a scratch file in the directory of path, or, when that directory
 * refuses, in $TMPDIR or /tmp. Always fills s; s->fd < 0 with s->why when
 * no directory took one. */
void iobench_scratch_open(struct iobench_scratch *s, const char *path);
void iobench_scratch_close(struct iobench_scratch *s);

/* Writes size bytes of pseudo-random data at the start of fd and flushes
 * them to disk. 0 or -errno. */
int iobench_fill(int fd, uint64_t size);

/* Opens path read-only, without updating its access time where the kernel
 * allows that. fd or -errno. */
int iobench_open_measured(const char *path);

/* Cold: flushes and evicts fd's pages. Warm: reads its first size bytes
 * through buf (len bytes). */
void iobench_prepare_cache(int fd, uint64_t size, bool cold, char *buf, size_t len);

/* Pages of fd in the page cache, or -1 with *why. */
int64_t iobench_resident_pages(int fd, const char **why);

/* Runs every method x pattern x cache state over the first size bytes of
 * path (the writes over scratch, which must have a file), calling report
 * for each result as it is made. 0, or -errno when the file cannot be
 * opened, -EINVAL if it is not a regular file, -ENODATA if it is empty. */
int iobench_run(const char *path, uint64_t size, const struct iobench_scratch *scratch,
                void (*report)(const struct iobench_result *r, void *arg), void *arg);

#endif
