/* mapscope: page residency, sharing and fault behaviour of files, processes,
 * libraries and commands. This file only dispatches to a command. */
#include "cli/cli.h"

int main(int argc, char **argv)
{
	return command_dispatch(CLI_PROG, cli_commands, argc, argv);
}
