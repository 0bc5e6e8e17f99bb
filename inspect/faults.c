#include "faults.h"
#include "faultrec.h"
#include "residency.h"
#include "runner.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int faults_evict(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int err = 0;

	if (fd < 0)
		return -errno;
	/* DONTNEED skips dirty pages, so write them out first. */
	if (fsync(fd) != 0 && errno != EINVAL)
		err = -errno;
	if (!err)
		err = -posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	close(fd);
	return err;
}

/* Resident pages of path, or -1 if it cannot be measured. */
static int64_t cached_pages(const char *path)
{
	struct residency r;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int err;

	if (fd < 0)
		return -1;
	err = residency_measure(fd, &r);
	close(fd);
	return err || r.unavailable ? -1 : (int64_t)r.resident_pages;
}

static void explain_perf_refusal(struct faults_report *rep, const char *step, int err)
{
	int paranoid = -1;
	FILE *f = fopen("/proc/sys/kernel/perf_event_paranoid", "re");

	if (f) {
		if (fscanf(f, "%d", &paranoid) != 1)
			paranoid = -1;
		fclose(f);
	}
	snprintf(rep->why, sizeof(rep->why), "%s: %s (kernel.perf_event_paranoid = %d)", step,
	         strerror(-err), paranoid);
	rep->unavailable = rep->why;
}

/* Waits for the child to exit, draining the rings whenever they fill up. */
static int follow_child(struct faultrec *fr, pid_t pid)
{
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	struct pollfd pfd[1 + fr->nev];
	bool done = false;

	if (pidfd < 0)
		return -errno;
	pfd[0] = (struct pollfd){.fd = pidfd, .events = POLLIN};
	for (int i = 0; i < fr->nev; i++)
		pfd[1 + i] = (struct pollfd){.fd = fr->ev[i].fd, .events = POLLIN};
	while (!done) {
		int err;

		if (poll(pfd, 1 + (nfds_t)fr->nev, 100) < 0 && errno != EINTR) {
			err = -errno;
			close(pidfd);
			return err;
		}
		done = pfd[0].revents & POLLIN;
		err = faultrec_drain(fr);
		if (err) {
			close(pidfd);
			return err;
		}
	}
	close(pidfd);
	return 0;
}

static int find_or_add_mapping(struct faults_report *rep, const char *path)
{
	struct faults_mapping *m;
	struct stat st;

	for (size_t i = 0; i < rep->nmaps; i++)
		if (strcmp(rep->maps[i].path, path) == 0)
			return (int)i;
	m = realloc(rep->maps, (rep->nmaps + 1) * sizeof(*m));
	if (!m)
		return -1;
	rep->maps = m;
	m = &rep->maps[rep->nmaps];
	memset(m, 0, sizeof(*m));
	m->path = strdup(path);
	if (!m->path)
		return -1;
	m->file = path[0] == '/' && path[1] != '/';
	if (m->file && stat(path, &st) == 0)
		m->file_size = (uint64_t)st.st_size;
	return (int)rep->nmaps++;
}

/* The newest mmap record before the fault that covers its address, from
 * the same process if possible (a forked child inherits its parent's
 * mappings without new records). */
static const struct faultrec_mmap *find_mmap(const struct faultrec *fr,
                                             const struct faultrec_sample *s, size_t *index)
{
	for (int same_pid = 1; same_pid >= 0; same_pid--) {
		for (size_t i = fr->nmmaps; i-- > 0;) {
			const struct faultrec_mmap *m = &fr->mmaps[i];
			if (same_pid && m->pid != s->pid)
				continue;
			if (m->time_ns <= s->time_ns && s->addr >= m->start &&
			    s->addr - m->start < m->len) {
				*index = i;
				return m;
			}
		}
	}
	return NULL;
}

struct page_key {
	int mapping;
	uint64_t page;
};

static int compare_keys(const void *a, const void *b)
{
	const struct page_key *x = a, *y = b;

	if (x->mapping != y->mapping)
		return x->mapping < y->mapping ? -1 : 1;
	return x->page < y->page ? -1 : x->page > y->page;
}

static void count_distinct_pages(struct faults_report *rep, struct page_key *keys, size_t n)
{
	qsort(keys, n, sizeof(*keys), compare_keys);
	for (size_t i = 0; i < n; i++)
		if (i == 0 || compare_keys(&keys[i], &keys[i - 1]) != 0)
			rep->maps[keys[i].mapping].pages++;
}

static int by_mmap_time(const void *a, const void *b)
{
	const struct faultrec_mmap *x = a, *y = b;

	return x->time_ns < y->time_ns ? -1 : x->time_ns > y->time_ns;
}

static int by_sample_time(const void *a, const void *b)
{
	const struct faultrec_sample *x = a, *y = b;

	return x->time_ns < y->time_ns ? -1 : x->time_ns > y->time_ns;
}

