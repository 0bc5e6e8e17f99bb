#include "probe/maps.h"
#include "core/grow.h"
#include "kernel/procwalk.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* [vsyscall], the kernel's gate page, lies in the kernel half: beyond
 * pagemap, never resident in the process, and not a JSON integer. */
#define KERNEL_HALF (1ULL << 63)

/* What one page walk needs besides the page itself. */
struct page_walk {
	struct maps_report *report;
	struct maps_mapping *mapping;
	struct kpage *kpage;
	unsigned flags;
	long page_size;
};

const char *maps_page_state(uint64_t entry, char *buf)
{
	char *p = buf;

	if (entry & PAGEMAP_PRESENT)
		*p++ = 'p';
	if (entry & PAGEMAP_SWAPPED)
		*p++ = 's';
	if (entry & PAGEMAP_EXCLUSIVE)
		*p++ = 'x';
	if (entry & PAGEMAP_FILE_SHARED)
		*p++ = 'f';
	if (entry & PAGEMAP_SOFT_DIRTY)
		*p++ = 'd';
	if (p == buf)
		*p++ = '-';
	*p = '\0';
	return buf;
}

void maps_read_comm(int procdir, char *buf, size_t len)
{
	int fd = openat(procdir, "comm", O_RDONLY | O_CLOEXEC);
	ssize_t got = fd < 0 ? -1 : read(fd, buf, len - 1);

	if (fd >= 0)
		close(fd);
	if (got < 0)
		got = 0;
	buf[got] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

/* Adds npages pages to the mapping's runs, extending the last run if it matches. */
static int add_run(struct maps_mapping *m, uint64_t index, uint64_t npages, const char *state,
                   uint64_t mapcount)
{
	struct maps_run *last = m->nruns ? &m->runs[m->nruns - 1] : NULL;

	if (last && last->first + last->count == index && last->mapcount == mapcount &&
	    strcmp(last->state, state) == 0) {
		last->count += npages;
		return 0;
	}
	if (grow_for_one(&m->runs, &m->runs_cap, m->nruns, sizeof(*m->runs), 16) != 0)
		return -ENOMEM;
	last = &m->runs[m->nruns++];
	*last = (struct maps_run){.first = index, .count = npages, .mapcount = mapcount};
	strcpy(last->state, state);
	return 0;
}

/* Map count and flags of a present page; MAPSCAN_NO_MAPCOUNT if unknown. */
static uint64_t count_physical(struct page_walk *w, uint64_t entry)
{
	struct maps_mapping *m = w->mapping;
	uint64_t pfn = entry & PAGEMAP_PFN_MASK, count, flags;

	if (w->report->kpage_unavailable || !(entry & PAGEMAP_PRESENT))
		return MAPSCAN_NO_MAPCOUNT;
	if (pfn == 0) {
		w->report->kpage_unavailable = "needs CAP_SYS_ADMIN (PFNs are hidden)";
		return MAPSCAN_NO_MAPCOUNT;
	}
	if (kpage_read(w->kpage, pfn, &count, &flags) != 0)
		return MAPSCAN_NO_MAPCOUNT;
	m->mapcount[count < MAPSCAN_MAPCOUNT_MAX ? count : MAPSCAN_MAPCOUNT_MAX - 1]++;
	/* The zero page and device pages have no map count: no PSS share. */
	if (count)
		m->pss_from_mapcount += ((uint64_t)w->page_size << MAPSCAN_PSS_SHIFT) / count;
	for (int i = 0; kpage_flags[i].name; i++)
		m->flags[i] += (flags >> kpage_flags[i].bit) & 1;
	return count;
}

static void visit_page(void *ctx, uint64_t vaddr, uint64_t npages, uint64_t entry)
{
	struct page_walk *w = ctx;
	uint64_t mapcount = count_physical(w, entry);
	char state[6];

	if (w->flags & MAPSCAN_PAGES) {
		uint64_t index = (vaddr - w->mapping->region.start) / (uint64_t)w->page_size;
		add_run(w->mapping, index, npages, maps_page_state(entry, state), mapcount);
	}
}

/* Appends a mapping, owning a copy of its path. NULL if out of memory. */
static struct maps_mapping *add_mapping(struct maps_report *r,
                                        const struct procmaps_region *region,
                                        const struct smaps_counters *c)
{
	struct maps_mapping *m;

	if (grow_for_one(&r->mappings, &r->cap, r->count, sizeof(*m), 64) != 0)
		return NULL;
	m = &r->mappings[r->count];
	memset(m, 0, sizeof(*m));
	m->region = *region;
	m->region.path = strdup(region->path);
	if (!m->region.path)
		return NULL;
	m->smaps = *c;
	r->count++;
	return m;
}

static int scan_pages(struct maps_report *r, struct pagemap *pm, struct page_walk *w)
{
	struct maps_mapping *m = w->mapping;
	int rc;

	if (r->pagemap_unavailable)
		return 0;
	rc = pagemap_scan(pm, m->region.start, m->region.end, &m->pages, visit_page, w);
	if (rc)
		return rc;
	pagemap_add(&r->total_pages, &m->pages);
	r->pss_from_mapcount += m->pss_from_mapcount;
	return 0;
}

static void open_pagemap(struct maps_report *r, int procdir, struct pagemap *pm)
{
	int rc = pagemap_open(pm, procdir);

	if (rc == 0)
		return;
	snprintf(r->pagemap_why, sizeof(r->pagemap_why), "/proc/%d/pagemap: %s", (int)r->pid,
	         strerror(-rc));
	r->pagemap_unavailable = r->pagemap_why;
}

/* Walks smaps, and pagemap for each mapping it names. */
static int scan_mappings(struct maps_report *r, int procdir, struct kpage *k, unsigned flags)
{
	struct page_walk w = {r, NULL, k, flags, sysconf(_SC_PAGESIZE)};
	struct procmaps_region region;
	struct smaps_counters c;
	struct pagemap pm = {.fd = -1};
	struct smaps s;
	int rc = smaps_open(&s, procdir, "smaps");

	if (rc)
		return rc;
	open_pagemap(r, procdir, &pm);
	while ((rc = smaps_next(&s, &region, &c)) == 1) {
		if (region.start >= KERNEL_HALF)
			continue;
		w.mapping = add_mapping(r, &region, &c);
		if (!w.mapping) {
			rc = -ENOMEM;
			break;
		}
		smaps_add(&r->totals, &c);
		rc = scan_pages(r, &pm, &w);
		if (rc)
			break;
	}
	pagemap_close(&pm);
	smaps_close(&s);
	/* An empty smaps: the process exited, or has no address space. */
	if (rc == 0 && r->count == 0)
		rc = kill(r->pid, 0) != 0 && errno == ESRCH ? -ESRCH : -ENXIO;
	return rc;
}

static void read_rollup(struct maps_report *r, int procdir)
{
	struct smaps_counters c;

	if (smaps_read_rollup(procdir, &c) == 0)
		r->pss_rollup = c.pss;
	else
		r->rollup_unavailable = "smaps_rollup could not be read";
}

int maps_process(pid_t pid, unsigned flags, struct maps_report *r)
{
	struct kpage k;
	int procdir, rc;

	memset(r, 0, sizeof(*r));
	r->pid = pid;
	procdir = procwalk_open_pid(pid);
	if (procdir < 0)
		return procdir;
	maps_read_comm(procdir, r->comm, sizeof(r->comm));
	kpage_open(&k);
	r->kpage_unavailable = k.unavailable;
	rc = scan_mappings(r, procdir, &k, flags);
	if (rc == 0)
		read_rollup(r, procdir);
	kpage_close(&k);
	close(procdir);
	return rc;
}

void maps_free(struct maps_report *r)
{
	for (size_t i = 0; i < r->count; i++) {
		free((char *)r->mappings[i].region.path);
		free(r->mappings[i].runs);
	}
	free(r->mappings);
	r->mappings = NULL;
	r->count = r->cap = 0;
}

long maps_find_comm(const char *name, pid_t **pids)
{
	struct procwalk w;
	size_t n = 0, cap = 0;
	pid_t pid, *list = NULL, *bigger;
	char comm[64];
	int err = procwalk_open(&w);

	*pids = NULL;
	if (err)
		return err;
	while ((pid = procwalk_next(&w)) > 0) {
		int procdir = pid == getpid() ? -1 : procwalk_open_pid(pid);

		if (procdir < 0)
			continue;
		maps_read_comm(procdir, comm, sizeof(comm));
		close(procdir);
		if (strcmp(comm, name) != 0)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			if (!(bigger = realloc(list, cap * sizeof(*list)))) {
				free(list);
				procwalk_close(&w);
				return -ENOMEM;
			}
			list = bigger;
		}
		list[n++] = pid;
	}
	procwalk_close(&w);
	*pids = list;
	return (long)n;
}

