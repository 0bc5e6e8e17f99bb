/*
 * command: the conventions both CLIs share. A tool is a table of commands,
 * each parsing its own arguments with getopt_long and returning the exit
 * code: 0 success, 1 the work failed, 2 usage error. One dispatcher runs
 * "PROG COMMAND ARGS...", one parser reads every --format value.
 */
#ifndef COMMAND_H
#define COMMAND_H

#include "core/emit.h"

#include <getopt.h>

struct command {
	const char *name;
	const char *summary;               /* one line in PROG --help */
	int (*run)(int argc, char **argv); /* argv[0] is the command's name */
};

/* The formats a command accepts, as a mask of these bits. */
#define COMMAND_FORMAT(f) (1u << (f))
#define COMMAND_JSON_TEXT                                                                         \
	(COMMAND_FORMAT(EMIT_JSON) | COMMAND_FORMAT(EMIT_JSONL) | COMMAND_FORMAT(EMIT_TEXT))
#define COMMAND_ALL_FORMATS (COMMAND_JSON_TEXT | COMMAND_FORMAT(EMIT_PROMETHEUS))

/* Runs the command argv[1] names from table (ended by a zeroed entry). With
 * no command, or --help, lists the commands; --version prints the version;
 * an unknown command is a usage error. Returns the exit code. */
int command_dispatch(const char *prog, const struct command *table, int argc, char **argv);

/* Parses a --format value. 0, or 2 after saying on stderr which value was
 * refused and which the command accepts. */
int command_format(const char *prog, const char *arg, unsigned accepted, enum emit_format *out);

/* Every refused value and option has one shape on stderr, naming the value
 * and what is accepted:
 *   PROG COMMAND: invalid --sort value 'x' (accepted: RSS, PSS, ...)
 *   PROG COMMAND: invalid option '--bogus' (accepted: --format, ...)
 * command_invalid says the first and returns 2 (the usage exit code). */
int command_invalid(const char *prog, const char *command, const char *option, const char *value,
                    const char *accepted);

/* Any other usage error (an operand missing or too many, options that do
 * not go together) in the same shape, with where to read more:
 *   PROG COMMAND: no PATH given (see PROG COMMAND --help)
 * Returns 2. */
int command_misuse(const char *prog, const char *command, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* getopt_long for a command (argv[0] is its name) that says what was wrong
 * in that shape itself: an unknown option, or one without its value. It
 * then returns '?'. */
int command_getopt(const char *prog, int argc, char **argv, const char *shortopts,
                   const struct option *longopts);

#endif
