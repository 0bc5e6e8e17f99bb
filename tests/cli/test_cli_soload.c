/* soload CLI end to end: call, info, hold, and their errors. */
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define SOLOAD BUILD_DIR "/soload"

static json_t *run(const char *args, int *status)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "%s %s 2>/dev/null", SOLOAD, args);
	return tu_run_json(cmd, status);
}

Test(cli_soload, call_adds_two_integers)
{
	int st;
	json_t *doc = run("call " TESTLIB("libhello.so") " hello_add 2 3", &st);

	cr_assert_eq(st, 0);
	cr_assert_not_null(doc);
	cr_assert_str_eq(json_string_value(json_object_get(doc, "schema")), "mapscope/1");
	cr_assert_str_eq(json_string_value(json_object_get(doc, "kind")), "call");
	cr_assert_str_eq(json_string_value(json_object_get(doc, "symbol")), "hello_add");
	cr_assert_eq(json_integer_value(json_object_get(doc, "return")), 5);
	json_decref(doc);
}

Test(cli_soload, call_returns_a_string_from_a_string_argument)
{
	int st;
	json_t *doc = run("call --ret str " TESTLIB("libhello.so") " hello_greet world", &st);

	cr_assert_eq(st, 0);
	cr_assert_str_eq(json_string_value(json_object_get(doc, "return")), "hello, world");
	json_decref(doc);
}

Test(cli_soload, call_returns_double_and_long)
{
	int st;
	json_t *doc = run("call --ret double " TESTLIB("libhello.so") " hello_half 5", &st);

	cr_assert_eq(st, 0);
	cr_assert_float_eq(json_real_value(json_object_get(doc, "return")), 2.5, 1e-9);
	json_decref(doc);
	doc = run("call --ret long " TESTLIB("libhello.so") " hello_mul 100000 100000", &st);
	cr_assert_eq(json_integer_value(json_object_get(doc, "return")), 10000000000L);
	json_decref(doc);
}

Test(cli_soload, call_text_format_reads_as_a_call)
{
	char out[256];
	int st = tu_run(SOLOAD
	                " call --format text --ret str " TESTLIB("libhello.so") " hello_greet you",
	                out, sizeof(out));

	cr_assert_eq(st, 0);
	cr_assert_str_eq(out, "hello_greet(\"you\") = \"hello, you\"\n");
}

Test(cli_soload, call_of_a_missing_symbol_fails_naming_it)
{
	char out[512];
	int st = tu_run(SOLOAD " call " TESTLIB("libhello.so") " no_such_fn 2>&1", out,
	                sizeof(out));

	cr_assert_eq(st, 1);
	cr_assert(strstr(out, "libhello.so: undefined symbol no_such_fn"), "%s", out);
}

Test(cli_soload, call_of_a_missing_file_fails_with_json_error)
{
	int st;
	json_t *doc = run("call /nonexistent/libx.so f", &st);

	cr_assert_eq(st, 1);
	cr_assert(
	        strstr(json_string_value(json_object_get(doc, "error")), "/nonexistent/libx.so"));
	json_decref(doc);
}

Test(cli_soload, usage_errors_exit_2)
{
	char out[256];

	cr_assert_eq(tu_run(SOLOAD " 2>/dev/null", out, sizeof(out)), 2);
	cr_assert_eq(tu_run(SOLOAD " frobnicate 2>/dev/null", out, sizeof(out)), 2);
	cr_assert_eq(tu_run(SOLOAD " call onlylib 2>/dev/null", out, sizeof(out)), 2);
	cr_assert_eq(tu_run(SOLOAD " call --ret float a b 2>/dev/null", out, sizeof(out)), 2);
	cr_assert_eq(tu_run(SOLOAD " call --format xml a b 2>/dev/null", out, sizeof(out)), 2);
	cr_assert_eq(tu_run(SOLOAD " --help", out, sizeof(out)), 0);
	cr_assert(strstr(out, "usage: soload"));
}

