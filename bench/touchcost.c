/*
 * touchcost: what a process's first touch of a page costs, the unit a
 * first load is paid in (bench/README.md, "What a first touch costs").
 *
 *   touchcost FILE [PAGES]
 *
 * Maps PAGES pages (64) of FILE (a file in the page cache: a library) and
 * reads one byte of each page in turn, at a stride of 1 page (every page,
 * in order) and of 8, 16 and 64 pages (each page alone in its part of the
 * file), first with the pages faulted in by the reads themselves, then
 * with MAP_POPULATE having mapped them all; then the same with anonymous
 * memory written. Prints microseconds per page for the first touch and
 * for a second one. Each figure is its own fresh mapping; run it a few
 * times, the machine's noise is large.
 *
 * Then what unmapping costs, the other half of a load and unload: munmap
 * of 8 to 64 populated pages of FILE, averaged over 200 mappings. Linux
 * invalidates the TLB entry of each page up to 33 pages
 * (tlb_single_page_flush_ceiling) and flushes the whole TLB above that, so
 * where an invalidation is dear (a virtual machine that traps it) 33 pages
 * cost more than 34.
 */
#include "clock.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096L

/* Touches pages pages of p, stride pages apart: us per page. */
static double touch(volatile unsigned char *p, long pages, long stride, int write, int offset)
{
	double t0 = bench_us();

	for (long i = 0; i < pages; i++) {
		volatile unsigned char *at = p + i * stride * PAGE + offset;
		if (write)
			*at = 1;
		else
			(void)*at;
	}
	return (bench_us() - t0) / (double)pages;
}

static int measure(int fd, long pages, long stride, int populate)
{
	size_t len = (size_t)(pages * stride * PAGE);
	int anon = fd < 0;
	int flags = MAP_PRIVATE | (anon ? MAP_ANONYMOUS : 0) | (populate ? MAP_POPULATE : 0);
	unsigned char *p = mmap(NULL, len, anon ? PROT_READ | PROT_WRITE : PROT_READ, flags,
	                        anon ? -1 : fd, 0);
	double first, again;

	if (p == MAP_FAILED) {
		perror("touchcost: mmap");
		return -1;
	}
	first = touch(p, pages, stride, anon, 0);
	again = touch(p, pages, stride, anon, 64);
	printf("%-9s stride %2ld pages  %-9s first touch %6.2f us/page  again %6.3f\n",
	       anon ? "anonymous" : "file", stride, populate ? "populated" : "faulted", first,
	       again);
	munmap(p, len);
	return 0;
}

/* munmap of pages populated pages of fd: us, averaged over rounds. */
static int unmap_cost(int fd, long pages)
{
	const int rounds = 200;
	size_t len = (size_t)(pages * PAGE);
	double total = 0;

	for (int r = 0; r < rounds; r++) {
		void *p = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
		double t0;
		if (p == MAP_FAILED) {
			perror("touchcost: mmap");
			return -1;
		}
		t0 = bench_us();
		munmap(p, len);
		total += bench_us() - t0;
	}
	printf("munmap of %2ld populated file pages %7.2f us  (%5.2f us/page)\n", pages,
	       total / rounds, total / rounds / (double)pages);
	return 0;
}

int main(int argc, char **argv)
{
	static const long unmapped[] = {8, 16, 32, 33, 34, 64};
	static const long strides[] = {1, 8, 16, 64};
	long pages = argc > 2 ? atol(argv[2]) : 64;
	struct stat st;
	int fd;

	if (argc < 2 || pages < 1) {
		fprintf(stderr, "usage: touchcost FILE [PAGES]\n");
		return 2;
	}
	if ((fd = open(argv[1], O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &st) != 0) {
		perror(argv[1]);
		return 1;
	}
	for (size_t s = 0; s < sizeof(strides) / sizeof(strides[0]); s++) {
		if (pages * strides[s] * PAGE > st.st_size) {
			printf("file      stride %2ld pages  skipped: %s holds fewer than %ld "
			       "pages\n",
			       strides[s], argv[1], pages * strides[s]);
			continue;
		}
		for (int populate = 0; populate < 2; populate++)
			if (measure(fd, pages, strides[s], populate) != 0)
				return 1;
	}
	for (size_t u = 0; u < sizeof(unmapped) / sizeof(unmapped[0]); u++)
		if (unmapped[u] * PAGE <= st.st_size && unmap_cost(fd, unmapped[u]) != 0)
			return 1;
	close(fd);
	for (size_t s = 0; s < sizeof(strides) / sizeof(strides[0]); s++)
		for (int populate = 0; populate < 2; populate++)
			if (measure(-1, pages, strides[s], populate) != 0)
				return 1;
	return 0;
}
