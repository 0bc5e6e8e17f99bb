/*
 * cli: the mapscope commands, one file each (cli_<command>.c). Each parses
 * its own arguments (core/command.h's conventions), wires a source to
 * probes to an emitter, and returns the exit code: 0 success, 1 the work
 * failed, 2 usage error.
 */
#ifndef CLI_H
#define CLI_H

#include "core/command.h"
#include "core/emit.h"
#include "core/table.h"

#include <getopt.h>

#define CLI_PROG "mapscope"

/* The table of commands, ended by a zeroed entry. */
extern const struct command cli_commands[];

/* Parses a --format value of a command that takes every format; 0, or 2
 * after a usage message (core/command.h). */
int cli_format(const char *arg, enum emit_format *out);

/* The options of every text table (core/table.h), in each command's
 * getopt_long table: -o/--output COLUMNS, --bytes, --no-headings, --raw.
 * Add CLI_TABLE_SHORT to the short options. */
enum { CLI_OPT_BYTES = 0x100, CLI_OPT_NO_HEADINGS, CLI_OPT_RAW };
#define CLI_TABLE_OPTIONS                                                                         \
	{"output", required_argument, 0, 'o'}, {"bytes", no_argument, 0, CLI_OPT_BYTES},          \
	        {"no-headings", no_argument, 0, CLI_OPT_NO_HEADINGS},                             \
	{                                                                                         \
		"raw", no_argument, 0, CLI_OPT_RAW                                                \
	}
#define CLI_TABLE_SHORT "o:"

/* Records opt in t if it is one of the table options; false if it is not. */
bool cli_table_option(int opt, const char *arg, struct table_options *t);
/* For --help: the table options and the columns of each table a command
 * prints (title says which table, or is NULL when there is one). */
void cli_table_help(FILE *out);
void cli_table_columns(FILE *out, const char *title, const struct table_column *cols,
                       size_t ncols);
/* Checks --output against the columns before any work: 0, or 2 after
 * naming the unknown column and the accepted ones on stderr. */
int cli_table_check(const char *command, const struct table_options *t,
                    const struct table_column *cols, size_t ncols);

int cli_file(int argc, char **argv);
int cli_maps(int argc, char **argv);
int cli_who(int argc, char **argv);
int cli_faults(int argc, char **argv);
int cli_iobench(int argc, char **argv);
int cli_share(int argc, char **argv);
int cli_watch(int argc, char **argv);
int cli_libs(int argc, char **argv);

#endif