Test(cli_soload, info_describes_a_library_without_running_it)
{
	int st;
	json_t *doc = run("info " TESTLIB("libreloc.so"), &st), *rel, *seg;

	cr_assert_eq(st, 0);
	cr_assert_str_eq(json_string_value(json_object_get(doc, "kind")), "info");
	cr_assert_str_eq(json_string_value(json_array_get(json_object_get(doc, "needed"), 0)),
	                 "libhello.so");
	rel = json_object_get(doc, "relocations");
	cr_assert_eq(json_integer_value(json_object_get(rel, "JUMP_SLOT")), 1);
	cr_assert_eq(json_integer_value(json_object_get(rel, "64")), 3);
	cr_assert_gt(json_integer_value(json_object_get(rel, "total")), 10);
	cr_assert_gt(json_integer_value(json_object_get(doc, "symbols")), 5);
	cr_assert_str_eq(json_string_value(json_array_get(json_object_get(doc, "hash_styles"), 0)),
	                 "gnu");
	cr_assert_str_eq(json_string_value(json_object_get(doc, "runpath")), "$ORIGIN");
	cr_assert(json_is_null(json_object_get(doc, "tls")));
	cr_assert(json_is_object(json_object_get(doc, "relro")));
	cr_assert_eq(strlen(json_string_value(json_object_get(doc, "build_id"))), 40);
	seg = json_array_get(json_object_get(doc, "segments"), 1);
	cr_assert_str_eq(json_string_value(json_object_get(seg, "prot")), "r-x");
	json_decref(doc);
}

Test(cli_soload, info_counts_relr_and_both_hash_styles)
{
	int st;
	json_t *doc = run("info " TESTLIB("librelr.so"), &st);

	cr_assert_eq(st, 0);
	cr_assert_geq(
	        json_integer_value(json_object_get(json_object_get(doc, "relocations"), "RELR")),
	        70);
	json_decref(doc);
	doc = run("info " TESTLIB("libsysvhash.so"), &st);
	cr_assert_str_eq(json_string_value(json_array_get(json_object_get(doc, "hash_styles"), 0)),
	                 "sysv");
	json_decref(doc);
}

Test(cli_soload, info_of_a_malformed_library_fails_naming_it)
{
	char out[512];
	int st = tu_run(SOLOAD " info " BUILD_DIR
	                       "/testlibs/malformed/write-exec.so 2>&1 >/dev/null",
	                out, sizeof(out));

	cr_assert_eq(st, 1);
	cr_assert(strstr(out, "write-exec.so: "), "%s", out);
	cr_assert(strstr(out, "writable and executable"), "%s", out);
}

Test(cli_soload, info_text_lists_segments)
{
	char out[4096];
	int st = tu_run(SOLOAD " info --format text " TESTLIB("libhello.so"), out, sizeof(out));

	cr_assert_eq(st, 0);
	cr_assert(strstr(out, "r-x vaddr"), "%s", out);
	cr_assert(strstr(out, "build-id"), "%s", out);
}

Test(cli_soload, hold_prints_one_line_and_exits_at_end_of_input)
{
	char out[65536];
	int st = tu_run(SOLOAD " hold --gdb " TESTLIB("libchain_a.so") " " TESTLIB(
	                        "libhello.so") " </dev/null",
	                out, sizeof(out));
	json_t *doc, *libs, *lib;

	cr_assert_eq(st, 0);
	cr_assert_eq(strchr(out, '\n'), out + strlen(out) - 1, "exactly one line");
	doc = json_loads(out, 0, NULL);
	cr_assert_str_eq(json_string_value(json_object_get(doc, "kind")), "hold");
	cr_assert_gt(json_integer_value(json_object_get(doc, "pid")), 0);
	libs = json_object_get(doc, "libraries");
	cr_assert_eq(json_array_size(libs), 2);
	lib = json_array_get(libs, 0);
	cr_assert_eq(json_integer_value(json_object_get(lib, "refcount")), 1);
	cr_assert_gt(json_integer_value(json_object_get(lib, "base")), 0);
	cr_assert_gt(json_array_size(json_object_get(lib, "segments")), 2);
	cr_assert(json_is_object(json_object_get(lib, "relro")));
	cr_assert(strstr(json_string_value(json_array_get(json_object_get(lib, "needed"), 0)),
	                 "libchain_b.so"));
	cr_assert(strstr(json_string_value(json_object_get(lib, "gdb")), "add-symbol-file /"));
	cr_assert(strstr(json_string_value(json_object_get(lib, "gdb")), " -s .data 0x"));
	json_decref(doc);
}

