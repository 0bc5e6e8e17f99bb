#include "libmem.h"
#include "testutil.h"

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

TestSuite(libmem, .init = make_file, .fini = remove_file);

static unsigned char *map_file(void)
{
	int fd = open(path, O_RDONLY);
	unsigned char *p = mmap(NULL, PAGES * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);

	close(fd);
	cr_assert_neq(p, MAP_FAILED);
	return p;
}

Test(libmem, sums_only_the_mappings_of_the_set)
{
	struct libmem_files set = {0};
	struct libmem m;
	unsigned char *p = map_file();
	volatile unsigned char sink = 0;

	for (int i = 0; i < 4; i++)
		sink += p[i * 4096];
	p[8 * 4096] = 1;
	p[9 * 4096] = 1;
	(void)sink;
	cr_assert_eq(libmem_add_file(&set, path), 0);
	cr_assert_eq(libmem_add_file(&set, path), 0);
	cr_assert_eq(set.n, 1);
	cr_assert_eq(libmem_measure(getpid(), &set, &m), 0);
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
	libmem_free(&set);
}

Test(libmem, executable_mappings_count_as_text)
{
	struct libmem_files set = {0};
	struct libmem m;

	cr_assert_eq(libmem_add_file(&set, "/proc/self/exe"), 0);
	cr_assert_eq(libmem_measure(getpid(), &set, &m), 0);
	cr_assert_geq(m.mappings, 2);
	cr_assert_gt(m.text_pss, 0);
	cr_assert_geq(m.text_rss, m.text_pss);
	cr_assert_leq(m.text_pss, m.pss);
	libmem_free(&set);
}

Test(libmem, prefix_matches_mapping_paths)
{
	struct libmem_files set = {0};
	struct libmem m;
	unsigned char *p = map_file();

	p[0] = 1;
	cr_assert_eq(libmem_add_prefix(&set, "/tmp/libmem-test-"), 0);
	cr_assert_eq(libmem_measure(getpid(), &set, &m), 0);
	cr_assert_geq(m.mappings, 1);
	cr_assert_geq(m.private_dirty, 4096);
	munmap(p, PAGES * 4096);
	libmem_free(&set);
}

Test(libmem, missing_file_and_gone_process_are_errors)
{
	struct libmem_files set = {0};
	struct libmem m;

	cr_assert_eq(libmem_add_file(&set, "/nonexistent/lib.so"), -ENOENT);
	cr_assert_eq(libmem_measure(0x7ffffff0, &set, &m), -ENOENT);
	libmem_free(&set);
}
