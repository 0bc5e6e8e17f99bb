/* libs: every figure held to the kernel's own: the holders' smaps read here
 * with sscanf, PT_GNU_RELRO as the dynamic linker reports it, and mincore
 * over the library's file. The library is a private copy of libtables.so, so
 * no other process (a parallel test) can change its sharing under us. */
#include "probe/libs.h"
#include "soload.h"
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/mapscope-libs-XXXXXX";
static char lib_path[64];
static struct stat lib_st;

/* What a holder tells the test: where the dynamic linker put the RELRO. */
struct holder_info {
	uintptr_t relro_start, relro_end;
};

static struct holder_info *shared; /* one per holder, in MAP_SHARED memory */

static void copy_library(void)
{
	char cmd[256];

	cr_assert_not_null(tu_make_tmpdir(dir));
	snprintf(lib_path, sizeof(lib_path), "%s/libtables.so", dir);
	snprintf(cmd, sizeof(cmd), "cp %s %s", TESTLIB("libtables.so"), lib_path);
	cr_assert_eq(system(cmd), 0);
	cr_assert_eq(stat(lib_path, &lib_st), 0);
	shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	cr_assert_neq(shared, MAP_FAILED);
}

static void remove_library(void)
{
	munmap(shared, 4096);
	tu_remove_tree(dir);
}

TestSuite(libs, .init = copy_library, .fini = remove_library, .timeout = 60);

static int find_relro(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct holder_info *h = arg;
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);

	(void)size;
	if (!strstr(info->dlpi_name, "mapscope-libs-"))
		return 0;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_GNU_RELRO)
			continue;
		h->relro_start = (info->dlpi_addr + ph->p_vaddr) & ~(page - 1);
		h->relro_end = (info->dlpi_addr + ph->p_vaddr + ph->p_memsz) & ~(page - 1);
	}
	return 1;
}

/* A holder: the copy loaded by glibc, its RELRO noted in slot *arg. */
static int hold_copy(void *arg)
{
	int slot = *(int *)arg;
	void *h = dlopen(lib_path, RTLD_NOW);

	if (!h)
		return -1;
	dl_iterate_phdr(find_relro, &shared[slot]);
	return shared[slot].relro_end > shared[slot].relro_start ? 0 : -1;
}

/* One holder's mappings of a file, summed from its smaps by the test. */
struct expect {
	unsigned long long mappings, rss, pss, uss, private_dirty, shared, swap, text_rss,
	        text_pss;
	unsigned long long relro_dirty; /* Private_Dirty of the mapping at [relro_start, ...) */
};

static unsigned long long kb_field(const char *line, const char *key)
{
	size_t n = strlen(key);
	unsigned long long kb = 0;

	if (strncmp(line, key, n) == 0)
		sscanf(line + n, " %llu", &kb);
	return kb * 1024;
}

static void add_expected(pid_t pid, ino_t ino, uintptr_t relro_start, struct expect *e)
{
	char path[64], line[512], perms[5];
	unsigned long long start, end, inode;
	bool in = false, text = false, relro = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
	f = fopen(path, "r");
	cr_assert_not_null(f);
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx-%llx %4s %*x %*x:%*x %llu", &start, &end, perms, &inode) ==
		    4) {
			in = inode == ino;
			text = perms[2] == 'x';
			relro = start == relro_start;
			e->mappings += in;
			continue;
		}
		if (!in)
			continue;
		e->rss += kb_field(line, "Rss:");
		e->pss += kb_field(line, "Pss:");
		e->uss += kb_field(line, "Private_Clean:") + kb_field(line, "Private_Dirty:");
		e->private_dirty += kb_field(line, "Private_Dirty:");
		e->shared += kb_field(line, "Shared_Clean:") + kb_field(line, "Shared_Dirty:");
		e->swap += kb_field(line, "Swap:");
		if (relro)
			e->relro_dirty += kb_field(line, "Private_Dirty:");
		if (text) {
			e->text_rss += kb_field(line, "Rss:");
			e->text_pss += kb_field(line, "Pss:");
		}
	}
	fclose(f);
}

static const struct libs_lib *find_lib(const struct libs_report *r, ino_t ino)
{
	for (size_t i = 0; i < r->nfiles; i++)
		if (r->files[i].inode == ino && r->files[i].kind == LIBS_LIBRARY)
			return &r->files[i];
	return NULL;
}

