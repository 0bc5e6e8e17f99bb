#include "probe/libs.h"

#include "core/grow.h"
#include "kernel/pagemap.h"
#include "kernel/procstat.h"
#include "kernel/smaps.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define MAX_PHDRS 256 /* more program headers than any real library has */
#define UNREACHABLE                                                                               \
	"the file is not reachable by its path (deleted, or in another mount namespace) and "     \
	"/proc/PID/map_files needs CAP_SYS_ADMIN"
#define FIRST_PAGE_OUT                                                                            \
	"the file's first page is not in the page cache; reading its headers would change that"
#define RELRO_NO_PAGEMAP                                                                          \
	"RELRO shares a mapping with other pages and /proc/PID/pagemap could not be read"

static uint64_t page_size(void)
{
	return (uint64_t)sysconf(_SC_PAGESIZE);
}

/* ---- The table of files, keyed by device and inode ---- */

static size_t hash_file(uint64_t inode, unsigned major, unsigned minor)
{
	uint64_t h = inode * 0x9e3779b97f4a7c15ULL ^ ((uint64_t)major << 20 | minor);

	return (size_t)(h ^ (h >> 29));
}

static bool same_file(const struct libs_lib *f, const struct procmaps_region *reg)
{
	return f->inode == reg->inode && f->dev_major == reg->dev_major &&
	       f->dev_minor == reg->dev_minor;
}

/* The slot holding reg's file, or the free slot where it belongs. */
static uint32_t *slot_of(const struct libs_report *r, const struct procmaps_region *reg)
{
	size_t mask = r->slots_cap - 1;
	size_t i = hash_file(reg->inode, reg->dev_major, reg->dev_minor) & mask;

	for (;; i = (i + 1) & mask) {
		uint32_t *s = &r->slots[i];
		if (*s == 0 || same_file(&r->files[*s - 1], reg))
			return s;
	}
}

/* Doubles the slots, keeping them at most half full. */
static int grow_slots(struct libs_report *r)
{
	size_t cap = r->slots_cap ? r->slots_cap * 2 : 256;
	uint32_t *old = r->slots;
	size_t old_cap = r->slots_cap;

	r->slots = calloc(cap, sizeof(*r->slots));
	if (!r->slots) {
		r->slots = old;
		return -ENOMEM;
	}
	r->slots_cap = cap;
	for (size_t i = 0; i < old_cap; i++) {
		if (old[i]) {
			const struct libs_lib *f = &r->files[old[i] - 1];
			struct procmaps_region reg = {.inode = f->inode,
			                              .dev_major = f->dev_major,
			                              .dev_minor = f->dev_minor};
			*slot_of(r, &reg) = old[i];
		}
	}
	free(old);
	return 0;
}

/* ---- What a file is: read once, when first seen ---- */

static bool stat_matches(const struct stat *st, const struct procmaps_region *reg)
{
	return S_ISREG(st->st_mode) && st->st_ino == reg->inode &&
	       st->st_dev == makedev(reg->dev_major, reg->dev_minor);
}

/* Opens the file behind reg: by its path, else through the process's
 * map_files link. Only a regular file that is the mapped one is opened. */
