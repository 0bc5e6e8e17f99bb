/* mapscope file PATH...: page-cache residency of files. */
#include "cli.h"
#include "emit_file.h"
#include "residency.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *out)
{
	fprintf(out, "usage: %s file [--format json|text] PATH...\n", CLI_PROG);
}

/* Measures one path; on failure reports it and returns -1. */
static int measure_path(const char *path, struct residency *r)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOATIME);
	int err;

	if (fd < 0 && errno == EPERM)
		fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		emit_error(CLI_PROG, "file", EMIT_TEXT,
			   "%s: %s", path, strerror(errno));
		return -1;
	}
	err = residency_measure(fd, r);
	close(fd);
	if (err) {
		emit_error(CLI_PROG, "file", EMIT_TEXT, "%s: %s", path, strerror(-err));
		return -1;
	}
	return 0;
}

int cli_file(int argc, char **argv)
{
	static const struct option opts[] = {
		{"format", required_argument, 0, 'f'},
		{"help", no_argument, 0, 'h'},
		{0},
	};
	enum emit_format format = EMIT_JSON;
	json_t *doc, *files;
	int opt, failed = 0;

	while ((opt = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		if (opt == 'f' && cli_format(optarg, &format) == 0)
			continue;
		if (opt == 'h') {
			usage(stdout);
			return 0;
		}
		usage(stderr);
		return 2;
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	doc = emit_doc("file", true);
	files = json_array();
	for (int i = optind; i < argc; i++) {
		struct residency r;
		if (measure_path(argv[i], &r) != 0) {
			failed++;
			continue;
		}
		if (format == EMIT_TEXT)
			emit_file_text(stdout, argv[i], &r);
		else
			json_array_append_new(files, emit_file_entry(argv[i], &r));
	}
	json_object_set_new(doc, "files", files);
	if (format == EMIT_TEXT)
		json_decref(doc);
	else
		emit_json(doc, stdout, format);
	return failed ? 1 : 0;
}
