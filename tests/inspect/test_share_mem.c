#include "probe/share_mem.h"
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGES 16

static char path[] = "/tmp/libmem-test-XXXXXX";

static void make_file(void)
{
	char page[4096];
	int fd = mkstemp(path);

	cr_assert_geq(fd, 0);
	memset(page, 7, sizeof(page));
	for (int i = 0; i < PAGES; i++)
		cr_assert_eq(write(fd, page, sizeof(page)), (ssize_t)sizeof(page));
	/* Written pages stay dirty in the page cache until written back, and
	 * smaps counts them dirty: only our own writes should count here. */
	cr_assert_eq(fsync(fd), 0);
	close(fd);
}

static void remove_file(void)
{
	unlink(path);
}

TestSuite(share_mem, .init = make_file, .fini = remove_file);

static unsigned char *map_file(void)
{
	int fd = open(path, O_RDONLY);
	unsigned char *p = mmap(NULL, PAGES * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);

	close(fd);
	cr_assert_neq(p, MAP_FAILED);
	return p;
}

Test(share_mem, sums_only_the_mappings_of_the_set)
{
	struct share_mem_files set = {0};
	struct share_mem m;
	unsigned char *p = map_file();
	volatile unsigned char sink = 0;

	for (int i = 0; i < 4; i++)
		sink += p[i * 4096];
	p[8 * 4096] = 1;
	p[9 * 4096] = 1;
	(void)sink;
	cr_assert_eq(share_mem_add_file(&set, path), 0);
	cr_assert_eq(share_mem_add_file(&set, path), 0);
	cr_assert_eq(set.n, 1);
	cr_assert_eq(share_mem_measure(getpid(), &set, &m), 0);
	cr_assert_eq(m.mappings, 1);
	cr_assert_eq(m.private_dirty, 2 * 4096, "%llu rss %llu",
	             (unsigned long long)m.private_dirty, (unsigned long long)m.rss);
	cr_assert_geq(m.rss, 6 * 4096);
	cr_assert_leq(m.rss, PAGES * 4096);
	cr_assert_eq(m.text_pss, 0);
	if (geteuid() == 0) {
		cr_assert(m.have_mapcount, "%s", m.mapcount_why);
		cr_assert_geq(m.sole_pages + m.shared_pages, 6);
	} else {
		cr_assert_not(m.have_mapcount);
		cr_assert_neq(m.mapcount_why[0], '\0');
	}
	munmap(p, PAGES * 4096);
	share_mem_free(&set);
}

Test(share_mem, executable_mappings_count_as_text)
{
	struct share_mem_files set = {0};
	struct share_mem m;

	cr_assert_eq(share_mem_add_file(&set, "/proc/self/exe"), 0);
	cr_assert_eq(share_mem_measure(getpid(), &set, &m), 0);
	cr_assert_geq(m.mappings, 2);
	cr_assert_gt(m.text_pss, 0);
	cr_assert_geq(m.text_rss, m.text_pss);
	cr_assert_leq(m.text_pss, m.pss);
	share_mem_free(&set);
}

Test(share_mem, prefix_matches_mapping_paths)
{
	struct share_mem_files set = {0};
	struct share_mem m;
	unsigned char *p = map_file();

	p[0] = 1;
	cr_assert_eq(share_mem_add_prefix(&set, "/tmp/libmem-test-"), 0);
	cr_assert_eq(share_mem_measure(getpid(), &set, &m), 0);
	cr_assert_geq(m.mappings, 1);
	cr_assert_geq(m.private_dirty, 4096);
	munmap(p, PAGES * 4096);
	share_mem_free(&set);
}

Test(share_mem, missing_file_and_gone_process_are_errors)
{
	struct share_mem_files set = {0};
	struct share_mem m;

	cr_assert_eq(share_mem_add_file(&set, "/nonexistent/lib.so"), -ENOENT);
	cr_assert_eq(share_mem_measure(0x7ffffff0, &set, &m), -ENOENT);
	share_mem_free(&set);
}
