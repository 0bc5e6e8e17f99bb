/* mapscope maps PID|self [--pages] | maps --all: the mappings of processes. */
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
	pid_t pid;
	const char *svg; /* --svg: where to draw the page map */
};

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: %s maps PID|self [--pages] [--svg FILE] [--format json|text]\n"
	        "       %s maps --all [--format json|text|prometheus]\n",
	        CLI_PROG, CLI_PROG);
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

/* 0 to go on, or the exit code (0 for --help, 2 for a usage error) + 1. */
static int parse_args(int argc, char **argv, struct maps_args *a)
{
	static const struct option opts[] = {
	        {"format", required_argument, 0, 'f'}, {"pages", no_argument, 0, 'p'},
	        {"all", no_argument, 0, 'a'},          {"svg", required_argument, 0, 'S'},
	        {"help", no_argument, 0, 'h'},         {0},
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "f:pah", opts, NULL)) != -1) {
		if (opt == 'f' && cli_format(optarg, &a->format) == 0)
			continue;
		if (opt == 'S') {
			a->svg = optarg;
			continue;
		}
		if (opt == 'p' || opt == 'a') {
			*(opt == 'p' ? &a->pages : &a->all) = true;
			continue;
		}
		usage(opt == 'h' ? stdout : stderr);
		return opt == 'h' ? 1 : 3;
	}
	if (a->all ? optind != argc : optind + 1 != argc) {
		usage(stderr);
		return 3;
	}
	if (!a->all && parse_pid(argv[optind], &a->pid) != 0) {
		fprintf(stderr, "%s maps: '%s' is not a pid (a number or 'self')\n", CLI_PROG,
		        argv[optind]);
		return 3;
	}
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

static int run_one(const struct maps_args *a)
{
	struct maps_report r;
	int rc = maps_process(a->pid, a->pages || a->svg ? MAPSCAN_PAGES : 0, &r);

	if (rc) {
		emit_error(CLI_PROG, "maps", a->format, "pid %d: %s", (int)a->pid,
		           scan_failure(rc));
		maps_free(&r);
		return 1;
	}
	if (a->format == EMIT_TEXT)
		emit_maps_text(stdout, &r);
	else
		rc = emit_json(emit_maps_doc(&r, a->pages), stdout, a->format);
	if (a->svg)
		rc |= draw_process(&r, a->svg, a->format);
	maps_free(&r);
	return rc ? 1 : 0;
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
	if (a->format == EMIT_TEXT)
		rc = emit_maps_all_text(stdout, &r);
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
		return rc - 1;
	if (a.format == EMIT_PROMETHEUS && !a.all) {
		fprintf(stderr, "%s maps: --format prometheus needs --all\n", CLI_PROG);
		return 2;
	}
	return a.all ? run_all(&a) : run_one(&a);
}
