/* soload: load shared libraries with libsoload and show what happened.
 * Each subcommand parses its arguments and wires the loader to an emitter;
 * exit codes: 0 success, 1 the work failed, 2 usage error. */
#include "call.h"
#include "emit.h"
#include "emit_call.h"
#include "soload.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#define PROG "soload"

struct command {
	const char *name;
	const char *usage;
	int (*run)(int argc, char **argv);
};

static int cmd_call(int argc, char **argv);

static const struct command commands[] = {
        {"call", "call [--ret int|long|str|double|void] [--format json|text] LIB SYMBOL [ARG...]",
         cmd_call},
        {0},
};

static int usage(const struct command *c, FILE *out, int status)
{
	if (c) {
		fprintf(out, "usage: %s %s\n", PROG, c->usage);
		return status;
	}
	fprintf(out, "usage: %s COMMAND ...\n", PROG);
	for (c = commands; c->name; c++)
		fprintf(out, "  %s %s\n", PROG, c->usage);
	return status;
}

static int parse_format(const char *arg, enum emit_format *out)
{
	if (emit_parse_format(arg, out) == 0 && *out != EMIT_PROMETHEUS)
		return 0;
	fprintf(stderr, "%s: unknown format '%s' (json, jsonl, text)\n", PROG, arg);
	return -1;
}

static const struct option call_opts[] = {
        {"ret", required_argument, 0, 'r'},
        {"format", required_argument, 0, 'f'},
        {"help", no_argument, 0, 'h'},
        {0},
};

static int finish(json_t *doc, enum emit_format format)
{
	if (emit_json(doc, stdout, format) != 0) {
		fprintf(stderr, "%s: cannot write output\n", PROG);
		return 1;
	}
	return 0;
}

static int cmd_call(int argc, char **argv)
{
	const struct command *me = &commands[0];
	struct call_arg args[CALL_MAX_ARGS];
	struct call_report rep = {0};
	enum call_ret ret = CALL_RET_INT;
	enum emit_format format = EMIT_JSON;
	sl_lib *lib;
	void *fn;
	int opt;

	while ((opt = getopt_long(argc, argv, "r:f:h", call_opts, NULL)) != -1) {
		if (opt == 'h')
			return usage(me, stdout, 0);
		if (opt == 'r' && call_parse_ret(optarg, &ret) != 0) {
			fprintf(stderr, "%s: unknown return type '%s'\n", PROG, optarg);
			return usage(me, stderr, 2);
		}
		if (opt == 'f' && parse_format(optarg, &format) != 0)
			return usage(me, stderr, 2);
		if (opt == '?')
			return usage(me, stderr, 2);
	}
	if (argc - optind < 2 || argc - optind - 2 > CALL_MAX_ARGS)
		return usage(me, stderr, 2);
	rep.library = argv[optind];
	rep.symbol = argv[optind + 1];
	rep.nargs = argc - optind - 2;
	rep.args = args;
	for (int i = 0; i < rep.nargs; i++)
		call_parse_arg(argv[optind + 2 + i], &args[i]);
	if (!(lib = sl_open(rep.library, 0))) {
		emit_error(PROG, "call", format, "%s", sl_error());
		return 1;
	}
	if (!(fn = sl_sym(lib, rep.symbol))) {
		emit_error(PROG, "call", format, "%s", sl_error());
		sl_close(lib);
		return 1;
	}
	call_invoke(fn, args, rep.nargs, ret, &rep.result);
	if (format == EMIT_TEXT) {
		emit_call_text(stdout, &rep);
		sl_close(lib);
		return 0;
	}
	/* The document is built before closing: a returned string may live in
	 * the library. */
	json_t *doc = emit_call_doc(&rep);
	sl_close(lib);
	return finish(doc, format);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage(NULL, stderr, 2);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return usage(NULL, stdout, 0);
	for (const struct command *c = commands; c->name; c++)
		if (strcmp(argv[1], c->name) == 0)
			return c->run(argc - 1, argv + 1);
	fprintf(stderr, "%s: unknown command '%s'\n", PROG, argv[1]);
	return usage(NULL, stderr, 2);
}
