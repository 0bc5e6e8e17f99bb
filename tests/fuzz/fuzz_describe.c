/*
 * fuzz_describe: the libFuzzer target over what `soload info` and
 * `soload hold --gdb` read (describe_library: notes, counts, build-id;
 * describe_sections: the section headers through libelf), never running
 * the library's code. The input is a memfd named by /proc/self/fd/N.
 */
#include "describe.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz.so", MFD_CLOEXEC);
	struct description d;
	struct section *sections = NULL;
	size_t nsections = 0;
	char path[64];

	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (describe_library(path, &d) == 0)
		describe_release(&d);
	if (describe_sections(path, &sections, &nsections) == 0)
		free(sections);
	close(fd);
	return 0;
}
