#include "residency.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
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

/* The smallest page size the window vector must serve. */
#define MIN_PAGE    4096
#define TOUCH_CHUNK (1 << 20)
#define UNTRUSTED_REASON                                                                          \
	"not the owner and no write access: the kernel would report every page resident"
#define NO_CACHESTAT "dirty, writeback and eviction counts need cachestat(2) (Linux 6.5+)"

static uint64_t page_size(void)
{
	return (uint64_t)sysconf(_SC_PAGESIZE);
}

static int cachestat_pages(int fd, uint64_t off, uint64_t len, struct cachestat *cs)
{
	struct cachestat_range range = {off, len};

	if (syscall(__NR_cachestat, fd, &range, cs, 0) != 0)
		return -errno;
	return 0;
}

static bool has_cap_fowner(void)
{
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &hdr, data) != 0)
		return false;
	return data[CAP_TO_INDEX(CAP_FOWNER)].effective & CAP_TO_MASK(CAP_FOWNER);
}

const char *residency_untrusted(int fd)
{
	int flags = fcntl(fd, F_GETFL);
	struct stat st;

	if (fstat(fd, &st) != 0)
		return "the file could not be examined";
	if (st.st_uid == geteuid() || has_cap_fowner())
		return NULL;
	if (flags >= 0 && (flags & O_ACCMODE) != O_RDONLY)
		return NULL;
	/* The kernel asks inode_permission(MAY_WRITE), which is what
	 * faccessat(W_OK) with the effective ids answers, read-only mounts
	 * included. */
	if (faccessat(fd, "", W_OK, AT_EMPTY_PATH | AT_EACCESS) == 0)
		return NULL;
	return UNTRUSTED_REASON;
}

/* Feeds runs of equal residency to the walk, closing a resident run when a
 * non-resident page follows it. */
struct run {
	bool open;
	uint64_t first;
};

static void feed_run(struct residency_walk *w, struct run *run, uint64_t first, uint64_t n,
                     bool resident)
{
	if (resident) {
		if (!run->open)
			run->first = first;
		run->open = true;
		w->resident_pages += n;
		return;
	}
	if (run->open && w->on_range)
		w->on_range(run->first, first - 1, w->ctx);
	run->open = false;
}

static void feed_vec(struct residency_walk *w, struct run *run, uint64_t first,
                     const unsigned char *vec, uint64_t n)
{
	uint64_t i = 0;

	while (i < n) {
		uint64_t j = i + 1;
		while (j < n && (vec[j] & 1) == (vec[i] & 1))
			j++;
		feed_run(w, run, first + i, j - i, vec[i] & 1);
		i = j;
	}
}

static int mincore_window(int fd, uint64_t first, uint64_t n, unsigned char *vec)
{
	uint64_t len = n * page_size();
	void *addr = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, (off_t)(first * page_size()));
	int err = 0;

	if (addr == MAP_FAILED)
		return -errno;
	if (mincore(addr, len, vec) != 0)
		err = -errno;
	munmap(addr, len);
	return err;
}

/* Fills vec for pages [first, first + n): from cachestat alone when the
 * window is all in or all out of the cache, from mincore otherwise. */
static int probe_window(int fd, uint64_t first, uint64_t n, unsigned char *vec, int *uniform)
{
	struct cachestat cs;
	int err = cachestat_pages(fd, first * page_size(), n * page_size(), &cs);

	*uniform = -1;
	if (err == 0 && (cs.nr_cache == 0 || cs.nr_cache >= n)) {
		*uniform = cs.nr_cache != 0;
		return 0;
	}
	if (err && err != -ENOSYS && err != -EOPNOTSUPP)
		return err;
	return mincore_window(fd, first, n, vec);
}

static void report_window(struct residency_walk *w, struct run *run, uint64_t first,
                          unsigned char *vec, uint64_t n, int uniform)
{
	if (uniform >= 0) {
		feed_run(w, run, first, n, uniform);
		if (w->on_pages)
			memset(vec, uniform, n);
	} else {
		feed_vec(w, run, first, vec, n);
	}
	if (w->on_pages)
		w->on_pages(first, vec, n, w->ctx);
}

int residency_walk(int fd, uint64_t pages, struct residency_walk *w)
{
	static __thread unsigned char vec[RESIDENCY_WINDOW_BYTES / MIN_PAGE];
	uint64_t window = RESIDENCY_WINDOW_BYTES / page_size();
	struct run run = {false, 0};

	w->resident_pages = 0;
	if (residency_untrusted(fd))
		return -EPERM;
	for (uint64_t first = 0; first < pages; first += window) {
		uint64_t n = pages - first < window ? pages - first : window;
		int uniform, err = probe_window(fd, first, n, vec, &uniform);
		if (err)
			return err;
		report_window(w, &run, first, vec, n, uniform);
	}
	feed_run(w, &run, pages, 0, false);
	return 0;
}

/* The counts of pages [first, first + n) (n = 0: to the end of the file). */
static int count_by_cachestat(int fd, uint64_t first, uint64_t n, struct residency *r)
{
	struct cachestat cs;
	int err = cachestat_pages(fd, first * page_size(), n * page_size(), &cs);

	if (err)
		return err;
	r->method = "cachestat";
	r->resident_pages = cs.nr_cache;
	r->dirty_pages = cs.nr_dirty;
	r->writeback_pages = cs.nr_writeback;
	r->evicted_pages = cs.nr_evicted;
	r->recently_evicted_pages = cs.nr_recently_evicted;
	return 0;
}

int residency_count_range(int fd, uint64_t first, uint64_t n, struct residency *out)
{
	memset(out, 0, sizeof(*out));
	out->pages = n;
	return n ? count_by_cachestat(fd, first, n, out) : 0;
}

static int count_by_mincore(int fd, struct residency *r)
{
	struct residency_walk w = {0};
	int err = residency_walk(fd, r->pages, &w);

	if (err)
		return err;
	r->method = "mincore";
	r->resident_pages = w.resident_pages;
	r->detail_unavailable = NO_CACHESTAT;
	return 0;
}

int residency_measure(int fd, struct residency *out)
{
	struct stat st;
	int err;

	memset(out, 0, sizeof(*out));
	if (fstat(fd, &st) != 0)
		return -errno;
	out->size = (uint64_t)st.st_size;
	out->pages = (out->size + page_size() - 1) / page_size();
	err = count_by_cachestat(fd, 0, 0, out);
	if (err == -ENOSYS || err == -EOPNOTSUPP)
		err = count_by_mincore(fd, out);
	if (err == -EPERM) {
		out->unavailable = UNTRUSTED_REASON;
		return 0;
	}
	return err;
}

const char *residency_check_size(int fd, uint64_t size, char *buf, unsigned len)
{
	struct stat st;

	if (fstat(fd, &st) != 0) {
		snprintf(buf, len, "could not stat the file after the scan: %s", strerror(errno));
		return buf;
	}
	if ((uint64_t)st.st_size == size)
		return NULL;
	snprintf(buf, len, "size changed during the scan from %llu to %llu bytes",
	         (unsigned long long)size, (unsigned long long)st.st_size);
	return buf;
}

int residency_touch(int fd, uint64_t size)
{
	char *buf = malloc(TOUCH_CHUNK);
	uint64_t off = 0;
	int err = 0;

	if (!buf)
		return -ENOMEM;
	while (off < size) {
		ssize_t got = pread(fd, buf, TOUCH_CHUNK, (off_t)off);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			err = -errno;
		if (got <= 0)
			break;
		off += (uint64_t)got;
	}
	free(buf);
	return err;
}

int residency_evict(int fd)
{
	return -posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
}