static int open_mapped(const struct procmaps_region *reg, int procdir)
{
	char link[64];
	struct stat st;
	int fd;

	if (!reg->deleted && stat(reg->path, &st) == 0 && stat_matches(&st, reg)) {
		fd = open(reg->path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (fd >= 0)
			return fd;
	}
	snprintf(link, sizeof(link), "map_files/%llx-%llx", (unsigned long long)reg->start,
	         (unsigned long long)reg->end);
	if (fstatat(procdir, link, &st, 0) != 0 || !stat_matches(&st, reg))
		return -1;
	return openat(procdir, link, O_RDONLY | O_CLOEXEC | O_NOCTTY);
}

static bool ends_with(const char *s, const char *end)
{
	size_t n = strlen(s), m = strlen(end);

	return n >= m && strcmp(s + n - m, end) == 0;
}

/* A file that could not be read: a library if named like one. */
static bool named_like_library(const char *path)
{
	const char *base = strrchr(path, '/'), *so;

	base = base ? base + 1 : path;
	so = strstr(base, ".so");
	return so && (so[3] == '\0' || so[3] == '.');
}

/* PT_GNU_RELRO as the page range the loader makes read-only after
 * relocation, in file offsets: glibc rounds both ends down to a page. */
static void read_relro(int fd, const Elf64_Ehdr *eh, struct libs_lib *lib)
{
	Elf64_Phdr ph[MAX_PHDRS];
	size_t n = eh->e_phnum, bytes = n * sizeof(Elf64_Phdr);
	uint64_t mask = ~(page_size() - 1);

	if (eh->e_phentsize != sizeof(Elf64_Phdr) || n > MAX_PHDRS ||
	    pread(fd, ph, bytes, (off_t)eh->e_phoff) != (ssize_t)bytes) {
		lib->relro_unavailable = "the program headers could not be read";
		return;
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t start = ph[i].p_offset & mask;
		uint64_t end = (ph[i].p_offset + ph[i].p_memsz) & mask;

		if (ph[i].p_type != PT_GNU_RELRO || end <= start)
			continue;
		lib->relro_start = start;
		lib->relro_end = end;
	}
}

/* Whether fd holds a shared object (ELF ET_DYN), and its RELRO range. */
static bool read_elf(int fd, struct libs_lib *lib)
{
	Elf64_Ehdr eh;

	if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0)
		return false;
	if (eh.e_ident[EI_CLASS] == ELFCLASS32) {
		const Elf32_Ehdr *e32 = (const Elf32_Ehdr *)&eh;
		lib->relro_unavailable = "a 32-bit ELF file: its RELRO is not read";
		return e32->e_type == ET_DYN;
	}
	if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_type != ET_DYN)
		return false;
	read_relro(fd, &eh, lib);
	return true;
}

/* Whether the first page of fd is in the page cache, so that reading the
 * header leaves residency as it was. Unknown (not permitted) counts as yes. */
static bool first_page_resident(int fd)
{
	struct residency one;
	int err = residency_count_range(fd, 0, 1, &one);

	return err != 0 || one.resident_pages > 0;
}

/* Residency first, then the headers: measuring must not change what it measures. */
static enum libs_file_kind classify_open(int fd, struct libs_lib *lib)
{
	struct stat st;
	bool is_lib;

	if (fstat(fd, &st) != 0) {
		lib->file_unavailable = lib->res.unavailable = lib->relro_unavailable =
		        "the file could not be read";
		return named_like_library(lib->path) ? LIBS_LIBRARY : LIBS_OTHER;
	}
	lib->size = (uint64_t)st.st_size;
	if (residency_measure_stat(fd, &st, &lib->res) != 0)
		lib->res.unavailable = "the page cache could not be measured";
	if (!first_page_resident(fd)) {
		lib->relro_unavailable = FIRST_PAGE_OUT;
		return named_like_library(lib->path) ? LIBS_LIBRARY : LIBS_OTHER;
	}
	is_lib = read_elf(fd, lib);
	return is_lib ? LIBS_LIBRARY : LIBS_OTHER;
}

static enum libs_file_kind classify(struct libs_lib *lib, const struct procmaps_region *reg,
                                    int procdir)
{
	enum libs_file_kind kind;
	int fd;

	if (ends_with(reg->path, ".relro"))
		return LIBS_RELRO_CACHE;
	fd = open_mapped(reg, procdir);
	if (fd < 0) {
		lib->file_unavailable = UNREACHABLE;
		lib->res.unavailable = UNREACHABLE;
		lib->relro_unavailable = UNREACHABLE;
		return named_like_library(reg->path) ? LIBS_LIBRARY : LIBS_OTHER;
	}
	kind = classify_open(fd, lib);
	close(fd);
	return kind;
}

