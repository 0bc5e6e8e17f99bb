/* mapscope: page residency, sharing and fault behaviour of files, processes,
 * libraries and commands. This file only dispatches to a subcommand. */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *out)
{
	fprintf(out, "usage: %s COMMAND [OPTIONS] ...\n\ncommands:\n", CLI_PROG);
	for (const struct cli_command *c = cli_commands; c->name; c++)
		fprintf(out, "  %-10s %s\n", c->name, c->summary);
	fprintf(out, "\n'%s COMMAND --help' describes a command.\n", CLI_PROG);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	for (const struct cli_command *c = cli_commands; c->name; c++)
		if (strcmp(argv[1], c->name) == 0)
			return c->run(argc - 1, argv + 1);
	fprintf(stderr, "%s: unknown command '%s'\n", CLI_PROG, argv[1]);
	usage(stderr);
	return 2;
}
