/* mapscope maps PID...|self|--comm NAME [--pages] | maps --all: the mappings
 * of processes. */
#include "cli/cli.h"
#include "probe/maps_all.h"
#include "emit/emit_maps.h"
#include "emit/emit_maps_all.h"
#include "emit/emit_prom.h"
#include "emit/emit_svg.h"
#include "probe/maps.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct maps_args {
	enum emit_format format;
	bool pages, all;
	pid_t *pids; /* the processes named, or found by --comm */
	size_t npids;
	const char *comm; /* --comm: every process of that name */
	const char *sort; /* --sort: a column */
	const char *svg;  /* --svg: where to draw the page map */
	struct table_options table;
};

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: %s maps PID...|self [--pages] [--svg FILE] [--sort COLUMN]\n"
	        "                  [--format json|jsonl|text] [TABLE OPTIONS]\n"
	        "       %s maps --comm NAME [--pages] [--sort COLUMN] [--format ...]\n"
	        "       %s maps --all [--sort COLUMN] [--format json|jsonl|text|prometheus]\n"
	        "  -c, --comm NAME   every process whose command name is NAME\n"
	        "  -a, --all         every process, and every file they map\n"
	        "  -p, --pages       each mapping's pages, run by run\n"
	        "  -s, --sort COLUMN order the rows: sizes largest first (rss, pss, uss...)\n"
	        "      --svg FILE    draw the process's page map into FILE (SVG; one PID)\n",
	        CLI_PROG, CLI_PROG, CLI_PROG);
	if (out != stdout)
		return;
	cli_table_help(out);
	cli_table_columns(out, "maps PID", emit_maps_columns, emit_maps_ncolumns);
	cli_table_columns(out, "maps --all (processes)", emit_maps_all_columns,
	                  emit_maps_all_ncolumns);
	cli_table_columns(out, "maps --all (files)", emit_maps_all_file_columns,
	                  emit_maps_all_file_ncolumns);
	cli_table_columns(out, "maps --all (users)", emit_maps_all_user_columns,
	                  emit_maps_all_user_ncolumns);
}

/* "self" or a positive decimal pid. 0, or -1 if it is neither. */
static int parse_pid(const char *arg, pid_t *pid)
{
	char *end;
	long v;

	if (strcmp(arg, "self") == 0) {
		*pid = getpid();
		return 0;
	}
	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v <= 0 || v > 0x7fffffff)
		return -1;
	*pid = (pid_t)v;
	return 0;
}

static int parse_pids(int n, char **args, struct maps_args *a)
{
	a->pids = calloc((size_t)n, sizeof(*a->pids));
	if (!a->pids) {
		fprintf(stderr, "%s maps: out of memory\n", CLI_PROG);
		return 1;
	}
	for (int i = 0; i < n; i++) {
		if (parse_pid(args[i], &a->pids[i]) != 0)
			return command_invalid(CLI_PROG, "maps", "PID", args[i],
			                       "a positive number or 'self'");
	}
	a->npids = (size_t)n;
	return 0;
}

static int parse_option(int opt, struct maps_args *a)
{
	switch (opt) {
	case 'f':
		return command_format(CLI_PROG " maps", optarg, COMMAND_ALL_FORMATS, &a->format);
	case 'p':
		a->pages = true;
		return 0;
	case 'a':
		a->all = true;
		return 0;
	case 'c':
		a->comm = optarg;
		return 0;
	case 's':
		a->sort = optarg;
		return 0;
	case 'S':
		a->svg = optarg;
		return 0;
	default:
		return cli_table_option(opt, optarg, &a->table) ? 0 : 2;
	}
}

