/* soload CLI end to end: call, info, hold, and their errors. */
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <fcntl.h>
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

/* A C++ exception thrown through a C library's frame (a callback it calls)
 * is caught, as under dlopen: the C library's frames are registered with
 * the libgcc_s its tree loaded, though its own scope has none. soload is a
 * C program: glibc holds no libgcc_s that could stand in. The close after
 * it unloads the tree, libgcc_s before the C library, cleanly. */
Test(cli_soload, call_catches_an_exception_thrown_through_a_c_library)
{
	int st;
	json_t *doc = run("call " TESTLIB("libthrowcb.so") " throw_through_c", &st);

	cr_assert_eq(st, 0, "the exception was not caught (exit %d)", st);
	cr_assert_not_null(doc);
	cr_assert_eq(json_integer_value(json_object_get(doc, "return")), 42);
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

/* Issue 14: a name without a '/' is searched as dlopen searches it. libz is
 * on every machine this builds on (libelf needs it). */
Test(cli_soload, call_info_and_hold_take_a_soname)
{
	char out[65536];
	const char *path;
	int st;
	json_t *doc = run("call --ret str libz.so.1 zlibVersion", &st), *lib;

	cr_assert_eq(st, 0);
	cr_assert_eq(strncmp(json_string_value(json_object_get(doc, "return")), "1.", 2), 0);
	json_decref(doc);
	doc = run("info libz.so.1", &st);
	cr_assert_eq(st, 0);
	path = json_string_value(json_object_get(doc, "library"));
	cr_assert(path && path[0] == '/' && strstr(path, "/libz.so.1"), "%s", path);
	cr_assert_str_eq(json_string_value(json_object_get(doc, "soname")), "libz.so.1");
	json_decref(doc);
	st = tu_run(SOLOAD " hold --gdb libz.so.1 </dev/null", out, sizeof(out));
	cr_assert_eq(st, 0, "%s", out);
	doc = json_loads(out, 0, NULL);
	lib = json_array_get(json_object_get(doc, "libraries"), 0);
	path = json_string_value(json_object_get(lib, "path"));
	cr_assert(path && path[0] == '/' && strstr(path, "/libz.so.1"), "%s", out);
	cr_assert(strstr(json_string_value(json_object_get(lib, "gdb")), "add-symbol-file /"));
	json_decref(doc);
}

Test(cli_soload, a_soname_found_nowhere_lists_the_search)
{
	char out[1024];
	int st = tu_run(SOLOAD " call libnosuch.so.9 f 2>&1 >/dev/null", out, sizeof(out));

	cr_assert_eq(st, 1);
	cr_assert(strstr(out, "libnosuch.so.9: not found (searched: "), "%s", out);
	cr_assert(strstr(out, "/etc/ld.so.cache"), "%s", out);
}

/* Issue 14: --ret str on a function that returns an int must not crash. */
Test(cli_soload, ret_str_of_an_integer_is_an_error_not_a_crash)
{
	char out[1024];
	int st;
	json_t *doc = run("call --ret str " TESTLIB("libhello.so") " hello_add 1 2", &st);
	const char *err = json_string_value(json_object_get(doc, "error"));

	cr_assert_eq(st, 1, "exit %d", st);
	cr_assert(err && strstr(err, "hello_add returned 0x3, which is not the address of a "
	                             "readable string"),
	          "%s", err);
	cr_assert(strstr(err, "--ret int"), "%s", err);
	json_decref(doc);
	st = tu_run(SOLOAD " call --format text --ret str " TESTLIB("libhello.so") " hello_add 0 "
	                                                                           "4096 2>&1",
	            out, sizeof(out));
	cr_assert_eq(st, 1, "%s", out);
	cr_assert(strstr(out, "0x1000, which is not the address"), "%s", out);
}

Test(cli_soload, more_than_six_arguments_says_the_limit)
{
	char out[1024];
	int st = tu_run(SOLOAD " call " TESTLIB("libhello.so") " hello_add 1 2 3 4 5 6 7 2>&1",
	                out, sizeof(out));

	cr_assert_eq(st, 2);
	cr_assert(strstr(out, "at most 6 arguments can be passed"), "%s", out);
	cr_assert(strstr(out, "not 7"), "%s", out);
}

/* Issue 14: the message names the path as given, not its basename. */
Test(cli_soload, errors_name_the_path_as_given)
{
	char out[1024];
	int st = tu_run(SOLOAD " info /usr/bin/ls 2>&1 >/dev/null", out, sizeof(out));

	cr_assert_eq(st, 1);
	cr_assert(strncmp(out, "soload: /usr/bin/ls: ", 21) == 0, "%s", out);
	st = tu_run(SOLOAD " call " TESTLIB("libhello.so") " no_such_fn 2>&1 >/dev/null", out,
	            sizeof(out));
	cr_assert(strstr(out, "soload: " TESTLIB("libhello.so") ": undefined symbol"), "%s", out);
}

/* A file named like glibc's own that is not a 64-bit library at all (as
 * /usr/lib32/libc.so.6) is refused for what it is, by every command. */
Test(cli_soload, a_32_bit_libc_is_not_a_64_bit_file_to_every_command)
{
	static const char *const cmds[] = {"info %s", "call %s f", "hold %s </dev/null"};
	char dir[] = "/tmp/mapscope-XXXXXX", path[64], cmd[256], out[1024];
	unsigned char header[64] = {0x7f, 'E', 'L', 'F', 1, 1, 1};
	FILE *f;

	cr_assert_not_null(tu_make_tmpdir(dir));
	snprintf(path, sizeof(path), "%s/libc.so.6", dir);
	f = fopen(path, "wb");
	cr_assert_not_null(f);
	cr_assert_eq(fwrite(header, 1, sizeof(header), f), sizeof(header));
	fclose(f);
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		char args[128];
		snprintf(args, sizeof(args), cmds[i], path);
		snprintf(cmd, sizeof(cmd), SOLOAD " %s 2>&1 >/dev/null", args);
		cr_expect_eq(tu_run(cmd, out, sizeof(out)), 1, "%s", args);
		cr_expect(strstr(out, path) && strstr(out, ": not a 64-bit ELF file"), "%s: %s",
		          args, out);
	}
	tu_remove_tree(dir);
	/* glibc's real one is still glibc's: named in full. */
	tu_run(SOLOAD " call /lib/x86_64-linux-gnu/libc.so.6 f 2>&1 >/dev/null", out, sizeof(out));
	cr_assert(strstr(out, "/lib/x86_64-linux-gnu/libc.so.6: one of glibc's own libraries"),
	          "%s", out);
}

