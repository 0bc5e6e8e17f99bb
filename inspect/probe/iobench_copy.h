/*
 * iobench_copy: copying the first bytes of a file out to a receiver, five
 * ways: read() + write() through a buffer, write() from an mmap of the
 * file, sendfile(), splice() (straight into a pipe, or through one), and
 * copy_file_range() (a file only), from a cold and a warm page cache. The
 * receiver is real: a pipe, a Unix stream socket or a loopback TCP
 * connection drained by a child process, or the scratch file. Each run
 * records wall and CPU time, faults, the system calls made, and the
 * thread's I/O accounting (/proc/thread-self/io), from which the bytes that
 * system calls copied into user space are worked out.
 */
#ifndef IOBENCH_COPY_H
#define IOBENCH_COPY_H

#include "kernel/procio.h"
#include "probe/iobench.h"

enum iobench_copy_method {
	COPY_READ_WRITE,
	COPY_MMAP_WRITE,
	COPY_SENDFILE,
	COPY_SPLICE,
	COPY_FILE_RANGE,
	COPY_NMETHODS
};

enum iobench_dest { DEST_PIPE, DEST_SOCKET, DEST_TCP, DEST_FILE, DEST_N };

extern const char *const iobench_copy_names[COPY_NMETHODS];
extern const char *const iobench_dest_names[DEST_N];

struct iobench_copy_result {
	enum iobench_copy_method method;
	enum iobench_dest dest;
	bool cold;
	uint64_t bytes, ns, user_ns, sys_ns, cpu_ns, minor, major, syscalls;
	int64_t resident_before; /* -1: unknown, see resident_why */
	const char *resident_why;
	struct procio io;         /* deltas over the run */
	const char *io_why;       /* non-NULL: io unknown */
	int64_t user_bytes;       /* copied into user space by system calls; -1 with io_why */
	uint64_t in_kernel_bytes; /* moved by sendfile/copy_file_range, which rchar also counts */
	const char *unavailable;  /* non-NULL: the run failed, and why */
	char why[160];
};

/* Copies the first size bytes of path to each receiver in dests (a bit
 * per enum iobench_dest) with each method, cold then warm, calling report
 * with each result. The file receiver is scratch (emptied before each run).
 * 0, or -errno as iobench_run. */
int iobench_copy_run(const char *path, uint64_t size, unsigned dests,
                     const struct iobench_scratch *scratch,
                     void (*report)(const struct iobench_copy_result *r, void *arg), void *arg);

#endif
