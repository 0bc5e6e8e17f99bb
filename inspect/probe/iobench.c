#include "probe/iobench.h"
#include "core/clock.h"
#include "kernel/residency.h"
#include "kernel/smaps.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
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
	int fd;  /* the file measured, read-only */
	int sfd; /* the scratch file the writes go to, or -1 */
	char sfd_why[PATH_MAX + 96];
	int procdir; /* /proc/self, for smaps_rollup; -1 if refused */
	uint64_t size, npages;
	long page;
	uint32_t *order; /* a random permutation of the pages */
	char *buf;
	uint64_t checksum;                 /* keeps the reads from being optimised away */
	uint64_t paused_ns, paused_cpu_ns; /* taken by gauges inside a run */
};

static uint64_t ns_of(const struct timeval *tv)
{
	return (uint64_t)tv->tv_sec * 1000000000ULL + (uint64_t)tv->tv_usec * 1000ULL;
}

int iobench_fill(int fd, uint64_t size)
{
	static uint64_t chunk[READ_CHUNK / 8];
	uint64_t x = 0x9e3779b97f4a7c15ULL;

	if (lseek(fd, 0, SEEK_SET) != 0)
		return -errno;
	for (uint64_t done = 0; done < size; done += sizeof(chunk)) {
		size_t n = size - done < sizeof(chunk) ? size - done : sizeof(chunk);
		for (size_t i = 0; i < sizeof(chunk) / 8; i++)
			chunk[i] = x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		if (write(fd, chunk, n) != (ssize_t)n)
			return errno ? -errno : -EIO;
	}
	return fsync(fd) == 0 ? 0 : -errno;
}

int iobench_create(const char *path, uint64_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	int err;

	if (fd < 0)
		return -errno;
	err = iobench_fill(fd, size);
	close(fd);
	if (err)
		unlink(path);
	return err;
}

int iobench_open_measured(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOATIME);

	/* O_NOATIME is for the file's owner (or CAP_FOWNER) only. */
	if (fd < 0 && errno == EPERM)
		fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* An unnamed file in dir: O_TMPFILE, or a name unlinked at once where the
 * filesystem has no O_TMPFILE. fd or -errno. */
static int unnamed_file(const char *dir)
{
	char name[PATH_MAX];
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

	if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL))
		return fd < 0 ? -errno : fd;
	if (snprintf(name, sizeof(name), "%s/.mapscope-scratch-XXXXXX", dir) >= (int)sizeof(name))
		return -ENAMETOOLONG;
	fd = mkostemp(name, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	unlink(name);
	return fd;
}

void iobench_scratch_open(struct iobench_scratch *s, const char *path)
{
	const char *slash = strrchr(path, '/'), *tmp = getenv("TMPDIR");
	const char *dirs[3] = {NULL, tmp && *tmp ? tmp : "/tmp", "/tmp"};
	char first[PATH_MAX];
	struct stat st, dst;
	int err = 0, have_st = stat(path, &st) == 0;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	if (!slash)
		snprintf(first, sizeof(first), ".");
	else
		snprintf(first, sizeof(first), "%.*s", slash == path ? 1 : (int)(slash - path),
		         path);
	dirs[0] = first;
	for (int i = 0; i < 3 && s->fd < 0; i++) {
		int fd = unnamed_file(dirs[i]);
		if (fd < 0) {
			if (i == 0)
				err = -fd;
			continue;
		}
		s->fd = fd;
		snprintf(s->dir, sizeof(s->dir), "%s", dirs[i]);
		s->same_fs = have_st && fstat(fd, &dst) == 0 && dst.st_dev == st.st_dev;
	}
	if (s->fd < 0)
		snprintf(s->why, sizeof(s->why), "no scratch file: %s refused one (%s), so did %s",
		         first, strerror(err), dirs[1]);
}

