/*
 * fuzz_elf: the libFuzzer target over the loader's reading of a file: the
 * header check, the load plan, the mapping, the dynamic-section decoding and
 * the relocation plan, never running the library's code. FUZZ_STEP (set when
 * compiling) picks how far each input goes, one binary per step, so each
 * target spends its time on its own step.
 */
#include "checkimage.h"

#include <stddef.h>
#include <stdint.h>

#ifndef FUZZ_STEP
#define FUZZ_STEP CHECK_RELOCS
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	checkimage_run("fuzz.so", data, size, FUZZ_STEP);
	return 0;
}
