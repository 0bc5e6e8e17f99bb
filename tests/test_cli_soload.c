/* soload CLI end to end: call, info, hold, and their errors. */
#include "testutil.h"

#include <criterion/criterion.h>
#include <string.h>

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
