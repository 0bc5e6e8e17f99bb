#include "kernel/pagemap.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* PAGEMAP_SCAN (Documentation/admin-guide/mm/pagemap.rst), not in Debian
 * 12's headers. */
struct pagemap_scan_arg {
	uint64_t size, flags, start, end, walk_end, vec, vec_len, max_pages;
	uint64_t category_inverted, category_mask, category_anyof_mask, return_mask;
};
#define SCAN_IS_PRESENT (1ULL << 3)
#define SCAN_IS_SWAPPED (1ULL << 4)
#define PAGEMAP_SCAN    _IOWR('f', 16, struct pagemap_scan_arg)

int pagemap_open(struct pagemap *pm, int procdir)
{
	pm->page_size = sysconf(_SC_PAGESIZE);
	pm->no_scan_ioctl = false;
	pm->fd = openat(procdir, "pagemap", O_RDONLY | O_CLOEXEC);
	return pm->fd < 0 ? -errno : 0;
}

static void count_entry(struct pagemap_counts *c, uint64_t e, uint64_t n)
{
	c->present += (e & PAGEMAP_PRESENT) ? n : 0;
	c->swapped += (e & PAGEMAP_SWAPPED) ? n : 0;
	c->exclusive += (e & PAGEMAP_EXCLUSIVE) ? n : 0;
	c->file_shared += (e & PAGEMAP_FILE_SHARED) ? n : 0;
	c->soft_dirty += (e & PAGEMAP_SOFT_DIRTY) ? n : 0;
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

/* Reads and reports every entry of [start, end). */
static int read_range(struct pagemap *pm, uint64_t start, uint64_t end, struct pagemap_counts *c,
                      pagemap_page_fn fn, void *ctx)
{
	uint64_t ps = (uint64_t)pm->page_size, page = start / ps, last = end / ps;

	while (page < last) {
		size_t n = last - page < PAGEMAP_WINDOW ? last - page : PAGEMAP_WINDOW;
		int rc = read_window(pm, page, n);

		if (rc)
			return rc;
		for (size_t i = 0; i < n; i++) {
			count_entry(c, pm->window[i], 1);
			if (fn)
				fn(ctx, (page + i) * ps, 1, pm->window[i]);
		}
		page += n;
	}
	return 0;
}

/* Reports [start, end), which PAGEMAP_SCAN found unpopulated, as one run.
 * The entry of an empty page is not always 0 (soft-dirty follows the
 * mapping's flag), so the gap's first entry is read; if that page was
 * populated meanwhile, the gap is read page by page instead. */
static int report_gap(struct pagemap *pm, uint64_t start, uint64_t end, struct pagemap_counts *c,
                      pagemap_page_fn fn, void *ctx)
{
	uint64_t ps = (uint64_t)pm->page_size, entry;
	int rc;

	if (start >= end)
		return 0;
	rc = read_window(pm, start / ps, 1);
	if (rc)
		return rc;
	entry = pm->window[0];
	if (entry & (PAGEMAP_PRESENT | PAGEMAP_SWAPPED))
		return read_range(pm, start, end, c, fn, ctx);
	count_entry(c, entry, (end - start) / ps);
	if (fn)
		fn(ctx, start, (end - start) / ps, entry);
	return 0;
}

/* Asks which pages of [*cursor, end) are populated and reports up to
 * PAGEMAP_REGIONS of them and the gaps before them, advancing *cursor.
 * 0, -errno, or 1 when the ioctl cannot be used (an older kernel): then
 * nothing was reported and the caller reads the rest entry by entry. */
static int scan_some(struct pagemap *pm, uint64_t *cursor, uint64_t end, struct pagemap_counts *c,
                     pagemap_page_fn fn, void *ctx)
{
	struct pagemap_scan_arg arg = {
	        .size = sizeof(arg),
	        .start = *cursor,
	        .end = end,
	        .vec = (uintptr_t)pm->regions,
	        .vec_len = PAGEMAP_REGIONS,
	        .category_anyof_mask = SCAN_IS_PRESENT | SCAN_IS_SWAPPED,
	        .return_mask = SCAN_IS_PRESENT | SCAN_IS_SWAPPED,
	};
	int n = ioctl(pm->fd, PAGEMAP_SCAN, &arg), rc = 0;

	if (n < 0)
		return errno == ENOTTY || errno == EINVAL || errno == EOPNOTSUPP ? 1 : -errno;
	if (n == 0 && arg.walk_end <= *cursor)
		return 1; /* no progress: let the plain read finish */
	for (int i = 0; i < n && rc == 0; i++) {
		rc = report_gap(pm, *cursor, pm->regions[i].start, c, fn, ctx);
		if (rc == 0)
			rc = read_range(pm, pm->regions[i].start, pm->regions[i].end, c, fn, ctx);
		*cursor = pm->regions[i].end;
	}
	/* Nothing between the last region and where the walk stopped matched. */
	if (rc == 0 && arg.walk_end > *cursor) {
		rc = report_gap(pm, *cursor, arg.walk_end, c, fn, ctx);
		*cursor = arg.walk_end;
	}
	return rc;
}

int pagemap_scan(struct pagemap *pm, uint64_t start, uint64_t end, struct pagemap_counts *c,
                 pagemap_page_fn fn, void *ctx)
{
	uint64_t cursor = start;

	while (cursor < end && !pm->no_scan_ioctl) {
		int rc = scan_some(pm, &cursor, end, c, fn, ctx);

		if (rc == 1)
			pm->no_scan_ioctl = true;
		else if (rc)
			return rc;
	}
	return cursor < end ? read_range(pm, cursor, end, c, fn, ctx) : 0;
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
