/* mapscope iobench: read() against mmap (FILE), copying FILE out five ways
 * (FILE --copy), and select/poll/epoll as descriptors grow (--multiplex). */
#include "cli/cli.h"
#include "emit/emit_iobench.h"
#include "emit/linechart.h"
#include "probe/iobench.h"
#include "probe/iobench_copy.h"
#include "probe/iobench_multiplex.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/stat.h>

#define DEFAULT_SIZE   (64ULL << 20)
#define DEFAULT_EVENTS 100
#define MAX_FDS        LINECHART_MAX_POINTS
#define MAX_IDLE       1000000
#define DEFAULT_DESTS  ((1u << DEST_PIPE) | (1u << DEST_SOCKET) | (1u << DEST_FILE))
/* Write runs: two methods x two orders x two cache states. */
#define MAX_WRITES 8

enum mode { MODE_MMAP, MODE_COPY, MODE_MULTIPLEX };

static const char *const mode_names[] = {"mmap", "copy", "multiplex"};

/* What the user asked for. */
struct request {
	enum mode mode;
	enum emit_format format;
	uint64_t size;
	bool sized;
	unsigned dests;
	unsigned fds[MAX_FDS];
	size_t nfds;
	unsigned events;
	const char *svg;
	const char *path;
	struct table_options table;
};

/* Where results go as they are made. */
struct sink {
	enum emit_format format;
	json_t *results;
	struct table *table; /* text: the rows so far */
	/* text: the write runs, for the memory table after the main one */
	struct iobench_result writes[MAX_WRITES];
	char write_why[MAX_WRITES][PATH_MAX + 96];
	size_t nwrites;
	/* text: each method's result at the fewest descriptors */
	struct iobench_mux_result first[MUX_N];
	bool have_first[MUX_N];
	struct linechart chart; /* --svg */
	bool draw;
};

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: %s iobench FILE [--size N[K|M|G]] [--format json|text]\n"
	        "       %s iobench FILE --copy [--to pipe|socket|tcp|file[,...]] [--size N]\n"
	        "       %s iobench --multiplex [--fds N,...] [--events N] [--svg FILE]\n"
	        "Reads the first N bytes of FILE (default 64M) with read() and with mmap\n"
	        "(private, shared, populate, madvise sequential/random/willneed), in file\n"
	        "and random page order, cold and warm; then writes a byte per page through\n"
	        "private and shared mappings of a scratch copy (FILE is never written),\n"
	        "with the anonymous memory and dirty pages each write run left. A missing\n"
	        "FILE is created with N bytes when --size is given. Cold runs evict FILE\n"
	        "from the page cache.\n"
	        "--copy copies FILE out with read+write, mmap+write, sendfile, splice and\n"
	        "copy_file_range, cold and warm, to a pipe, a Unix socket (socket) or a\n"
	        "loopback TCP connection drained by a child, or a scratch file (default\n"
	        "pipe,socket,file).\n"
	        "--multiplex waits with select, poll and epoll for one pipe among N idle ones\n"
	        "(default --fds 10,100,1000,10000), %d events each (--events); --svg FILE\n"
	        "draws the figures as line charts.\n",
	        CLI_PROG, CLI_PROG, CLI_PROG, DEFAULT_EVENTS);
	cli_table_help(out);
	cli_table_columns(out, "iobench FILE", emit_iobench_columns, emit_iobench_ncolumns);
	cli_table_columns(out, "iobench FILE --copy", emit_iobench_copy_columns,
	                  emit_iobench_copy_ncolumns);
	cli_table_columns(out, "iobench --multiplex", emit_iobench_mux_columns,
	                  emit_iobench_mux_ncolumns);
}

/* "64M" -> bytes; 0 on a malformed or zero size. */
static uint64_t parse_size(const char *s)
{
	char *end;
	unsigned long long n = strtoull(s, &end, 10);
	int shift = 0;

	if (end == s || *s == '-')
		return 0;
	switch (*end) {
	case 'k':
	case 'K':
		shift = 10;
		end++;
		break;
	case 'm':
	case 'M':
		shift = 20;
		end++;
		break;
	case 'g':
	case 'G':
		shift = 30;
		end++;
		break;
	default:
		break;
	}
	if (*end || n > (~0ULL >> shift))
		return 0;
	return (uint64_t)n << shift;
}