static void scan_pids(const pid_t *pids, size_t n, struct libs_report *r)
{
	struct libs_query q = {.pids = pids, .npids = n};

	cr_assert_eq(libs_run(&q, r), 0);
}

Test(libs, figures_equal_the_sum_of_the_holders_smaps)
{
	int s0 = 0, s1 = 1;
	pid_t pids[2] = {tu_spawn(hold_copy, &s0), tu_spawn(hold_copy, &s1)};
	struct expect e = {0};
	struct libs_report r;
	const struct libs_lib *lib;

	cr_assert(pids[0] > 0 && pids[1] > 0);
	scan_pids(pids, 2, &r);
	for (int i = 0; i < 2; i++)
		add_expected(pids[i], lib_st.st_ino, shared[i].relro_start, &e);
	lib = find_lib(&r, lib_st.st_ino);
	cr_assert_not_null(lib, "the copy of libtables.so is not in the report");
	cr_assert_str_eq(lib->path, lib_path);
	cr_assert_eq(lib->processes, 2);
	cr_assert_eq(lib->sum.mappings, e.mappings);
	cr_assert_eq(lib->sum.rss, e.rss);
	cr_assert_eq(lib->sum.pss, e.pss);
	cr_assert_eq(lib->sum.uss, e.uss);
	cr_assert_eq(lib->sum.private_dirty, e.private_dirty);
	cr_assert_eq(lib->sum.shared, e.shared);
	cr_assert_eq(lib->sum.swap, e.swap);
	cr_assert_eq(lib->sum.text_rss, e.text_rss);
	cr_assert_eq(lib->sum.text_pss, e.text_pss);
	cr_assert_gt(e.text_rss, 0);
	cr_assert_eq(lib->size, (uint64_t)lib_st.st_size);
	cr_assert_eq(r.processes, 2);
	cr_assert_eq(r.errors.count, 0);
	libs_free(&r);
	tu_reap(pids[0]);
	tu_reap(pids[1]);
}

Test(libs, relro_private_dirty_is_the_relocated_range)
{
	int s0 = 0, s1 = 1;
	pid_t pids[2] = {tu_spawn(hold_copy, &s0), tu_spawn(hold_copy, &s1)};
	struct expect e = {0};
	struct libs_report r;
	const struct libs_lib *lib;
	uint64_t one;

	cr_assert(pids[0] > 0 && pids[1] > 0);
	scan_pids(pids, 2, &r);
	lib = find_lib(&r, lib_st.st_ino);
	cr_assert_not_null(lib);
	cr_assert_null(libs_relro_unavailable(lib));
	/* The loader's range, from the dynamic linker, against ours from the file. */
	cr_assert_eq(lib->relro_end - lib->relro_start,
	             shared[0].relro_end - shared[0].relro_start);
	add_expected(pids[0], lib_st.st_ino, shared[0].relro_start, &e);
	one = e.relro_dirty;
	add_expected(pids[1], lib_st.st_ino, shared[1].relro_start, &e);
	/* 20,000 relocated pointers: about 40 pages written in each process. */
	cr_assert_geq(one, 30 * 4096, "only %llu bytes of RELRO dirty", one);
	cr_assert_eq(lib->sum.relro_private_dirty, e.relro_dirty);
	cr_assert_eq(libs_relro_saving(lib),
	             e.relro_dirty - (e.relro_dirty - one > one ? e.relro_dirty - one : one));
	libs_free(&r);
	tu_reap(pids[0]);
	tu_reap(pids[1]);
}

