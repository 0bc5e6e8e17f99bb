/* mapscope file PATH...: page-cache residency of files and trees. */
#include "cli/cli.h"
#include "emit/emit_file.h"
#include "emit/emit_prom.h"
#include "emit/emit_svg.h"
#include "kernel/filewalk.h"
#include "kernel/residency.h"

#include <errno.h>
#include <getopt.h>
#include <string.h>

/* What the user asked for, beyond which files. */
struct file_request {
	bool ranges, pages; /* resident ranges, per-page map */
	bool touch, evict;  /* change residency first */
	bool partial;       /* --partial: only files partly resident */
	enum emit_format format;
	struct table_options table;
	const char *svg; /* --svg: where to draw the page maps */
};

struct file_run {
	const struct file_request *req;
	struct emit_file emit;
	int operands_failed;
	char first_failure[256]; /* "<path>: <reason>" of the first failed operand */
	struct emit_svg *svg;    /* --svg: the picture being drawn */
	size_t svg_cells;        /* cells for each file's page map */
};

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: %s file [-r] [-L] [-x] [--exclude GLOB] [--partial] [--ranges] [--pages]\n"
	        "                     [--touch|--evict] [--svg FILE]\n"
	        "                     [--format json|jsonl|text|prometheus] [TABLE OPTIONS] "
	        "PATH...\n"
	        "  -r, --recursive        scan directories\n"
	        "  -L, --follow           follow symlinks inside directories\n"
	        "  -x, --one-file-system  do not enter other filesystems\n"
	        "  -e, --exclude GLOB     leave out files and directories whose name matches\n"
	        "                         (the whole path if GLOB has a '/'); may be repeated\n"
	        "      --partial          list only files partly resident (not 0%%, not 100%%)\n"
	        "      --ranges           list resident page ranges [first,last]\n"
	        "      --pages            a map of every page ('#' resident, '.' not)\n"
	        "      --touch            read every page first (brings it into the cache)\n"
	        "      --evict            drop the file's clean pages from the cache first\n"
	        "      --svg FILE         draw each file's page map into FILE (SVG)\n",
	        CLI_PROG);
	if (out != stdout)
		return;
	cli_table_help(out);
	cli_table_columns(out, NULL, emit_file_columns, emit_file_ncolumns);
}

static const char *apply_action(const struct file_request *req, int fd, uint64_t size)
{
	int err = 0;

	if (req->touch)
		err = residency_touch(fd, size);
	else if (req->evict)
		err = residency_evict(fd);
	return err ? strerror(-err) : NULL;
}

/* Resident ranges and page map, each from a walk of its own so that each
 * streams as one JSON value; the walk sets the counts too, so that ranges
 * and counts describe the same moment. Returns the walk's error, or NULL. */
static const char *walk_sections(struct file_run *run, int fd, struct residency *r)
{
	struct residency_walk w = {.ctx = &run->emit};
	int err = 0;

	if (run->req->ranges) {
		emit_file_begin_ranges(&run->emit, r->unavailable);
		w.on_range = emit_file_range;
		if (!r->unavailable)
			err = residency_walk(fd, r, &w);
		emit_file_end_section(&run->emit);
		w.on_range = NULL;
	}
	if (run->req->pages && !err) {
		emit_file_begin_pages(&run->emit, r->unavailable);
		w.on_pages = emit_file_pages;
		if (!r->unavailable)
			err = residency_walk(fd, r, &w);
		emit_file_end_section(&run->emit);
	}
	return err ? strerror(-err) : NULL;
}

/* Counts come first from cachestat, unless a walk will give them: text
 * prints them on the file's first line, before its ranges. */
static int measure(const struct file_request *req, const struct filewalk_entry *fe,
                   struct residency *r)
{
	if ((req->ranges || req->pages) && req->format != EMIT_TEXT)
		return residency_stat(fe->fd, fe->st, r);
	return residency_measure_stat(fe->fd, fe->st, r);
}

static void note_failure(struct file_run *run, const struct filewalk_entry *fe, const char *reason)
{
	if (!fe->operand || !reason)
		return;
	if (!run->operands_failed++)
		snprintf(run->first_failure, sizeof(run->first_failure), "%s: %s", fe->path,
		         reason);
}

/* Adds the file's page map to the picture; a file that cannot be drawn is
 * drawn with the reason instead. */
