/*
 * residency: how much of a file is in the page cache, measured by the
 * kernel's cachestat(2), or by mincore(2) over fixed-size windows of a
 * read-only mapping when cachestat is unavailable. Memory use does not
 * depend on the file's size. Probes only: nothing here prints or exits.
 */
#ifndef RESIDENCY_H
#define RESIDENCY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

/* A window of this many bytes is mapped, probed and unmapped at a time. */
#define RESIDENCY_WINDOW_BYTES (64ULL << 20)

struct residency {
	uint64_t size;           /* bytes */
	uint64_t pages;          /* pages covering size */
	uint64_t resident_pages; /* in the page cache */
	uint64_t dirty_pages;    /* cachestat only: the four below */
	uint64_t writeback_pages;
	uint64_t evicted_pages;          /* evicted, shadow entry still present */
	uint64_t recently_evicted_pages; /* evicted within the working-set window */
	const char *method;              /* "cachestat" or "mincore" */
	const char *unavailable;         /* non-NULL: nothing was measured, and why */
	const char *detail_unavailable;  /* non-NULL: only resident_pages was measured */
};

/* NULL when the kernel tells this process the truth about fd's pages;
 * otherwise why not. The kernel's rule (mm/mincore.c can_do_mincore, the
 * same for cachestat): the caller owns the file, has CAP_FOWNER, or could
 * open it for writing. Otherwise mincore reports every page resident. */
const char *residency_untrusted(int fd);

/* Size and pages of fd, and out->unavailable when the kernel would not tell
 * the truth about its pages; no counts. st: fd's fstat if the caller has
 * it, or NULL. 0 or -errno. */
int residency_stat(int fd, const struct stat *st, struct residency *out);

/* Measures the whole of the open file fd. 0, or -errno when the file could
 * not be read; a refusal by the kernel is 0 with out->unavailable set. */
int residency_measure(int fd, struct residency *out);
/* The same, given fd's fstat (or NULL). */
int residency_measure_stat(int fd, const struct stat *st, struct residency *out);

/* cachestat(2)'s counts for pages [first, first + n) of fd, without
 * mapping anything (the page maps of --svg). 0; -ENOSYS before Linux 6.5;
 * -EPERM where the kernel would lie (see residency_untrusted). */
int residency_count_range(int fd, uint64_t first, uint64_t n, struct residency *out);

/* Called with each maximal run of resident pages [first, last], in order. */
typedef void (*residency_range_fn)(uint64_t first, uint64_t last, void *ctx);
/* Called with each window's map: vec[i] & 1 is page first + i. */
typedef void (*residency_pages_fn)(uint64_t first, const unsigned char *vec, uint64_t n,
                                   void *ctx);

struct residency_walk {
	residency_range_fn on_range; /* either may be NULL */
	residency_pages_fn on_pages;
	void *ctx;
	uint64_t resident_pages; /* out: the pages the walk saw resident */
};

/* Walks the first r->pages pages of fd (r from residency_stat) window by window, reporting
 * resident runs and per-page maps, and sets r's counts and method from what it saw (resident_pages
 * is the sum of the runs). Parts that cachestat shows wholly resident or wholly absent are not
 * mapped. 0, or -errno (-EPERM: the kernel would lie). */
int residency_walk(int fd, struct residency *r, struct residency_walk *w);

/* NULL if fd's size is still size, otherwise a reason naming the change. */
const char *residency_check_size(int fd, uint64_t size, char *buf, unsigned len);

/* Told how far a touch has gone (bytes read); returns true to stop there. */
typedef bool (*residency_progress_fn)(uint64_t done, void *ctx);

/* --touch: reads every page of fd, telling progress (may be NULL) after
 * each chunk; --evict: asks the kernel to drop them (POSIX_FADV_DONTNEED;
 * dirty pages stay). 0, -EINTR when progress asked to stop, or -errno. */
int residency_touch(int fd, uint64_t size, residency_progress_fn progress, void *ctx);
int residency_evict(int fd);

#endif