/* "pipe,file" -> a bit per receiver. 0 or -1. */
static int parse_dests(const char *arg, unsigned *out)
{
	char buf[128], *save = NULL;

	if (strlen(arg) >= sizeof(buf))
		return -1;
	snprintf(buf, sizeof(buf), "%s", arg);
	*out = 0;
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		int d = 0;
		while (d < DEST_N && strcmp(t, iobench_dest_names[d]) != 0)
			d++;
		if (d == DEST_N)
			return -1;
		*out |= 1u << d;
	}
	return *out ? 0 : -1;
}

/* A positive integer up to max, or 0. */
static unsigned parse_count(const char *s, char **end, unsigned max)
{
	unsigned long n;

	if (*s < '0' || *s > '9')
		return 0;
	n = strtoul(s, end, 10);
	return n > max ? 0 : (unsigned)n;
}

/* "10,100" -> counts. 0 or -1. */
static int parse_fds(const char *arg, struct request *req)
{
	const char *p = arg;

	req->nfds = 0;
	while (*p) {
		char *end;
		unsigned n = parse_count(p, &end, MAX_IDLE);
		if (!n || req->nfds == MAX_FDS || (*end && *end != ','))
			return -1;
		req->fds[req->nfds++] = n;
		p = *end ? end + 1 : end;
	}
	return req->nfds ? 0 : -1;
}

static int bad_value(const char *opt, const char *value, const char *accepted)
{
	return command_invalid(CLI_PROG, "iobench", opt, value, accepted);
}

/* --output names columns of the table this mode prints. 0, or 2. */
static int check_columns(const struct request *req)
{
	if (req->mode == MODE_COPY)
		return cli_table_check("iobench", &req->table, emit_iobench_copy_columns,
		                       emit_iobench_copy_ncolumns);
	if (req->mode == MODE_MULTIPLEX)
		return cli_table_check("iobench", &req->table, emit_iobench_mux_columns,
		                       emit_iobench_mux_ncolumns);
	return cli_table_check("iobench", &req->table, emit_iobench_columns,
	                       emit_iobench_ncolumns);
}

/* Parses argv into req. 0, -1 for --help, or 2 after a usage error. */
static int parse_args(int argc, char **argv, struct request *req)
{
	static const struct option opts[] = {
	        {"size", required_argument, 0, 's'},
	        {"format", required_argument, 0, 'f'},
	        {"copy", no_argument, 0, 'c'},
	        {"to", required_argument, 0, 't'},
	        {"multiplex", no_argument, 0, 'm'},
	        {"fds", required_argument, 0, 'n'},
	        {"events", required_argument, 0, 'e'},
	        {"svg", required_argument, 0, 'g'},
	        {"help", no_argument, 0, 'h'},
	        CLI_TABLE_OPTIONS,
	        {0},
	};
	bool to = false, fds = false, events = false;
	char *end;
	int opt;

	*req = (struct request){.format = EMIT_JSON,
	                        .size = DEFAULT_SIZE,
	                        .dests = DEFAULT_DESTS,
	                        .fds = {10, 100, 1000, 10000},
	                        .nfds = 4,
	                        .events = DEFAULT_EVENTS};
	while ((opt = command_getopt(CLI_PROG, argc, argv, "s:f:h" CLI_TABLE_SHORT, opts)) != -1) {
		switch (opt) {
		case 's':
			if (!(req->size = parse_size(optarg)))
				return bad_value("--size", optarg, "a number of bytes, K, M or G");
			req->sized = true;
			break;
		case 'f':
			if (command_format(CLI_PROG " iobench", optarg,
			                   COMMAND_FORMAT(EMIT_JSON) | COMMAND_FORMAT(EMIT_TEXT),
			                   &req->format) != 0)
				return 2;
			break;
		case 'c':
			req->mode = MODE_COPY;
			break;
		case 'm':
			req->mode = MODE_MULTIPLEX;
			break;
		case 't':
			to = true;
			if (parse_dests(optarg, &req->dests) != 0)
				return bad_value("--to", optarg,
				                 "pipe, socket, tcp or file, or a "
				                 "list of them");
			break;
		case 'n':
			fds = true;
			if (parse_fds(optarg, req) != 0)
				return bad_value("--fds", optarg,
				                 "up to 16 counts from 1 to 1000000");
			break;
		case 'e':
			events = true;
			req->events = parse_count(optarg, &end, 1000000);
			if (!req->events || *end)
				return bad_value("--events", optarg, "a count from 1 to 1000000");
			break;
		case 'g':
			req->svg = optarg;
			break;
		case 'h':
			usage(stdout);
			return -1;
		default:
			if (!cli_table_option(opt, optarg, &req->table))
				return 2;
		}
	}
	if (req->mode == MODE_MULTIPLEX && argc > optind)
		return command_misuse(CLI_PROG, "iobench", "--multiplex measures no FILE");
	if (req->mode != MODE_MULTIPLEX && argc == optind)
		return command_misuse(CLI_PROG, "iobench", "no FILE given");
	if (req->mode != MODE_MULTIPLEX && argc - optind > 1)
		return command_misuse(CLI_PROG, "iobench", "one FILE, not %d", argc - optind);
	if (req->mode != MODE_COPY && to)
		return command_misuse(CLI_PROG, "iobench", "--to goes with --copy");
	if (req->mode != MODE_MULTIPLEX && (fds || events || req->svg))
		return command_misuse(CLI_PROG, "iobench",
		                      "--fds, --events and --svg go with --multiplex");
	if (req->mode == MODE_MULTIPLEX && req->sized)
		return command_misuse(CLI_PROG, "iobench",
		                      "--multiplex measures no file: no --size");
	req->path = req->mode == MODE_MULTIPLEX ? NULL : argv[optind];
	return check_columns(req);
}

