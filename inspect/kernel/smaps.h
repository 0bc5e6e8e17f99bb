/*
 * smaps: the kernel's per-mapping counters from /proc/PID/smaps, streamed one
 * mapping at a time through a fixed buffer, and one process's totals from
 * /proc/PID/smaps_rollup. All sizes in bytes.
 */
#ifndef SMAPS_H
#define SMAPS_H

#include "core/lines.h"
#include "kernel/procmaps.h"

#include <stdint.h>
#include <sys/types.h>

struct smaps_counters {
	uint64_t size, rss, pss, shared_clean, shared_dirty, private_clean, private_dirty;
	uint64_t referenced, anonymous, swap, swap_pss, locked;
};

struct smaps {
	struct lines lines;
	char *pending;              /* header line of the next mapping, or NULL */
	char header[LINES_BUF + 1]; /* the current mapping's header, kept whole */
};

/* Opens /proc/PID/smaps (file "smaps") or smaps_rollup, relative to the
 * process's /proc directory fd. 0 or -errno. */
int smaps_open(struct smaps *s, int procdir, const char *file);

/* The next mapping: its region (path valid until the next call) and
 * counters. 1, 0 at the end, or -errno (-EINVAL: not smaps text). */
int smaps_next(struct smaps *s, struct procmaps_region *r, struct smaps_counters *c);

void smaps_close(struct smaps *s);

/* Calls fn for every mapping in the process's smaps, stopping at the first
 * non-zero return of fn. 0, fn's value, or -errno. */
int smaps_each(int procdir,
               int (*fn)(void *ctx, const struct procmaps_region *r,
                         const struct smaps_counters *c),
               void *ctx);

/* One process's totals from smaps_rollup. 0 or -errno (-ESRCH: it exited). */
int smaps_read_rollup(int procdir, struct smaps_counters *c);

/* dst += src, field by field. */
void smaps_add(struct smaps_counters *dst, const struct smaps_counters *src);

#endif
