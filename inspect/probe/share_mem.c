#include "probe/share_mem.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define PM_PRESENT  (1ULL << 63)
#define PM_PFN_MASK ((1ULL << 55) - 1)

/* One mapping header line of smaps. */
struct region {
	unsigned long start, end;
	char perms[8];
	unsigned major, minor;
	unsigned long inode;
	const char *path;
};

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

static int parse_region(char *line, struct region *r)
{
	int end = 0;

	if (sscanf(line, "%lx-%lx %7s %*x %x:%x %lu %n", &r->start, &r->end, r->perms, &r->major,
	           &r->minor, &r->inode, &end) < 6 ||
	    end == 0)
		return -1;
	line[strcspn(line, "\n")] = '\0';
	r->path = line + end;
	return 0;
}

/* Overlay and bind mounts can show a file under another device than stat
 * gives, so the resolved path is a second way to recognise it. */
static int region_matches(const struct share_mem_files *set, const struct region *r)
{
	for (size_t i = 0; i < set->n; i++) {
		const struct share_mem_file *f = &set->files[i];
		if (r->inode == f->ino && r->major == major(f->dev) && r->minor == minor(f->dev))
			return 1;
		if (r->inode != 0 && strcmp(r->path, f->path) == 0)
			return 1;
	}
	for (size_t i = 0; i < set->nprefixes; i++)
		if (strncmp(r->path, set->prefixes[i], strlen(set->prefixes[i])) == 0)
			return 1;
	return 0;
}

/* Adds one "Name:  N kB" line of a matching region. */
static void add_field(const char *line, const struct region *r, struct share_mem *m)
{
	static const struct {
		const char *name;
		size_t off;
	} fields[] = {
	        {"Rss:", offsetof(struct share_mem, rss)},
	        {"Pss:", offsetof(struct share_mem, pss)},
	        {"Shared_Clean:", offsetof(struct share_mem, shared_clean)},
	        {"Shared_Dirty:", offsetof(struct share_mem, shared_dirty)},
	        {"Private_Clean:", offsetof(struct share_mem, private_clean)},
	        {"Private_Dirty:", offsetof(struct share_mem, private_dirty)},
	};
	unsigned long long kb;

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		size_t len = strlen(fields[i].name);
		if (strncmp(line, fields[i].name, len) != 0 ||
		    sscanf(line + len, "%llu", &kb) != 1)
			continue;
		*(uint64_t *)((char *)m + fields[i].off) += kb * 1024;
		if (!strchr(r->perms, 'x'))
			continue;
		if (fields[i].off == offsetof(struct share_mem, pss))
			m->text_pss += kb * 1024;
		if (fields[i].off == offsetof(struct share_mem, rss))
			m->text_rss += kb * 1024;
	}
}

static int no_mapcount(struct share_mem *m, const char *why)
{
	snprintf(m->mapcount_why, sizeof(m->mapcount_why), "%s", why);
	return -1;
}

/* Page counts of one region: pagemap gives each resident page's PFN and
 * kpagecount how many mappings that page has. 0, or -1 with the reason. */
static int count_region(int pagemap, int kpagecount, const struct region *r, struct share_mem *m)
{
	long page = sysconf(_SC_PAGESIZE);
	uint64_t entries[512];

	for (unsigned long va = r->start; va < r->end;) {
		size_t want = (r->end - va) / (unsigned long)page;
		if (want > 512)
			want = 512;
		ssize_t got =
		        pread(pagemap, entries, want * 8, (off_t)(va / (unsigned long)page) * 8);
		if (got <= 0)
			return no_mapcount(m, "pagemap unreadable");
		for (ssize_t i = 0; i < got / 8; i++) {
			uint64_t pfn = entries[i] & PM_PFN_MASK, count = 0;
			if (!(entries[i] & PM_PRESENT))
				continue;
			if (pfn == 0)
				return no_mapcount(m, "page frame numbers need CAP_SYS_ADMIN");
			if (pread(kpagecount, &count, 8, (off_t)(pfn * 8)) != 8)
				continue;
			if (count > 1)
				m->shared_pages++;
			else
				m->sole_pages++;
		}
		va += (unsigned long)(got / 8) * (unsigned long)page;
	}
	return 0;
}

struct page_counter {
	int pagemap, kpagecount;
};

static void open_counter(pid_t pid, struct page_counter *pc, struct share_mem *m)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)pid);
	pc->kpagecount = open("/proc/kpagecount", O_RDONLY | O_CLOEXEC);
	pc->pagemap = pc->kpagecount >= 0 ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	m->have_mapcount = pc->pagemap >= 0;
	if (pc->kpagecount < 0)
		snprintf(m->mapcount_why, sizeof(m->mapcount_why),
		         "/proc/kpagecount: %s (needs root)", strerror(errno));
	else if (pc->pagemap < 0)
		snprintf(m->mapcount_why, sizeof(m->mapcount_why), "%s: %s", path,
		         strerror(errno));
}

static void close_counter(struct page_counter *pc)
{
	if (pc->pagemap >= 0)
		close(pc->pagemap);
	if (pc->kpagecount >= 0)
		close(pc->kpagecount);
}

int share_mem_measure(pid_t pid, const struct share_mem_files *set, struct share_mem *out)
{
	char path[64], line[PATH_MAX + 256];
	struct page_counter pc;
	struct region r;
	int in = 0;
	FILE *f;

	memset(out, 0, sizeof(*out));
	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	open_counter(pid, &pc, out);
	while (fgets(line, sizeof(line), f)) {
		if (parse_region(line, &r) == 0) {
			in = region_matches(set, &r);
			out->mappings += in;
			if (in && out->have_mapcount &&
			    count_region(pc.pagemap, pc.kpagecount, &r, out) != 0)
				out->have_mapcount = 0;
		} else if (in) {
			add_field(line, &r, out);
		}
	}
	fclose(f);
	close_counter(&pc);
	return 0;
}
