#include "probe/faults.h"
#include "core/clock.h"
#include "core/interrupt.h"
#include "core/lines.h"
#include "kernel/faultrec.h"
#include "kernel/procmaps.h"
#include "kernel/residency.h"
#include "child/runner.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

int faults_evict(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	int err = 0;

	if (fd < 0)
		return -errno;
	/* A directory's own pages are not what --cold means: refuse it. */
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		return -EISDIR;
	}
	/* DONTNEED skips dirty pages, so write them out first. */
	if (fsync(fd) != 0 && errno != EINVAL)
		err = -errno;
	if (!err)
		err = -posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	close(fd);
	return err;
}

/* Resident pages of path, or -1 with *why when it cannot be measured
 * (mincore and cachestat would not tell this user the truth, say). */
static int64_t cached_pages(const char *path, const char **why)
{
	struct residency r;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int err;

	*why = "the file cannot be opened to measure its residency";
	if (fd < 0)
		return -1;
	err = residency_measure(fd, &r);
	close(fd);
	if (!err && r.unavailable)
		*why = r.unavailable;
	else if (err)
		*why = "its residency could not be measured";
	return err || r.unavailable ? -1 : (int64_t)r.resident_pages;
}

static int read_sysctl(const char *path)
{
	FILE *f = fopen(path, "re");
	int value = -1;

	if (f) {
		if (fscanf(f, "%d", &value) != 1)
			value = -1;
		fclose(f);
	}
	return value;
}

/* The refusal with the setting behind it: the paranoia level for the open,
 * the per-user locked-memory allowance for the ring buffer. */
static void explain_perf_refusal(struct faults_report *rep, const char *step, int err)
{
	bool ring = strncmp(step, "mmap", 4) == 0;
	const char *knob = ring ? "perf_event_mlock_kb" : "perf_event_paranoid";
	char path[64];

	snprintf(path, sizeof(path), "/proc/sys/kernel/%s", knob);
	snprintf(rep->why, sizeof(rep->why), "%s: %s (kernel.%s = %d)", step, strerror(-err), knob,
	         read_sysctl(path));
	rep->unavailable = rep->why;
}

/* Opens the fault events on pid: every fault if allowed, else the faults
 * taken in user mode, which paranoid 2 still allows for one's own
 * processes. Notes in rep what is missing and why. 0 if events are open. */
static int open_recorder(struct faultrec *fr, pid_t pid, enum faults_sampling sampling,
                         struct faults_report *rep)
{
	const char *step = "perf_event_open";
	int err;

	if (sampling == FAULTS_SAMPLE_AUTO) {
		err = faultrec_open(fr, pid, false, &step);
		if (err == 0)
			return 0;
		explain_perf_refusal(rep, step, err);
		if (err != -EACCES && err != -EPERM)
			return err;
	} else {
		snprintf(rep->why, sizeof(rep->why), "%s not asked for",
		         sampling == FAULTS_SAMPLE_NONE ? "perf events" : "kernel-mode sampling");
		rep->unavailable = rep->why;
		if (sampling == FAULTS_SAMPLE_NONE)
			return -EACCES;
	}
	err = faultrec_open(fr, pid, true, &step);
	if (err == 0)
		rep->user_only = true;
	else /* this refusal, not the first, is what stopped sampling */
		explain_perf_refusal(rep, step, err);
	return err;
}

/* Whether the child has exited, without reaping it (its rusage is still to
 * be collected): the pidfd says so, or, where there is no pidfd (kernels
 * before 5.3, valgrind), waitid with WNOWAIT. */
static bool child_exited(int pidfd, short revents, pid_t pid)
{
	siginfo_t si = {0};

	if (pidfd >= 0)
		return revents & POLLIN;
	return waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == pid;
}

/* Regions read from /proc/PID/maps while the command runs. perf records
 * mmap, not mremap or a stack growing down: memory moved or grown that way
 * (ls grows its buffers with mremap) has no record, and is found here. Each
 * distinct region is kept once, with when it was first and last seen. */
