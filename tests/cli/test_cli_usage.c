/* Usage errors are one line of stderr, exit status 2, nothing on stdout: a
 * refused value or option as given and what is accepted, or any other
 * misuse said with the command's --help to read. */
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <regex.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define MAPSCOPE BUILD_DIR "/mapscope "
#define SOLOAD   BUILD_DIR "/soload"

static const char *const refused[] = {
        "nosuchcommand",
        "maps --bogus self",
        "maps self --sort colour",
        "maps self --format xml",
        "maps 12x",
        "maps self --format text -o RSS,COLOUR",
        "maps --all --sort address",
        "file -z /dev/null",
        "file --format=yaml /dev/null",
        "file --format text --output colour /dev/null",
        "who --format xml /dev/null",
        "who --format text -o PID,X /dev/null",
        "share -n 0 libz.so.1",
        "share --loader ld.so libz.so.1",
        "share --format text -o X libz.so.1",
        "faults --format prometheus -- true",
        "faults --lib a.so --call f --loader ld.so",
        "faults --format text -o X -- true",
        "watch 1 --interval 0",
        "watch 1 --count x",
        "watch 1 --format text -o X",
        "libs --bogus",
        "libs --sort colour",
        "libs --top 0",
        "libs 12x",
        "libs --format text -o PROCS,X",
        "iobench --bogus /dev/null",
        "iobench --size 12Q /dev/null",
        "iobench --format xml /dev/null",
        "iobench --copy --to carrier-pigeon /dev/null",
        "iobench --multiplex --fds 0",
        "iobench --multiplex --events x",
        "iobench --format text -o X /dev/null",
};

/* Runs "BUILD_DIR/prog line" for each line: exit 2, the one-line shape on
 * stderr, nothing on stdout. */
static void expect_refused(const char *prog, const char *const *lines, size_t n)
{
	char re[256];
	regex_t shape;

	snprintf(re, sizeof(re),
	         "^%s( [a-z]+)?: invalid [^ ]+( value)? '[^']*' \\(accepted: [^)]+\\)\n$", prog);
	cr_assert_eq(regcomp(&shape, re, REG_EXTENDED), 0);
	for (size_t i = 0; i < n; i++) {
		char cmd[512], out[4096];

		snprintf(cmd, sizeof(cmd), BUILD_DIR "/%s %s 2>&1 >/dev/null", prog, lines[i]);
		cr_expect_eq(tu_run(cmd, out, sizeof(out)), 2, "%s", lines[i]);
		cr_expect_eq(regexec(&shape, out, 0, NULL, 0), 0, "%s: %s", lines[i], out);
		snprintf(cmd, sizeof(cmd), BUILD_DIR "/%s %s 2>/dev/null", prog, lines[i]);
		tu_run(cmd, out, sizeof(out));
		cr_expect_str_empty(out, "%s: stdout: %s", lines[i], out);
	}
	regfree(&shape);
}

Test(cli_usage, every_refused_value_or_option_names_it_and_what_is_accepted)
{
	expect_refused("mapscope", refused, sizeof(refused) / sizeof(refused[0]));
}

/* soload's commands speak the same shape. */
static const char *const soload_refused[] = {
        "nosuchcommand",
        "info --bogus libz.so.1",
        "info --format xml libz.so.1",
        "hold --bogus libz.so.1",
        "hold --format xml libz.so.1",
        "run --bogus -- true",
        "call --bogus libz.so.1 zlibVersion",
        "call --ret float libz.so.1 zlibVersion",
        "call --format xml libz.so.1 zlibVersion",
};

Test(cli_usage, soload_refuses_in_the_same_shape)
{
	expect_refused("soload", soload_refused,
	               sizeof(soload_refused) / sizeof(soload_refused[0]));
}

/* What is neither a value nor an option: operands missing or too many,
 * options that do not go together. */
static const char *const misuse[] = {
        "mapscope file",
        "mapscope file --top 3 --ranges /dev/null",
        "mapscope maps",
        "mapscope maps --all 1",
        "mapscope maps --all --comm sh",
        "mapscope who",
        "mapscope faults",
        "mapscope faults --lib libz.so.1",
        "mapscope iobench",
        "mapscope iobench a b",
        "mapscope iobench --multiplex /dev/null",
        "mapscope iobench --to pipe /dev/null",
        "mapscope share",
        "mapscope share a b",
        "mapscope libs --all 1",
        "mapscope watch",
        "mapscope watch 1 2",
        "soload info",
        "soload info a b",
        "soload call",
        "soload call libz.so.1",
        "soload call libz.so.1 f 1 2 3 4 5 6 7",
        "soload hold",
        "soload run",
};

/* "PROG COMMAND: what is wrong (see PROG COMMAND --help)", one line on
 * stderr, exit 2, nothing on stdout. */
Test(cli_usage, a_misuse_says_what_is_wrong_and_where_to_read)
{
	regex_t shape;

	cr_assert_eq(regcomp(&shape, "^([a-z]+) ([a-z]+): [^\n]+ \\(see \\1 \\2 --help\\)\n$",
	                     REG_EXTENDED),
	             0);
	for (size_t i = 0; i < sizeof(misuse) / sizeof(misuse[0]); i++) {
		char cmd[512], out[4096];

		snprintf(cmd, sizeof(cmd), BUILD_DIR "/%s 2>&1 >/dev/null", misuse[i]);
		cr_expect_eq(tu_run(cmd, out, sizeof(out)), 2, "%s", misuse[i]);
		cr_expect_eq(regexec(&shape, out, 0, NULL, 0), 0, "%s: %s", misuse[i], out);
		snprintf(cmd, sizeof(cmd), BUILD_DIR "/%s 2>/dev/null", misuse[i]);
		tu_run(cmd, out, sizeof(out));
		cr_expect_str_empty(out, "%s: stdout: %s", misuse[i], out);
	}
	regfree(&shape);
}

Test(cli_usage, an_option_without_its_value_is_named)
{
	char out[4096];

	cr_assert_eq(tu_run(MAPSCOPE "maps self --sort 2>&1", out, sizeof(out)), 2);
	cr_assert_str_eq(out, "mapscope maps: option '--sort' needs a value "
	                      "(see mapscope maps --help)\n");
}

/* "--report -- CMD": getopt would take the "--" for the value, and the
 * report would go to a file named "--". */
Test(cli_usage, a_value_left_out_before_the_command_is_named)
{
	char out[4096];

	cr_assert_eq(tu_run(SOLOAD " run --report -- true 2>&1", out, sizeof(out)), 2);
	cr_expect_str_eq(out, "soload run: option '--report' needs a value "
	                      "(see soload run --help)\n");
	cr_expect_neq(access("--", F_OK), 0);
	unlink("--");
	cr_assert_eq(tu_run(MAPSCOPE "faults --cold -- true 2>&1", out, sizeof(out)), 2);
	cr_expect_str_eq(out, "mapscope faults: option '--cold' needs a value "
	                      "(see mapscope faults --help)\n");
	cr_assert_eq(tu_run(MAPSCOPE "maps self -s -- 2>&1", out, sizeof(out)), 2);
	cr_expect_str_eq(out, "mapscope maps: option '-s' needs a value "
	                      "(see mapscope maps --help)\n");
}
