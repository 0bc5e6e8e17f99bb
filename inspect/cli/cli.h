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

#define CLI_PROG "mapscope"

/* The table of commands, ended by a zeroed entry. */
extern const struct command cli_commands[];

/* Parses a --format value of a command that takes every format; 0, or 2
 * after a usage message (core/command.h). */
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