/* Issue 14: `soload hold LIB &` in a script has /dev/null as stdin; with
 * --until-signal it holds until signalled. */
Test(cli_soload, hold_until_signal_outlives_the_end_of_its_input)
{
	int out[2], status, devnull = open("/dev/null", O_RDONLY);
	char line[65536];
	ssize_t n;
	pid_t pid;

	cr_assert_geq(devnull, 0);
	cr_assert_eq(pipe(out), 0);
	pid = fork();
	if (pid == 0) {
		dup2(devnull, 0);
		dup2(out[1], 1);
		close(out[0]);
		execl(SOLOAD, "soload", "hold", "--until-signal", TESTLIB("libhello.so"),
		      (char *)NULL);
		_exit(127);
	}
	close(devnull);
	close(out[1]);
	n = read(out[0], line, sizeof(line) - 1);
	cr_assert_gt(n, 0, "no ready line");
	line[n] = '\0';
	cr_assert(strstr(line, "\"kind\":\"hold\""), "%s", line);
	usleep(300 * 1000);
	cr_assert_eq(waitpid(pid, &status, WNOHANG), 0, "exited at the end of its input");
	kill(pid, SIGTERM);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(out[0]);
}

/* Issue 14: a cache that none of this process's RELRO pages matched shared
 * nothing, and the status must say so rather than "shared". libz's RELRO
 * points into glibc, which each process has somewhere else. */
Test(cli_soload, hold_share_that_shared_no_page_says_why)
{
	char dir[] = "/tmp/mapscope-XXXXXX", cmd[256];
	json_t *doc = NULL, *share;
	const char *status;
	long long shared;
	int st;

	cr_assert_not_null(tu_make_tmpdir(dir));
	snprintf(cmd, sizeof(cmd),
	         "SOLOAD_SHARE_DIR=%s " SOLOAD " hold --share libz.so.1 </dev/null 2>/dev/null",
	         dir);
	for (int i = 0; i < 2; i++) {
		json_decref(doc);
		doc = tu_run_json(cmd, &st);
		cr_assert_eq(st, 0);
	}
	tu_remove_tree(dir);
	share = json_object_get(json_array_get(json_object_get(doc, "libraries"), 0), "share");
	status = json_string_value(json_object_get(share, "status"));
	shared = tu_json_int(share, "shared_pages");
	cr_assert_not_null(status);
	if (shared > 0)
		cr_assert_str_eq(status, "shared");
	else
		cr_assert(strncmp(status, "private: no RELRO page matched the cache", 40) == 0,
		          "0 pages shared, status %s", status);
	json_decref(doc);
}
