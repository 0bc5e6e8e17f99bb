/*
 * faults: runs a command under faultrec and turns its records into a report:
 * totals from the kernel's counters, faults per mapped file (minor, major,
 * distinct pages), and each fault with its file offset. Where perf events
 * are refused, the totals come from the child's rusage; where the kernel
 * still allows user-mode events (kernel.perf_event_paranoid = 2), the
 * faults taken in user mode are sampled as usual and the rest is counted
 * as not sampled. Otherwise everything that needs addresses is reported
 * unavailable, with the reason.
 */
#ifndef FAULTS_H
#define FAULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How much perf may be asked for: AUTO tries every fault, then user-mode
 * faults, then none; the others stop there (what an unprivileged user gets). */
enum faults_sampling { FAULTS_SAMPLE_AUTO, FAULTS_SAMPLE_USER, FAULTS_SAMPLE_NONE };

struct faults_request {
	char **argv; /* the command, NULL-terminated */
	char **cold; /* files to drop from the page cache first */
	size_t ncold;
	enum faults_sampling sampling;
};

struct faults_mapping {
	char *path; /* file, or the kernel's name for anonymous memory */
	bool file;  /* backed by a file (offsets mean something) */
	uint64_t minor, major;
	uint64_t pages;      /* distinct pages faulted */
	uint64_t max_offset; /* highest file offset faulted, for histograms */
	uint64_t file_size;  /* 0 if unknown */
	bool cache_measured; /* a --cold file: page-cache residency before and after */
	uint64_t cache_before, cache_after;
	const char *cache_unavailable; /* a --cold file whose residency is unknown, why */
};

struct faults_sample {
	uint64_t t_ns; /* since the command was released to exec */
	uint64_t addr, ip;
	uint32_t pid;
	bool major;
	int mapping;     /* index in maps, or -1 if no mmap record covers addr */
	uint64_t offset; /* file offset of addr, when maps[mapping].file */
};

struct faults_report {
	int wait_status;
	uint64_t wall_ns;
	uint64_t minor, major;               /* counted by perf (or rusage) */
	uint64_t kernel_minor, kernel_major; /* the child's rusage */
	uint64_t lost, throttled;            /* sample records the kernel dropped */
	const char *unavailable;             /* non-NULL: perf refused, and why */
	/* With unavailable: perf still sampled the faults taken in user mode,
	 * and counted this many; minor and major are the rusage totals. */
	bool user_only;
	uint64_t sampled_minor, sampled_major;
	char why[384];
	struct faults_mapping *maps;
	size_t nmaps;
	struct faults_sample *samples;
	size_t nsamples;
};

/* Runs the command and fills *rep. 0, or -1 with a message in err (names the
 * file or command and the reason) when it could not be run at all; *rep
 * then holds nothing to free. */
int faults_run(const struct faults_request *req, struct faults_report *rep, char *err,
               size_t errlen);

/* Drops path's pages from the page cache (writing dirty ones first). 0 or -errno. */
int faults_evict(const char *path);

void faults_free(struct faults_report *rep);

#endif
