/* mapscope watch PID|PATH: one line per interval until the process exits
 * or the user presses Ctrl-C. */
#include "cli/cli.h"
#include "emit/emit_watch.h"
#include "probe/watch.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: %s watch PID|PATH [--interval SECONDS] [--count N] [--format jsonl|text]\n"
	        "                     [TABLE OPTIONS]\n"
	        "Prints one line per interval (default 1 s): a process's RSS and fault\n"
	        "counters, or a file's page-cache residency, with changes since the last\n"
	        "line, until the process exits, N lines were printed, or SIGINT/SIGTERM.\n",
	        CLI_PROG);
	if (out != stdout)
		return;
	cli_table_help(out);
	cli_table_columns(out, "watch PID", emit_watch_proc_columns, emit_watch_proc_ncolumns);
	cli_table_columns(out, "watch PATH", emit_watch_file_columns, emit_watch_file_ncolumns);
}

/* A PID is all digits; anything else is a path. */
static void parse_target(const char *arg, struct watch_target *t)
{
	char *end;
	long pid = strtol(arg, &end, 10);

	t->pid = 0;
	t->path = arg;
	if (*arg && !*end && pid > 0 && pid <= 0x7fffffff)
		t->pid = (pid_t)pid;
}

static int parse_interval(const char *arg, uint64_t *ns)
{
	char *end;
	double s = strtod(arg, &end);

	if (end == arg || *end || !isfinite(s) || s < 0.001 || s > 86400)
		return command_invalid(CLI_PROG, "watch", "--interval", arg,
		                       "seconds from 0.001 to 86400");
	*ns = (uint64_t)(s * 1e9);
	return 0;
}

static int parse_count(const char *arg, uint64_t *count)
{
	char *end;
	unsigned long long n = strtoull(arg, &end, 10);

	if (end == arg || *end || *arg == '-' || n == 0)
		return command_invalid(CLI_PROG, "watch", "--count", arg,
		                       "a number of lines, 1 or more");
	*count = n;
	return 0;
}

static int run(const struct watch_target *t, uint64_t interval, uint64_t count,
               enum emit_format format, const struct table_options *table)
{
	struct emit_watch w = {.out = stdout, .format = format, .target = t, .table_opt = *table};
	struct watch_result res;
	int err = watch_check(t);

	if (err) {
		if (t->pid > 0)
			emit_error(CLI_PROG, "watch", format, "pid %d: %s", t->pid,
			           err == -ENOENT ? "no such process" : strerror(-err));
		else
			emit_error(CLI_PROG, "watch", format, "%s: %s", t->path, strerror(-err));
		return 1;
	}
	watch_run(t, interval, count, emit_watch_sample, &w, &res);
	emit_watch_end(&w, &res);
	if (res.end == WATCH_FAILED) {
		emit_error(CLI_PROG, "watch", format, "%s: %s", res.op, strerror(-res.err));
		return 1;
	}
	return w.write_failed ? 1 : 0;
}

int cli_watch(int argc, char **argv)
{
	static const struct option opts[] = {
	        {"interval", required_argument, 0, 'i'},
	        {"count", required_argument, 0, 'n'},
	        {"format", required_argument, 0, 'f'},
	        {"help", no_argument, 0, 'h'},
	        CLI_TABLE_OPTIONS,
	        {0},
	};
	struct table_options table = {0};
	enum emit_format format = EMIT_JSONL;
	uint64_t interval = 1000000000ULL, count = 0;
	struct watch_target t;
	int opt;

	while ((opt = command_getopt(CLI_PROG, argc, argv, "i:n:f:h" CLI_TABLE_SHORT, opts)) !=
	       -1) {
		int rc = 0;
		if (cli_table_option(opt, optarg, &table))
			continue;
		if (opt == 'i')
			rc = parse_interval(optarg, &interval);
		else if (opt == 'n')
			rc = parse_count(optarg, &count);
		else if (opt == 'f')
			rc = command_format(CLI_PROG " watch", optarg, COMMAND_JSON_TEXT, &format);
		else if (opt == 'h') {
			usage(stdout);
			return 0;
		} else {
			return 2;
		}
		if (rc)
			return rc;
	}
	if (optind == argc)
		return command_misuse(CLI_PROG, "watch", "no PID or PATH given");
	if (argc - optind > 1)
		return command_misuse(CLI_PROG, "watch", "one PID or PATH, not %d", argc - optind);
	parse_target(argv[optind], &t);
	if (format == EMIT_TEXT && t.pid > 0 &&
	    cli_table_check("watch", &table, emit_watch_proc_columns, emit_watch_proc_ncolumns))
		return 2;
	if (format == EMIT_TEXT && t.pid == 0 &&
	    cli_table_check("watch", &table, emit_watch_file_columns, emit_watch_file_ncolumns))
		return 2;
	return run(&t, interval, count, format, &table);
}
