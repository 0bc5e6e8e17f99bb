/* mapscope: page residency, sharing and fault behaviour of files, processes,
 * libraries and commands. This file only dispatches to a command; SIGINT
 * and SIGTERM end any command with its document finished (core/interrupt). */
#include "cli/cli.h"
#include "core/interrupt.h"

#include <stdio.h>

int main(int argc, char **argv)
{
	int rc;

	interrupt_install();
	rc = command_dispatch(CLI_PROG, cli_commands, argc, argv);
	if (interrupt_signal())
		fprintf(stderr, "%s: interrupted by %s\n", CLI_PROG, interrupt_name());
	return interrupt_exit_code(rc);
}
