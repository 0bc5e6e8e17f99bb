/* mapscope who PATH: every process that maps a file or holds it open. */
#include "cli/cli.h"
#include "emit/emit_who.h"
#include "probe/who.h"

#include <errno.h>
#include <getopt.h>
#include <string.h>

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: %s who [--format json|jsonl|text] [TABLE OPTIONS] PATH...\n"
	        "  PATH may be /proc/PID/fd/N or /proc/PID/map_files/... for a deleted file;\n"
	        "  several PATHs give one document (kind who_files), or a table each\n",
	        CLI_PROG);
	if (out != stdout)
		return;
	cli_table_help(out);
	cli_table_columns(out, NULL, emit_who_columns, emit_who_ncolumns);
}

static const char *scan_failure(int err, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s%s", strerror(-err),
	         err == -ENOENT ? " (name a deleted file as /proc/PID/fd/N)" : "");
	return buf;
}

/* One path. Nothing read at all is a failure; some processes unreadable is
 * not. */
static int run_one(const char *path, enum emit_format format, const struct table_options *opt)
{
	char why[160];
	struct who_report r;
	int rc = who_scan(path, &r);

	if (rc) {
		emit_error(CLI_PROG, "who", format, "%s: %s", path,
		           scan_failure(rc, why, sizeof(why)));
		who_free(&r);
		return 1;
	}
	if (format == EMIT_TEXT)
		rc = emit_who_text(stdout, path, &r, opt);
	else
		rc = emit_json(emit_who_doc(path, &r), stdout, format);
	if (r.scanned == 0)
		rc = 1;
	who_free(&r);
	return rc ? 1 : 0;
}

/* Several paths: each looked up in turn; exit 1 if any could not be. */
static int run_many(char **paths, int n, enum emit_format format, const struct table_options *opt)
{
	json_t *doc = format == EMIT_TEXT ? NULL : emit_who_set_begin();
	char why[160];
	int rc = 0, failed = 0;

	for (int i = 0; i < n; i++) {
		struct who_report r;
		int err = who_scan(paths[i], &r);

		if (err || r.scanned == 0) {
			scan_failure(err ? err : -ESRCH, why, sizeof(why));
			fprintf(stderr, "%s: who: %s: %s\n", CLI_PROG, paths[i], why);
			if (doc)
				emit_who_set_error(doc, paths[i], why);
			failed++;
		} else if (doc) {
			emit_who_set_add(doc, paths[i], &r);
		} else {
			if (i && !opt->no_headings)
				fputc('\n', stdout);
			rc |= emit_who_text(stdout, paths[i], &r, opt);
		}
		who_free(&r);
	}
	if (doc)
		rc = emit_json(doc, stdout, format);
	return rc || failed ? 1 : 0;
}

int cli_who(int argc, char **argv)
{
	static const struct option opts[] = {
	        {"format", required_argument, 0, 'f'},
	        {"help", no_argument, 0, 'h'},
	        CLI_TABLE_OPTIONS,
	        {0},
	};
	enum emit_format format = EMIT_JSON;
	struct table_options table = {0};
	int opt;

	while ((opt = command_getopt(CLI_PROG, argc, argv, "f:h" CLI_TABLE_SHORT, opts)) != -1) {
		if (opt == 'f') {
			if (command_format(CLI_PROG " who", optarg, COMMAND_JSON_TEXT, &format) !=
			    0)
				return 2;
			continue;
		}
		if (cli_table_option(opt, optarg, &table))
			continue;
		if (opt == 'h')
			usage(stdout);
		return opt == 'h' ? 0 : 2;
	}
	if (optind >= argc)
		return command_misuse(CLI_PROG, "who", "no PATH given");
	if (format == EMIT_TEXT &&
	    cli_table_check("who", &table, emit_who_columns, emit_who_ncolumns) != 0)
		return 2;
	if (optind + 1 == argc)
		return run_one(argv[optind], format, &table);
	return run_many(argv + optind, argc - optind, format, &table);
}