static void report(const struct iobench_result *r, void *arg)
{
	struct sink *o = arg;

	if (o->format != EMIT_TEXT) {
		json_array_append_new(o->results, emit_iobench_entry(r));
		return;
	}
	emit_iobench_text_row(stdout, o->table, r);
	if (r->method->write && o->nwrites < MAX_WRITES) {
		/* the reason may live in the probe's state, gone when the table prints */
		struct iobench_result *w = &o->writes[o->nwrites];
		*w = *r;
		if (r->unavailable) {
			snprintf(o->write_why[o->nwrites], sizeof(o->write_why[0]), "%s",
			         r->unavailable);
			w->unavailable = o->write_why[o->nwrites];
		}
		o->nwrites++;
	}
}

static void report_copy(const struct iobench_copy_result *r, void *arg)
{
	struct sink *o = arg;

	if (o->format == EMIT_TEXT)
		emit_iobench_copy_row(stdout, o->table, r);
	else
		json_array_append_new(o->results, emit_iobench_copy_entry(r));
}

static void report_mux(const struct iobench_mux_result *r, void *arg)
{
	struct sink *o = arg;

	if (o->draw)
		emit_iobench_mux_chart_add(&o->chart, r);
	if (o->format != EMIT_TEXT) {
		json_array_append_new(o->results, emit_iobench_mux_entry(r));
		return;
	}
	if (!o->have_first[r->method]) {
		o->first[r->method] = *r;
		o->have_first[r->method] = true;
	}
	emit_iobench_mux_row(stdout, o->table, r, &o->first[r->method]);
}

/* Creates FILE when it is missing and a size was given. 0, or 1 after an error. */
static int ensure_file(const struct request *req)
{
	struct stat st;
	int err;

	if (stat(req->path, &st) == 0)
		return 0;
	if (errno != ENOENT || !req->sized) {
		emit_error(CLI_PROG, "iobench", req->format, "%s: %s%s", req->path,
		           strerror(errno),
		           errno == ENOENT ? " (give --size N to create it)" : "");
		return 1;
	}
	err = iobench_create(req->path, req->size);
	if (err) {
		emit_error(CLI_PROG, "iobench", req->format, "%s: cannot create: %s", req->path,
		           strerror(-err));
		return 1;
	}
	return 0;
}

static int file_error(const struct request *req, int err)
{
	emit_error(CLI_PROG, "iobench", req->format, "%s: %s", req->path,
	           err == -EINVAL    ? "not a regular file"
	           : err == -ENODATA ? "empty file"
	                             : strerror(-err));
	return 1;
}

