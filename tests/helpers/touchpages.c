/*
 * touchpages: a program whose page faults are known, for the faults tests.
 *
 *   touchpages FILE STEP [read|random|write-private|write-shared]
 *
 * maps FILE and touches one byte of every STEP-th page: reads it (with
 * MADV_RANDOM for "random", so each touched page is one major fault when
 * the file is cold), or writes it through a private (copy-on-write) or
 * shared mapping.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	const char *mode = argc > 3 ? argv[3] : "read";
	int writes = strncmp(mode, "write", 5) == 0;
	int shared = strcmp(mode, "write-private") != 0;
	long page = sysconf(_SC_PAGESIZE);
	volatile unsigned char sum = 0;
	struct stat st;
	unsigned char *p;
	long step;
	int fd;

	if (argc < 3 || (step = atol(argv[2])) < 1) {
		fprintf(stderr,
		        "usage: touchpages FILE STEP [read|random|write-private|write-shared]\n");
		return 2;
	}
	fd = open(argv[1], writes && shared ? O_RDWR : O_RDONLY);
	if (fd < 0 || fstat(fd, &st) != 0) {
		perror(argv[1]);
		return 1;
	}
	p = mmap(NULL, st.st_size, PROT_READ | (writes ? PROT_WRITE : 0),
	         shared ? MAP_SHARED : MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	if (strcmp(mode, "random") == 0)
		madvise(p, st.st_size, MADV_RANDOM);
	for (off_t off = 0; off < st.st_size; off += step * page) {
		if (writes)
			p[off] = 1;
		else
			sum += p[off];
	}
	munmap(p, st.st_size);
	close(fd);
	return sum == 255 ? 3 : 0;
}
