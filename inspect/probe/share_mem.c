#include "probe/share_mem.h"
#include "kernel/kpage.h"
#include "kernel/pagemap.h"
#include "kernel/smaps.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

int share_mem_add_file(struct share_mem_files *set, const char *path)
{
	struct share_mem_file *grown;
	char real[PATH_MAX];
	struct stat st;

	if (stat(path, &st) != 0 || !realpath(path, real))
		return -errno;
	for (size_t i = 0; i < set->n; i++)
		if (set->files[i].dev == st.st_dev && set->files[i].ino == st.st_ino)
			return 0;
	grown = realloc(set->files, (set->n + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	set->files = grown;
	grown[set->n].dev = st.st_dev;
	grown[set->n].ino = st.st_ino;
	grown[set->n].path = strdup(real);
	if (!grown[set->n].path)
		return -ENOMEM;
	set->n++;
	return 0;
}

int share_mem_add_prefix(struct share_mem_files *set, const char *prefix)
{
	char **grown = realloc(set->prefixes, (set->nprefixes + 1) * sizeof(*grown));

	if (!grown)
		return -ENOMEM;
	set->prefixes = grown;
	grown[set->nprefixes] = strdup(prefix);
	if (!grown[set->nprefixes])
		return -ENOMEM;
	set->nprefixes++;
	return 0;
}

void share_mem_free(struct share_mem_files *set)
{
	for (size_t i = 0; i < set->n; i++)
		free(set->files[i].path);
	for (size_t i = 0; i < set->nprefixes; i++)
		free(set->prefixes[i]);
	free(set->files);
	free(set->prefixes);
	memset(set, 0, sizeof(*set));
}

/* Overlay and bind mounts can show a file under another device than stat
 * gives, so the resolved path is a second way to recognise it. */
static bool region_matches(const struct share_mem_files *set, const struct procmaps_region *r)
{
	for (size_t i = 0; i < set->n; i++) {
		const struct share_mem_file *f = &set->files[i];
		if (r->inode == f->ino && r->dev_major == major(f->dev) &&
		    r->dev_minor == minor(f->dev))
			return true;
		if (r->inode != 0 && strcmp(r->path, f->path) == 0)
			return true;
	}
	for (size_t i = 0; i < set->nprefixes; i++)
		if (strncmp(r->path, set->prefixes[i], strlen(set->prefixes[i])) == 0)
			return true;
	return false;
}

/* One process being measured. */
struct measure {
	const struct share_mem_files *set;
	struct share_mem *out;
	struct pagemap pm;
	struct kpage k;
};

static void no_mapcount(struct share_mem *m, const char *why)
{
	m->have_mapcount = 0;
	snprintf(m->mapcount_why, sizeof(m->mapcount_why), "%s", why);
}

/* A run of pages from pagemap: each resident page's PFN looked up in
 * kpagecount, for how many mappings that page has. */
static void count_pages(void *ctx, uint64_t vaddr, uint64_t npages, uint64_t entry)
{
	struct measure *m = ctx;
	uint64_t pfn = entry & PAGEMAP_PFN_MASK, count, flags;

	(void)vaddr;
	if (!(entry & PAGEMAP_PRESENT) || !m->out->have_mapcount)
		return;
	if (pfn == 0) {
		no_mapcount(m->out, "page frame numbers need CAP_SYS_ADMIN");
		return;
	}
	if (kpage_read(&m->k, pfn, &count, &flags) != 0)
		return;
	if (count > 1)
		m->out->shared_pages += npages;
	else
		m->out->sole_pages += npages;
}

static void add_counters(struct share_mem *m, const struct procmaps_region *r,
                         const struct smaps_counters *c)
{
	m->mappings++;
	m->rss += c->rss;
	m->pss += c->pss;
	m->shared_clean += c->shared_clean;
	m->shared_dirty += c->shared_dirty;
	m->private_clean += c->private_clean;
	m->private_dirty += c->private_dirty;
	if (strchr(r->perms, 'x')) {
		m->text_rss += c->rss;
		m->text_pss += c->pss;
	}
}

static int add_mapping(void *ctx, const struct procmaps_region *r, const struct smaps_counters *c)
{
	struct measure *m = ctx;
	struct pagemap_counts pages = {0};

	if (!region_matches(m->set, r))
		return 0;
	add_counters(m->out, r, c);
	if (m->out->have_mapcount &&
	    pagemap_scan(&m->pm, r->start, r->end, &pages, count_pages, m) != 0)
		no_mapcount(m->out, "pagemap unreadable");
	return 0;
}

/* Page counts need both the process's pagemap and kpagecount. */
static void open_counter(pid_t pid, int procdir, struct measure *m)
{
	int rc;

	m->pm.fd = -1;
	if (kpage_open(&m->k) != 0) {
		no_mapcount(m->out, m->k.unavailable);
		return;
	}
	rc = pagemap_open(&m->pm, procdir);
	if (rc != 0) {
		m->pm.fd = -1;
		snprintf(m->out->mapcount_why, sizeof(m->out->mapcount_why),
		         "/proc/%d/pagemap: %s", (int)pid, strerror(-rc));
		return;
	}
	m->out->have_mapcount = 1;
}

int share_mem_measure(pid_t pid, const struct share_mem_files *set, struct share_mem *out)
{
	struct measure m = {.set = set, .out = out};
	char path[64];
	int procdir, rc;

	memset(out, 0, sizeof(*out));
	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	procdir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (procdir < 0)
		return -errno;
	open_counter(pid, procdir, &m);
	rc = smaps_each(procdir, add_mapping, &m);
	if (m.pm.fd >= 0)
		pagemap_close(&m.pm);
	kpage_close(&m.k);
	close(procdir);
	return rc;
}