/* Pages of path in the page cache, by mincore over a mapping of it. */
static uint64_t mincore_pages(const char *path)
{
	long page = sysconf(_SC_PAGESIZE);
	int fd = open(path, O_RDONLY);
	struct stat st;
	unsigned char *vec;
	uint64_t n, resident = 0;
	void *p;

	cr_assert_geq(fd, 0);
	fstat(fd, &st);
	n = ((uint64_t)st.st_size + page - 1) / page;
	p = mmap(NULL, st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	cr_assert_neq(p, MAP_FAILED);
	vec = malloc(n);
	cr_assert_eq(mincore(p, st.st_size, vec), 0);
	for (uint64_t i = 0; i < n; i++)
		resident += vec[i] & 1;
	free(vec);
	munmap(p, st.st_size);
	return resident;
}

Test(libs, resident_pages_are_the_kernels)
{
	int s0 = 0;
	pid_t pid = tu_spawn(hold_copy, &s0);
	struct libs_report r;
	const struct libs_lib *lib;

	cr_assert_gt(pid, 0);
	scan_pids(&pid, 1, &r);
	lib = find_lib(&r, lib_st.st_ino);
	cr_assert_not_null(lib);
	/* The copy is the test's own file: the kernel tells the truth about it. */
	cr_assert_null(lib->res.unavailable, "%s", lib->res.unavailable);
	cr_assert_eq(lib->res.resident_pages, mincore_pages(lib_path));
	cr_assert_gt(lib->res.resident_pages, 0);
	libs_free(&r);
	tu_reap(pid);
}

Test(libs, a_process_gone_before_its_smaps_adds_nothing)
{
	int s0 = 0;
	pid_t pid = tu_spawn(hold_copy, &s0);
	struct libs_query q = {0};
	struct libs_report r;
	int procdir;

	cr_assert_gt(pid, 0);
	procdir = procwalk_open_pid(pid);
	cr_assert_geq(procdir, 0);
	tu_reap(pid);
	memset(&r, 0, sizeof(r));
	cr_assert_eq(libs_scan_process(&r, &q, pid, procdir), 0);
	close(procdir);
	cr_assert_eq(r.processes, 0);
	cr_assert_eq(r.errors.count, 1);
	cr_assert_eq(r.errors.items[0].pid, pid);
	cr_assert_str_eq(r.errors.items[0].error, "exited during the scan");
	cr_assert_null(find_lib(&r, lib_st.st_ino));
	libs_free(&r);
}

Test(libs, a_pid_that_is_not_there_is_listed)
{
	pid_t pids[2] = {0x7ffffffe, getpid()};
	struct libs_report r;

	scan_pids(pids, 2, &r);
	cr_assert_eq(r.processes, 1);
	cr_assert_eq(r.errors.count, 1);
	cr_assert_eq(r.errors.items[0].pid, 0x7ffffffe);
	cr_assert_str_eq(r.errors.items[0].error, "no such process");
	libs_free(&r);
}

Test(libs, processes_not_permitted_are_counted_and_listed)
{
	struct libs_query q = {0};
	struct libs_report r;
	bool init_listed = false;

	if (geteuid() == 0)
		cr_skip_test("root may read every process (the pass as nobody runs this)");
	cr_assert_eq(libs_run(&q, &r), 0);
	for (size_t i = 0; i < r.errors.count; i++)
		if (r.errors.items[i].pid == 1)
			init_listed = strstr(r.errors.items[i].error, "Permission denied") != NULL;
	cr_assert(init_listed, "pid 1 is not listed as unreadable (%zu errors)", r.errors.count);
	cr_assert_gt(r.processes, 0, "not even our own processes were read");
	libs_free(&r);
}

/* A holder of the copy with its file removed. */
static int hold_deleted(void *arg)
{
	(void)arg;
	return dlopen(lib_path, RTLD_NOW) && unlink(lib_path) == 0 ? 0 : -1;
}

Test(libs, a_deleted_library_is_counted)
{
	pid_t pid = tu_spawn(hold_deleted, NULL);
	struct libs_report r;
	const struct libs_lib *lib;

	cr_assert_gt(pid, 0);
	scan_pids(&pid, 1, &r);
	lib = find_lib(&r, lib_st.st_ino);
	cr_assert_not_null(lib);
	cr_assert(lib->deleted);
	cr_assert_str_eq(lib->path, lib_path);
	cr_assert_gt(lib->sum.rss, 0);
	if (geteuid() == 0) { /* map_files reaches it */
		cr_assert_null(lib->file_unavailable);
		cr_assert_eq(lib->size, (uint64_t)lib_st.st_size);
		cr_assert_gt(lib->sum.relro_private_dirty, 0);
	} else {
		cr_assert_not_null(lib->file_unavailable);
		cr_assert_not_null(lib->res.unavailable);
		cr_assert_not_null(libs_relro_unavailable(lib));
	}
	libs_free(&r);
	tu_reap(pid);
}

/* A holder of the copy through libsoload with SL_SHARE, cache in dir. */
static int hold_shared(void *arg)
{
	char cache[96];

	(void)arg;
	snprintf(cache, sizeof(cache), "%s/share", dir);
	setenv("SOLOAD_SHARE_DIR", cache, 1);
	return sl_open(lib_path, SL_SHARE) ? 0 : -1;
}

/* Rss (and, into *pss, Pss) of every mapping of pid whose path ends in .relro. */
static unsigned long long relro_cache_rss(pid_t pid, unsigned long long *pss)
{
	char path[64], line[512];
	unsigned long long rss = 0;
	bool in = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
	f = fopen(path, "r");
	cr_assert_not_null(f);
	while (fgets(line, sizeof(line), f)) {
		unsigned long long a, b;
		if (sscanf(line, "%llx-%llx ", &a, &b) == 2) {
			in = strstr(line, ".relro\n") != NULL;
			continue;
		}
		if (in) {
			rss += kb_field(line, "Rss:");
			*pss += kb_field(line, "Pss:");
		}
	}
	fclose(f);
	return rss;
}

Test(libs, a_share_cache_counts_with_its_library)
{
	pid_t pids[2] = {tu_spawn(hold_shared, NULL), tu_spawn(hold_shared, NULL)};
	unsigned long long cache = 0, cache_pss = 0;
	struct expect e = {0};
	struct libs_report r;
	const struct libs_lib *lib;

	cr_assert(pids[0] > 0 && pids[1] > 0);
	scan_pids(pids, 2, &r);
	for (int i = 0; i < 2; i++) {
		add_expected(pids[i], lib_st.st_ino, 0, &e);
		cache += relro_cache_rss(pids[i], &cache_pss);
	}
	cr_assert_gt(cache, 0, "no process maps a share cache");
	lib = find_lib(&r, lib_st.st_ino);
	cr_assert_not_null(lib);
	cr_assert_eq(lib->sum.relro_cache_rss, cache);
	cr_assert_eq(lib->sum.relro_cache_pss, cache_pss);
	cr_assert_eq(lib->sum.pss, e.pss + cache_pss);
	cr_assert_eq(lib->sum.rss, e.rss + cache);
	cr_assert_eq(r.stray_relro, 0);
	for (size_t i = 0; i < r.nfiles; i++)
		cr_assert(r.files[i].kind != LIBS_LIBRARY || !strstr(r.files[i].path, ".relro"));
	libs_free(&r);
	tu_reap(pids[0]);
	tu_reap(pids[1]);
}

Test(libs, every_process_and_the_top_pids_in_order)
{
	struct libs_query q = {0};
	struct libs_report r;
	const struct libs_lib **sorted;
	int fds = tu_count_fds();

	cr_assert_eq(libs_run(&q, &r), 0);
	cr_assert_gt(r.processes, 0);
	sorted = libs_sorted(&r, LIBS_BY_PSS);
	cr_assert_not_null(sorted);
	for (size_t i = 0; sorted[i]; i++) {
		const struct libs_lib *lib = sorted[i];
		cr_assert_eq(lib->ntop,
		             lib->processes < LIBS_TOP_PIDS ? lib->processes : LIBS_TOP_PIDS);
		for (unsigned k = 1; k < lib->ntop; k++)
			cr_assert_geq(lib->top[k - 1].pss, lib->top[k].pss);
		if (sorted[i + 1])
			cr_assert_geq(lib->sum.pss, sorted[i + 1]->sum.pss);
		cr_assert_geq(lib->sum.rss, lib->sum.uss);
		cr_assert_geq(lib->sum.private_dirty, lib->sum.relro_private_dirty);
	}
	free(sorted);
	libs_free(&r);
	cr_assert_eq(tu_count_fds(), fds, "an fd was left open");
}

Test(libs, glob_and_sort_keys)
{
	int s0 = 0;
	pid_t pid = tu_spawn(hold_copy, &s0);
	struct libs_query q = {.pids = &pid, .npids = 1, .glob = "*/mapscope-libs-*"};
	struct libs_report r;
	enum libs_sort key;

	cr_assert_gt(pid, 0);
	cr_assert_eq(libs_run(&q, &r), 0);
	cr_assert_eq(r.nlibs, 1);
	cr_assert_not_null(find_lib(&r, lib_st.st_ino));
	libs_free(&r);
	tu_reap(pid);
	cr_assert_eq(libs_parse_sort("relro", &key), 0);
	cr_assert_eq(key, LIBS_BY_RELRO);
	cr_assert_str_eq(libs_sort_name(key), "relro");
	cr_assert_eq(libs_parse_sort("size", &key), -1);
}

/* The copy mapped whole, private and writable, as no loader maps it: the
 * RELRO range shares one mapping with every other page of the file. */
struct writer {
	uint64_t relro_start; /* file offset */
	int relro_pages, other_pages;
};

static int write_pages(void *arg)
{
	const struct writer *w = arg;
	long page = sysconf(_SC_PAGESIZE);
	int fd = open(lib_path, O_RDONLY);
	char *p;

	if (fd < 0)
		return -1;
	p = mmap(NULL, lib_st.st_size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return -1;
	for (int i = 0; i < w->relro_pages; i++)
		p[w->relro_start + i * page] ^= 1;
	for (int i = 0; i < w->other_pages; i++)
		p[i * page] ^= 1;
	return 0;
}

Test(libs, relro_inside_a_larger_mapping_is_counted_page_by_page)
{
	int s0 = 0;
	pid_t holder = tu_spawn(hold_copy, &s0), writer;
	struct writer w = {0, 3, 2};
	struct expect e = {0};
	struct libs_report r;
	const struct libs_lib *lib;

	cr_assert_gt(holder, 0);
	scan_pids(&holder, 1, &r);
	lib = find_lib(&r, lib_st.st_ino);
	cr_assert_not_null(lib);
	w.relro_start = lib->relro_start;
	cr_assert_gt(lib->relro_end - lib->relro_start, 3 * 4096);
	cr_assert_gt(w.relro_start, 2 * 4096);
	libs_free(&r);
	tu_reap(holder);
	writer = tu_spawn(write_pages, &w);
	cr_assert_gt(writer, 0);
	scan_pids(&writer, 1, &r);
	lib = find_lib(&r, lib_st.st_ino);
	cr_assert_not_null(lib);
	cr_assert_eq(lib->sum.mappings, 1);
	cr_assert_null(libs_relro_unavailable(lib), "%s", libs_relro_unavailable(lib));
	/* The copy's page cache may still be dirty from cp: smaps counts those
	 * pages too, pagemap's copied-on-write pages are the 3 + 2 written. */
	add_expected(writer, lib_st.st_ino, 0, &e);
	cr_assert_eq(lib->sum.private_dirty, e.private_dirty);
	cr_assert_geq(e.private_dirty, 5 * 4096);
	cr_assert_eq(lib->sum.relro_private_dirty, 3 * 4096);
	libs_free(&r);
	tu_reap(writer);
}

/* Killed at a different moment each time: the process is counted whole,
 * listed as exited, or found without memory; never counted in part. */
Test(libs, a_process_killed_during_the_scan_is_never_counted_in_part)
{
	int whole = 0, exited = 0;

	for (int round = 0; round < 12; round++) {
		pid_t pid = tu_spawn(tu_map_many, lib_path);
		struct libs_report r;
		const struct libs_lib *lib;
		pthread_t t;

		cr_assert_gt(pid, 0);
		tu_kill_later(pid, (useconds_t)(round * 400), &t);
		scan_pids(&pid, 1, &r);
		pthread_join(t, NULL);
		lib = find_lib(&r, lib_st.st_ino);
		if (r.processes == 1) {
			cr_assert_not_null(lib);
			cr_assert_eq(lib->sum.mappings, TU_MANY_MAPPINGS);
			whole++;
		} else {
			cr_assert(!lib || lib->processes == 0);
			if (r.errors.count) {
				cr_assert_str_eq(r.errors.items[0].error,
				                 "exited during the scan");
				exited++;
			} else {
				cr_assert_eq(r.no_memory, 1);
			}
		}
		libs_free(&r);
		tu_reap(pid);
	}
	cr_log_info("killed during the scan: %d of 12 listed as exited, %d whole", exited, whole);
}
