#include "core/command.h"

#include <stdarg.h>
#include <stdbool.h>
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
	fprintf(stderr, "%s: invalid command '%s' (accepted: ", prog, argv[1]);
	for (const struct command *c = table; c->name; c++)
		fprintf(stderr, "%s%s", c == table ? "" : ", ", c->name);
	fprintf(stderr, "; see %s --help)\n", prog);
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
	fprintf(stderr, "%s: invalid --format value '%s' (accepted: ", prog, arg);
	for (size_t f = 0; f < sizeof(format_names) / sizeof(format_names[0]); f++) {
		if (accepted & COMMAND_FORMAT(f)) {
			fprintf(stderr, "%s%s", sep, format_names[f]);
			sep = ", ";
		}
	}
	fputs(")\n", stderr);
	return 2;
}

int command_invalid(const char *prog, const char *command, const char *option, const char *value,
                    const char *accepted)
{
	fprintf(stderr, "%s %s: invalid %s value '%s' (accepted: %s)\n", prog, command, option,
	        value, accepted);
	return 2;
}

int command_misuse(const char *prog, const char *command, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s %s: ", prog, command);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see %s %s --help)\n", prog, command);
	return 2;
}

/* The long options, "--a, --b, ..." on stderr. */
static void list_options(const struct option *longopts)
{
	for (const struct option *o = longopts; o->name; o++)
		fprintf(stderr, "%s--%s", o == longopts ? "" : ", ", o->name);
}

/* Whether getopt took the "--" that ends the options for the value of the
 * option before it ("--report -- CMD"): a value left out, not a file or
 * pattern named "--". A value given as "--opt=--" is taken as typed. */
static bool value_left_out(char **argv)
{
	return optarg && optind >= 2 && optarg == argv[optind - 1] && strcmp(optarg, "--") == 0;
}

int command_getopt(const char *prog, int argc, char **argv, const char *shortopts,
                   const struct option *longopts)
{
	char optstring[128], given[64];
	bool permute = shortopts[0] != '+';
	int opt, at;

	/* ':' first (after '+'): a missing value is ':', not '?'. */
	snprintf(optstring, sizeof(optstring), "%s:%s", permute ? "" : "+", shortopts + !permute);
	opterr = 0;
	opt = getopt_long(argc, argv, optstring, longopts, NULL);
	at = optind - 1;
	if (value_left_out(argv)) {
		optopt = opt; /* named as typed before the "--" */
		opt = ':';
		at--;
	} else if (opt != '?' && opt != ':') {
		return opt;
	}
	/* The option as typed: "--sort" (without "=value"), or "-s". */
	if (at > 0 && strncmp(argv[at], "--", 2) == 0)
		snprintf(given, sizeof(given), "%.*s", (int)strcspn(argv[at], "="), argv[at]);
	else
		snprintf(given, sizeof(given), "-%c", optopt);
	if (opt == ':') {
		fprintf(stderr, "%s %s: option '%s' needs a value (see %s %s --help)\n", prog,
		        argv[0], given, prog, argv[0]);
		return '?';
	}
	fprintf(stderr, "%s %s: invalid option '%s' (accepted: ", prog, argv[0], given);
	list_options(longopts);
	fputs(")\n", stderr);
	return '?';
}