static void draw_file(struct file_run *run, const char *path, int fd, const struct residency *r)
{
	char label[512], size[32];
	struct pagegrid g;
	int err;

	if (run->svg->nbands == EMIT_SVG_MAX_BANDS) {
		run->svg->omitted++; /* not measured: it would not be drawn */
		return;
	}
	if (pagegrid_init(&g, r->pages, run->svg_cells) != 0)
		return;
	err = pagegrid_measure_file(&g, fd);
	if (err)
		g.unavailable = strerror(-err);
	else if (!g.unavailable)
		pagegrid_count_mappers(&g, path);
	snprintf(label, sizeof(label), "%s  (%s, %llu %s, %llu a cell)", path,
	         emit_human_bytes(r->size, size, sizeof(size)), (unsigned long long)g.pages,
	         emit_plural(g.pages, "page", "pages"), (unsigned long long)g.pages_per_cell);
	emit_svg_add(run->svg, label, NULL, &g);
}

/* Some pages resident and some not, as measured. */
static bool is_partial(const struct residency *r)
{
	return !r->unavailable && r->resident_pages > 0 && r->resident_pages < r->pages;
}

static void scan_file(struct file_run *run, const struct filewalk_entry *fe)
{
	const char *error = apply_action(run->req, fe->fd, (uint64_t)fe->st->st_size);
	char changed[128];
	struct residency r;
	int err = measure(run->req, fe, &r);

	if (err) {
		emit_file_problem(&run->emit, fe->path, strerror(-err), NULL);
		note_failure(run, fe, strerror(-err));
		return;
	}
	if (run->req->partial && !is_partial(&r)) {
		emit_file_not_partial(&run->emit);
		return;
	}
	emit_file_open_entry(&run->emit, fe->path, &r);
	/* cachestat counts in one call; a walk takes long enough for the file
	 * to change under it. */
	if (!error && (run->req->ranges || run->req->pages)) {
		error = walk_sections(run, fe->fd, &r);
		if (!error)
			error = residency_check_size(fe->fd, r.size, changed, sizeof(changed));
	}
	emit_file_close_entry(&run->emit, &r, error);
	note_failure(run, fe, error);
	if (run->svg && !error)
		draw_file(run, fe->path, fe->fd, &r);
}

static void on_entry(const struct filewalk_entry *fe, void *ctx)
{
	struct file_run *run = ctx;

	if (fe->kind == FILEWALK_FILE) {
		scan_file(run, fe);
		return;
	}
	if (fe->kind == FILEWALK_ERROR) {
		emit_file_problem(&run->emit, fe->path, fe->reason, NULL);
		note_failure(run, fe, fe->reason);
	} else {
		emit_file_problem(&run->emit, fe->path, NULL, fe->reason);
	}
}

/* Exit 1 when a path named on the command line could not be measured or
 * the walk could not go on; errors deeper in a tree are reported in their
 * entries and counted in the totals. The error document follows the report. */
/* Writes and frees the picture. 0, or -errno. */
static int save_picture(struct emit_svg *svg, const char *path)
{
	int err = emit_svg_save(svg, path);

	emit_svg_free(svg);
	return err;
}

static int run_scan(char *const *paths, int n, const struct filewalk_opts *walk_opts,
                    const struct file_request *req, enum emit_format format)
{
	struct file_run run = {.req = req};
	struct filewalk_stats stats;
	struct emit_svg svg = {.title = "mapscope file: page cache residency"};
	struct emit_prom_capture prom;
	FILE *out = stdout;
	int err, rc, svg_err = 0;

	/* Prometheus metrics are made from the JSON report itself. */
	if (format == EMIT_PROMETHEUS && !(out = emit_prom_capture(&prom))) {
		fprintf(stderr, "%s: file: %s\n", CLI_PROG, strerror(errno));
		return 1;
	}
	if (req->svg) {
		run.svg = &svg;
		/* A tree's file count is unknown up front: assume a few dozen. */
		run.svg_cells = emit_svg_cells_per_band(walk_opts->recursive ? 16 : (size_t)n);
	}
	emit_file_begin(&run.emit, out, format == EMIT_PROMETHEUS ? EMIT_JSON : format,
	                &req->table);
	err = filewalk_run(paths, n, walk_opts, on_entry, &run, &stats);
	if (req->svg)
		svg_err = save_picture(&svg, req->svg);
	rc = emit_file_end(&run.emit, &stats);
	if (format == EMIT_PROMETHEUS)
		rc |= emit_prom_release(&prom, emit_prom_file, stdout);
	if (rc != 0) {
		fprintf(stderr, "%s: file: writing the report: %s\n", CLI_PROG, strerror(errno));
		return 1;
	}
	if (svg_err)
		emit_error(CLI_PROG, "file", format, "%s: %s", req->svg, strerror(-svg_err));
	else if (err)
		emit_error(CLI_PROG, "file", format, "the scan stopped: %s", strerror(-err));
	else if (run.operands_failed > 1)
		emit_error(CLI_PROG, "file", format, "%s (and %d more %s)", run.first_failure,
		           run.operands_failed - 1,
		           emit_plural((uint64_t)run.operands_failed - 1, "path", "paths"));
	else if (run.operands_failed)
		emit_error(CLI_PROG, "file", format, "%s", run.first_failure);
	return svg_err || err || run.operands_failed ? 1 : 0;
}