void iobench_scratch_close(struct iobench_scratch *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
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

/* The process's anonymous memory in bytes, or -1 with *why. */
static int64_t anon_bytes(const struct bench *b, const char **why)
{
	struct smaps_counters c;
	int err;

	if (b->procdir < 0) {
		*why = "cannot open /proc/self";
		return -1;
	}
	err = smaps_read_rollup(b->procdir, &c);
	*why = err ? strerror(-err) : NULL;
	return err ? -1 : (int64_t)c.anonymous;
}

/* Dirty (and under write-back) page-cache pages of fd's first pages, or -1
 * with *why. */
static int64_t dirty_pages(const struct bench *b, int fd, const char **why)
{
	struct residency res;
	int err = residency_count_range(fd, 0, b->npages, &res);

	if (err == -ENOSYS)
		*why = "needs cachestat(2), Linux 6.5 or later";
	else if (err == -EPERM)
		*why = "cachestat(2) refused: neither the owner of the file nor allowed to write "
		       "it";
	else
		*why = err ? strerror(-err) : NULL;
	return err ? -1 : (int64_t)(res.dirty_pages + res.writeback_pages);
}

/* Reads both gauges into before or after. Inside a run, the time it takes
 * is set aside so that the run's figures do not include it. */
static void read_gauges(struct bench *b, int fd, struct iobench_result *r, bool after)
{
	uint64_t t0 = clock_ns(), c0 = clock_ns_of(CLOCK_THREAD_CPUTIME_ID);
	const char *awhy, *dwhy;
	int64_t anon = anon_bytes(b, &awhy), dirty = dirty_pages(b, fd, &dwhy);

	*(after ? &r->anon.after : &r->anon.before) = anon;
	*(after ? &r->dirty.after : &r->dirty.before) = dirty;
	if (awhy)
		r->anon.why = awhy;
	if (dwhy)
		r->dirty.why = dwhy;
	b->paused_cpu_ns += clock_ns_of(CLOCK_THREAD_CPUTIME_ID) - c0;
	b->paused_ns += clock_ns() - t0;
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
	read_gauges(b, b->fd, r, true);
	return 0;
}

/* Touches every page of the mapping in order p: reads it whole, or writes
 * one byte of it (the byte it already holds; the file is the scratch file). */
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
	int fd = m->write ? b->sfd : b->fd;
	unsigned char *map = mmap(NULL, b->size, prot, flags, fd, 0);

	r->syscalls = 2; /* mmap and munmap */
	if (map == MAP_FAILED)
		return -errno;
	if (m->advice >= 0) {
		madvise(map, b->size, m->advice);
		r->syscalls++;
	}
	touch_pages(b, map, p, m->write);
	read_gauges(b, fd, r, true); /* while the private copies still exist */
	munmap(map, b->size);
	return 0;
}

static uint64_t less(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

static void measure(struct bench *b, const struct iobench_method *m, enum iobench_pattern p,
                    struct iobench_result *r)
{
	struct rusage before, after;
	uint64_t t0, t1, c0, c1;
	int err;

	b->paused_ns = b->paused_cpu_ns = 0;
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
	r->ns = less(t1 - t0, b->paused_ns);
	r->bytes = m->write ? b->npages * (uint64_t)b->page : b->size;
	/* The gauges read /proc and make cachestat calls: a few faults at most
	 * and a little system time, which are in these counts. */
	r->minor = (uint64_t)(after.ru_minflt - before.ru_minflt);
	r->major = (uint64_t)(after.ru_majflt - before.ru_majflt);
	r->user_ns = ns_of(&after.ru_utime) - ns_of(&before.ru_utime);
	r->sys_ns = ns_of(&after.ru_stime) - ns_of(&before.ru_stime);
	r->cpu_ns = less(c1 - c0, b->paused_cpu_ns);
}

int64_t iobench_resident_pages(int fd, const char **why)
{
	struct residency res;
	int err = residency_measure(fd, &res);

	*why = err ? strerror(-err) : res.unavailable;
	return *why ? -1 : (int64_t)res.resident_pages;
}

/* Whether any page of fd's first size bytes is in the page cache; false
 * when the kernel will not say. */
static bool any_cached(int fd, uint64_t size)
{
	struct residency res;
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);

	return residency_count_range(fd, 0, (size + page - 1) / page, &res) == 0 &&
	       res.resident_pages > 0;
}