/* Adds reg's file to the table, read and classified. Its index, or -ENOMEM. */
static long add_file(struct libs_report *r, const struct libs_query *q,
                     const struct procmaps_region *reg, int procdir)
{
	struct libs_lib *lib;

	if ((r->nfiles + 1) * 2 > r->slots_cap && grow_slots(r) != 0)
		return -ENOMEM;
	if (r->nfiles >= UINT32_MAX - 1 ||
	    grow_for_one(&r->files, &r->files_cap, r->nfiles, sizeof(*r->files), 64) != 0)
		return -ENOMEM;
	lib = &r->files[r->nfiles];
	memset(lib, 0, sizeof(*lib));
	lib->inode = reg->inode;
	lib->dev_major = reg->dev_major;
	lib->dev_minor = reg->dev_minor;
	lib->deleted = reg->deleted;
	lib->path = (char *)reg->path; /* borrowed while classifying */
	lib->kind = classify(lib, reg, procdir);
	lib->path = NULL;
	if (lib->kind == LIBS_LIBRARY && q->glob && fnmatch(q->glob, reg->path, 0) != 0)
		lib->kind = LIBS_OTHER;
	if (lib->kind == LIBS_LIBRARY) {
		lib->path = strdup(reg->path);
		if (!lib->path)
			return -ENOMEM;
		r->nlibs++;
	}
	*slot_of(r, reg) = (uint32_t)++r->nfiles;
	return (long)r->nfiles - 1;
}

static long find_file(struct libs_report *r, const struct libs_query *q,
                      const struct procmaps_region *reg, int procdir)
{
	uint32_t *s = r->slots_cap ? slot_of(r, reg) : NULL;

	return s && *s ? (long)*s - 1 : add_file(r, q, reg, procdir);
}

/* ---- One process ---- */

struct scan {
	struct libs_report *r;
	const struct libs_query *q;
	pid_t pid;
	int procdir;
	dev_t exe_dev;
	ino_t exe_ino;
	long below;   /* the library mapped just below, for a share cache; -1: none */
	size_t seen;  /* mappings read */
	size_t stray; /* share-cache mappings with no library below */
	int pagemap;  /* 0 not opened, 1 open, -1 could not be */
	struct pagemap pm;
};

static void add_counts(struct libs_counts *d, const struct libs_counts *s)
{
	uint64_t *dst = (uint64_t *)d;
	const uint64_t *src = (const uint64_t *)s;

	for (size_t i = 0; i < sizeof(*d) / sizeof(uint64_t); i++)
		dst[i] += src[i];
}

/* The library's figures for this process start from zero. */
static int touch(struct scan *s, long idx)
{
	struct libs_report *r = s->r;
	struct libs_lib *lib = &r->files[idx];

	if (lib->cur_pid == s->pid)
		return 0;
	if (grow_for_one(&r->touched, &r->touched_cap, r->ntouched, sizeof(*r->touched), 64))
		return -ENOMEM;
	r->touched[r->ntouched++] = (uint32_t)idx;
	lib->cur_pid = s->pid;
	memset(&lib->cur, 0, sizeof(lib->cur));
	lib->cur_relro_unmeasured = false;
	return 0;
}

static void add_mapping(struct libs_counts *c, const struct procmaps_region *reg,
                        const struct smaps_counters *sc)
{
	c->mappings++;
	c->rss += sc->rss;
	c->pss += sc->pss;
	c->uss += sc->private_clean + sc->private_dirty;
	c->private_dirty += sc->private_dirty;
	c->shared += sc->shared_clean + sc->shared_dirty;
	c->swap += sc->swap;
	if (reg->perms[2] == 'x') {
		c->text_rss += sc->rss;
		c->text_pss += sc->pss;
	}
}