/* Turns the raw records into per-mapping counts and attributed samples. */
static int attribute(struct faultrec *fr, uint64_t start_ns, struct faults_report *rep)
{
	long page = sysconf(_SC_PAGESIZE);
	int *group = calloc(fr->nmmaps + 1, sizeof(*group));
	struct page_key *keys = calloc(fr->nsamples + 1, sizeof(*keys));
	size_t nkeys = 0;

	rep->samples = calloc(fr->nsamples + 1, sizeof(*rep->samples));
	if (!group || !keys || !rep->samples)
		goto nomem;
	/* Each CPU has its own rings: put the records back in time order. */
	qsort(fr->mmaps, fr->nmmaps, sizeof(*fr->mmaps), by_mmap_time);
	qsort(fr->samples, fr->nsamples, sizeof(*fr->samples), by_sample_time);
	for (size_t i = 0; i < fr->nmmaps; i++)
		if ((group[i] = find_or_add_mapping(rep, fr->mmaps[i].path)) < 0)
			goto nomem;
	for (size_t i = 0; i < fr->nsamples; i++) {
		const struct faultrec_sample *s = &fr->samples[i];
		struct faults_sample *o = &rep->samples[rep->nsamples++];
		size_t mi = 0;
		const struct faultrec_mmap *m = find_mmap(fr, s, &mi);
		struct faults_mapping *g;

		*o = (struct faults_sample){s->time_ns > start_ns ? s->time_ns - start_ns : 0,
		                            s->addr,
		                            s->ip,
		                            s->pid,
		                            s->major,
		                            -1,
		                            0};
		if (!m)
			continue;
		o->mapping = group[mi];
		g = &rep->maps[o->mapping];
		o->offset = m->pgoff + (s->addr - m->start);
		if (s->major)
			g->major++;
		else
			g->minor++;
		if (g->file && o->offset > g->max_offset)
			g->max_offset = o->offset;
		keys[nkeys++] = (struct page_key){o->mapping, (g->file ? o->offset : s->addr) /
		                                                      (uint64_t)page};
	}
	count_distinct_pages(rep, keys, nkeys);
	free(keys);
	free(group);
	return 0;
nomem:
	free(keys);
	free(group);
	return -ENOMEM;
}

static int evict_cold_files(const struct faults_request *req, char *err, size_t errlen)
{
	for (size_t i = 0; i < req->ncold; i++) {
		int e = faults_evict(req->cold[i]);
		if (e) {
			snprintf(err, errlen, "%s: cannot drop from the page cache: %s",
			         req->cold[i], strerror(-e));
			return -1;
		}
	}
	return 0;
}

/* For files named with --cold, how many pages the run brought into the
 * page cache: residency after the run against residency right after the
 * eviction. The perf record names files by their real path. */
static void measure_cold_files(const struct faults_request *req, const int64_t *before,
                               struct faults_report *rep)
{
	for (size_t i = 0; i < req->ncold; i++) {
		char real[PATH_MAX];
		int64_t after = cached_pages(req->cold[i]);
		int g;

		if (!realpath(req->cold[i], real) || before[i] < 0 || after < 0)
			continue;
		g = find_or_add_mapping(rep, real);
		if (g < 0)
			continue;
		rep->maps[g].cache_measured = true;
		rep->maps[g].cache_before = (uint64_t)before[i];
		rep->maps[g].cache_after = (uint64_t)after;
	}
}

/* Runs the released child to its end with perf attached (fr non-NULL) or not. */
static int run_to_end(struct runner *r, struct faultrec *fr, struct faults_report *rep)
{
	struct rusage ru;
	uint64_t start = now_ns();
	int err = fr ? follow_child(fr, r->pid) : 0;

	if (err)
		return err;
	err = runner_wait(r, &rep->wait_status, &ru);
	if (err)
		return err;
	rep->wall_ns = now_ns() - start;
	rep->kernel_minor = (uint64_t)ru.ru_minflt;
	rep->kernel_major = (uint64_t)ru.ru_majflt;
	rep->minor = rep->kernel_minor;
	rep->major = rep->kernel_major;
	if (!fr)
		return 0;
	if ((err = faultrec_drain(fr)) != 0)
		return err;
	if (faultrec_count(fr, FAULTREC_MINOR, &rep->minor) ||
	    faultrec_count(fr, FAULTREC_MAJOR, &rep->major))
		return -EIO;
	rep->lost = fr->lost;
	rep->throttled = fr->throttled;
	return attribute(fr, start, rep);
}

int faults_run(const struct faults_request *req, struct faults_report *rep, char *err,
               size_t errlen)
{
	int64_t *before = calloc(req->ncold + 1, sizeof(*before));
	struct faultrec fr;
	struct runner r;
	const char *step = NULL;
	int e, perf;

	memset(rep, 0, sizeof(*rep));
	if (!before || evict_cold_files(req, err, errlen) != 0) {
		if (!before)
			snprintf(err, errlen, "out of memory");
		free(before);
		return -1;
	}
	for (size_t i = 0; i < req->ncold; i++)
		before[i] = cached_pages(req->cold[i]);
	if ((e = runner_start(&r, req->argv)) != 0) {
		snprintf(err, errlen, "%s: cannot start: %s", req->argv[0], strerror(-e));
		free(before);
		return -1;
	}
	perf = faultrec_open(&fr, r.pid, &step);
	if (perf)
		explain_perf_refusal(rep, step, perf);
	if ((e = runner_release(&r)) != 0) {
		snprintf(err, errlen, "%s: cannot run: %s", req->argv[0], strerror(-e));
	} else if ((e = run_to_end(&r, perf ? NULL : &fr, rep)) != 0) {
		snprintf(err, errlen, "%s: %s", req->argv[0], strerror(-e));
		runner_abort(&r);
	}
	if (!perf)
		faultrec_close(&fr);
	if (!e)
		measure_cold_files(req, before, rep);
	free(before);
	return e ? -1 : 0;
}

void faults_free(struct faults_report *rep)
{
	for (size_t i = 0; i < rep->nmaps; i++)
		free(rep->maps[i].path);
	free(rep->maps);
	free(rep->samples);
	memset(rep, 0, sizeof(*rep));
}
