/* mapscope faults: page faults of a command, or of loading a library and
 * calling into it. */
#include "cli/cli.h"
#include "emit/emit_faults.h"
#include "probe/faults.h"
#include "probe/faults_lib.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

struct faults_args {
	enum emit_format format;
	bool samples;
	char **cold;
	size_t ncold;
	const char *lib, *call, *loader;
	struct table_options table;
};

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: %s faults [--cold PATH]... [--samples] [--format json|jsonl|text]\n"
	        "                 [TABLE OPTIONS] -- CMD [ARG...]\n"
	        "       %s faults --lib LIB --call SYMBOL [--loader dlopen|soload]\n"
	        "                 [--cold PATH]... [--format json|jsonl|text] [TABLE OPTIONS]\n"
	        "Counts the page faults of CMD (minor, major, per mapped file), or of loading\n"
	        "LIB and calling SYMBOL (no arguments) once, with dlopen unless --loader\n"
	        "soload is given. --cold drops PATH from the page cache first. CMD's standard\n"
	        "output goes to standard error. Without perf privileges the totals are CMD's\n"
	        "rusage and only user-mode faults are sampled.\n",
	        CLI_PROG, CLI_PROG);
	if (out != stdout)
		return;
	cli_table_help(out);
	cli_table_columns(out, "faults -- CMD", emit_faults_columns, emit_faults_ncolumns);
	cli_table_columns(out, "faults --lib", emit_faults_lib_columns, emit_faults_lib_ncolumns);
}

/* 0 to go on, -1 after --help, 2 on a usage error. */
static int parse_args(int argc, char **argv, struct faults_args *a)
{
	static const struct option opts[] = {
	        {"cold", required_argument, 0, 'c'},
	        {"samples", no_argument, 0, 's'},
	        {"format", required_argument, 0, 'f'},
	        {"lib", required_argument, 0, 'l'},
	        {"call", required_argument, 0, 'C'},
	        {"loader", required_argument, 0, 'L'},
	        {"help", no_argument, 0, 'h'},
	        CLI_TABLE_OPTIONS,
	        {0},
	};
	int opt;

	while ((opt = command_getopt(CLI_PROG, argc, argv, "+c:sf:l:C:L:h" CLI_TABLE_SHORT,
	                             opts)) != -1) {
		if (cli_table_option(opt, optarg, &a->table))
			continue;
		switch (opt) {
		case 'c':
			a->cold[a->ncold++] = optarg;
			break;
		case 's':
			a->samples = true;
			break;
		case 'f':
			if (command_format(CLI_PROG " faults", optarg, COMMAND_JSON_TEXT,
			                   &a->format) != 0)
				return 2;
			break;
		case 'l':
			a->lib = optarg;
			break;
		case 'C':
			a->call = optarg;
			break;
		case 'L':
			a->loader = optarg;
			break;
		case 'h':
			usage(stdout);
			return -1;
		default:
			return 2;
		}
	}
	return 0;
}

static int check_args(int argc, const struct faults_args *a)
{
	bool lib_mode = a->lib || a->call;

	if (lib_mode && (!a->lib || !a->call || optind < argc))
		return command_misuse(CLI_PROG, "faults",
		                      "--lib and --call go together, without a CMD");
	if (!lib_mode && optind >= argc)
		return command_misuse(CLI_PROG, "faults", "no CMD given");
	if (a->loader && strcmp(a->loader, "dlopen") && strcmp(a->loader, "soload"))
		return command_invalid(CLI_PROG, "faults", "--loader", a->loader,
		                       "dlopen, soload");
	if (a->format != EMIT_TEXT)
		return 0;
	if (lib_mode)
		return cli_table_check("faults", &a->table, emit_faults_lib_columns,
		                       emit_faults_lib_ncolumns);
	return cli_table_check("faults", &a->table, emit_faults_columns, emit_faults_ncolumns);
}

/* The command's own exit status, as time(1) and perf stat pass it on:
 * its exit code, or 128 + the signal that killed it. */
static int command_status(int wait_status)
{
	if (WIFEXITED(wait_status))
		return WEXITSTATUS(wait_status);
	return WIFSIGNALED(wait_status) ? 128 + WTERMSIG(wait_status) : 1;
}

static int run_command(char **argv, const struct faults_args *a)
{
	struct faults_request req = {.argv = argv, .cold = a->cold, .ncold = a->ncold};
	struct faults_report rep;
	char err[512];
	int rc = 0;

	if (faults_run(&req, &rep, err, sizeof(err)) != 0) {
		emit_error(CLI_PROG, "faults", a->format, "%s", err);
		return 1;
	}
	if (a->format == EMIT_TEXT)
		rc = emit_faults_text(stdout, argv, &rep, a->samples, &a->table) ? 1 : 0;
	else if (emit_json(emit_faults_doc(argv, &rep, a->samples), stdout, a->format) != 0)
		rc = 1;
	if (rc == 0)
		rc = command_status(rep.wait_status);
	faults_free(&rep);
	return rc;
}

static int run_library(const struct faults_args *a)
{
	const char *loader = a->loader ? a->loader : "dlopen";
	enum faults_lib_loader which =
	        strcmp(loader, "soload") == 0 ? LIBFAULTS_SOLOAD : LIBFAULTS_DLOPEN;
	struct faults_lib_report rep;
	char err[512];

	for (size_t i = 0; i < a->ncold; i++) {
		int e = faults_evict(a->cold[i]);
		if (e) {
			emit_error(CLI_PROG, "faults", a->format,
			           "%s: cannot drop from the page cache: %s", a->cold[i],
			           strerror(-e));
			return 1;
		}
	}
	if (faults_lib_run(a->lib, a->call, which, &rep, err, sizeof(err)) != 0) {
		emit_error(CLI_PROG, "faults", a->format, "%s", err);
		return 1;
	}
	if (a->format == EMIT_TEXT)
		return emit_faults_lib_text(stdout, a->lib, a->call, loader, &rep, &a->table) ? 1
		                                                                              : 0;
	return emit_json(emit_faults_lib_doc(a->lib, a->call, loader, &rep), stdout, a->format)
	               ? 1
	               : 0;
}

int cli_faults(int argc, char **argv)
{
	struct faults_args a = {.format = EMIT_JSON};
	int rc;

	a.cold = calloc((size_t)argc + 1, sizeof(*a.cold));
	if (!a.cold)
		return 1;
	rc = parse_args(argc, argv, &a);
	if (rc == 0)
		rc = check_args(argc, &a);
	if (rc == 0)
		rc = a.lib ? run_library(&a) : run_command(argv + optind, &a);
	free(a.cold);
	return rc < 0 ? 0 : rc;
}