/* Pages copied on write: present, mapped here only, no longer the file's. */
static void count_copied(void *ctx, uint64_t vaddr, uint64_t npages, uint64_t entry)
{
	uint64_t want = PAGEMAP_PRESENT | PAGEMAP_EXCLUSIVE;

	(void)vaddr;
	if ((entry & (want | PAGEMAP_FILE_SHARED)) == want)
		*(uint64_t *)ctx += npages;
}

/* RELRO pages that share a mapping with others: counted page by page. */
static int relro_by_pagemap(struct scan *s, uint64_t start, uint64_t end, uint64_t *bytes)
{
	struct pagemap_counts c = {0};
	uint64_t pages = 0;

	if (s->pagemap == 0)
		s->pagemap = pagemap_open(&s->pm, s->procdir) == 0 ? 1 : -1;
	if (s->pagemap < 0 || pagemap_scan(&s->pm, start, end, &c, count_copied, &pages) != 0)
		return -1;
	*bytes = pages * page_size();
	return 0;
}

static void add_relro(struct scan *s, struct libs_lib *lib, const struct procmaps_region *reg,
                      const struct smaps_counters *sc)
{
	uint64_t lo = reg->offset, hi = reg->offset + (reg->end - reg->start), bytes;
	uint64_t from = lo > lib->relro_start ? lo : lib->relro_start;
	uint64_t to = hi < lib->relro_end ? hi : lib->relro_end;

	if (reg->perms[3] != 'p' || from >= to)
		return;
	if (from == lo && to == hi) {
		lib->cur.relro_private_dirty += sc->private_dirty;
		return;
	}
	/* pagemap counts pages, smaps large folios as a whole: never more than
	 * the mapping's own private dirty. */
	if (relro_by_pagemap(s, reg->start + (from - lo), reg->start + (to - lo), &bytes) != 0)
		lib->cur_relro_unmeasured = true;
	else
		lib->cur.relro_private_dirty +=
		        bytes < sc->private_dirty ? bytes : sc->private_dirty;
}

/* A share-cache mapping: RELRO pages of the library just below it. */
static int add_cache_mapping(struct scan *s, const struct procmaps_region *reg,
                             const struct smaps_counters *sc)
{
	struct libs_lib *lib;

	if (s->below < 0) {
		s->stray++;
		return 0;
	}
	lib = &s->r->files[s->below];
	add_mapping(&lib->cur, reg, sc);
	lib->cur.relro_cache_rss += sc->rss;
	lib->cur.relro_cache_pss += sc->pss;
	return 0;
}

static int on_mapping(void *ctx, const struct procmaps_region *reg,
                      const struct smaps_counters *sc)
{
	struct scan *s = ctx;
	struct libs_lib *lib;
	long idx;

	s->seen++;
	if (!procmaps_is_file(reg))
		return 0; /* the gaps between a library's segments */
	if (reg->inode == s->exe_ino && makedev(reg->dev_major, reg->dev_minor) == s->exe_dev) {
		s->below = -1;
		return 0;
	}
	idx = find_file(s->r, s->q, reg, s->procdir);
	if (idx < 0)
		return (int)idx;
	lib = &s->r->files[idx];
	if (lib->kind == LIBS_RELRO_CACHE)
		return add_cache_mapping(s, reg, sc);
	s->below = -1;
	if (lib->kind != LIBS_LIBRARY)
		return 0;
	if (touch(s, idx) != 0)
		return -ENOMEM;
	lib = &s->r->files[idx];
	add_mapping(&lib->cur, reg, sc);
	add_relro(s, lib, reg, sc);
	s->below = idx;
	return 0;
}

/* Keeps the LIBS_TOP_PIDS processes with the most PSS of lib, most first. */
static void rank_pid(struct libs_lib *lib, pid_t pid, uint64_t pss)
{
	unsigned i = lib->ntop;

	if (i == LIBS_TOP_PIDS) {
		if (lib->top[i - 1].pss >= pss)
			return;
		i--;
	} else {
		lib->ntop++;
	}
	for (; i > 0 && lib->top[i - 1].pss < pss; i--)
		lib->top[i] = lib->top[i - 1];
	lib->top[i].pid = pid;
	lib->top[i].pss = pss;
}

