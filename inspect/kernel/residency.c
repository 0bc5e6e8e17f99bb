#include "kernel/residency.h"

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
#define SPLIT       8  /* pieces a mixed part is split into */
#define LEAF_PAGES  64 /* parts this small go to mincore directly */
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

static const char *check_trust(int fd, const struct stat *st)
{
	int flags;

	if (st->st_uid == geteuid() || has_cap_fowner())
		return NULL;
	flags = fcntl(fd, F_GETFL);
	if (flags >= 0 && (flags & O_ACCMODE) != O_RDONLY)
		return NULL;
	/* The kernel asks inode_permission(MAY_WRITE), which is what
	 * faccessat(W_OK) with the effective ids answers, read-only mounts
	 * included. */
	if (faccessat(fd, "", W_OK, AT_EMPTY_PATH | AT_EACCESS) == 0)
		return NULL;
	return UNTRUSTED_REASON;
}

const char *residency_untrusted(int fd)
{
	struct stat st;

	if (fstat(fd, &st) != 0)
		return "the file could not be examined";
	return check_trust(fd, &st);
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

/* One window of the file being probed; it is mapped only if some part of
 * it needs mincore. */
struct window {
	int fd;
	uint64_t first, n; /* pages */
	void *addr;        /* NULL until mapped */
	unsigned char *vec;
	uint64_t grain; /* the largest pieces found wholly in or out (0: none) */
};

static int mincore_part(struct window *win, uint64_t lo, uint64_t n)
{
	uint64_t page = page_size();

	if (!win->addr) {
		void *addr = mmap(NULL, win->n * page, PROT_READ, MAP_SHARED, win->fd,
		                  (off_t)(win->first * page));
		if (addr == MAP_FAILED)
			return -errno;
		win->addr = addr;
	}
	if (mincore((char *)win->addr + lo * page, n * page, win->vec + lo) != 0)
		return -errno;
	return 0;
}

/* 1 or 0 when cs shows all n pages in or out of the cache, -1 when mixed. */
static int wholly(const struct cachestat *cs, uint64_t n)
{
	return cs->nr_cache == 0 ? 0 : cs->nr_cache >= n ? 1 : -1;
}

/* cachestat of the window's pages [a, a + len) into *cs, and *state as
 * wholly() gives it: a piece wholly in or out is filled in vec and raises
 * the window's grain to its size. */
static int ask_piece(struct window *win, uint64_t a, uint64_t len, struct cachestat *cs,
                     int *state)
{
	int err = cachestat_pages(win->fd, (win->first + a) * page_size(), len * page_size(), cs);

	if (err)
		return err;
	*state = wholly(cs, len);
	if (*state >= 0) {
		memset(win->vec + a, *state, len);
		if (len > win->grain)
			win->grain = len;
	}
	return 0;
}

/* Fills the map of a part that is partly resident. cachestat is asked about
 * each of SPLIT pieces: a piece wholly in or out of the cache needs no
 * mincore, which costs a lookup per page where cachestat costs one per
 * folio. When two levels in a row have only mixed pieces, the pattern is
 * finer than the pieces and one mincore over the part is cheaper. */
static int fill_part(struct window *win, uint64_t lo, uint64_t n, int mixed_levels)
{
	uint64_t piece = (n + SPLIT - 1) / SPLIT, mixed_lo[SPLIT], mixed_n[SPLIT];
	int pieces = 0, mixed = 0, err = 0;

	if (n <= LEAF_PAGES)
		return mincore_part(win, lo, n);
	for (uint64_t a = lo; a < lo + n; a += piece, pieces++) {
		uint64_t len = lo + n - a < piece ? lo + n - a : piece;
		struct cachestat cs;
		int state;

		if ((err = ask_piece(win, a, len, &cs, &state)))
			return err;
		if (state < 0) {
			mixed_lo[mixed] = a;
			mixed_n[mixed++] = len;
		}
	}
	if (mixed == pieces && mixed_levels >= 1)
		return mincore_part(win, lo, n);
	for (int i = 0; i < mixed && !err; i++)
		err = fill_part(win, mixed_lo[i], mixed_n[i],
		                mixed == pieces ? mixed_levels + 1 : 0);
	return err;
}

static void add_counts(struct residency *r, const struct cachestat *cs)
{
	r->dirty_pages += cs->nr_dirty;
	r->writeback_pages += cs->nr_writeback;
	r->evicted_pages += cs->nr_evicted;
	r->recently_evicted_pages += cs->nr_recently_evicted;
}

/* The window asked piece by piece, pieces of grain pages, their counts
 * summed: for a window after one whose cache was finer than the window
 * (a file read every other MiB), whose pieces of that size were wholly in
 * or out. Asking the whole window, then each level of pieces down to that
 * size, walked the cache three times over (1 + 8 + 64 calls a window);
 * this walks it once (64). *uniform as for probe_window. */
static int probe_pieces(struct window *win, struct residency *r, uint64_t grain, int *uniform)
{
	bool seen[2] = {false, false}, mixed = false;
	int err = 0;

	for (uint64_t a = 0; a < win->n && !err; a += grain) {
		uint64_t len = win->n - a < grain ? win->n - a : grain;
		struct cachestat cs;
		int state;

		if ((err = ask_piece(win, a, len, &cs, &state)))
			break;
		add_counts(r, &cs);
		if (state >= 0) {
			seen[state] = true;
		} else {
			mixed = true;
			err = fill_part(win, a, len, 0);
		}
	}
	*uniform = mixed || (seen[0] && seen[1]) ? -1 : seen[1];
	return err;
}

/* Fills vec for the window, or sets *uniform (0 or 1) when cachestat shows
 * it all out of or all in the cache. */
static int probe_window(struct window *win, struct residency *r, int *uniform)
{
	struct cachestat cs;
	int err = cachestat_pages(win->fd, win->first * page_size(), win->n * page_size(), &cs);

	*uniform = -1;
	if (err == -ENOSYS || err == -EOPNOTSUPP) {
		r->method = "mincore";
		return mincore_part(win, 0, win->n);
	}
	if (err)
		return err;
	add_counts(r, &cs);
	if ((*uniform = wholly(&cs, win->n)) >= 0)
		return 0;
	return fill_part(win, 0, win->n, 0);
}

static void report_window(struct residency_walk *w, struct run *run, struct window *win,
                          int uniform)
{
	if (uniform >= 0) {
		feed_run(w, run, win->first, win->n, uniform);
		if (w->on_pages)
			memset(win->vec, uniform, win->n);
	} else {
		feed_vec(w, run, win->first, win->vec, win->n);
	}
	if (w->on_pages)
		w->on_pages(win->first, win->vec, win->n, w->ctx);
}

static void start_counts(struct residency *r)
{
	r->resident_pages = r->dirty_pages = r->writeback_pages = 0;
	r->evicted_pages = r->recently_evicted_pages = 0;
	r->method = "cachestat";
	r->detail_unavailable = NULL;
}

int residency_walk(int fd, struct residency *r, struct residency_walk *w)
{
	static __thread unsigned char vec[RESIDENCY_WINDOW_BYTES / MIN_PAGE];
	uint64_t window = RESIDENCY_WINDOW_BYTES / page_size();
	struct run run = {false, 0};
	uint64_t grain = 0; /* of the window before, if it was mixed */
	int err = 0;

	w->resident_pages = 0;
	start_counts(r);
	if (r->unavailable)
		return -EPERM;
	for (uint64_t first = 0; first < r->pages && !err; first += window) {
		struct window win = {fd, first, r->pages - first, NULL, vec, 0};
		int uniform;

		if (win.n > window)
			win.n = window;
		err = grain ? probe_pieces(&win, r, grain, &uniform)
		            : probe_window(&win, r, &uniform);
		/* Pieces a sixty-fourth of a window or larger: at most 64 calls. */
		grain = uniform < 0 && win.grain >= window / (SPLIT * SPLIT) ? win.grain : 0;
		if (win.addr)
			munmap(win.addr, win.n * page_size());
		if (!err)
			report_window(w, &run, &win, uniform);
	}
	feed_run(w, &run, r->pages, 0, false);
	r->resident_pages = w->resident_pages;
	if (strcmp(r->method, "mincore") == 0)
		r->detail_unavailable = NO_CACHESTAT;
	return err;
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
	add_counts(r, &cs);
	return 0;
}

int residency_count_range(int fd, uint64_t first, uint64_t n, struct residency *out)
{
	memset(out, 0, sizeof(*out));
	out->pages = n;
	return n ? count_by_cachestat(fd, first, n, out) : 0;
}

int residency_stat(int fd, const struct stat *known, struct residency *out)
{
	struct stat st;

	memset(out, 0, sizeof(*out));
	if (known)
		st = *known;
	else if (fstat(fd, &st) != 0)
		return -errno;
	out->size = (uint64_t)st.st_size;
	out->pages = (out->size + page_size() - 1) / page_size();
	out->unavailable = check_trust(fd, &st);
	return 0;
}

int residency_measure_stat(int fd, const struct stat *known, struct residency *out)
{
	struct residency_walk w = {0};
	int err = residency_stat(fd, known, out);

	if (err || out->unavailable)
		return err;
	err = count_by_cachestat(fd, 0, 0, out);
	if (err == -ENOSYS || err == -EOPNOTSUPP)
		err = residency_walk(fd, out, &w);
	if (err == -EPERM) {
		out->unavailable = UNTRUSTED_REASON;
		return 0;
	}
	return err;
}

int residency_measure(int fd, struct residency *out)
{
	return residency_measure_stat(fd, NULL, out);
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

int residency_touch(int fd, uint64_t size, residency_progress_fn progress, void *ctx)
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
		if (progress && progress(off, ctx)) {
			err = -EINTR;
			break;
		}
	}
	free(buf);
	return err;
}

int residency_evict(int fd)
{
	return -posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
}
