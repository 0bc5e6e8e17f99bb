/* mremapgrow MIB: grows an anonymous buffer as realloc does for big blocks,
 * with mremap, 1 MiB at a time up to MIB MiB, writing every page after each
 * move, then exits. perf records the first mmap, never the moves: the test
 * of mapscope faults checks that these faults still find their mapping. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 16, len = 1 << 20;
	char *buf = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	/* A mapping just above the buffer, so that growing must move it. */
	char *fence;

	if (buf == MAP_FAILED)
		return 1;
	for (size_t size = 2 << 20; size <= mib << 20; size += 1 << 20) {
		fence = mmap(buf + len, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		buf = mremap(buf, len, size, MREMAP_MAYMOVE);
		if (buf == MAP_FAILED)
			return 1;
		if (fence != MAP_FAILED)
			munmap(fence, 4096);
		len = size;
		memset(buf, 1, len);
	}
	printf("%zu MiB\n", len >> 20);
	return 0;
}