/* The process was read to the end: its figures join its libraries'. */
static void commit(struct libs_report *r, pid_t pid)
{
	for (size_t i = 0; i < r->ntouched; i++) {
		struct libs_lib *lib = &r->files[r->touched[i]];

		add_counts(&lib->sum, &lib->cur);
		lib->processes++;
		if (lib->cur_relro_unmeasured)
			lib->relro_dirty_unavailable = RELRO_NO_PAGEMAP;
		if (lib->cur.relro_private_dirty > lib->relro_largest)
			lib->relro_largest = lib->cur.relro_private_dirty;
		rank_pid(lib, pid, lib->cur.pss);
	}
}

int libs_scan_process(struct libs_report *r, const struct libs_query *q, pid_t pid, int procdir)
{
	struct scan s = {.r = r, .q = q, .pid = pid, .procdir = procdir, .below = -1};
	struct stat exe;
	uint64_t vm_pages;
	int rc;

	if (fstatat(procdir, "exe", &exe, 0) == 0) {
		s.exe_dev = exe.st_dev;
		s.exe_ino = exe.st_ino;
	}
	r->ntouched = 0;
	rc = smaps_each(procdir, on_mapping, &s);
	if (s.pagemap > 0)
		pagemap_close(&s.pm);
	if (rc == -ENOMEM)
		return rc;
	if (rc == 0 && s.seen == 0 && procstat_vm_pages(procdir, &vm_pages) == 0) {
		r->no_memory++; /* a kernel thread or a zombie: no address space */
		return 0;
	}
	/* smaps ends early, without an error, once an exiting process has let
	 * go of its memory: whole only if the memory is still there after it. */
	if (rc == 0 && (procstat_vm_pages(procdir, &vm_pages) != 0 || vm_pages == 0))
		rc = -ESRCH;
	if (rc) {
		proc_errors_add(&r->errors, pid, "smaps", rc);
		return 0;
	}
	commit(r, pid);
	r->stray_relro += s.stray;
	r->processes++;
	return 0;
}

/* ---- The whole scan ---- */

struct walk {
	struct libs_report *r;
	const struct libs_query *q;
};

static int walk_one(void *ctx, pid_t pid, int procdir)
{
	struct walk *w = ctx;

	return libs_scan_process(w->r, w->q, pid, procdir);
}

/* A pid asked for that is not there: not "exited during the scan", as far
 * as we know it never was. */
static void say_not_there(struct proc_errors *e, pid_t pid)
{
	char *msg = strdup("no such process");
	struct proc_error *last = e->count ? &e->items[e->count - 1] : NULL;

	if (!msg || !last || last->pid != pid) {
		free(msg);
		return;
	}
	free(last->error);
	last->error = msg;
}

static int scan_listed(struct libs_report *r, const struct libs_query *q)
{
	for (size_t i = 0; i < q->npids; i++) {
		int procdir = procwalk_open_pid(q->pids[i]), rc;

		if (procdir < 0) {
			proc_errors_add(&r->errors, q->pids[i], "", procdir);
			if (procdir == -ENOENT)
				say_not_there(&r->errors, q->pids[i]);
			continue;
		}
		rc = libs_scan_process(r, q, q->pids[i], procdir);
		close(procdir);
		if (rc)
			return rc;
	}
	return 0;
}

int libs_run(const struct libs_query *q, struct libs_report *r)
{
	struct walk w;

	memset(r, 0, sizeof(*r));
	w.r = r;
	w.q = q;
	if (q->pids)
		return scan_listed(r, q);
	return procwalk_each(&r->errors, walk_one, &w);
}

/* ---- Reading the report ---- */

