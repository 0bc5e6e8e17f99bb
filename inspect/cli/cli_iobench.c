/* mapscope iobench FILE [--size N]: read() against mmap, measured. */
#include "cli/cli.h"
#include "emit/emit_iobench.h"
#include "probe/iobench.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define DEFAULT_SIZE (64ULL << 20)

struct iobench_out {
	enum emit_format format;
	json_t *results;
};

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: %s iobench FILE [--size N[K|M|G]] [--format json|text]\n"
	        "Reads the first N bytes of FILE (default 64M) with read() and with mmap\n"
	        "(private, shared, populate, madvise sequential/random/willneed), in file\n"
	        "and random page order, cold and warm; then writes a byte per page through\n"
	        "private and shared mappings. A missing FILE is created with N bytes when\n"
	        "--size is given. Cold runs evict FILE from the page cache.\n",
	        CLI_PROG);
}

/* "64M" -> bytes; 0 on a malformed or zero size. */
static uint64_t parse_size(const char *s)
{
	char *end;
	unsigned long long n = strtoull(s, &end, 10);
	int shift = 0;

	if (end == s)
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

static void report(const struct iobench_result *r, void *arg)
{
	struct iobench_out *o = arg;

	if (o->format == EMIT_TEXT)
		emit_iobench_text_row(stdout, r);
	else
		json_array_append_new(o->results, emit_iobench_entry(r));
}

/* Creates FILE when it is missing and a size was given. 0, or 1 after an error. */
static int ensure_file(const char *path, uint64_t size, bool sized, enum emit_format format)
{
	struct stat st;
	int err;

	if (stat(path, &st) == 0)
		return 0;
	if (errno != ENOENT || !sized) {
		emit_error(CLI_PROG, "iobench", format, "%s: %s%s", path, strerror(errno),
		           errno == ENOENT ? " (give --size N to create it)" : "");
		return 1;
	}
	err = iobench_create(path, size);
	if (err) {
		emit_error(CLI_PROG, "iobench", format, "%s: cannot create: %s", path,
		           strerror(-err));
		return 1;
	}
	return 0;
}

static int run(const char *path, uint64_t size, enum emit_format format)
{
	struct iobench_out o = {format, json_array()};
	struct stat st;
	json_t *doc;
	int err;

	if (stat(path, &st) == 0 && format == EMIT_TEXT)
		emit_iobench_text_header(
		        stdout, path, size < (uint64_t)st.st_size ? size : (uint64_t)st.st_size);
	err = iobench_run(path, size, report, &o);
	if (err) {
		json_decref(o.results);
		emit_error(CLI_PROG, "iobench", format, "%s: %s", path,
		           err == -EINVAL    ? "not a regular file"
		           : err == -ENODATA ? "empty file"
		                             : strerror(-err));
		return 1;
	}
	if (format == EMIT_TEXT) {
		json_decref(o.results);
		return 0;
	}
	doc = emit_doc("iobench", true);
	emit_str(doc, "file", path);
	emit_int(doc, "size",
	         (int64_t)(size < (uint64_t)st.st_size ? size : (uint64_t)st.st_size));
	json_object_set_new(doc, "results", o.results);
	return emit_json(doc, stdout, format) == 0 ? 0 : 1;
}

int cli_iobench(int argc, char **argv)
{
	static const struct option opts[] = {
	        {"size", required_argument, 0, 's'},
	        {"format", required_argument, 0, 'f'},
	        {"help", no_argument, 0, 'h'},
	        {0},
	};
	enum emit_format format = EMIT_JSON;
	uint64_t size = DEFAULT_SIZE;
	bool sized = false;
	int opt;

	while ((opt = getopt_long(argc, argv, "s:f:h", opts, NULL)) != -1) {
		if (opt == 's' && (size = parse_size(optarg)) != 0) {
			sized = true;
			continue;
		}
		if (opt == 's') {
			fprintf(stderr, "%s: iobench: bad size '%s'\n", CLI_PROG, optarg);
			return 2;
		}
		if (opt == 'f' && cli_format(optarg, &format) == 0)
			continue;
		if (opt == 'h') {
			usage(stdout);
			return 0;
		}
		usage(stderr);
		return 2;
	}
	if (optind != argc - 1 || format == EMIT_PROMETHEUS) {
		usage(stderr);
		return 2;
	}
	if (ensure_file(argv[optind], size, sized, format) != 0)
		return 1;
	return run(argv[optind], size, format);
}