struct seen_region {
	uint32_t pid;
	uint64_t start, end, offset;
	uint64_t first_ns, last_ns;
	char *path; /* file, "[heap]", "[stack]", or "//anon" as perf names it */
};

struct maps_seen {
	struct seen_region *items;
	size_t count, cap;
	uint64_t last_ns, every_ns;
};

#define SEEN_EVERY_NS 5000000ULL /* a snapshot every 5 ms, or 10 times what one costs */
/* Anonymous memory at an address no record or snapshot covers. */
#define UNRECORDED_ANON "//anon (mremap)"
#define SEEN_MAX        65536 /* distinct regions kept, at most */
#define SEEN_FORKS      16    /* children read besides the command */

static void note_region(struct maps_seen *ms, uint32_t pid, const struct procmaps_region *r,
                        uint64_t now)
{
	const char *path = r->path[0] ? r->path : "//anon";
	struct seen_region *g;

	for (size_t i = ms->count; i-- > 0;) {
		g = &ms->items[i];
		if (g->pid == pid && g->start == r->start && g->end == r->end &&
		    g->offset == r->offset && strcmp(g->path, path) == 0) {
			g->last_ns = now;
			return;
		}
	}
	if (ms->count == SEEN_MAX)
		return;
	if (ms->count == ms->cap) {
		size_t cap = ms->cap ? 2 * ms->cap : 64;
		g = realloc(ms->items, cap * sizeof(*g));
		if (!g)
			return;
		ms->items = g;
		ms->cap = cap;
	}
	g = &ms->items[ms->count];
	*g = (struct seen_region){pid, r->start, r->end, r->offset, now, now, strdup(path)};
	if (g->path)
		ms->count++;
}

static void read_maps_of(struct maps_seen *ms, uint32_t pid, uint64_t now)
{
	static struct lines l; /* 16 KiB: not on the stack */
	char path[32];
	char *line;

	snprintf(path, sizeof(path), "/proc/%u/maps", pid);
	if (lines_open(&l, AT_FDCWD, path) != 0)
		return;
	while ((line = lines_next(&l)) != NULL) {
		struct procmaps_region r;
		if (procmaps_parse(line, &r) == 0)
			note_region(ms, pid, &r, now);
	}
	lines_close(&l);
}

/* The command's mappings now, and its newest children's. */
static void snapshot_maps(struct maps_seen *ms, const struct faultrec *fr, pid_t pid)
{
	uint64_t now = clock_ns(), cost;

	if (now - ms->last_ns < ms->every_ns)
		return;
	read_maps_of(ms, (uint32_t)pid, now);
	for (size_t i = fr->nforks > SEEN_FORKS ? fr->nforks - SEEN_FORKS : 0; i < fr->nforks; i++)
		read_maps_of(ms, fr->forks[i].pid, now);
	/* A process with thousands of mappings is read less often. */
	ms->last_ns = clock_ns();
	cost = ms->last_ns - now;
	ms->every_ns = 10 * cost > SEEN_EVERY_NS ? 10 * cost : SEEN_EVERY_NS;
}

static void free_seen(struct maps_seen *ms)
{
	for (size_t i = 0; i < ms->count; i++)
		free(ms->items[i].path);
	free(ms->items);
	memset(ms, 0, sizeof(*ms));
}

/* The region of process pid seen nearest in time to t that covers addr. */
static const struct seen_region *find_seen(const struct maps_seen *ms, uint32_t pid, uint64_t addr,
                                           uint64_t t)
{
	const struct seen_region *best = NULL;
	uint64_t best_gap = UINT64_MAX;

	for (size_t i = 0; i < ms->count; i++) {
		const struct seen_region *g = &ms->items[i];
		uint64_t gap = t < g->first_ns  ? g->first_ns - t
		               : t > g->last_ns ? t - g->last_ns
		                                : 0;

		if (g->pid == pid && addr >= g->start && addr < g->end && gap < best_gap) {
			best = g;
			best_gap = gap;
		}
	}
	return best;
}

