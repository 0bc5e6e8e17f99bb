#include "kernel/pagemap.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

static int open_self(void)
{
	int dir = open("/proc/self", O_RDONLY | O_DIRECTORY);

	cr_assert_geq(dir, 0);
	return dir;
}

/* Adds up the pages the runs cover. */
static void count_pages(void *ctx, uint64_t vaddr, uint64_t npages, uint64_t entry)
{
	(void)vaddr;
	(void)entry;
	*(uint64_t *)ctx += npages;
}

Test(pagemap, counts_touched_anonymous_pages)
{
	long ps = sysconf(_SC_PAGESIZE);
	size_t pages = 3 * PAGEMAP_WINDOW + 7; /* more than one window */
	char *p =
	        mmap(NULL, pages * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct pagemap_counts c = {0};
	struct pagemap pm;
	int dir = open_self();
	uint64_t covered = 0;

	cr_assert_neq(p, MAP_FAILED);
	madvise(p, pages * ps, MADV_NOHUGEPAGE);
	for (size_t i = 0; i < pages; i += 4)
		p[i * ps] = 1;
	cr_assert_eq(pagemap_open(&pm, dir), 0);
	cr_assert_eq(pagemap_scan(&pm, (uint64_t)p, (uint64_t)p + pages * ps, &c, count_pages,
	                          &covered),
	             0);
	cr_assert_eq(c.present, (pages + 3) / 4);
	cr_assert_eq(c.exclusive, c.present, "private anonymous pages are mapped once");
	cr_assert_eq(c.file_shared, 0);
	cr_assert_eq(covered, pages, "the runs cover every page once");
	pagemap_close(&pm);
	munmap(p, pages * ps);
	close(dir);
}

Test(pagemap, file_pages_carry_the_file_bit)
{
	long ps = sysconf(_SC_PAGESIZE);
	int fd = open("/proc/self/exe", O_RDONLY);
	char *p = mmap(NULL, 4 * ps, PROT_READ, MAP_PRIVATE, fd, 0);
	struct pagemap_counts c = {0};
	struct pagemap pm;
	int dir = open_self();
	volatile char sink;

	cr_assert_neq(p, MAP_FAILED);
	close(fd);
	for (int i = 0; i < 4; i++)
		sink = p[i * ps];
	(void)sink;
	cr_assert_eq(pagemap_open(&pm, dir), 0);
	cr_assert_eq(pagemap_scan(&pm, (uint64_t)p, (uint64_t)p + 4 * ps, &c, NULL, NULL), 0);
	cr_assert_eq(c.present, 4);
	cr_assert_eq(c.file_shared, 4);
	pagemap_close(&pm);
	munmap(p, 4 * ps);
	close(dir);
}

Test(pagemap, untouched_memory_is_not_present)
{
	long ps = sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, 8 * ps, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct pagemap_counts c = {0};
	struct pagemap pm;
	int dir = open_self();

	cr_assert_eq(pagemap_open(&pm, dir), 0);
	cr_assert_eq(pagemap_scan(&pm, (uint64_t)p, (uint64_t)p + 8 * ps, &c, NULL, NULL), 0);
	cr_assert_eq(c.present + c.swapped, 0, "scanning must not fault pages in");
	pagemap_close(&pm);
	munmap(p, 8 * ps);
	close(dir);
}

/* Counts the calls and the present pages handed to the callback. */
struct run_tally {
	uint64_t calls, pages, present;
};

static void tally_runs(void *ctx, uint64_t vaddr, uint64_t npages, uint64_t entry)
{
	struct run_tally *t = ctx;

	(void)vaddr;
	t->calls++;
	t->pages += npages;
	t->present += (entry & PAGEMAP_PRESENT) ? npages : 0;
}

/* A 1 TiB reservation with three touched pages: 268 million entries that a
 * page-by-page read would take minutes over (AddressSanitizer's shadow is
 * such a mapping). The gaps come back as runs, and the counts stay exact. */
Test(pagemap, sparse_terabyte_reservation_is_counted_by_runs)
{
	long ps = sysconf(_SC_PAGESIZE);
	size_t len = 1ULL << 40, pages = len / ps;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
	               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	struct pagemap_counts c = {0};
	struct run_tally t = {0};
	struct pagemap pm;
	int dir = open_self();

	cr_assert_neq(p, MAP_FAILED);
	madvise(p, len, MADV_NOHUGEPAGE);
	p[0] = 1;
	p[len / 2] = 1;
	p[len - ps] = 1;
	cr_assert_eq(pagemap_open(&pm, dir), 0);
	cr_assert_eq(pagemap_scan(&pm, (uint64_t)p, (uint64_t)p + len, &c, tally_runs, &t), 0);
	cr_assert_eq(c.present, 3);
	cr_assert_eq(c.exclusive, 3);
	cr_assert_eq(t.present, 3);
	cr_assert_eq(t.pages, pages, "the runs cover every page once");
	if (!pm.no_scan_ioctl)
		cr_assert_leq(t.calls, 5, "three pages and two gaps, not %llu calls",
		              (unsigned long long)t.calls);
	pagemap_close(&pm);
	munmap(p, len);
	close(dir);
}
