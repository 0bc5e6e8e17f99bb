/* mapscope libs [PID... | --all]: what every shared library costs the machine. */
#include "cli/cli.h"
#include "emit/emit_libs.h"
#include "emit/emit_prom.h"
#include "probe/libs.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

/* Libraries in the metrics unless --top says otherwise: a scrape stays small. */
#define PROM_TOP 20

struct libs_args {
	enum emit_format format;
	struct emit_libs_view view;
	bool top_given;
	struct libs_query query;
	struct table_options table;
	pid_t *pids;
};

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: %s libs [PID... | --all] [--top N] [--path GLOB]\n"
	        "         [--sort pss|rss|uss|private_dirty|relro|processes|resident]\n"
	        "         [--format json|text|prometheus]\n"
	        "  every shared library mapped by the processes (all that can be read by\n"
	        "  default): rss, pss, uss, private dirty, RELRO private dirty, text, and\n"
	        "  its file's pages in the page cache, sorted by --sort (pss by default).\n"
	        "  --top N      show the first N libraries (totals cover all; prometheus: %d)\n"
	        "  --path GLOB  only libraries whose path matches GLOB (fnmatch)\n",
	        CLI_PROG, PROM_TOP);
	cli_table_help(out);
	cli_table_columns(out, NULL, emit_libs_columns, emit_libs_ncolumns);
}

/* A positive decimal number that fits in max. 0, or -1. */
static int parse_count(const char *arg, long max, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(arg, &end, 10);
	return errno || end == arg || *end || *out <= 0 || *out > max ? -1 : 0;
}

/* One option; 0, or the exit code + 1 (1: --help, 3: usage error). */
static int take_option(int opt, const char *arg, struct libs_args *a)
{
	long n;

	switch (opt) {
	case 'f':
		return cli_format(arg, &a->format) == 0 ? 0 : 3;
	case 's':
		if (libs_parse_sort(arg, &a->view.sort) == 0)
			return 0;
		return 1 + command_invalid(CLI_PROG, "libs", "--sort", arg,
		                           "pss, rss, uss, private_dirty, relro, processes, "
		                           "resident");
	case 't':
		if (parse_count(arg, 1L << 30, &n) == 0) {
			a->view.top = (size_t)n;
			a->top_given = true;
			return 0;
		}
		return 1 + command_invalid(CLI_PROG, "libs", "--top", arg, "a positive count");
	case 'p':
		a->query.glob = arg;
		return 0;
	case 'a':
		return 0;
	case 'h':
		usage(stdout);
		return 1;
	}
	return cli_table_option(opt, arg, &a->table) ? 0 : 3;
}

/* The pids after the options, each once. 0, or 3 after a usage message. */
static int take_pids(int argc, char **argv, struct libs_args *a)
{
	size_t n = 0;

	if (optind == argc)
		return 0;
	a->pids = calloc((size_t)(argc - optind), sizeof(*a->pids));
	if (!a->pids)
		return 3;
	for (int i = optind; i < argc; i++) {
		long v;
		bool dup = false;

		if (parse_count(argv[i], 0x7fffffff, &v) != 0) {
			return 1 + command_invalid(CLI_PROG, "libs", "PID", argv[i],
			                           "a positive number");
		}
		for (size_t k = 0; k < n; k++)
			dup |= a->pids[k] == (pid_t)v;
		if (!dup)
			a->pids[n++] = (pid_t)v;
	}
	a->query.pids = a->pids;
	a->query.npids = n;
	return 0;
}

/* 0, or the exit code + 1 after saying why. */
static int parse_args(int argc, char **argv, struct libs_args *a)
{
	static const struct option opts[] = {
	        {"format", required_argument, 0, 'f'},
	        {"sort", required_argument, 0, 's'},
	        {"top", required_argument, 0, 't'},
	        {"path", required_argument, 0, 'p'},
	        {"all", no_argument, 0, 'a'},
	        {"help", no_argument, 0, 'h'},
	        CLI_TABLE_OPTIONS,
	        {0},
	};
	bool all = false;
	int opt, rc;

	while ((opt = command_getopt(CLI_PROG, argc, argv, "f:s:t:p:ah" CLI_TABLE_SHORT, opts)) !=
	       -1) {
		all |= opt == 'a';
		if ((rc = take_option(opt, optarg, a)) != 0)
			return rc;
	}
	if (all && optind != argc)
		return command_misuse(CLI_PROG, "libs", "--all or PIDs, not both") + 1;
	if (a->format == EMIT_PROMETHEUS && !a->top_given)
		a->view.top = PROM_TOP;
	if (cli_table_check("libs", &a->table, emit_libs_columns, emit_libs_ncolumns) != 0)
		return 3;
	return take_pids(argc, argv, a);
}

static int print_report(const struct libs_report *r, const struct libs_args *a)
{
	json_t *doc;
	int rc;

	if (a->format == EMIT_TEXT)
		return emit_libs_text(stdout, r, &a->view, &a->table);
	doc = emit_libs_doc(r, &a->view);
	if (!doc)
		return -1;
	if (a->format != EMIT_PROMETHEUS)
		return emit_json(doc, stdout, a->format);
	rc = emit_prom(stdout, doc, emit_prom_libs);
	json_decref(doc);
	return rc;
}

/* Exit 1 only if no process could be read and some could not. */
int cli_libs(int argc, char **argv)
{
	struct libs_args a = {.format = EMIT_JSON};
	struct libs_report r;
	int rc = parse_args(argc, argv, &a);

	if (rc) {
		free(a.pids);
		return rc - 1;
	}
	rc = libs_run(&a.query, &r);
	if (rc == 0 && r.processes == 0 && r.errors.count > 0)
		rc = -ESRCH;
	if (rc == -ESRCH && r.errors.count == 1)
		emit_error(CLI_PROG, "libs", a.format, "pid %d: %s", (int)r.errors.items[0].pid,
		           r.errors.items[0].error);
	else if (rc == -ESRCH)
		emit_error(CLI_PROG, "libs", a.format,
		           "no process could be read (%zu refused or gone; the first: pid %d: %s)",
		           r.errors.count, (int)r.errors.items[0].pid, r.errors.items[0].error);
	else if (rc)
		emit_error(CLI_PROG, "libs", a.format, "/proc: %s", strerror(-rc));
	else if (print_report(&r, &a) != 0)
		rc = -1;
	libs_free(&r);
	free(a.pids);
	return rc ? 1 : 0;
}