static int parse_option(int opt, struct filewalk_opts *w, struct file_request *req,
                        enum emit_format *format)
{
	switch (opt) {
	case 'r':
		w->recursive = true;
		return 0;
	case 'L':
		w->follow = true;
		return 0;
	case 'x':
		w->one_fs = true;
		return 0;
	case 'R':
		req->ranges = true;
		return 0;
	case 'P':
		req->pages = true;
		return 0;
	case 'T':
		req->touch = true;
		return 0;
	case 'E':
		req->evict = true;
		return 0;
	case 'f':
		return command_format(CLI_PROG " file", optarg, COMMAND_ALL_FORMATS, format);
	case 'S':
		req->svg = optarg;
		return 0;
	case 'p':
		req->partial = true;
		return 0;
	default:
		return cli_table_option(opt, optarg, &req->table) ? 0 : 2;
	}
}

/* --exclude GLOB, as often as given. 0, or -1 if out of memory. */
static int add_exclude(struct filewalk_opts *w, char *glob)
{
	char **bigger = realloc((char **)w->exclude, (w->nexclude + 1) * sizeof(*bigger));

	if (!bigger)
		return -1;
	bigger[w->nexclude++] = glob;
	w->exclude = bigger;
	return 0;
}

static int check_request(const struct file_request *req)
{
	if (req->touch && req->evict) {
		fprintf(stderr, "%s: file: --touch and --evict exclude each other\n", CLI_PROG);
		return 2;
	}
	if (req->format == EMIT_TEXT)
		return cli_table_check("file", &req->table, emit_file_columns, emit_file_ncolumns);
	return 0;
}

int cli_file(int argc, char **argv)
{
	static const struct option opts[] = {
	        {"recursive", no_argument, 0, 'r'},
	        {"follow", no_argument, 0, 'L'},
	        {"one-file-system", no_argument, 0, 'x'},
	        {"ranges", no_argument, 0, 'R'},
	        {"pages", no_argument, 0, 'P'},
	        {"touch", no_argument, 0, 'T'},
	        {"evict", no_argument, 0, 'E'},
	        {"format", required_argument, 0, 'f'},
	        {"svg", required_argument, 0, 'S'},
	        {"exclude", required_argument, 0, 'e'},
	        {"partial", no_argument, 0, 'p'},
	        {"help", no_argument, 0, 'h'},
	        CLI_TABLE_OPTIONS,
	        {0},
	};
	struct filewalk_opts walk_opts = {0};
	struct file_request req = {0};
	enum emit_format format = EMIT_JSON;
	int opt, rc;

	while ((opt = command_getopt(CLI_PROG, argc, argv, "rLxf:e:h" CLI_TABLE_SHORT, opts)) !=
	       -1) {
		if (opt == 'h') {
			usage(stdout);
			free((char **)walk_opts.exclude);
			return 0;
		}
		if (opt == 'e' && add_exclude(&walk_opts, optarg) == 0)
			continue;
		if (opt == 'e' || parse_option(opt, &walk_opts, &req, &format) != 0) {
			if (opt == 'e')
				fprintf(stderr, "%s file: out of memory\n", CLI_PROG);
			free((char **)walk_opts.exclude);
			return opt == 'e' ? 1 : 2;
		}
	}
	req.format = format;
	if (optind >= argc) {
		usage(stderr);
		rc = 2;
	} else if ((rc = check_request(&req)) != 0) {
		;
	} else if (req.svg && (rc = emit_svg_check(req.svg)) != 0) {
		emit_error(CLI_PROG, "file", format, "%s: %s", req.svg, strerror(-rc));
		rc = 1;
	} else {
		rc = run_scan(argv + optind, argc - optind, &walk_opts, &req, format);
	}
	free((char **)walk_opts.exclude);
	return rc;
}
