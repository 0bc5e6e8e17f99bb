/* mapscope file PATH...: page-cache residency of files and trees. */
#include "cli/cli.h"
#include "core/interrupt.h"
#include "emit/emit_file.h"
#include "emit/emit_prom.h"
#include "emit/emit_svg.h"
#include "kernel/filewalk.h"
#include "kernel/residency.h"
#include "probe/file_restore.h"
#include "probe/file_top.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* What the user asked for, beyond which files. */
struct file_request {
	bool ranges, pages; /* resident ranges, per-page map */
	bool touch, evict;  /* change residency first */
	bool partial;       /* --partial: only files partly resident */
	enum emit_format format;
	struct table_options table;
	const char *svg; /* --svg: where to draw the page maps */
	size_t top;      /* --top: list only the first N files, 0 for all */
	enum file_top_key sort;
	bool sort_given;
	const char *save;    /* --save: where to write the resident ranges */
	const char *restore; /* --restore: the list to bring back */
};

struct file_run {
	const struct file_request *req;
	struct emit_file emit;
	int operands_failed;
	char first_failure[256]; /* "<path>: <reason>" of the first failed operand */
	struct emit_svg *svg;    /* --svg: the picture being drawn */
	size_t svg_cells;        /* cells for each file's page map */
	struct file_top *top;    /* --top: the files kept so far */
	struct emit_file *save;  /* --save: the list being written */
	struct stat save_st;     /* --save: its file, while unfinished, left out of the walk */
};

/* The unfinished --save list in a tree being walked is the tool's own
 * output, gone (renamed) when the run ends: it is not reported. */
static bool is_save_list(const struct file_run *run, const struct filewalk_entry *fe)
{
	return run->save && fe->st && fe->st->st_dev == run->save_st.st_dev &&
	       fe->st->st_ino == run->save_st.st_ino;
}

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
	        "      --svg FILE         draw each file's page map into FILE (SVG)\n"
	        "      --top N            list only the N files with the most pages (totals: "
	        "all)\n"
	        "      --sort resident|evicted  what --top counts (resident by default)\n"
	        "      --save LIST        also write the resident ranges of the files to LIST\n"
	        "usage: %s file --restore LIST [--format json|text]\n"
	        "      --restore LIST     bring the ranges a --save wrote back into the cache\n",
	        CLI_PROG, CLI_PROG);
	if (out != stdout)
		return;
	cli_table_help(out);
	cli_table_columns(out, "file PATH...", emit_file_columns, emit_file_ncolumns);
	cli_table_columns(out, "file --restore", emit_restore_columns, emit_restore_ncolumns);
}

struct touch_progress {
	struct emit_file *emit;
	const char *path;
	uint64_t size;
};

/* How far a --touch has gone, on a terminal; a signal stops it. */
static bool on_touch_progress(uint64_t done, void *ctx)
{
	struct touch_progress *t = ctx;

	emit_file_touch_progress(t->emit, t->path, done, t->size);
	return interrupt_signal() != 0;
}

static const char *apply_action(struct file_run *run, const struct filewalk_entry *fe)
{
	uint64_t size = (uint64_t)fe->st->st_size;
	struct touch_progress t = {&run->emit, fe->path, size};
	int err = 0;

	if (run->req->touch)
		err = residency_touch(fe->fd, size, on_touch_progress, &t);
	else if (run->req->evict)
		err = residency_evict(fe->fd);
	if (err == -EINTR && interrupt_signal())
		return NULL; /* the document says it was interrupted */
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

static void drop_from_top(const char *path, const struct residency *r, void *ctx)
{
	emit_file_count(ctx, path, r);
}

/* --top: counted now, listed at the end if among the first N. */
static void offer_file(struct file_run *run, const struct filewalk_entry *fe)
{
	struct residency r;
	int err = residency_measure_stat(fe->fd, fe->st, &r);

	if (err) {
		emit_file_problem(&run->emit, fe->path, strerror(-err), NULL);
		note_failure(run, fe, strerror(-err));
	} else if (file_top_offer(run->top, fe->path, &r) != 0) {
		note_failure(run, fe, strerror(ENOMEM));
	}
}

/* --save: the ranges go to the list, the counts of the same walk to the
 * report. */
static void save_file(struct file_run *run, const struct filewalk_entry *fe)
{
	struct residency_walk w = {.ctx = run->save, .on_range = emit_file_range};
	const char *error = NULL;
	char changed[128];
	struct residency r;
	int err = residency_stat(fe->fd, fe->st, &r);

	if (err) {
		emit_file_problem(&run->emit, fe->path, strerror(-err), NULL);
		note_failure(run, fe, strerror(-err));
		return;
	}
	emit_file_open_entry(run->save, fe->path, &r);
	emit_file_begin_ranges(run->save, r.unavailable);
	if (!r.unavailable && (err = residency_walk(fe->fd, &r, &w)) != 0)
		error = strerror(-err);
	emit_file_end_section(run->save);
	if (!error && !r.unavailable)
		error = residency_check_size(fe->fd, r.size, changed, sizeof(changed));
	emit_file_close_entry(run->save, &r, error);
	emit_file_open_entry(&run->emit, fe->path, &r);
	emit_file_close_entry(&run->emit, &r, error);
	note_failure(run, fe, error);
}

static void scan_file(struct file_run *run, const struct filewalk_entry *fe)
{
	const char *error = apply_action(run, fe);
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
		if (is_save_list(run, fe))
			return;
		if (run->top)
			offer_file(run, fe);
		else if (run->save)
			save_file(run, fe);
		else
			scan_file(run, fe);
		return;
	}
	if (fe->kind == FILEWALK_SKIP && run->top) {
		emit_file_count_skipped(&run->emit, fe->path);
		return;
	}
	if (fe->kind == FILEWALK_ERROR) {
		emit_file_problem(&run->emit, fe->path, fe->reason, NULL);
		note_failure(run, fe, fe->reason);
	} else {
		emit_file_problem(&run->emit, fe->path, NULL, fe->reason);
	}
}

