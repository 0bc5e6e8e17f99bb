/* mapscope share LIB: what N processes holding LIB spend on it, per loader. */
#include "cli/cli.h"
#include "core/holdline.h"
#include "child/dlhold.h"
#include "emit/emit_share.h"
#include "probe/share.h"
#include "soload.h"

#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_HOLDERS  4
#define MAX_HOLDERS      1024
#define READY_TIMEOUT_MS 60000

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: %s share [-n|--processes N] [--loader dlopen|soload|soload-share|all]\n"
	        "                      [--format json|text|prometheus] [TABLE OPTIONS] LIB\n"
	        "Starts N processes (default %d) that load LIB with the chosen loader\n"
	        "(default soload-share; all: the three, one after the other) and\n"
	        "hold it, measures their mappings of LIB and of what it loaded from their\n"
	        "/proc/PID/smaps, then stops them. soload holders are `soload hold` from\n"
	        "the directory of this mapscope; the dlopen holder is `%s share\n"
	        "--hold-dlopen LIB`.\n",
	        CLI_PROG, DEFAULT_HOLDERS, CLI_PROG);
	if (out != stdout)
		return;
	cli_table_help(out);
	cli_table_columns(out, "one loader (--loader all: one column per loader)",
	                  emit_share_columns, emit_share_ncolumns);
}

/* The dlopen holder: loads lib, prints its ready line, holds until stdin
 * closes. */
static int hold_dlopen(const char *lib)
{
	struct dlhold d;
	char buf[256];

	if (dlhold_open(&d, lib) != 0) {
		fprintf(stderr, "%s: %s\n", CLI_PROG, d.error);
		return 1;
	}
	if (holdline_print(dlhold_line(&d, (int)getpid()), stdout) != 0) {
		dlhold_close(&d);
		return 1;
	}
	while (read(STDIN_FILENO, buf, sizeof(buf)) > 0)
		;
	dlhold_close(&d);
	return 0;
}

/* Finds this binary and soload beside it. 0, or -1 with a message. */
static int find_binaries(char *self, char *soload, size_t cap)
{
	char dir[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, cap - 1);

	if (n <= 0)
		return -1;
	self[n] = '\0';
	snprintf(dir, sizeof(dir), "%s", self);
	snprintf(soload, cap, "%s/soload", dirname(dir));
	return 0;
}

static int run_loaders(const struct share_request *req, const char *name,
                       const enum share_loader *loaders, size_t nloaders, enum emit_format format,
                       const struct table_options *table)
{
	struct share_run runs[SHARE_NLOADERS];
	char why[2048];
	size_t done = 0;
	int status = 0;

	for (; done < nloaders; done++)
		if (share_measure(req, loaders[done], &runs[done], why, sizeof(why)) != 0) {
			emit_error(CLI_PROG, "share", format, "%s: %s", name, why);
			share_free(&runs[done]);
			status = 1;
			break;
		}
	if (status == 0 && format == EMIT_TEXT)
		status = emit_share_text(stdout, name, runs, nloaders, table) ? 1 : 0;
	else if (status == 0 && format == EMIT_PROMETHEUS)
		status = emit_share_prom(stdout, name, runs, nloaders) ? 1 : 0;
	else if (status == 0 &&
	         emit_json(emit_share_doc(name, runs, nloaders), stdout, format) != 0)
		status = 1;
	for (size_t i = 0; i < done; i++)
		share_free(&runs[i]);
	return status;
}

/* Parses --loader; fills loaders and returns how many, or 0 if unknown. */
static size_t parse_loaders(const char *arg, enum share_loader *loaders)
{
	if (strcmp(arg, "all") == 0) {
		for (int i = 0; i < SHARE_NLOADERS; i++)
			loaders[i] = (enum share_loader)i;
		return SHARE_NLOADERS;
	}
	return share_parse_loader(arg, &loaders[0]) == 0 ? 1 : 0;
}

int cli_share(int argc, char **argv)
{
	static const struct option opts[] = {
	        {"processes", required_argument, 0, 'n'},
	        {"loader", required_argument, 0, 'l'},
	        {"format", required_argument, 0, 'f'},
	        {"hold-dlopen", no_argument, 0, 'H'},
	        {"help", no_argument, 0, 'h'},
	        CLI_TABLE_OPTIONS,
	        {0},
	};
	struct table_options table = {0};
	enum share_loader loaders[SHARE_NLOADERS] = {SHARE_SOLOAD_SHARE};
	enum emit_format format = EMIT_JSON;
	char self[PATH_MAX], soload[PATH_MAX + 16], path[PATH_MAX], found[PATH_MAX], *end;
	struct share_request req = {.n = DEFAULT_HOLDERS, .timeout_ms = READY_TIMEOUT_MS};
	size_t nloaders = 1;
	int opt, hold = 0;

	while ((opt = command_getopt(CLI_PROG, argc, argv, "n:l:f:h" CLI_TABLE_SHORT, opts)) !=
	       -1) {
		if (cli_table_option(opt, optarg, &table)) {
			continue;
		} else if (opt == 'n') {
			req.n = strtoul(optarg, &end, 10);
			if (*end || end == optarg || req.n < 1 || req.n > MAX_HOLDERS)
				return command_invalid(CLI_PROG, "share", "-n", optarg,
				                       "a number of holders from 1 to 1024");
		} else if (opt == 'l') {
			nloaders = parse_loaders(optarg, loaders);
			if (!nloaders)
				return command_invalid(CLI_PROG, "share", "--loader", optarg,
				                       "dlopen, soload, soload-share, all");
		} else if (opt == 'f') {
			if (command_format(CLI_PROG " share", optarg, COMMAND_ALL_FORMATS,
			                   &format) != 0)
				return 2;
		} else if (opt == 'H') {
			hold = 1;
		} else if (opt == 'h') {
			usage(stdout);
			return 0;
		} else {
			return 2;
		}
	}
	if (optind == argc)
		return command_misuse(CLI_PROG, "share", "no LIB given");
	if (argc - optind > 1)
		return command_misuse(CLI_PROG, "share", "one LIB, not %d", argc - optind);
	if (hold)
		return hold_dlopen(argv[optind]);
	if (format == EMIT_TEXT &&
	    cli_table_check("share", &table, emit_share_columns, emit_share_ncolumns) != 0)
		return 2;
	/* The loader's own search for a bare name, as soload hold searches. */
	if (sl_find(argv[optind], found, sizeof(found)) != 0) {
		emit_error(CLI_PROG, "share", format, "%s", sl_error());
		return 1;
	}
	if (!realpath(found, path)) {
		emit_error(CLI_PROG, "share", format, "%s: %s", found, strerror(errno));
		return 1;
	}
	req.lib = path;
	if (find_binaries(self, soload, sizeof(self)) != 0) {
		emit_error(CLI_PROG, "share", format, "cannot find /proc/self/exe");
		return 1;
	}
	req.self = self;
	req.soload = soload;
	return run_loaders(&req, argv[optind], loaders, nloaders, format, &table);
}
