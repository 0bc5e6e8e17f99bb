/* valgrind: the CLIs run clean under memcheck (no invalid access, no use of
 * uninitialised memory, no definite leak) on a few ordinary commands. */
#include "testutil.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define VG_FAIL 99

/* Each command runs under valgrind with its arguments; "%s" is a scratch file. */
static const char *const commands[] = {
        BUILD_DIR "/mapscope --help",
        BUILD_DIR "/mapscope file %s",
        BUILD_DIR "/mapscope file --format text %s",
        BUILD_DIR "/mapscope file /nonexistent/file",
        BUILD_DIR "/mapscope faults --samples --format text --cold %s -- true",
        BUILD_DIR "/mapscope faults --lib " BUILD_DIR "/testlibs/libhello.so --call hello_reset",
        BUILD_DIR "/mapscope iobench --size 16K %s",
        BUILD_DIR "/mapscope watch --count 2 --interval 0.01 %s",
        BUILD_DIR "/soload",
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

Test(valgrind, clis_are_memcheck_clean, .timeout = 120)
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
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		int status = run_memcheck(commands[i], scratch);
		cr_expect_neq(status, VG_FAIL, "memcheck errors in '%s' (see %s)", commands[i],
		              log);
		if (status == VG_FAIL) {
			clean = 0;
			break;
		}
	}
	unlink(scratch);
	if (clean)
		unlink(log);
}