static const char *const sort_names[] = {
        [LIBS_BY_PSS] = "pss",           [LIBS_BY_RSS] = "rss",
        [LIBS_BY_USS] = "uss",           [LIBS_BY_PRIVATE_DIRTY] = "private_dirty",
        [LIBS_BY_RELRO] = "relro",       [LIBS_BY_PROCESSES] = "processes",
        [LIBS_BY_RESIDENT] = "resident",
};

int libs_parse_sort(const char *name, enum libs_sort *out)
{
	for (size_t i = 0; i < sizeof(sort_names) / sizeof(sort_names[0]); i++) {
		if (strcmp(name, sort_names[i]) == 0) {
			*out = (enum libs_sort)i;
			return 0;
		}
	}
	return -1;
}

const char *libs_sort_name(enum libs_sort key)
{
	return sort_names[key];
}

static uint64_t sort_value(const struct libs_lib *lib, enum libs_sort key)
{
	switch (key) {
	case LIBS_BY_RSS:
		return lib->sum.rss;
	case LIBS_BY_USS:
		return lib->sum.uss;
	case LIBS_BY_PRIVATE_DIRTY:
		return lib->sum.private_dirty;
	case LIBS_BY_RELRO:
		return lib->sum.relro_private_dirty;
	case LIBS_BY_PROCESSES:
		return lib->processes;
	case LIBS_BY_RESIDENT:
		return lib->res.unavailable ? 0 : lib->res.resident_pages;
	case LIBS_BY_PSS:
		break;
	}
	return lib->sum.pss;
}

/* qsort has no context argument: the key of the sort under way. */
static __thread enum libs_sort sorting;

static int by_key_desc(const void *a, const void *b)
{
	const struct libs_lib *x = *(const struct libs_lib *const *)a;
	const struct libs_lib *y = *(const struct libs_lib *const *)b;
	uint64_t vx = sort_value(x, sorting), vy = sort_value(y, sorting);

	return vx < vy ? 1 : vx > vy ? -1 : strcmp(x->path, y->path);
}

const struct libs_lib **libs_sorted(const struct libs_report *r, enum libs_sort key)
{
	const struct libs_lib **list = malloc((r->nlibs + 1) * sizeof(*list));
	size_t n = 0;

	if (!list)
		return NULL;
	for (size_t i = 0; i < r->nfiles; i++)
		if (r->files[i].kind == LIBS_LIBRARY && r->files[i].processes)
			list[n++] = &r->files[i];
	list[n] = NULL;
	sorting = key;
	qsort(list, n, sizeof(*list), by_key_desc);
	return list;
}

const char *libs_relro_unavailable(const struct libs_lib *lib)
{
	return lib->relro_unavailable ? lib->relro_unavailable : lib->relro_dirty_unavailable;
}

uint64_t libs_relro_saving(const struct libs_lib *lib)
{
	return lib->sum.relro_private_dirty - lib->relro_largest;
}

void libs_totals(const struct libs_report *r, struct libs_totals *t)
{
	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < r->nfiles; i++) {
		const struct libs_lib *lib = &r->files[i];
		struct libs_counts sum = lib->sum;

		if (lib->kind != LIBS_LIBRARY || !lib->processes)
			continue;
		t->libraries++;
		if (libs_relro_unavailable(lib)) {
			t->relro_unmeasured++;
			sum.relro_private_dirty = 0;
		} else {
			t->relro_saving += libs_relro_saving(lib);
		}
		add_counts(&t->sum, &sum);
		if (lib->res.unavailable)
			t->resident_unmeasured++;
		else
			t->resident_pages += lib->res.resident_pages;
	}
}

void libs_free(struct libs_report *r)
{
	for (size_t i = 0; i < r->nfiles; i++)
		free(r->files[i].path);
	free(r->files);
	free(r->slots);
	free(r->touched);
	proc_errors_free(&r->errors);
	memset(r, 0, sizeof(*r));
}
