#include "probe/maps.h"
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define TOUCHED 300

/* What a helper child sets up: anonymous memory, of which it touches some,
 * and a file it maps and then closes. */
struct known_memory {
	char *anon;   /* 2 * TOUCHED pages, mapped by the parent before fork */
	char *mapped; /* set by the child, in memory shared with the parent */
	char path[64];
};

static int touch_and_map(void *arg)
{
	struct known_memory *k = arg;
	long ps = sysconf(_SC_PAGESIZE);
	int fd = open(k->path, O_RDONLY);
	volatile char sink;

	for (int i = 0; i < TOUCHED; i++)
		k->anon[2 * i * ps] = 1;
	k->mapped = mmap(NULL, 4 * ps, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (k->mapped == MAP_FAILED)
		return -1;
	sink = k->mapped[0];
	(void)sink;
	return 0;
}

/* The mapping that holds addr in r (the kernel may have merged it with a
 * neighbour), or NULL. */
static const struct maps_mapping *find(const struct maps_report *r, const void *addr)
{
	for (size_t i = 0; i < r->count; i++)
		if (r->mappings[i].region.start <= (uint64_t)addr &&
		    (uint64_t)addr < r->mappings[i].region.end)
			return &r->mappings[i];
	return NULL;
}

/* The page run of m (scanned with MAPSCAN_PAGES) that holds addr. */
static const struct maps_run *run_at(const struct maps_mapping *m, const void *addr)
{
	uint64_t index = ((uint64_t)addr - m->region.start) / (uint64_t)sysconf(_SC_PAGESIZE);

	for (size_t i = 0; i < m->nruns; i++)
		if (m->runs[i].first <= index && index < m->runs[i].first + m->runs[i].count)
			return &m->runs[i];
	cr_assert_fail("no run holds page %llu", (unsigned long long)index);
	return NULL;
}

static void make_file(struct known_memory *k)
{
	long ps = sysconf(_SC_PAGESIZE);
	char *page = calloc(1, 4 * ps);
	int fd;

	strcpy(k->path, "/tmp/mapscope-mapscan-XXXXXX");
	fd = mkstemp(k->path);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, page, 4 * ps), 4 * ps);
	close(fd);
	free(page);
}

