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
	        "usage: %s who [--format json|text] PATH\n"
	        "  PATH may be /proc/PID/fd/N or /proc/PID/map_files/... for a deleted file\n",
	        CLI_PROG);
}

int cli_who(int argc, char **argv)
{
	static const struct option opts[] = {
	        {"format", required_argument, 0, 'f'},
	        {"help", no_argument, 0, 'h'},
	        {0},
	};
	enum emit_format format = EMIT_JSON;
	struct who_report r;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		if (opt == 'f') {
			if (command_format(CLI_PROG, optarg, COMMAND_JSON_TEXT, &format) != 0)
				return 2;
			continue;
		}
		usage(opt == 'h' ? stdout : stderr);
		return opt == 'h' ? 0 : 2;
	}
	if (optind + 1 != argc) {
		usage(stderr);
		return 2;
	}
	rc = who_scan(argv[optind], &r);
	if (rc) {
		emit_error(CLI_PROG, "who", format, "%s: %s%s", argv[optind], strerror(-rc),
		           rc == -ENOENT ? " (name a deleted file as /proc/PID/fd/N)" : "");
		who_free(&r);
		return 1;
	}
	if (format == EMIT_TEXT)
		emit_who_text(stdout, argv[optind], &r);
	else
		rc = emit_json(emit_who_doc(argv[optind], &r), stdout, format);
	/* Nothing read at all is a failure; some processes unreadable is not. */
	if (r.scanned == 0)
		rc = 1;
	who_free(&r);
	return rc ? 1 : 0;
}
