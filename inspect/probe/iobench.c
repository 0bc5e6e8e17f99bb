#include "probe/iobench.h"
#include "core/clock.h"
#include "kernel/residency.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* read() in sequential order uses this buffer size, like cp or cat do. */
#define READ_CHUNK (128 * 1024)

const struct iobench_method iobench_methods[] = {
        {"read", false, false, false, -1, NULL, false},
        {"mmap_private", true, false, false, -1, NULL, false},
        {"mmap_shared", true, true, false, -1, NULL, false},
        {"mmap_populate", true, true, true, -1, NULL, false},
        {"madvise_sequential", true, true, false, MADV_SEQUENTIAL, "sequential", false},
        {"madvise_random", true, true, false, MADV_RANDOM, "random", false},
        {"madvise_willneed", true, true, false, MADV_WILLNEED, "willneed", false},
        {"write_private", true, false, false, -1, NULL, true},
        {"write_shared", true, true, false, -1, NULL, true},
        {0},
};

/* What one run of a method needs. */
struct bench {
	int fd, wfd; /* wfd: opened for writing, -1 if refused */
	char wfd_why[128];
	uint64_t size, npages;
	long page;
	uint32_t *order; /* a random permutation of the pages */
	char *buf;
	uint64_t checksum; /* keeps the reads from being optimised away */
};

static uint64_t ns_of(const struct timeval *tv)
{
	return (uint64_t)tv->tv_sec * 1000000000ULL + (uint64_t)tv->tv_usec * 1000ULL;
}

int iobench_create(const char *path, uint64_t size)
{
	static uint64_t chunk[READ_CHUNK / 8];
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	int err = 0;

	if (fd < 0)
		return -errno;
	for (uint64_t done = 0; done < size && !err; done += sizeof(chunk)) {
		size_t n = size - done < sizeof(chunk) ? size - done : sizeof(chunk);
		for (size_t i = 0; i < sizeof(chunk) / 8; i++)
			chunk[i] = x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		if (write(fd, chunk, n) != (ssize_t)n)
			err = errno ? -errno : -EIO;
	}
	if (!err && fsync(fd) != 0)
		err = -errno;
	close(fd);
	if (err)
		unlink(path);
	return err;
}

static uint64_t sum_words(const void *p, size_t len)
{
	const uint64_t *w = p;
	uint64_t s = 0;

	for (size_t i = 0; i < len / 8; i++)
		s += w[i];
	return s;
}

static void shuffle(uint32_t *order, uint64_t n)
{
	uint64_t x = 88172645463325252ULL;

	for (uint64_t i = 0; i < n; i++)
		order[i] = (uint32_t)i;
	for (uint64_t i = n; i > 1; i--) {
		uint64_t j;
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		j = x % i;
		uint32_t t = order[i - 1];
		order[i - 1] = order[j];
		order[j] = t;
	}
}

static uint64_t page_at(const struct bench *b, enum iobench_pattern p, uint64_t i)
{
	return p == IOBENCH_SEQ ? i : b->order[i];
}

/* read(): large sequential reads, or one pread per page in random order. */
static int run_read(struct bench *b, enum iobench_pattern p, struct iobench_result *r)
{
	uint64_t calls = 0;

	if (p == IOBENCH_SEQ) {
		if (lseek(b->fd, 0, SEEK_SET) != 0)
			return -errno;
		calls++;
		for (uint64_t off = 0; off < b->size;) {
			size_t want = b->size - off < READ_CHUNK ? b->size - off : READ_CHUNK;
			ssize_t n = read(b->fd, b->buf, want);
			calls++;
			if (n <= 0)
				return n < 0 ? -errno : -EIO;
			b->checksum += sum_words(b->buf, (size_t)n);
			off += (uint64_t)n;
		}
	} else {
		for (uint64_t i = 0; i < b->npages; i++) {
			off_t off = (off_t)(page_at(b, p, i) * (uint64_t)b->page);
			ssize_t n = pread(b->fd, b->buf, (size_t)b->page, off);
			calls++;
			if (n < 0)
				return -errno;
			b->checksum += sum_words(b->buf, (size_t)n);
		}
	}
	r->syscalls = calls;
	return 0;
}

/* Touches every page of the mapping in order p: reads it whole, or writes
 * one byte of it (the byte it already holds, so a shared file is unchanged). */
static void touch_pages(struct bench *b, unsigned char *map, enum iobench_pattern p, bool write)
{
	for (uint64_t i = 0; i < b->npages; i++) {
		uint64_t off = page_at(b, p, i) * (uint64_t)b->page;
		size_t len = b->size - off < (uint64_t)b->page ? b->size - off : (size_t)b->page;
		if (write) {
			volatile unsigned char *c = map + off;
			unsigned char v = *c;
			*c = v; /* a real store: the fault must be a write fault */
		} else {
			b->checksum += sum_words(map + off, len);
		}
	}
}

static int run_mmap(struct bench *b, const struct iobench_method *m, enum iobench_pattern p,
                    struct iobench_result *r)
{
	int prot = PROT_READ | (m->write ? PROT_WRITE : 0);
	int flags = (m->shared ? MAP_SHARED : MAP_PRIVATE) | (m->populate ? MAP_POPULATE : 0);
	int fd = m->write && m->shared ? b->wfd : b->fd;
	unsigned char *map = mmap(NULL, b->size, prot, flags, fd, 0);