/* SIGTERM to mapscope is passed on to the command once; the report still
 * comes (SIGINT from a terminal reaches the command by itself). */
static void forward_interrupt(pid_t pid, bool *forwarded)
{
	if (!*forwarded && interrupt_signal() == SIGTERM) {
		kill(pid, SIGTERM);
		*forwarded = true;
	}
}

/* Waits for the child to exit, draining the rings whenever they fill up
 * (and at least every 50 ms). */
static int follow_child(struct faultrec *fr, pid_t pid, struct maps_seen *ms)
{
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	struct pollfd pfd[1 + fr->nev];
	bool done = false, forwarded = false;
	int err = 0;

	if (pidfd < 0 && errno != ENOSYS)
		return -errno;
	pfd[0] = (struct pollfd){.fd = pidfd, .events = POLLIN};
	for (int i = 0; i < fr->nev; i++)
		pfd[1 + i] = (struct pollfd){.fd = fr->ev[i].fd, .events = POLLIN};
	while (!done && !err) {
		if (ms)
			snapshot_maps(ms, fr, pid);
		if (poll(pfd, 1 + (nfds_t)fr->nev, ms ? 5 : 50) < 0 && errno != EINTR) {
			err = -errno;
			break;
		}
		forward_interrupt(pid, &forwarded);
		done = child_exited(pidfd, pfd[0].revents, pid);
		err = faultrec_drain(fr);
	}
	if (pidfd >= 0)
		close(pidfd);
	return err;
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

/* mmap records by process, so a fault is looked up among its own process's
 * records (tens) rather than among every record of the run (thousands). */
struct mmap_index {
	const struct faultrec *fr;
	const struct maps_seen *seen; /* regions read from /proc/PID/maps, or NULL */
	size_t *by_pid;               /* indexes into fr->mmaps, by pid, then in time order */
};

static const struct faultrec *sort_fr; /* qsort has no context argument */

static int by_pid_then_time(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	uint32_t px = sort_fr->mmaps[x].pid, py = sort_fr->mmaps[y].pid;

	if (px != py)
		return px < py ? -1 : 1;
	return x < y ? -1 : x > y;
}

static int by_fork_pid(const void *a, const void *b)
{
	const struct faultrec_fork *x = a, *y = b;

	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

/* Expects fr->mmaps in time order. Sorts fr->forks by pid. 0 or -ENOMEM. */
static int index_mmaps(struct faultrec *fr, struct mmap_index *ix)
{
	ix->fr = fr;
	ix->by_pid = malloc((fr->nmmaps + 1) * sizeof(*ix->by_pid));
	if (!ix->by_pid)
		return -ENOMEM;
	for (size_t i = 0; i < fr->nmmaps; i++)
		ix->by_pid[i] = i;
	sort_fr = fr;
	qsort(ix->by_pid, fr->nmmaps, sizeof(*ix->by_pid), by_pid_then_time);
	if (fr->nforks) /* qsort's base must not be NULL, even for no elements */
		qsort(fr->forks, fr->nforks, sizeof(*fr->forks), by_fork_pid);
	return 0;
}

/* The newest record of process pid before the fault that covers its address. */
static long find_in_process(const struct mmap_index *ix, uint32_t pid,
                            const struct faultrec_sample *s)
{
	size_t lo = 0, hi = ix->fr->nmmaps;

	while (lo < hi) { /* first record of a pid > pid */
		size_t mid = lo + (hi - lo) / 2;
		if (ix->fr->mmaps[ix->by_pid[mid]].pid <= pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	while (lo-- > 0) {
		const struct faultrec_mmap *m = &ix->fr->mmaps[ix->by_pid[lo]];
		if (m->pid != pid)
			break;
		if (m->time_ns <= s->time_ns && s->addr >= m->start && s->addr - m->start < m->len)
			return (long)ix->by_pid[lo];
	}
	return -1;
}

static uint32_t parent_of(const struct faultrec *fr, uint32_t pid)
{
	struct faultrec_fork key = {pid, 0};
	const struct faultrec_fork *f =
	        fr->nforks ? bsearch(&key, fr->forks, fr->nforks, sizeof(key), by_fork_pid) : NULL;

	return f ? f->ppid : 0;
}

/* The mmap record that maps the fault's address: the process's own, or,
 * for a child that forked without exec, its parent's (up the fork chain). */
static long find_mmap(const struct mmap_index *ix, const struct faultrec_sample *s)
{
	uint32_t pid = s->pid;

	for (int depth = 0; pid && depth < 64; depth++) {
		long i = find_in_process(ix, pid, s);
		if (i >= 0)
			return i;
		pid = parent_of(ix->fr, pid);
	}
	return -1;
}

/* A page faulted: a file page (same for every process), or a virtual page
 * of one process's anonymous memory. */
struct page_key {
	int mapping;
	uint32_t pid; /* 0 for file pages */
	uint64_t page;
};

static int compare_keys(const void *a, const void *b)
{
	const struct page_key *x = a, *y = b;

	if (x->mapping != y->mapping)
		return x->mapping < y->mapping ? -1 : 1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
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

/* Whether the fault is just below the process's [stack] record, within
 * the stack's size limit: the stack grew down to it. */
static bool below_stack(const struct mmap_index *ix, const struct faultrec_sample *s)
{
	struct rlimit rl;
	uint64_t limit = 8 << 20;

	if (getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		limit = rl.rlim_cur;
	for (size_t i = 0; i < ix->fr->nmmaps; i++) {
		const struct faultrec_mmap *m = &ix->fr->mmaps[i];
		if (m->pid == s->pid && strcmp(m->path, "[stack]") == 0 && s->addr < m->start &&
		    m->start - s->addr <= limit)
			return true;
	}
	return false;
}

/* A sample no mmap record covers: the region /proc/PID/maps showed at its
 * address (the process's own, or up its fork chain). Sets o's mapping and
 * offset; false if no snapshot covers it either. */
static bool attribute_to_seen(const struct mmap_index *ix, const struct faultrec_sample *s,
                              struct faults_sample *o, struct faults_report *rep)
{
	const struct seen_region *g = NULL;
	uint32_t pid = s->pid;
	int mapping;

	for (int depth = 0; ix->seen && pid && !g && depth < 64; depth++) {
		g = find_seen(ix->seen, pid, s->addr, s->time_ns);
		pid = parent_of(ix->fr, pid);
	}
	if (g) {
		if ((mapping = find_or_add_mapping(rep, g->path)) < 0)
			return false;
		o->mapping = mapping;
		o->offset = g->offset + (s->addr - g->start);
		return true;
	}
	/* Neither saw it: a stack grown down past its record, or memory that
	 * mremap moved between two snapshots (mremap makes no record). */
	mapping = find_or_add_mapping(rep, below_stack(ix, s) ? "[stack]" : UNRECORDED_ANON);
	if (mapping < 0)
		return false;
	o->mapping = mapping;
	o->offset = 0;
	return true;
}

/* Attributes one sample to its mapping (group[] maps mmap records to
 * entries of rep->maps) and returns its page key, or mapping -1. */
static struct page_key attribute_sample(const struct mmap_index *ix, const int *group,
                                        const struct faultrec_sample *s, struct faults_sample *o,
                                        struct faults_report *rep)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	long mi = find_mmap(ix, s);
	const struct faultrec_mmap *m;
	struct faults_mapping *g;

	if (mi >= 0) {
		m = &ix->fr->mmaps[mi];
		o->mapping = group[mi];
		o->offset = m->pgoff + (s->addr - m->start);
	} else if (!attribute_to_seen(ix, s, o, rep)) {
		return (struct page_key){-1, 0, 0};
	}
	g = &rep->maps[o->mapping];
	if (s->major)
		g->major++;
	else
		g->minor++;
	if (g->file && o->offset > g->max_offset)
		g->max_offset = o->offset;
	if (g->file)
		return (struct page_key){o->mapping, 0, o->offset / page};
	return (struct page_key){o->mapping, s->pid, s->addr / page};
}

/* Turns the raw records into per-mapping counts and attributed samples. */
static int attribute(struct faultrec *fr, const struct maps_seen *seen, uint64_t start_ns,
                     struct faults_report *rep)
{
	int *group = calloc(fr->nmmaps + 1, sizeof(*group));
	struct page_key *keys = calloc(fr->nsamples + 1, sizeof(*keys));
	struct mmap_index ix = {fr, seen, NULL};
	size_t nkeys = 0;
	int err = -ENOMEM;

	rep->samples = calloc(fr->nsamples + 1, sizeof(*rep->samples));
	if (!group || !keys || !rep->samples)
		goto out;
	/* Each CPU has its own rings: put the records back in time order. */
	if (fr->nmmaps)
		qsort(fr->mmaps, fr->nmmaps, sizeof(*fr->mmaps), by_mmap_time);
	if (fr->nsamples)
		qsort(fr->samples, fr->nsamples, sizeof(*fr->samples), by_sample_time);
	if (index_mmaps(fr, &ix) != 0)
		goto out;
	for (size_t i = 0; i < fr->nmmaps; i++)
		if ((group[i] = find_or_add_mapping(rep, fr->mmaps[i].path)) < 0)
			goto out;
	for (size_t i = 0; i < fr->nsamples; i++) {
		const struct faultrec_sample *s = &fr->samples[i];
		struct faults_sample *o = &rep->samples[rep->nsamples++];
		struct page_key k;

		*o = (struct faults_sample){.t_ns = s->time_ns > start_ns ? s->time_ns - start_ns
		                                                          : 0,
		                            .addr = s->addr,
		                            .ip = s->ip,
		                            .pid = s->pid,
		                            .major = s->major,
		                            .mapping = -1};
		k = attribute_sample(&ix, group, s, o, rep);
		if (k.mapping >= 0)
			keys[nkeys++] = k;
	}
	count_distinct_pages(rep, keys, nkeys);
	err = 0;
out:
	free(ix.by_pid);
	free(keys);
	free(group);
	return err;
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
		const char *why;
		int64_t after = cached_pages(req->cold[i], &why);
		int g;

		if (!realpath(req->cold[i], real) || (g = find_or_add_mapping(rep, real)) < 0)
			continue;
		if (before[i] < 0 || after < 0) {
			rep->maps[g].cache_unavailable = why;
			continue;
		}
		rep->maps[g].cache_measured = true;
		rep->maps[g].cache_before = (uint64_t)before[i];
		rep->maps[g].cache_after = (uint64_t)after;
	}
}

/* Every program that execs takes user-mode faults (its first instruction
 * fetch), so none at all means the kernel took the events away: it does
 * that when an unprivileged user's command gains privileges at exec. */
static void explain_nothing_sampled(struct faults_report *rep)
{
	size_t len = strlen(rep->why);

	if (!rep->user_only || rep->sampled_minor + rep->sampled_major)
		return;
	snprintf(rep->why + len, sizeof(rep->why) - len,
	         "; no fault was sampled: the kernel detaches perf events at the exec of a "
	         "set-user-ID or file-capability program");
}

/* Runs the released child to its end with perf attached (fr non-NULL) or
 * not; start is when it was released to exec. */
/* After the wait: the counts, then each sample attributed. */
static int collect(struct faultrec *fr, const struct maps_seen *seen, uint64_t start,
                   struct faults_report *rep)
{
	int err = faultrec_drain(fr);

	if (err)
		return err;
	/* User-mode counts are not totals: the totals stay the rusage ones. */
	if (faultrec_count(fr, FAULTREC_MINOR,
	                   rep->user_only ? &rep->sampled_minor : &rep->minor) ||
	    faultrec_count(fr, FAULTREC_MAJOR, rep->user_only ? &rep->sampled_major : &rep->major))
		return -EIO;
	rep->lost = fr->lost;
	rep->throttled = fr->throttled;
	explain_nothing_sampled(rep);
	return attribute(fr, seen, start, rep);
}

static int run_to_end(struct runner *r, struct faultrec *fr, uint64_t start,
                      struct faults_report *rep)
{
	struct faultrec none = {0}; /* without perf, only the wait (and SIGTERM) */
	struct maps_seen seen = {0};
	struct rusage ru;
	int err = follow_child(fr ? fr : &none, r->pid, fr ? &seen : NULL);

	if (!err)
		err = runner_wait(r, &rep->wait_status, &ru);
	if (!err) {
		rep->wall_ns = clock_ns() - start;
		rep->kernel_minor = (uint64_t)ru.ru_minflt;
		rep->kernel_major = (uint64_t)ru.ru_majflt;
		rep->minor = rep->kernel_minor;
		rep->major = rep->kernel_major;
		if (fr)
			err = collect(fr, &seen, start, rep);
	}
	free_seen(&seen);
	return err;
}

/* Starts the command, attaches perf events (or notes why not), lets it exec
 * and follows it to its end. 0, or -1 with err. */
static int run_command(const struct faults_request *req, struct faults_report *rep, char *err,
                       size_t errlen)
{
	void (*old_int)(int), (*old_quit)(int);
	char **argv = req->argv;
	struct faultrec fr;
	struct runner r;
	uint64_t start;
	int e, perf;

	if ((e = runner_start(&r, argv)) != 0) {
		snprintf(err, errlen, "%s: cannot start: %s", argv[0], strerror(-e));
		return -1;
	}
	/* Ctrl-C goes to the command; we stay to report how it ended. */
	old_int = signal(SIGINT, SIG_IGN);
	old_quit = signal(SIGQUIT, SIG_IGN);
	perf = open_recorder(&fr, r.pid, req->sampling, rep);
	start = clock_ns();
	if ((e = runner_release(&r)) != 0) {
		snprintf(err, errlen, "%s: cannot run: %s", argv[0], strerror(-e));
	} else if ((e = run_to_end(&r, perf ? NULL : &fr, start, rep)) != 0) {
		snprintf(err, errlen, "%s: %s", argv[0], strerror(-e));
		runner_abort(&r);
	}
	if (!perf)
		faultrec_close(&fr);
	signal(SIGINT, old_int);
	signal(SIGQUIT, old_quit);
	return e ? -1 : 0;
}

int faults_run(const struct faults_request *req, struct faults_report *rep, char *err,
               size_t errlen)
{
	int64_t *before = calloc(req->ncold + 1, sizeof(*before));
	int rc = -1;

	memset(rep, 0, sizeof(*rep));
	if (!before) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (evict_cold_files(req, err, errlen) == 0) {
		const char *why; /* measure_cold_files finds it again */

		for (size_t i = 0; i < req->ncold; i++)
			before[i] = cached_pages(req->cold[i], &why);
		rc = run_command(req, rep, err, errlen);
	}
	if (rc == 0)
		measure_cold_files(req, before, rep);
	else
		faults_free(rep); /* whatever a failed attribution had built */
	free(before);
	return rc;
}

void faults_free(struct faults_report *rep)
{
	for (size_t i = 0; i < rep->nmaps; i++)
		free(rep->maps[i].path);
	free(rep->maps);
	free(rep->samples);
	memset(rep, 0, sizeof(*rep));
}