Test(cli_soload, hold_text_lists_the_dependencies_it_loaded)
{
	char out[4096];

	cr_assert_eq(tu_run(SOLOAD " hold --format text " TESTLIB("libchain_a.so") " </dev/null",
	                    out, sizeof(out)),
	             0, "%s", out);
	cr_assert_not_null(strstr(out, " holds 1 library\n"), "%s", out);
	cr_assert_not_null(strstr(out, "\nloaded as dependencies:\n"), "%s", out);
	cr_assert_not_null(strstr(out, "libchain_b.so at 0x"), "%s", out);
	cr_assert_not_null(strstr(out, "libchain_c.so at 0x"), "%s", out);
}

Test(cli_soload, hold_keeps_libraries_mapped_until_sigterm)
{
	int in[2], out[2], status;
	char line[65536], maps_path[64], cmd[128], maps[65536];
	ssize_t n;
	pid_t pid;
	json_t *doc;

	cr_assert_eq(pipe(in), 0);
	cr_assert_eq(pipe(out), 0);
	pid = fork();
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		execl(SOLOAD, "soload", "hold", TESTLIB("libcounter.so"), (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	n = read(out[0], line, sizeof(line) - 1);
	cr_assert_gt(n, 0);
	line[n] = '\0';
	doc = json_loads(line, 0, NULL);
	cr_assert_not_null(doc, "%s", line);
	cr_assert_eq(json_integer_value(json_object_get(doc, "pid")), pid);
	json_decref(doc);
	snprintf(maps_path, sizeof(maps_path), "/proc/%d/maps", pid);
	snprintf(cmd, sizeof(cmd), "cat %s", maps_path);
	tu_run(cmd, maps, sizeof(maps));
	cr_assert(strstr(maps, "libcounter.so"), "still mapped while held");
	kill(pid, SIGTERM);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status));
	cr_assert_eq(WEXITSTATUS(status), 0);
	close(in[1]);
	close(out[0]);
}

Test(cli_soload, hold_of_a_missing_library_fails)
{
	int st;
	json_t *doc = run("hold " TESTLIB("libhello.so") " /nonexistent/lib.so </dev/null", &st);

	cr_assert_eq(st, 1);
	cr_assert(strstr(json_string_value(json_object_get(doc, "error")), "/nonexistent/lib.so"));
	json_decref(doc);
	cr_assert_eq(tu_run(SOLOAD " hold 2>/dev/null", (char[8]){0}, 8), 2);
}

Test(cli_soload, call_takes_negative_numbers_and_options_anywhere)
{
	int st;
	json_t *doc = run("call " TESTLIB("libhello.so") " hello_add -5 3", &st);

	cr_assert_eq(st, 0);
	cr_assert_eq(json_integer_value(json_object_get(doc, "return")), -2);
	json_decref(doc);
	doc = run("call " TESTLIB("libhello.so") " hello_greet --ret=str -- --dashed", &st);
	cr_assert_eq(st, 0);
	cr_assert_str_eq(json_string_value(json_object_get(doc, "return")), "hello, --dashed");
	json_decref(doc);
	doc = run("call -r long " TESTLIB("libhello.so") " hello_mul -0x10 2", &st);
	cr_assert_eq(json_integer_value(json_object_get(doc, "return")), -32);
	json_decref(doc);
	cr_assert_eq(tu_run(SOLOAD " call -x a b 2>/dev/null", (char[8]){0}, 8), 2);
	cr_assert_eq(tu_run(SOLOAD " call a b 1 2 3 4 5 6 7 2>/dev/null", (char[8]){0}, 8), 2);
}

Test(cli_soload, call_refuses_to_jump_into_data)
{
	char out[512];
	int st = tu_run(SOLOAD " call " TESTLIB("libhello.so") " hello_buf 2>&1 >/dev/null", out,
	                sizeof(out));

	cr_assert_eq(st, 1);
	cr_assert(strstr(out, "libhello.so: hello_buf is data, not a function"), "%s", out);
}
