#include "core/command.h"

#include <stdio.h>
#include <string.h>

#ifndef TOOLS_VERSION
#define TOOLS_VERSION "unknown"
#endif

static const char *const format_names[] = {
        [EMIT_JSON] = "json",
        [EMIT_JSONL] = "jsonl",
        [EMIT_TEXT] = "text",
        [EMIT_PROMETHEUS] = "prometheus",
};

static void list_commands(const char *prog, const struct command *table, FILE *out)
{
	fprintf(out, "usage: %s COMMAND [OPTIONS] ...\n       %s --version\n\ncommands:\n", prog,
	        prog);
	for (const struct command *c = table; c->name; c++)
		fprintf(out, "  %-10s %s\n", c->name, c->summary);
	fprintf(out, "\n'%s COMMAND --help' describes a command.\n", prog);
}

int command_dispatch(const char *prog, const struct command *table, int argc, char **argv)
{
	if (argc < 2) {
		list_commands(prog, table, stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		list_commands(prog, table, stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("%s %s\n", prog, TOOLS_VERSION);
		return fflush(stdout) == 0 ? 0 : 1;
	}
	for (const struct command *c = table; c->name; c++)
		if (strcmp(argv[1], c->name) == 0)
			return c->run(argc - 1, argv + 1);
	fprintf(stderr, "%s: unknown command '%s'\n", prog, argv[1]);
	list_commands(prog, table, stderr);
	return 2;
}

int command_format(const char *prog, const char *arg, unsigned accepted, enum emit_format *out)
{
	const char *sep = "";

	for (size_t f = 0; f < sizeof(format_names) / sizeof(format_names[0]); f++) {
		if ((accepted & COMMAND_FORMAT(f)) && strcmp(arg, format_names[f]) == 0) {
			*out = (enum emit_format)f;
			return 0;
		}
	}
	fprintf(stderr, "%s: unknown format '%s' (", prog, arg);
	for (size_t f = 0; f < sizeof(format_names) / sizeof(format_names[0]); f++) {
		if (accepted & COMMAND_FORMAT(f)) {
			fprintf(stderr, "%s%s", sep, format_names[f]);
			sep = ", ";
		}
	}
	fputs(")\n", stderr);
	return 2;
}
