#include "kernel/faultrec.h"

#include <errno.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* 4 MiB of data per event holds ~100,000 samples between two drains; the
 * kernel refuses that much locked memory to most unprivileged users, so
 * smaller rings are tried before giving up. */
#define RING_PAGES_MAX 1024
#define RING_PAGES_MIN 8

/* The layout of a PERF_RECORD_SAMPLE for our sample_type. */
struct sample_body {
	uint64_t ip;
	uint32_t pid, tid;
	uint64_t time;
	uint64_t addr;
};

/* The trailer sample_id_all appends to other records (TID | TIME). */
struct sample_id {
	uint32_t pid, tid;
	uint64_t time;
};

static void describe_event(struct perf_event_attr *attr, int which, bool user_only)
{
	memset(attr, 0, sizeof(*attr));
	attr->size = sizeof(*attr);
	attr->type = PERF_TYPE_SOFTWARE;
	attr->config = which == FAULTREC_MINOR ? PERF_COUNT_SW_PAGE_FAULTS_MIN
	                                       : PERF_COUNT_SW_PAGE_FAULTS_MAJ;
	attr->sample_period = 1;
	attr->sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_ADDR;
	attr->disabled = 1;
	attr->enable_on_exec = 1;
	attr->inherit = 1;
	attr->sample_id_all = 1;
	attr->use_clockid = 1;
	attr->clockid = CLOCK_MONOTONIC;
	/* Wake the reader every 64 KiB of records, not per sample; the reader
	 * also drains on a timer, so a smaller ring is still read in time. */
	attr->watermark = 1;
	attr->wakeup_watermark = 64 * 1024;
	/* One event is enough to describe the mappings, data ones included. */
	attr->mmap2 = which == FAULTREC_MINOR;
	attr->mmap_data = which == FAULTREC_MINOR;
	attr->task = which == FAULTREC_MINOR;
	/* What paranoid 2 still allows an unprivileged user. */
	attr->exclude_kernel = user_only;
	attr->exclude_hv = user_only;
}

static int map_ring(struct faultrec_event *ev)
{
	long page = sysconf(_SC_PAGESIZE);

	for (size_t n = RING_PAGES_MAX; n >= RING_PAGES_MIN; n /= 2) {
		size_t size = (n + 1) * (size_t)page;
		void *ring = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, ev->fd, 0);
		if (ring != MAP_FAILED) {
			ev->ring = ring;
			ev->ring_size = size;
			return 0;
		}
		if (errno != EPERM && errno != ENOMEM)
			return -errno;
	}
	return -errno;
}

/* Opens one event of kind on pid for cpu and maps its ring. An offline CPU
 * is skipped (fd stays -1). */
static int open_event(struct faultrec_event *ev, int kind, pid_t pid, int cpu, bool user_only,
                      const char **why)
{
	struct perf_event_attr attr;

	describe_event(&attr, kind, user_only);
	ev->kind = kind;
	ev->fd = (int)syscall(SYS_perf_event_open, &attr, pid, cpu, -1, PERF_FLAG_FD_CLOEXEC);
	if (ev->fd < 0) {
		*why = "perf_event_open";
		return errno == ENODEV && cpu > 0 ? 0 : -errno;
	}
	*why = "mmap of the perf ring buffer";
	return map_ring(ev);
}

int faultrec_open(struct faultrec *fr, pid_t pid, bool user_only, const char **why)
{
	int ncpu = (int)sysconf(_SC_NPROCESSORS_CONF);

	memset(fr, 0, sizeof(*fr));
	fr->ev = calloc((size_t)ncpu * 2, sizeof(*fr->ev));
	if (!fr->ev) {
		*why = "perf events";
		return -ENOMEM;
	}
	for (int i = 0; i < ncpu * 2; i++)
		fr->ev[i].fd = -1;
	fr->nev = ncpu * 2;
	for (int i = 0; i < fr->nev; i++) {
		int err = open_event(&fr->ev[i], i % 2, pid, i / 2, user_only, why);
		if (err) {
			faultrec_close(fr);
			return err;
		}
	}
	return 0;
}

static int grow(void **array, size_t *cap, size_t n, size_t elem)
{
	size_t want;
	void *p;

	if (n < *cap)
		return 0;
	want = *cap ? *cap * 2 : 1024;
	p = realloc(*array, want * elem);
	if (!p)
		return -ENOMEM;
	*array = p;
	*cap = want;
	return 0;
}

static int add_sample(struct faultrec *fr, const void *rec, bool major)
{
	struct sample_body b;
	struct faultrec_sample *s;

	if (grow((void **)&fr->samples, &fr->samples_cap, fr->nsamples, sizeof(*s)))
		return -ENOMEM;
	memcpy(&b, (const char *)rec + sizeof(struct perf_event_header), sizeof(b));
	s = &fr->samples[fr->nsamples++];
	*s = (struct faultrec_sample){b.time, b.addr, b.ip, b.pid, major};
	return 0;
}

/* PERF_RECORD_MMAP2: pid, tid, addr, len, pgoff, maj, min, ino, ino_generation,
 * prot, flags, filename (NUL-padded to 8 bytes), then the sample_id trailer. */
