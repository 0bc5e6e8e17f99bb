#include "probe/maps_all.h"

#include "core/grow.h"
#include "kernel/procstat.h"
#include "probe/maps.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

static size_t hash_file(uint64_t inode, unsigned major, unsigned minor)
{
	uint64_t h = inode * 0x9e3779b97f4a7c15ULL ^ ((uint64_t)major << 20 | minor);

	return (size_t)(h ^ (h >> 29));
}

/* The slot of a file in a table of cap slots (a power of two): its own or
 * the free one where it belongs. */
static struct maps_all_file *slot_of(struct maps_all_file *table, size_t cap,
                                     const struct procmaps_region *reg)
{
	size_t i = hash_file(reg->inode, reg->dev_major, reg->dev_minor) & (cap - 1);

	for (;; i = (i + 1) & (cap - 1)) {
		struct maps_all_file *f = &table[i];
		if (f->inode == 0 || (f->inode == reg->inode && f->dev_major == reg->dev_major &&
		                      f->dev_minor == reg->dev_minor))
			return f;
	}
}

/* Doubles the table, keeping it at most half full. */
static int grow_files(struct maps_all_report *r)
{
	size_t cap = r->files_cap ? r->files_cap * 2 : 256;
	struct maps_all_file *table = calloc(cap, sizeof(*table));

	if (!table)
		return -ENOMEM;
	for (size_t i = 0; i < r->files_cap; i++) {
		struct maps_all_file *old = &r->files[i];
		struct procmaps_region reg = {.inode = old->inode,
		                              .dev_major = old->dev_major,
		                              .dev_minor = old->dev_minor};
		if (old->inode)
			*slot_of(table, cap, &reg) = *old;
	}
	free(r->files);
	r->files = table;
	r->files_cap = cap;
	return 0;
}

static int add_file_mapping(struct maps_all_report *r, pid_t pid,
                            const struct procmaps_region *reg, const struct smaps_counters *c)
{
	struct maps_all_file *f;

	if ((r->nfiles + 1) * 2 > r->files_cap && grow_files(r) != 0)
		return -ENOMEM;
	f = slot_of(r->files, r->files_cap, reg);
	if (f->inode == 0) {
		f->path = strdup(reg->path);
		if (!f->path)
			return -ENOMEM;
		f->inode = reg->inode;
		f->dev_major = reg->dev_major;
		f->dev_minor = reg->dev_minor;
		f->deleted = reg->deleted;
		r->nfiles++;
	}
	if (f->last_pid != pid)
		f->processes++;
	f->last_pid = pid;
	f->mappings++;
	f->rss += c->rss;
	f->pss += c->pss;
	f->swap += c->swap;
	return 0;
}

/* One file mapping of the process being scanned, kept until the scan of
 * that process is known to be whole. */
struct staged {
	struct procmaps_region reg; /* reg.path: a copy */
	struct smaps_counters c;
};

/* One process being scanned for its files. */
struct file_scan {
	struct staged *items;
	size_t count, cap;
};

static int stage_if_file(void *ctx, const struct procmaps_region *reg,
                         const struct smaps_counters *c)
{
	struct file_scan *f = ctx;
	struct staged *s;

	if (!procmaps_is_file(reg))
		return 0;
	if (grow_for_one(&f->items, &f->cap, f->count, sizeof(*f->items), 64) != 0)
		return -ENOMEM;
	s = &f->items[f->count];
	s->reg = *reg;
	s->c = *c;
	s->reg.path = strdup(reg->path);
	if (!s->reg.path)
		return -ENOMEM;
	f->count++;
	return 0;
}

static void unstage(struct file_scan *f)
{
	for (size_t i = 0; i < f->count; i++)
		free((char *)f->items[i].reg.path);
	free(f->items);
}

/* Adds the file mappings of one process from its smaps. smaps ends early,
 * without an error, once an exiting process has let go of its memory: the
 * mappings count only if the memory is still there after the read
 * (-ESRCH otherwise), so a process killed mid-scan adds nothing. */
static int scan_files(struct maps_all_report *r, pid_t pid, int procdir)
{
	struct file_scan f = {0};
	uint64_t vm_pages;
	int rc = smaps_each(procdir, stage_if_file, &f);

	if (rc == 0 && (procstat_vm_pages(procdir, &vm_pages) != 0 || vm_pages == 0))
		rc = -ESRCH;
	for (size_t i = 0; rc == 0 && i < f.count; i++)
		rc = add_file_mapping(r, pid, &f.items[i].reg, &f.items[i].c);
	unstage(&f);
	return rc;
}

static struct maps_all_process *add_process(struct maps_all_report *r)
{
	if (grow_for_one(&r->procs, &r->cap, r->count, sizeof(*r->procs), 128) != 0)
		return NULL;
	return &r->procs[r->count++];
}

#define PF_KTHREAD 0x00200000 /* include/linux/sched.h */

/* Whether pid is a kernel thread: the flags of /proc/PID/stat, which every
 * user may read (smaps_rollup of a kernel thread is empty for root and
 * ESRCH for anyone else, so it cannot tell). */
