/*
 * cli: the mapscope subcommands. Each one parses its own arguments, wires a
 * source to probes to an emitter, and returns the exit code:
 * 0 success, 1 the work failed, 2 usage error.
 */
#ifndef CLI_H
#define CLI_H

#include "core/emit.h"

#define CLI_PROG "mapscope"

struct cli_command {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv); /* argv[0] is the subcommand name */
};

/* The table of subcommands, ended by a zeroed entry. */
extern const struct cli_command cli_commands[];

/* Parses a --format argument, printing a usage error if unknown. 0 or 2. */
int cli_format(const char *arg, enum emit_format *out);

int cli_file(int argc, char **argv);
int cli_maps(int argc, char **argv);
int cli_who(int argc, char **argv);
int cli_faults(int argc, char **argv);
int cli_iobench(int argc, char **argv);
int cli_share(int argc, char **argv);
int cli_watch(int argc, char **argv);
int cli_libs(int argc, char **argv);

#endif