static int add_mmap(struct faultrec *fr, const void *rec, size_t size)
{
	const char *p = (const char *)rec + sizeof(struct perf_event_header);
	const size_t name_at = 8 + 3 * 8 + 2 * 4 + 2 * 8 + 2 * 4;
	struct sample_id id;
	uint64_t v[3];
	uint32_t pid;
	char *path;

	if (size < sizeof(struct perf_event_header) + name_at + sizeof(id))
		return 0;
	if (grow((void **)&fr->mmaps, &fr->mmaps_cap, fr->nmmaps, sizeof(fr->mmaps[0])))
		return -ENOMEM;
	memcpy(&pid, p, sizeof(pid));
	memcpy(v, p + 8, sizeof(v));
	memcpy(&id, (const char *)rec + size - sizeof(id), sizeof(id));
	path = strndup(p + name_at,
	               size - sizeof(struct perf_event_header) - name_at - sizeof(id));
	if (!path)
		return -ENOMEM;
	fr->mmaps[fr->nmmaps++] = (struct faultrec_mmap){id.time, v[0], v[1], v[2], pid, path};
	return 0;
}

/* PERF_RECORD_FORK: pid, ppid, tid, ptid, time. */
static int add_fork(struct faultrec *fr, const void *rec)
{
	uint32_t ids[2];

	memcpy(ids, (const char *)rec + sizeof(struct perf_event_header), sizeof(ids));
	if (ids[0] == ids[1])
		return 0; /* a new thread of the same process */
	if (grow((void **)&fr->forks, &fr->forks_cap, fr->nforks, sizeof(fr->forks[0])))
		return -ENOMEM;
	fr->forks[fr->nforks++] = (struct faultrec_fork){ids[0], ids[1]};
	return 0;
}

static int take_record(struct faultrec *fr, int kind, const void *rec, size_t size)
{
	const struct perf_event_header *h = rec;
	uint64_t lost;

	switch (h->type) {
	case PERF_RECORD_SAMPLE:
		return add_sample(fr, rec, kind == FAULTREC_MAJOR);
	case PERF_RECORD_MMAP2:
		return add_mmap(fr, rec, size);
	case PERF_RECORD_FORK:
		return add_fork(fr, rec);
	case PERF_RECORD_LOST:
		memcpy(&lost, (const char *)rec + sizeof(*h) + 8, sizeof(lost));
		fr->lost += lost;
		return 0;
	case PERF_RECORD_THROTTLE:
		fr->throttled++;
		return 0;
	default:
		return 0;
	}
}

/* Reads one ring: records between data_tail and data_head, copying any
 * record that wraps around the end into a bounce buffer. */
static int drain_ring(struct faultrec *fr, struct faultrec_event *ev)
{
	struct perf_event_mmap_page *meta = ev->ring;
	const char *data = (const char *)ev->ring + meta->data_offset;
	uint64_t size = meta->data_size;
	uint64_t head = __atomic_load_n(&meta->data_head, __ATOMIC_ACQUIRE);
	uint64_t tail = meta->data_tail;
	char bounce[sizeof(struct perf_event_header) + 65536];
	int err = 0;

	while (tail < head && !err) {
		struct perf_event_header h;
		uint64_t at = tail % size;
		const void *rec = data + at;

		if (at + sizeof(h) <= size) {
			memcpy(&h, rec, sizeof(h));
		} else {
			memcpy(&h, rec, size - at);
			memcpy((char *)&h + (size - at), data, sizeof(h) - (size - at));
		}
		if (h.size < sizeof(h))
			break;
		if (at + h.size > size) {
			memcpy(bounce, data + at, size - at);
			memcpy(bounce + (size - at), data, h.size - (size - at));
			rec = bounce;
		}
		err = take_record(fr, ev->kind, rec, h.size);
		tail += h.size;
	}
	__atomic_store_n(&meta->data_tail, tail, __ATOMIC_RELEASE);
	return err;
}

int faultrec_drain(struct faultrec *fr)
{
	for (int i = 0; i < fr->nev; i++) {
		int err = fr->ev[i].ring ? drain_ring(fr, &fr->ev[i]) : 0;
		if (err)
			return err;
	}
	return 0;
}

int faultrec_count(const struct faultrec *fr, int kind, uint64_t *count)
{
	*count = 0;
	for (int i = 0; i < fr->nev; i++) {
		uint64_t n;
		if (fr->ev[i].fd < 0 || fr->ev[i].kind != kind)
			continue;
		if (read(fr->ev[i].fd, &n, sizeof(n)) != (ssize_t)sizeof(n))
			return errno ? -errno : -EIO;
		*count += n;
	}
	return 0;
}

void faultrec_close(struct faultrec *fr)
{
	for (int i = 0; i < fr->nev; i++) {
		if (fr->ev[i].ring)
			munmap(fr->ev[i].ring, fr->ev[i].ring_size);
		if (fr->ev[i].fd >= 0)
			close(fr->ev[i].fd);
	}
	free(fr->ev);
	fr->ev = NULL;
	fr->nev = 0;
	for (size_t i = 0; i < fr->nmmaps; i++)
		free(fr->mmaps[i].path);
	free(fr->mmaps);
	free(fr->samples);
	free(fr->forks);
	fr->forks = NULL;
	fr->nforks = 0;
	fr->mmaps = NULL;
	fr->samples = NULL;
	fr->nmmaps = fr->nsamples = 0;
}
