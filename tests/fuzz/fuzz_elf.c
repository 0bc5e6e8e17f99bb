/*
 * fuzz_elf: the libFuzzer target over the loader's reading of a file: the
 * header check and load plan, the mapping and dynamic-section decoding, the
 * relocation plan and symbol lookups (load_check_fd), never running the
 * library's code. The
 * input is written to a memfd so every step runs exactly as for a file.
 * FUZZ_STEP (set when compiling) picks how far each input goes, one binary
 * per step, so each target spends its time on its own step.
 */
#include "load.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef FUZZ_STEP
#define FUZZ_STEP LOAD_CHECK_SYMBOLS
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int memfd_of(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz.so", MFD_CLOEXEC);
	size_t done = 0;

	if (fd < 0)
		abort();
	while (done < size) {
		ssize_t n = write(fd, data + done, size - done);
		if (n <= 0)
			abort();
		done += (size_t)n;
	}
	return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_of(data, size);

	load_check_fd("fuzz.so", fd, FUZZ_STEP);
	close(fd);
	return 0;
}