/* A child with TOUCHED private pages and a mapped-and-closed file. */
static int spawn_known(struct known_memory **out)
{
	struct known_memory *k =
	        mmap(NULL, sizeof(*k), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	long ps = sysconf(_SC_PAGESIZE);
	int pid;

	make_file(k);
	k->anon = mmap(NULL, 2 * TOUCHED * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
	               -1, 0);
	cr_assert_neq(k->anon, MAP_FAILED);
	/* One page per THP-sized block would otherwise become 512. */
	madvise(k->anon, 2 * TOUCHED * ps, MADV_NOHUGEPAGE);
	pid = tu_spawn(touch_and_map, k);
	cr_assert_gt(pid, 0);
	*out = k;
	return pid;
}

static uint64_t rollup_of(int pid, uint64_t *pss)
{
	char dir[32];
	struct smaps_counters c;
	int fd;

	snprintf(dir, sizeof(dir), "/proc/%d", pid);
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	cr_assert_eq(smaps_read_rollup(fd, &c), 0);
	close(fd);
	*pss = c.pss;
	return c.rss;
}

Test(maps, touched_anonymous_pages_are_present_and_private)
{
	struct known_memory *k;
	struct maps_report r;
	const struct maps_mapping *m;
	long ps = sysconf(_SC_PAGESIZE);
	int pid = spawn_known(&k);

	cr_assert_eq(maps_process(pid, 0, &r), 0);
	m = find(&r, k->anon);
	cr_assert_not_null(m);
	cr_assert_eq(m->pages.present, TOUCHED);
	cr_assert_eq(m->pages.exclusive, TOUCHED);
	cr_assert_eq(m->smaps.rss, TOUCHED * ps);
	cr_assert_eq(m->smaps.private_dirty, TOUCHED * ps);
	cr_assert_str_eq(m->region.perms, "rw-p");
	maps_free(&r);
	tu_reap(pid);
	unlink(k->path);
}

Test(maps, a_closed_file_stays_mapped_under_its_name)
{
	struct known_memory *k;
	struct maps_report r;
	const struct maps_mapping *m;
	struct stat st;
	int pid = spawn_known(&k);

	cr_assert_eq(stat(k->path, &st), 0);
	cr_assert_eq(maps_process(pid, 0, &r), 0);
	m = find(&r, k->mapped);
	cr_assert_not_null(m);
	cr_assert_str_eq(m->region.path, k->path);
	cr_assert_eq(m->region.inode, st.st_ino);
	cr_assert_str_eq(m->region.perms, "r--s");
	/* Fault-around may map the other cached pages of the file too. */
	cr_assert(m->pages.present >= 1 && m->pages.present <= 4);
	cr_assert_eq(m->pages.file_shared, m->pages.present);
	maps_free(&r);
	tu_reap(pid);
	unlink(k->path);
}

Test(maps, totals_rss_equals_the_kernels_rollup_for_an_idle_process)
{
	struct known_memory *k;
	struct maps_report r;
	uint64_t pss, rss, before;
	int pid = spawn_known(&k), tries = 0;

	/* Idle means its Rss is the same before and after the scan (a loaded
	 * machine may still be settling the child's pages). */
	do {
		if (tries)
			maps_free(&r);
		before = rollup_of(pid, &pss);
		cr_assert_eq(maps_process(pid, 0, &r), 0);
		rss = rollup_of(pid, &pss);
	} while (rss != before && ++tries < 10);
	cr_assert_eq(r.totals.rss, rss);
	cr_assert_eq(r.total_pages.present * sysconf(_SC_PAGESIZE) >= rss, 1);
	maps_free(&r);
	tu_reap(pid);
	unlink(k->path);
}

Test(maps, pss_from_map_counts_is_within_one_percent_of_the_kernels)
{
	struct known_memory *k;
	struct maps_report r;
	uint64_t pss, before, ours;
	int pid, tries = 0;

	if (geteuid() != 0)
		cr_skip_test("needs root for /proc/kpagecount");
	pid = spawn_known(&k);
	/* The child shares copy-on-write pages with us until one side writes:
	 * the scan's own allocations here can move the child's Pss mid-scan,
	 * and so does every process that maps or drops a page it shares (the
	 * other tests of a parallel run, forked from the same runner). Idle
	 * means its Pss is the same before and after the scan: tried for up
	 * to two seconds (ten tries in a row failed under `make test -j2`). */
	do {
		if (tries) {
			maps_free(&r);
			usleep(20000);
		}
		rollup_of(pid, &before);
		cr_assert_eq(maps_process(pid, 0, &r), 0);
		rollup_of(pid, &pss);
	} while (pss != before && ++tries < 100);
	cr_assert_null(r.kpage_unavailable, "%s", r.kpage_unavailable);
	cr_assert_eq(r.pss_rollup, pss, "the report carries the kernel's total");
	ours = r.pss_from_mapcount >> MAPSCAN_PSS_SHIFT;
	cr_assert_lt(llabs((long long)ours - (long long)pss) * 100, (long long)pss,
	             "ours %llu, kernel %llu", (unsigned long long)ours, (unsigned long long)pss);
	maps_free(&r);
	tu_reap(pid);
	unlink(k->path);
}

static int stay(void *arg)
{
	(void)arg;
	return 0;
}

Test(maps, a_page_shared_with_forked_children_counts_each_of_them)
{
	long ps = sysconf(_SC_PAGESIZE);
	char *shared = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct maps_report r;
	const struct maps_mapping *m;
	const struct maps_run *run;
	int a, b;
	char state[6];

	if (geteuid() != 0)
		cr_skip_test("needs root for /proc/kpagecount");
	shared[0] = 1; /* one page, copy-on-write shared by parent and children */
	a = tu_spawn(stay, NULL);
	b = tu_spawn(stay, NULL);
	cr_assert_eq(maps_process(a, MAPSCAN_PAGES, &r), 0);
	m = find(&r, shared);
	cr_assert_not_null(m);
	run = run_at(m, shared);
	cr_assert_eq(run->mapcount, 3, "parent and two children map the page");
	cr_assert_str_eq(run->state, maps_page_state(PAGEMAP_PRESENT, state));
	cr_assert_geq(m->mapcount[3], 1);
	maps_free(&r);
	tu_reap(b);
	cr_assert_eq(maps_process(a, MAPSCAN_PAGES, &r), 0);
	cr_assert_eq(run_at(find(&r, shared), shared)->mapcount, 2, "one child gone, two left");
	maps_free(&r);
	tu_reap(a);
	munmap(shared, ps);
}

Test(maps, a_process_that_is_gone_is_an_error)
{
	struct maps_report r;
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	cr_assert_eq(maps_process(pid, 0, &r), -ENOENT);
	maps_free(&r);
}

Test(maps, leaves_no_fd_behind)
{
	struct maps_report r;
	int fds = tu_count_fds();

	cr_assert_eq(maps_process(getpid(), MAPSCAN_PAGES, &r), 0);
	maps_free(&r);
	cr_assert_eq(tu_count_fds(), fds);
}

Test(maps, page_state_letters)
{
	char s[6];

	cr_assert_str_eq(maps_page_state(0, s), "-");
	cr_assert_str_eq(
	        maps_page_state(PAGEMAP_PRESENT | PAGEMAP_EXCLUSIVE | PAGEMAP_SOFT_DIRTY, s),
	        "pxd");
	cr_assert_str_eq(maps_page_state(PAGEMAP_SWAPPED, s), "s");
	cr_assert_str_eq(maps_page_state(PAGEMAP_PRESENT | PAGEMAP_FILE_SHARED, s), "pf");
}

/* A 16 GiB reservation, never touched. */
static int reserve(void *arg)
{
	void **at = arg;

	*at = mmap(NULL, 16ULL << 30, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1,
	           0);
	return *at == MAP_FAILED;
}

Test(maps, a_huge_reservation_is_scanned_in_windows)
{
	void **at =
	        mmap(NULL, sizeof(*at), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int pid = tu_spawn(reserve, at);
	const struct maps_mapping *m;
	struct maps_report r;

	cr_assert_gt(pid, 0);
	cr_assert_eq(maps_process(pid, MAPSCAN_PAGES, &r), 0);
	m = find(&r, *at);
	cr_assert_not_null(m);
	cr_assert_eq(m->region.end - m->region.start, 16ULL << 30);
	cr_assert_eq(m->pages.present, 0);
	cr_assert_eq(m->nruns, 1, "one run of 4 Mi absent pages");
	cr_assert_eq(m->runs[0].count, (16ULL << 30) / sysconf(_SC_PAGESIZE));
	maps_free(&r);
	tu_reap(pid);
	munmap(at, sizeof(*at));
}

Test(maps, a_zombie_has_no_address_space)
{
	struct maps_report r;
	pid_t pid = fork();
	siginfo_t info;

	if (pid == 0)
		_exit(0);
	/* Wait for the exit but leave the zombie in place. */
	cr_assert_eq(waitid(P_PID, pid, &info, WEXITED | WNOWAIT), 0);
	cr_assert_eq(maps_process(pid, 0, &r), -ENXIO);
	maps_free(&r);
	waitpid(pid, NULL, 0);
}