static bool is_kernel_thread(int procdir)
{
	char buf[1024];
	unsigned long flags = 0;
	int fd = openat(procdir, "stat", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	char *after;

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	after = strrchr(buf, ')'); /* comm may hold spaces and parentheses */
	/* state ppid pgrp session tty_nr tpgid flags */
	if (!after || sscanf(after + 1, " %*c %*d %*d %*d %*d %*d %lu", &flags) != 1)
		return false;
	return flags & PF_KTHREAD;
}

/* One process: its rollup, then its files. A process that cannot be read
 * goes to errors; -ENOMEM stops the scan. */
static int scan_process(void *ctx, pid_t pid, int procdir)
{
	struct maps_all_report *r = ctx;
	struct smaps_counters mem;
	struct maps_all_process *p;
	struct stat st;
	int rc;

	if (is_kernel_thread(procdir)) {
		r->kernel_threads++;
		r->no_memory++;
		return 0;
	}
	rc = smaps_read_rollup(procdir, &mem);
	/* An empty rollup of a process that is still there (a zombie): no
	 * address space. Another user's process is there too when kill says
	 * EPERM. */
	if (rc == -ESRCH && (kill(pid, 0) == 0 || errno == EPERM)) {
		r->no_memory++;
		return 0;
	}
	if (rc == 0)
		rc = scan_files(r, pid, procdir);
	if (rc == -ENOMEM)
		return rc;
	if (rc) {
		proc_errors_add(&r->errors, pid, "smaps", rc);
		return 0;
	}
	p = add_process(r);
	if (!p)
		return -ENOMEM;
	p->pid = pid;
	p->uid = fstat(procdir, &st) == 0 ? st.st_uid : (uid_t)-1;
	p->mem = mem;
	maps_read_comm(procdir, p->comm, sizeof(p->comm));
	smaps_add(&r->totals, &mem);
	return 0;
}

int maps_all_run(struct maps_all_report *r)
{
	memset(r, 0, sizeof(*r));
	return procwalk_each(&r->errors, scan_process, r);
}

static int by_pss_desc(const void *a, const void *b)
{
	const struct maps_all_file *x = *(const struct maps_all_file *const *)a;
	const struct maps_all_file *y = *(const struct maps_all_file *const *)b;

	return x->pss < y->pss ? 1 : x->pss > y->pss ? -1 : strcmp(x->path, y->path);
}

const struct maps_all_file **maps_all_sorted_files(const struct maps_all_report *r)
{
	const struct maps_all_file **list = malloc((r->nfiles + 1) * sizeof(*list));
	size_t n = 0;

	if (!list)
		return NULL;
	for (size_t i = 0; i < r->files_cap; i++)
		if (r->files[i].inode)
			list[n++] = &r->files[i];
	qsort(list, n, sizeof(*list), by_pss_desc);
	return list;
}

static int users_by_pss_desc(const void *a, const void *b)
{
	const struct maps_all_user *x = a, *y = b;

	if (x->mem.pss != y->mem.pss)
		return x->mem.pss < y->mem.pss ? 1 : -1;
	return x->uid < y->uid ? -1 : x->uid > y->uid;
}

long maps_all_users(const struct maps_all_report *r, struct maps_all_user **users)
{
	struct maps_all_user *list = calloc(r->count + 1, sizeof(*list));
	size_t n = 0;

	*users = list;
	if (!list)
		return -ENOMEM;
	for (size_t i = 0; i < r->count; i++) {
		const struct maps_all_process *p = &r->procs[i];
		size_t u = 0;

		while (u < n && list[u].uid != p->uid)
			u++;
		if (u == n)
			list[n++].uid = p->uid;
		list[u].processes++;
		smaps_add(&list[u].mem, &p->mem);
	}
	qsort(list, n, sizeof(*list), users_by_pss_desc);
	return (long)n;
}

bool maps_all_sort_known(const char *key)
{
	static const struct smaps_counters zero;

	return strcasecmp(key, "PID") == 0 || strcasecmp(key, "USER") == 0 ||
	       strcasecmp(key, "COMM") == 0 ||
	       (strcasecmp(key, "SIZE") != 0 && maps_counter_key(&zero, key) >= 0);
}

static int compare_processes(const void *pa, const void *pb, void *ctx)
{
	const struct maps_all_process *a = pa, *b = pb;
	const char *key = ctx;
	int64_t x, y;
	int c = 0;

	if (strcasecmp(key, "USER") == 0)
		c = a->uid < b->uid ? -1 : a->uid > b->uid;
	else if (strcasecmp(key, "COMM") == 0)
		c = strcmp(a->comm, b->comm);
	else if (strcasecmp(key, "PID") != 0 &&
	         (x = maps_counter_key(&a->mem, key)) != (y = maps_counter_key(&b->mem, key)))
		c = x > y ? -1 : 1;
	return c ? c : a->pid < b->pid ? -1 : a->pid > b->pid;
}

int maps_all_sort(struct maps_all_report *r, const char *key)
{
	if (!maps_all_sort_known(key))
		return -EINVAL;
	qsort_r(r->procs, r->count, sizeof(*r->procs), compare_processes, (void *)key);
	return 0;
}

void maps_all_free(struct maps_all_report *r)
{
	for (size_t i = 0; i < r->files_cap; i++)
		free(r->files[i].path);
	free(r->files);
	free(r->procs);
	proc_errors_free(&r->errors);
	memset(r, 0, sizeof(*r));
}