/* The sort key, the columns and the operands agree. 0, or 2 after saying why. */
static int check_args(const struct maps_args *a, int operands)
{
	if ((a->all || a->comm) && operands != 0)
		return command_misuse(CLI_PROG, "maps", "%s takes no PID",
		                      a->all ? "--all" : "--comm");
	if (!a->all && !a->comm && operands == 0)
		return command_misuse(CLI_PROG, "maps",
		                      "no PID, self, --all or --comm NAME given");
	if (a->all && a->comm)
		return command_misuse(CLI_PROG, "maps", "--all and --comm exclude each other");
	if (a->sort && !(a->all ? maps_all_sort_known(a->sort) : maps_sort_known(a->sort)))
		return command_invalid(CLI_PROG, "maps", "--sort", a->sort,
		                       a->all ? MAPS_ALL_SORT_KEYS : MAPS_SORT_KEYS);
	if (a->format == EMIT_PROMETHEUS && !a->all)
		return command_misuse(CLI_PROG, "maps", "--format prometheus needs --all");
	if (a->svg && (a->all || a->comm || operands != 1))
		return command_misuse(CLI_PROG, "maps", "--svg draws one process: give one PID");
	if (a->format != EMIT_TEXT)
		return 0;
	if (a->all)
		return cli_table_check("maps", &a->table, emit_maps_all_columns,
		                       emit_maps_all_ncolumns);
	return cli_table_check("maps", &a->table, emit_maps_columns, emit_maps_ncolumns);
}

/* 0 to go on, or the exit code (0 for --help, 2 for a usage error) + 1. */
static int parse_args(int argc, char **argv, struct maps_args *a)
{
	static const struct option opts[] = {
	        {"format", required_argument, 0, 'f'},
	        {"pages", no_argument, 0, 'p'},
	        {"all", no_argument, 0, 'a'},
	        {"comm", required_argument, 0, 'c'},
	        {"sort", required_argument, 0, 's'},
	        {"svg", required_argument, 0, 'S'},
	        {"help", no_argument, 0, 'h'},
	        CLI_TABLE_OPTIONS,
	        {0},
	};
	int opt, rc;

	while ((opt = command_getopt(CLI_PROG, argc, argv, "f:pac:s:h" CLI_TABLE_SHORT, opts)) !=
	       -1) {
		if (opt == 'h') {
			usage(stdout);
			return 1;
		}
		if ((rc = parse_option(opt, a)) != 0)
			return 3;
	}
	if ((rc = check_args(a, argc - optind)) != 0)
		return rc + 1;
	if (!a->all && !a->comm && (rc = parse_pids(argc - optind, argv + optind, a)) != 0)
		return rc + 1;
	return 0;
}

static const char *scan_failure(int err)
{
	if (err == -ENOENT || err == -ESRCH)
		return "no such process";
	if (err == -ENXIO)
		return "no address space (a kernel thread or a zombie)";
	return strerror(-err);
}

/* --svg: the process's page map. 0, or 1 after saying why not. */
static int draw_process(const struct maps_report *r, const char *path, enum emit_format format)
{
	char title[160];
	struct emit_svg svg = {.title = title};
	int err;

	snprintf(title, sizeof(title),
	         "mapscope maps: pid %d (%s); dirty = anonymous or copied on write", (int)r->pid,
	         r->comm);
	emit_svg_add_process(&svg, r);
	err = emit_svg_save(&svg, path);
	emit_svg_free(&svg);
	if (err)
		emit_error(CLI_PROG, "maps", format, "%s: %s", path, strerror(-err));
	return err ? 1 : 0;
}

/* --svg FILE must be writable before the scan, not found out after it. */
static int check_svg(const char *path, enum emit_format format)
{
	int err = emit_svg_check(path);

	if (err)
		emit_error(CLI_PROG, "maps", format, "%s: %s", path, strerror(-err));
	return err ? 1 : 0;
}