void iobench_prepare_cache(int fd, uint64_t size, bool cold, char *buf, size_t len)
{
	if (cold) {
		/* A page still referenced is not evicted (a page a socket still
		 * holds, say): asked again for up to half a second. */
		for (int i = 0; i < 100; i++) {
			fdatasync(fd); /* dirty pages would survive DONTNEED; no-op when clean */
			posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
			if (!any_cached(fd, size))
				break;
			usleep(5000);
		}
		return;
	}
	for (uint64_t off = 0; off < size; off += len)
		if (pread(fd, buf, len, (off_t)off) <= 0)
			break;
}

static void run_one(struct bench *b, const struct iobench_method *m, enum iobench_pattern p,
                    bool cold, struct iobench_result *r)
{
	int fd = m->write ? b->sfd : b->fd;

	memset(r, 0, sizeof(*r));
	r->method = m;
	r->pattern = p;
	r->cold = cold;
	r->resident_before = -1;
	r->resident_why = "not measured";
	r->anon = r->dirty = (struct iobench_gauge){-1, -1, "not measured"};
	if (fd < 0) {
		r->unavailable = b->sfd_why;
		return;
	}
	if (m->write)
		fdatasync(fd); /* every write run starts with no dirty page */
	iobench_prepare_cache(fd, b->size, cold, b->buf, READ_CHUNK);
	r->resident_before = iobench_resident_pages(fd, &r->resident_why);
	r->anon.why = r->dirty.why = NULL;
	read_gauges(b, fd, r, false);
	measure(b, m, p, r);
}

/* The scratch file, filled with size bytes, or b->sfd = -1 and the reason. */
static void open_scratch(struct bench *b, const struct iobench_scratch *scratch)
{
	int err;

	b->sfd = -1;
	if (!scratch || scratch->fd < 0) {
		snprintf(b->sfd_why, sizeof(b->sfd_why), "%s",
		         scratch ? scratch->why : "no scratch file");
		return;
	}
	err = ftruncate(scratch->fd, 0) == 0 ? iobench_fill(scratch->fd, b->size) : -errno;
	if (err) {
		snprintf(b->sfd_why, sizeof(b->sfd_why), "cannot fill the scratch file in %s: %s",
		         scratch->dir, strerror(-err));
		return;
	}
	b->sfd = scratch->fd;
}

static int open_bench(struct bench *b, const char *path, uint64_t size)
{
	struct stat st;
	int err = 0;

	memset(b, 0, sizeof(*b));
	b->page = sysconf(_SC_PAGESIZE);
	b->fd = iobench_open_measured(path);
	if (b->fd < 0)
		return b->fd;
	if (fstat(b->fd, &st) != 0)
		err = -errno;
	else if (!S_ISREG(st.st_mode))
		err = -EINVAL;
	else if (st.st_size == 0)
		err = -ENODATA;
	if (err) {
		close(b->fd);
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
		return -ENOMEM;
	}
	b->procdir = open("/proc/self", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	shuffle(b->order, b->npages);
	memset(b->buf, 0, READ_CHUNK); /* fault the buffer in now, not in the first run */
	return 0;
}

static void close_bench(struct bench *b)
{
	if (b->sfd >= 0)
		ftruncate(b->sfd, 0); /* the pages go now, not when the tool exits */
	if (b->procdir >= 0)
		close(b->procdir);
	close(b->fd);
	free(b->order);
	free(b->buf);
}

int iobench_run(const char *path, uint64_t size, const struct iobench_scratch *scratch,
                void (*report)(const struct iobench_result *r, void *arg), void *arg)
{
	struct bench b;
	int err = open_bench(&b, path, size);

	if (err)
		return err;
	open_scratch(&b, scratch);
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
