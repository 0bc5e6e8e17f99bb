#include "pagemap.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* PAGEMAP_SCAN, not in Debian 12's headers (linux/fs.h of 6.7). */
struct pm_scan_arg {
	uint64_t size, flags, start, end, walk_end, vec, vec_len, max_pages;
	uint64_t category_inverted, category_mask, category_anyof_mask, return_mask;
};
#define PM_SCAN_IOCTL   _IOWR('f', 16, struct pm_scan_arg)
#define PM_IS_PRESENT   (1 << 3)
#define PM_IS_SWAPPED   (1 << 4)
#define POPULATED_PAGES (PAGEMAP_PRESENT | PAGEMAP_SWAPPED)

int pagemap_open(struct pagemap *pm, int procdir)
{
	pm->page_size = sysconf(_SC_PAGESIZE);
	pm->no_scan_ioctl = false;
	pm->fd = openat(procdir, "pagemap", O_RDONLY | O_CLOEXEC);
	return pm->fd < 0 ? -errno : 0;
}

/* An absent page can carry soft-dirty from its VMA; it means nothing here,
 * and PAGEMAP_SCAN skips such pages anyway, so both paths give 0. */
static uint64_t populated_only(uint64_t e)
{
	return e & POPULATED_PAGES ? e : 0;
}

static void count_entry(struct pagemap_counts *c, uint64_t e)
{
	c->present += !!(e & PAGEMAP_PRESENT);
	c->swapped += !!(e & PAGEMAP_SWAPPED);
	c->exclusive += !!(e & PAGEMAP_EXCLUSIVE);
	c->file_shared += !!(e & PAGEMAP_FILE_SHARED);
	c->soft_dirty += !!(e & PAGEMAP_SOFT_DIRTY);
}

/* Reads n entries from page index first. 0, or -errno; a read of nothing
 * means the process has exited (its mm is gone). */
static int read_window(struct pagemap *pm, uint64_t first, size_t n)
{
	size_t want = n * sizeof(uint64_t);
	ssize_t got;

	do
		got = pread(pm->fd, pm->window, want, (off_t)(first * sizeof(uint64_t)));
	while (got < 0 && errno == EINTR);
	if (got < 0)
		return -errno;
	if ((size_t)got != want)
		return -ESRCH;
	return 0;
}

/* Reads every entry of [start, end), window by window. */
static int read_range(struct pagemap *pm, uint64_t start, uint64_t end, struct pagemap_counts *c,
                      pagemap_page_fn fn, void *ctx)
{
	uint64_t page = start / (uint64_t)pm->page_size;
	uint64_t last = end / (uint64_t)pm->page_size;

	while (page < last) {
		size_t n = last - page < PAGEMAP_WINDOW ? last - page : PAGEMAP_WINDOW;
		int rc = read_window(pm, page, n);

		if (rc)
			return rc;
		for (size_t i = 0; i < n; i++) {
			uint64_t e = populated_only(pm->window[i]);
			count_entry(c, e);
			if (fn)
				fn(ctx, (page + i) * (uint64_t)pm->page_size, e, 1);
		}
		page += n;
	}
	return 0;
}

/* Pages with nothing behind them: one call for all of them. */
static void report_hole(struct pagemap *pm, uint64_t start, uint64_t end, pagemap_page_fn fn,
                        void *ctx)
{
	if (fn && end > start)
		fn(ctx, start, 0, (end - start) / (uint64_t)pm->page_size);
}

/* Up to PAGEMAP_REGIONS populated regions of [start, end) into pm->regions;
 * *walk_end is where the kernel stopped looking. How many, or -errno. */
static int find_populated(struct pagemap *pm, uint64_t start, uint64_t end, uint64_t *walk_end)
{
	struct pm_scan_arg arg = {
	        .size = sizeof(arg),
	        .start = start,
	        .end = end,
	        .vec = (uint64_t)(uintptr_t)pm->regions,
	        .vec_len = PAGEMAP_REGIONS,
	        .category_anyof_mask = PM_IS_PRESENT | PM_IS_SWAPPED,
	        .return_mask = PM_IS_PRESENT | PM_IS_SWAPPED,
	};
	int n;

	do
		n = ioctl(pm->fd, PM_SCAN_IOCTL, &arg);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	*walk_end = arg.walk_end;
	return n;
}

int pagemap_scan(struct pagemap *pm, uint64_t start, uint64_t end, struct pagemap_counts *c,
                 pagemap_page_fn fn, void *ctx)
{
	uint64_t at = start, walk_end = end;

	while (at < end && !pm->no_scan_ioctl) {
		int n = find_populated(pm, at, end, &walk_end);

		if (n == -ENOTTY || n == -EINVAL) {
			pm->no_scan_ioctl = true;
			break;
		}
		if (n < 0)
			return n;
		for (int i = 0; i < n; i++) {
			int rc;

			report_hole(pm, at, pm->regions[i].start, fn, ctx);
			rc = read_range(pm, pm->regions[i].start, pm->regions[i].end, c, fn, ctx);
			if (rc)
				return rc;
			at = pm->regions[i].end;
		}
		if (walk_end <= at && n == 0)
			return -EIO; /* no progress: never loop forever */
		report_hole(pm, at, walk_end, fn, ctx);
		at = walk_end > at ? walk_end : at;
	}
	return at < end ? read_range(pm, at, end, c, fn, ctx) : 0;
}

void pagemap_close(struct pagemap *pm)
{
	if (pm->fd >= 0)
		close(pm->fd);
	pm->fd = -1;
}

void pagemap_add(struct pagemap_counts *dst, const struct pagemap_counts *src)
{
	dst->present += src->present;
	dst->swapped += src->swapped;
	dst->exclusive += src->exclusive;
	dst->file_shared += src->file_shared;
	dst->soft_dirty += src->soft_dirty;
}