/* The bytes a run over FILE measures: --size, or the whole file if smaller. */
static uint64_t measured_size(const struct request *req)
{
	struct stat st;

	if (stat(req->path, &st) != 0 || (uint64_t)st.st_size > req->size)
		return req->size;
	return (uint64_t)st.st_size;
}

static int finish(const struct request *req, struct sink *o, const char *key,
                  const struct iobench_scratch *s)
{
	json_t *doc;

	if (req->format == EMIT_TEXT) {
		json_decref(o->results);
		return 0;
	}
	doc = emit_doc("iobench", true);
	emit_str(doc, "mode", mode_names[req->mode]);
	if (req->path) {
		emit_str(doc, "file", req->path);
		emit_int(doc, "size", (int64_t)measured_size(req));
	}
	if (s)
		emit_iobench_scratch(doc, s);
	if (req->mode == MODE_MULTIPLEX) {
		emit_int(doc, "events", req->events);
		emit_int(doc, "fd_setsize", FD_SETSIZE);
	}
	json_object_set_new(doc, key, o->results);
	return emit_json(doc, stdout, req->format) == 0 ? 0 : 1;
}

static int run_file(const struct request *req, struct sink *o)
{
	struct iobench_scratch scratch;
	int err, rc;

	if (ensure_file(req) != 0)
		return 1;
	/* A scratch file is only made for what needs one. */
	if (req->mode == MODE_MMAP || (req->dests & (1u << DEST_FILE)))
		iobench_scratch_open(&scratch, req->path);
	else
		scratch = (struct iobench_scratch){.fd = -1, .why = "no file receiver asked for"};
	if (req->format == EMIT_TEXT && req->mode == MODE_MMAP)
		o->table = emit_iobench_text_header(stdout, req->path, measured_size(req),
		                                    &scratch, &req->table);
	else if (req->format == EMIT_TEXT)
		o->table = emit_iobench_copy_header(stdout, req->path, measured_size(req),
		                                    &scratch, &req->table);
	if (req->mode == MODE_MMAP)
		err = iobench_run(req->path, req->size, &scratch, report, o);
	else
		err = iobench_copy_run(req->path, req->size, req->dests, &scratch, report_copy, o);
	if (err) {
		iobench_scratch_close(&scratch);
		json_decref(o->results);
		return file_error(req, err);
	}
	if (req->format == EMIT_TEXT && req->mode == MODE_MMAP)
		emit_iobench_text_memory(stdout, o->writes, o->nwrites, &req->table);
	rc = finish(req, o, req->mode == MODE_MMAP ? "results" : "copies", &scratch);
	iobench_scratch_close(&scratch);
	return rc;
}

static int run_multiplex(const struct request *req, struct sink *o)
{
	FILE *svg = NULL;
	int err;

	/* The picture's file is checked before the measuring, not after. */
	if (req->svg && !(svg = fopen(req->svg, "w"))) {
		json_decref(o->results);
		emit_error(CLI_PROG, "iobench", req->format, "%s: %s", req->svg, strerror(errno));
		return 1;
	}
	if (svg) {
		emit_iobench_mux_chart_init(&o->chart, req->events);
		o->draw = true;
	}
	if (req->format == EMIT_TEXT)
		o->table = emit_iobench_mux_header(stdout, req->events, &req->table);
	err = iobench_mux_run(req->fds, req->nfds, req->events, report_mux, o);
	if (!err && svg && linechart_write(&o->chart, svg) != 0)
		err = -EIO;
	if (svg && fclose(svg) != 0 && !err)
		err = -errno;
	if (err) {
		json_decref(o->results);
		emit_error(CLI_PROG, "iobench", req->format, "%s: %s",
		           svg && err == -EIO ? req->svg : "--multiplex", strerror(-err));
		return 1;
	}
	return finish(req, o, "multiplex", NULL);
}

int cli_iobench(int argc, char **argv)
{
	static struct sink o; /* large: the text memory table's reasons */
	struct request req;
	int rc = parse_args(argc, argv, &req);

	if (rc)
		return rc < 0 ? 0 : rc;
	memset(&o, 0, sizeof(o));
	o.format = req.format;
	o.results = json_array();
	rc = req.mode == MODE_MULTIPLEX ? run_multiplex(&req, &o) : run_file(&req, &o);
	table_free(o.table);
	return rc;
}
