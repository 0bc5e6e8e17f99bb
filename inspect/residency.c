#include "residency.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef __NR_cachestat
#define __NR_cachestat 451 /* x86-64, Linux >= 6.5; not in Debian 12's headers */
#endif

struct cachestat_range {
	uint64_t off, len;
};

struct cachestat {
	uint64_t nr_cache, nr_dirty, nr_writeback, nr_evicted, nr_recently_evicted;
};

/* A window of this many bytes is mapped, probed and unmapped at a time. */
#define WINDOW_BYTES (64ULL << 20)

static int count_by_cachestat(int fd, struct residency *r)
{
	struct cachestat_range range = {0, 0};
	struct cachestat cs;

	if (syscall(__NR_cachestat, fd, &range, &cs, 0) != 0)
		return -errno;
	r->resident_pages = cs.nr_cache;
	return 0;
}

static int count_window(int fd, uint64_t off, uint64_t len, unsigned char *vec, uint64_t *count)
{
	long page = sysconf(_SC_PAGESIZE);
	uint64_t npages = (len + page - 1) / page;
	void *addr = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, (off_t)off);

	if (addr == MAP_FAILED)
		return -errno;
	if (mincore(addr, len, vec) != 0) {
		int err = -errno;
		munmap(addr, len);
		return err;
	}
	for (uint64_t i = 0; i < npages; i++)
		*count += vec[i] & 1;
	munmap(addr, len);
	return 0;
}

static int count_by_mincore(int fd, struct residency *r)
{
	static __thread unsigned char vec[WINDOW_BYTES / 4096];
	uint64_t count = 0;

	for (uint64_t off = 0; off < r->size; off += WINDOW_BYTES) {
		uint64_t len = r->size - off < WINDOW_BYTES ? r->size - off : WINDOW_BYTES;
		int err = count_window(fd, off, len, vec, &count);
		if (err)
			return err;
	}
	r->resident_pages = count;
	return 0;
}

int residency_measure(int fd, struct residency *out)
{
	long page = sysconf(_SC_PAGESIZE);
	struct stat st;
	int err;

	memset(out, 0, sizeof(*out));
	if (fstat(fd, &st) != 0)
		return -errno;
	out->size = (uint64_t)st.st_size;
	out->pages = (out->size + page - 1) / page;
	err = count_by_cachestat(fd, out);
	if (err == -ENOSYS)
		err = count_by_mincore(fd, out);
	if (err == -EPERM) {
		out->unavailable = "the kernel would not report residency without "
				   "ownership or write access to the file";
		return 0;
	}
	return err;
}