	r->syscalls = 2; /* mmap and munmap */
	if (map == MAP_FAILED)
		return -errno;
	if (m->advice >= 0) {
		madvise(map, b->size, m->advice);
		r->syscalls++;
	}
	touch_pages(b, map, p, m->write);
	munmap(map, b->size);
	return 0;
}

static void measure(struct bench *b, const struct iobench_method *m, enum iobench_pattern p,
                    struct iobench_result *r)
{
	struct rusage before, after;
	uint64_t t0, t1, c0, c1;
	int err;

	getrusage(RUSAGE_THREAD, &before);
	c0 = clock_ns_of(CLOCK_THREAD_CPUTIME_ID);
	t0 = clock_ns_of(CLOCK_MONOTONIC);
	err = m->mmap ? run_mmap(b, m, p, r) : run_read(b, p, r);
	t1 = clock_ns_of(CLOCK_MONOTONIC);
	c1 = clock_ns_of(CLOCK_THREAD_CPUTIME_ID);
	getrusage(RUSAGE_THREAD, &after);
	if (err) {
		r->unavailable = strerror(-err);
		return;
	}
	r->ns = t1 - t0;
	r->bytes = m->write ? b->npages * (uint64_t)b->page : b->size;
	r->minor = (uint64_t)(after.ru_minflt - before.ru_minflt);
	r->major = (uint64_t)(after.ru_majflt - before.ru_majflt);
	r->user_ns = ns_of(&after.ru_utime) - ns_of(&before.ru_utime);
	r->sys_ns = ns_of(&after.ru_stime) - ns_of(&before.ru_stime);
	r->cpu_ns = c1 - c0;
}

/* Pages of the file in the page cache, or -1 with *why. */
static int64_t resident_pages(int fd, const char **why)
{
	struct residency res;
	int err = residency_measure(fd, &res);

	*why = err ? strerror(-err) : res.unavailable;
	return *why ? -1 : (int64_t)res.resident_pages;
}

/* Brings the cache to the state the run asks for: evicted, or fully read. */
static void prepare_cache(struct bench *b, bool cold)
{
	if (cold) {
		if (b->wfd >= 0)
			fdatasync(b->wfd); /* dirty pages would survive DONTNEED */
		posix_fadvise(b->fd, 0, 0, POSIX_FADV_DONTNEED);
		return;
	}
	for (uint64_t off = 0; off < b->size; off += READ_CHUNK)
		if (pread(b->fd, b->buf, READ_CHUNK, (off_t)off) <= 0)
			break;
}

static void run_one(struct bench *b, const struct iobench_method *m, enum iobench_pattern p,
                    bool cold, struct iobench_result *r)
{
	memset(r, 0, sizeof(*r));
	r->method = m;
	r->pattern = p;
	r->cold = cold;
	r->resident_before = -1;
	r->resident_why = "not measured";
	if (m->write && m->shared && b->wfd < 0) {
		r->unavailable = b->wfd_why;
		return;
	}
	prepare_cache(b, cold);
	r->resident_before = resident_pages(b->fd, &r->resident_why);
	measure(b, m, p, r);
}

static int open_bench(struct bench *b, const char *path, uint64_t size)
{
	struct stat st;

	memset(b, 0, sizeof(*b));
	b->page = sysconf(_SC_PAGESIZE);
	b->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (b->fd < 0)
		return -errno;
	b->wfd = open(path, O_RDWR | O_CLOEXEC);
	if (b->wfd < 0)
		snprintf(b->wfd_why, sizeof(b->wfd_why), "cannot open the file for writing: %s",
		         strerror(errno));
	if (fstat(b->fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0) {
		int err = fstat(b->fd, &st) != 0 ? -errno
		          : !S_ISREG(st.st_mode) ? -EINVAL
		                                 : -ENODATA;
		close(b->fd);
		if (b->wfd >= 0)
			close(b->wfd);
		return err;
	}
	b->size = size && size < (uint64_t)st.st_size ? size : (uint64_t)st.st_size;
	b->npages = (b->size + (uint64_t)b->page - 1) / (uint64_t)b->page;
	b->order = malloc(b->npages * sizeof(*b->order));
	b->buf = malloc(READ_CHUNK);
	if (!b->order || !b->buf) {
		free(b->order);
		free(b->buf);
		close(b->fd);
		if (b->wfd >= 0)
			close(b->wfd);
		return -ENOMEM;
	}
	shuffle(b->order, b->npages);
	memset(b->buf, 0, READ_CHUNK); /* fault the buffer in now, not in the first run */
	return 0;
}

static void close_bench(struct bench *b)
{
	if (b->wfd >= 0) {
		fdatasync(b->wfd);
		close(b->wfd);
	}
	close(b->fd);
	free(b->order);
	free(b->buf);
}

int iobench_run(const char *path, uint64_t size,
                void (*report)(const struct iobench_result *r, void *arg), void *arg)
{
	struct bench b;
	int err = open_bench(&b, path, size);

	if (err)
		return err;
	for (const struct iobench_method *m = iobench_methods; m->name; m++) {
		for (int p = IOBENCH_SEQ; p <= IOBENCH_RAND; p++) {
			for (int cold = 1; cold >= 0; cold--) {
				struct iobench_result r;
				run_one(&b, m, (enum iobench_pattern)p, cold, &r);
				report(&r, arg);
			}
		}
	}
	close_bench(&b);
	return 0;
}