int64_t maps_counter_key(const struct smaps_counters *c, const char *key)
{
	if (strcasecmp(key, "SIZE") == 0)
		return (int64_t)c->size;
	if (strcasecmp(key, "RSS") == 0)
		return (int64_t)c->rss;
	if (strcasecmp(key, "PSS") == 0)
		return (int64_t)c->pss;
	if (strcasecmp(key, "USS") == 0)
		return (int64_t)(c->private_clean + c->private_dirty);
	if (strcasecmp(key, "DIRTY") == 0)
		return (int64_t)(c->shared_dirty + c->private_dirty);
	if (strcasecmp(key, "ANON") == 0)
		return (int64_t)c->anonymous;
	if (strcasecmp(key, "SWAP") == 0)
		return (int64_t)c->swap;
	return -1;
}

static int compare_mappings(const void *pa, const void *pb, void *ctx)
{
	const struct maps_mapping *a = pa, *b = pb;
	const char *sort_key = ctx;
	int64_t x, y;

	if (strcasecmp(sort_key, "MAPPING") == 0) {
		int c = strcmp(a->region.path, b->region.path);
		if (c)
			return c;
	} else if (strcasecmp(sort_key, "ADDRESS") != 0) {
		struct smaps_counters ca = a->smaps, cb = b->smaps;

		ca.size = a->region.end - a->region.start;
		cb.size = b->region.end - b->region.start;
		x = maps_counter_key(&ca, sort_key);
		y = maps_counter_key(&cb, sort_key);
		if (x != y)
			return x > y ? -1 : 1;
	}
	return a->region.start < b->region.start ? -1 : a->region.start > b->region.start;
}

bool maps_sort_known(const char *key)
{
	static const struct smaps_counters zero;

	return strcasecmp(key, "ADDRESS") == 0 || strcasecmp(key, "MAPPING") == 0 ||
	       maps_counter_key(&zero, key) >= 0;
}

int maps_sort(struct maps_report *r, const char *key)
{
	if (!maps_sort_known(key))
		return -EINVAL;
	qsort_r(r->mappings, r->count, sizeof(*r->mappings), compare_mappings, (void *)key);
	return 0;
}