/* Writes and frees the picture. 0, or -errno. */
static int save_picture(struct emit_svg *svg, const char *path)
{
	int err = emit_svg_save(svg, path);

	emit_svg_free(svg);
	return err;
}

/* --top: the files kept, most first, once the walk is over. */
static void list_top(struct file_run *run)
{
	file_top_finish(run->top);
	for (size_t i = 0; i < run->top->n; i++) {
		const struct file_top_item *it = &run->top->items[i];
		emit_file_open_entry(&run->emit, it->path, &it->r);
		emit_file_close_entry(&run->emit, &it->r, NULL);
	}
	file_top_free(run->top);
}

/* --save: the list goes to a file beside LIST, renamed over it once whole. */
static FILE *open_save(const char *list, char *tmp, size_t len, struct emit_file *save)
{
	FILE *out;
	int fd;

	snprintf(tmp, len, "%s.tmp-XXXXXX", list);
	fd = mkstemp(tmp);
	if (fd < 0 || !(out = fdopen(fd, "w"))) {
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		return NULL;
	}
	emit_file_begin(save, out, EMIT_JSON, NULL);
	save->progress_tty = false;
	return out;
}

/* 0, or -errno after removing the unfinished list. */
static int close_save(FILE *out, const char *tmp, const char *list, struct emit_file *save,
                      const struct filewalk_stats *stats)
{
	int err = emit_file_end(save, stats, NULL) != 0 ? -EIO : 0;

	if (fclose(out) != 0 && !err)
		err = -errno;
	if (!err && rename(tmp, list) != 0)
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

/* The run's failure for the document's "error", or NULL; a failure that
 * no entry told on stderr is told there now. */
static const char *run_failure(const struct file_run *run, const struct file_request *req,
                               int walk_err, int svg_err, int save_err, char *buf, size_t len)
{
	if (svg_err)
		snprintf(buf, len, "%s: %s", req->svg, strerror(-svg_err));
	else if (save_err)
		snprintf(buf, len, "%s: %s", req->save, strerror(-save_err));
	else if (walk_err)
		snprintf(buf, len, "the scan stopped: %s", strerror(-walk_err));
	else if (run->operands_failed > 1)
		return snprintf(buf, len, "%s (and %d more %s)", run->first_failure,
		                run->operands_failed - 1,
		                emit_plural((uint64_t)run->operands_failed - 1, "path", "paths")),
		       buf;
	else if (run->operands_failed)
		return snprintf(buf, len, "%s", run->first_failure), buf;
	else
		return NULL;
	fprintf(stderr, "%s: %s\n", CLI_PROG, buf);
	return buf;
}

/* Exit 1 when a path named on the command line could not be measured or
 * the walk could not go on; errors deeper in a tree are reported in their
 * entries and counted in the totals. One document either way: the run's
 * error is in it. */
static int run_scan(char *const *paths, int n, const struct filewalk_opts *walk_opts,
                    const struct file_request *req, enum emit_format format)
{
	struct file_run run = {.req = req};
	struct filewalk_stats stats;
	struct emit_svg svg = {.title = "mapscope file: page cache residency"};
	struct emit_prom_capture prom;
	struct file_top top;
	struct emit_file save;
	char save_tmp[4096], why[512];
	FILE *out = stdout, *save_out = NULL;
	const char *failure;
	int err, rc, svg_err = 0, save_err = 0;

	if (req->save && !(save_out = open_save(req->save, save_tmp, sizeof(save_tmp), &save))) {
		emit_error(CLI_PROG, "file", format, "%s: %s", req->save, strerror(errno));
		return 1;
	}
	run.save = save_out ? &save : NULL;
	if (save_out && fstat(fileno(save_out), &run.save_st) != 0)
		memset(&run.save_st, 0, sizeof(run.save_st)); /* inode 0: matches no file */
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
	if (req->top && file_top_init(&top, req->top, req->sort, drop_from_top, &run.emit) != 0) {
		fprintf(stderr, "%s: file: %s\n", CLI_PROG, strerror(ENOMEM));
		return 1;
	}
	run.top = req->top ? &top : NULL;
	err = filewalk_run(paths, n, walk_opts, on_entry, &run, &stats);
	if (run.top)
		list_top(&run);
	if (req->svg)
		svg_err = save_picture(&svg, req->svg);
	if (save_out)
		save_err = close_save(save_out, save_tmp, req->save, &save, &stats);
	failure = run_failure(&run, req, err, svg_err, save_err, why, sizeof(why));
	rc = emit_file_end(&run.emit, &stats, failure);
	if (format == EMIT_PROMETHEUS)
		rc |= emit_prom_release(&prom, emit_prom_file, stdout);
	if (rc != 0) {
		fprintf(stderr, "%s: file: writing the report: %s\n", CLI_PROG, strerror(errno));
		return 1;
	}
	return failure ? 1 : 0;
}

/* --restore LIST: exit 1 if the list could not be used or a file in it
 * could not be restored; each such file is named on stderr. */
static int run_restore(const char *list, enum emit_format format,
                       const struct table_options *table)
{
	struct emit_restore e;
	char why[256];
	int rc;

	emit_restore_begin(&e, stdout, format, list, table);
	if (file_restore_run(list, emit_restore_file, &e, why, sizeof(why)) != 0) {
		json_decref(e.files);
		emit_error(CLI_PROG, "file", format, "%s: %s", list, why);
		return 1;
	}
	rc = emit_restore_end(&e);
	if (rc == 0 && e.errors)
		emit_error(CLI_PROG, "file", format, "%s: %llu of %llu files not restored", list,
		           (unsigned long long)e.errors, (unsigned long long)e.files_n);
	return rc || e.errors ? 1 : 0;
}

/* A positive number for --top. 0, or -1. */
static int parse_top(const char *arg, size_t *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v <= 0 || v > (1L << 24))
		return -1;
	*out = (size_t)v;
	return 0;
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
	case 'n':
		return parse_top(optarg, &req->top) == 0 ? 0 : 2;
	case 'k':
		req->sort_given = true;
		return file_top_parse_key(optarg, &req->sort) == 0 ? 0 : 2;
	case 'W':
		req->save = optarg;
		return 0;
	case 'O':
		req->restore = optarg;
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

/* Options that cannot go together; the message says which. */
static int check_request(const struct file_request *req, enum emit_format format, bool paths)
{
	const char *clash = NULL;

	if (req->touch && req->evict)
		clash = "--touch and --evict exclude each other";
	else if (req->sort_given && !req->top)
		clash = "--sort goes with --top";
	else if (req->top &&
	         (req->ranges || req->pages || req->svg || req->touch || req->evict || req->save))
		clash = "--top lists counts only: not with --ranges, --pages, --svg, --touch, "
		        "--evict or --save";
	else if (req->save && (req->ranges || req->pages || req->svg))
		clash = "--save writes the ranges to its list: not with --ranges, --pages or "
		        "--svg";
	else if (req->restore && (paths || req->top || req->save || req->ranges || req->pages ||
	                          req->svg || req->touch || req->evict))
		clash = "--restore LIST takes no paths and no other option but --format";
	else if (req->restore && format != EMIT_JSON && format != EMIT_TEXT)
		clash = "--restore prints json or text";
	else if (!req->restore && !paths)
		clash = "no PATH given";
	if (clash)
		return command_misuse(CLI_PROG, "file", "%s", clash);
	if (format == EMIT_TEXT && req->restore)
		return cli_table_check("file", &req->table, emit_restore_columns,
		                       emit_restore_ncolumns);
	if (format == EMIT_TEXT)
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
	        {"top", required_argument, 0, 'n'},
	        {"sort", required_argument, 0, 'k'},
	        {"save", required_argument, 0, 'W'},
	        {"restore", required_argument, 0, 'O'},
	        {"help", no_argument, 0, 'h'},
	        CLI_TABLE_OPTIONS,
	        {0},
	};
	struct filewalk_opts walk_opts = {.stop = interrupt_signal};
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
	if ((rc = check_request(&req, format, optind < argc)) != 0) {
		;
	} else if (req.restore) {
		rc = run_restore(req.restore, format, &req.table);
	} else if (req.svg && (rc = emit_svg_check(req.svg)) != 0) {
		emit_error(CLI_PROG, "file", format, "%s: %s", req.svg, strerror(-rc));
		rc = 1;
	} else {
		rc = run_scan(argv + optind, argc - optind, &walk_opts, &req, format);
	}
	free((char **)walk_opts.exclude);
	return rc;
}
