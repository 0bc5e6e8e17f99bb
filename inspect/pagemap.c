#include "pagemap.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

int pagemap_open(struct pagemap *pm, int procdir)
{
	pm->page_size = sysconf(_SC_PAGESIZE);
	pm->fd = openat(procdir, "pagemap", O_RDONLY | O_CLOEXEC);
	return pm->fd < 0 ? -errno : 0;
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

int pagemap_scan(struct pagemap *pm, uint64_t start, uint64_t end, struct pagemap_counts *c,
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
			count_entry(c, pm->window[i]);
			if (fn)
				fn(ctx, (page + i) * (uint64_t)pm->page_size, pm->window[i]);
		}
		page += n;
	}
	return 0;
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
