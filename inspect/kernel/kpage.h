/*
 * kpage: what the kernel knows about a physical page: how many page tables
 * map it (/proc/kpagecount) and its flags (/proc/kpageflags). Both need
 * CAP_SYS_ADMIN, and so do the PFNs in pagemap that index them.
 */
#ifndef KPAGE_H
#define KPAGE_H

#include <stddef.h>
#include <stdint.h>

/* PFNs read at once when they come in order (large folios, THP); a PFN out
 * of order is read alone, as the kernel walks every PFN asked for. */
#define KPAGE_WINDOW 64

struct kpage {
	int count_fd, flags_fd;
	const char *unavailable; /* why the files cannot be read, or NULL */
	uint64_t base;           /* first PFN of the window */
	size_t cached;           /* PFNs of the window read, 0 for none */
	uint64_t last;           /* the PFN asked for last */
	uint64_t counts[KPAGE_WINDOW], flags[KPAGE_WINDOW];
};

/* One flag of <linux/kernel-page-flags.h> worth summarising. */
struct kpage_flag {
	const char *name; /* "dirty", "thp", ... */
	int bit;
};

/* The summarised flags, ended by a NULL name. */
extern const struct kpage_flag kpage_flags[];
#define KPAGE_FLAG_COUNT 16

/* Opens both files; without the capability sets k->unavailable and returns
 * -errno (the struct can still be closed). */
int kpage_open(struct kpage *k);

/* The map count and flags of one PFN. 0 or -errno (-ERANGE beyond the
 * last PFN). */
int kpage_read(struct kpage *k, uint64_t pfn, uint64_t *count, uint64_t *flags);

void kpage_close(struct kpage *k);

#endif
