/* valgrind: the CLIs run clean under memcheck (no invalid access, no use of
 * uninitialised memory, no definite leak) on a few ordinary commands. */
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define VG_FAIL 99

/* Each command runs under valgrind with its arguments; "%s" is a scratch
 * file. Three tables, three tests, so the slow runs share both cores. */
static const char *const mapscope_commands[] = {
        BUILD_DIR "/mapscope --help",
        BUILD_DIR "/mapscope file %s",
        BUILD_DIR "/mapscope file --format text %s",
        BUILD_DIR "/mapscope file /nonexistent/file",
        BUILD_DIR "/mapscope faults --samples --format text --cold %s -- true",
        BUILD_DIR "/mapscope faults --lib " BUILD_DIR "/testlibs/libhello.so --call hello_reset",
        NULL,
};

static const char *const mapscope_more_commands[] = {
        BUILD_DIR "/mapscope iobench --size 16K %s",
        BUILD_DIR "/mapscope watch --count 2 --interval 0.01 %s",
        BUILD_DIR "/mapscope maps self",
        BUILD_DIR "/mapscope who %s",
        NULL,
};

static const char *const soload_commands[] = {
        BUILD_DIR "/soload",
        BUILD_DIR "/soload info " BUILD_DIR "/testlibs/libmalbase.so",
        BUILD_DIR "/soload call --ret int " BUILD_DIR "/testlibs/libmalbase.so malbase_len hi",
        BUILD_DIR "/soload info " BUILD_DIR "/testlibs/malformed/reloc-copy.so",
        NULL,
};

static int have_valgrind(void)
{
	char out[64];
	return tu_run("valgrind --version 2>/dev/null", out, sizeof(out)) == 0;
}

static void skip_unless_possible(void)
{
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
	cr_skip_test("valgrind cannot run sanitizer builds");
#endif
	if (!have_valgrind())
		cr_skip_test("valgrind not installed (apt-get install -y valgrind)");
}

/* Runs one command under memcheck; returns valgrind's verdict exit status. */
static int run_memcheck(const char *command, const char *scratch)
{
	char cmd[1024], args[512], out[1 << 16];

	snprintf(args, sizeof(args), command, scratch);
	snprintf(cmd, sizeof(cmd),
	         "valgrind -q --error-exitcode=%d --leak-check=full "
	         "--errors-for-leak-kinds=definite --track-fds=no %s >/dev/null 2>%s.vg",
	         VG_FAIL, args, scratch);
	return tu_run(cmd, out, sizeof(out));
}

static void check_commands(const char *const *commands)
{
	char scratch[] = "/tmp/mapscope-vg-XXXXXX";
	char log[64];
	int fd, clean = 1;

	skip_unless_possible();
	fd = mkstemp(scratch);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, "hello\n", 6), 6);
	close(fd);
	snprintf(log, sizeof(log), "%s.vg", scratch);
	for (; *commands; commands++) {
		int status = run_memcheck(*commands, scratch);
		cr_expect_neq(status, VG_FAIL, "memcheck errors in '%s' (see %s)", *commands, log);
		if (status == VG_FAIL) {
			clean = 0;
			break;
		}
	}
	unlink(scratch);
	if (clean)
		unlink(log);
}

Test(valgrind, mapscope_file_and_faults_are_memcheck_clean, .timeout = 120)
{
	check_commands(mapscope_commands);
}

Test(valgrind, mapscope_maps_who_watch_are_memcheck_clean, .timeout = 120)
{
	check_commands(mapscope_more_commands);
}

Test(valgrind, soload_is_memcheck_clean, .timeout = 120)
{
	check_commands(soload_commands);
}
