/*
 * afl_main: the same targets for AFL++ or by hand, without libFuzzer: reads
 * each file named on the command line (or stdin) and runs it through
 * LLVMFuzzerTestOneInput. Under afl-clang-fast it loops in persistent mode.
 *
 *   build/fuzz/afl-reloc build/testlibs/malformed/trunc-in-data.so
 *   afl-fuzz -i seeds -o out -- build/fuzz/afl-reloc @@
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_INPUT (1 << 22)

static int run_stream(FILE *f, uint8_t *buf)
{
	size_t n = fread(buf, 1, MAX_INPUT, f);

	if (ferror(f))
		return -1;
	LLVMFuzzerTestOneInput(buf, n);
	return 0;
}

static int run_file(const char *path, uint8_t *buf)
{
	FILE *f = fopen(path, "rb");
	int rc;

	if (!f) {
		perror(path);
		return -1;
	}
	rc = run_stream(f, buf);
	fclose(f);
	return rc;
}

int main(int argc, char **argv)
{
	uint8_t *buf = malloc(MAX_INPUT);
	int failed = 0;

	if (!buf)
		return 1;
#ifdef __AFL_LOOP
	if (argc < 2) {
		while (__AFL_LOOP(10000))
			run_stream(stdin, buf);
		free(buf);
		return 0;
	}
#endif
	if (argc < 2)
		failed = run_stream(stdin, buf) != 0;
	for (int i = 1; i < argc; i++)
		failed |= run_file(argv[i], buf) != 0;
	free(buf);
	return failed;
}