static int run_one(const struct maps_args *a)
{
	struct maps_report r;
	int rc = maps_process(a->pids[0], a->pages || a->svg ? MAPSCAN_PAGES : 0, &r);

	if (rc) {
		emit_error(CLI_PROG, "maps", a->format, "pid %d: %s", (int)a->pids[0],
		           scan_failure(rc));
		maps_free(&r);
		return 1;
	}
	if (a->sort)
		maps_sort(&r, a->sort);
	if (a->format == EMIT_TEXT)
		rc = emit_maps_text(stdout, &r, &a->table);
	else
		rc = emit_json(emit_maps_doc(&r, a->pages), stdout, a->format);
	if (a->svg)
		rc |= draw_process(&r, a->svg, a->format);
	maps_free(&r);
	return rc ? 1 : 0;
}

/* Several processes: one table each, or one document with them all. Exit 1
 * if any could not be read (each named in the document and on stderr). */
static int run_many(const struct maps_args *a)
{
	json_t *doc = a->format == EMIT_TEXT ? NULL : emit_maps_set_begin();
	int failed = 0, rc = 0;

	for (size_t i = 0; i < a->npids; i++) {
		struct maps_report r;
		int err = maps_process(a->pids[i], a->pages ? MAPSCAN_PAGES : 0, &r);

		if (err) {
			fprintf(stderr, "%s: maps: pid %d: %s\n", CLI_PROG, (int)a->pids[i],
			        scan_failure(err));
			if (doc)
				emit_maps_set_error(doc, a->pids[i], scan_failure(err));
			failed++;
		} else {
			if (a->sort)
				maps_sort(&r, a->sort);
			if (doc)
				emit_maps_set_add(doc, &r, a->pages);
			else if (i && fputc('\n', stdout) == EOF)
				rc = -1;
			else
				rc |= emit_maps_text(stdout, &r, &a->table);
		}
		maps_free(&r);
	}
	if (doc)
		rc = emit_json(doc, stdout, a->format);
	return rc || failed ? 1 : 0;
}

/* --comm NAME: the processes of that name, found first. */
static int run_comm(struct maps_args *a)
{
	long n = maps_find_comm(a->comm, &a->pids);

	if (n < 0)
		emit_error(CLI_PROG, "maps", a->format, "/proc: %s", strerror((int)-n));
	else if (n == 0)
		emit_error(CLI_PROG, "maps", a->format, "no process named '%s'", a->comm);
	if (n <= 0)
		return 1;
	a->npids = (size_t)n;
	return run_many(a);
}

/* Every process; exit 1 only if none could be read. */
static int run_all(const struct maps_args *a)
{
	struct maps_all_report r;
	json_t *doc;
	int rc = maps_all_run(&r);

	if (rc == 0 && r.count == 0)
		rc = -ESRCH;
	if (rc) {
		emit_error(CLI_PROG, "maps", a->format, "/proc: %s",
		           rc == -ESRCH ? "no process could be read" : strerror(-rc));
		maps_all_free(&r);
		return 1;
	}
	if (a->sort)
		maps_all_sort(&r, a->sort);
	if (a->format == EMIT_TEXT)
		rc = emit_maps_all_text(stdout, &r, &a->table);
	else if (!(doc = emit_maps_all_doc(&r)))
		rc = -1;
	else if (a->format != EMIT_PROMETHEUS)
		rc = emit_json(doc, stdout, a->format);
	else { /* metrics made from the JSON report itself */
		rc = emit_prom(stdout, doc, emit_prom_maps_all);
		json_decref(doc);
	}
	maps_all_free(&r);
	return rc ? 1 : 0;
}

int cli_maps(int argc, char **argv)
{
	struct maps_args a = {.format = EMIT_JSON};
	int rc = parse_args(argc, argv, &a);

	if (rc)
		rc--;
	else if (a.svg && check_svg(a.svg, a.format) != 0)
		rc = 1;
	else if (a.all)
		rc = run_all(&a);
	else if (a.comm)
		rc = run_comm(&a);
	else
		rc = a.npids == 1 ? run_one(&a) : run_many(&a);
	free(a.pids);
	return rc;
}
