/*
 * afl_main: the same targets for AFL++ or by hand, without libFuzzer: reads
 * each file named on the command line (or stdin) and runs it through
 * LLVMFuzzerTestOneInput. Under afl-clang-fast, given no file, it loops in
 * persistent mode over test cases in shared memory (AFL++'s fastest mode; a
 * stdin FILE would stay at EOF after the first round).
 *
 *   build/fuzz/afl-reloc build/testlibs/malformed/trunc-in-data.so
 *   afl-fuzz -i seeds -o out -- build/fuzz/afl-reloc @@
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

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

#ifdef __AFL_FUZZ_TESTCASE_LEN
__AFL_FUZZ_INIT();

static void run_persistent(void)
{
	const uint8_t *buf;

	__AFL_INIT();
	buf = __AFL_FUZZ_TESTCASE_BUF;
	while (__AFL_LOOP(10000))
		LLVMFuzzerTestOneInput(buf, (size_t)__AFL_FUZZ_TESTCASE_LEN);
}
#endif

int main(int argc, char **argv)
{
	uint8_t *buf;
	int failed = 0;

#ifdef __AFL_FUZZ_TESTCASE_LEN
	if (argc < 2) {
		run_persistent();
		return 0;
	}
#endif
	buf = malloc(MAX_INPUT);
	if (!buf)
		return 1;
	if (argc < 2)
		failed = run_stream(stdin, buf) != 0;
	for (int i = 1; i < argc; i++)
		failed |= run_file(argv[i], buf) != 0;
	free(buf);
	return failed;
}
