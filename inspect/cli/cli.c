#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

const struct command cli_commands[] = {
        {"file", "page-cache residency of files and trees", cli_file},
        {"maps", "mappings of a process: residency, sharing, map counts", cli_maps},
        {"who", "processes that map a file or hold it open", cli_who},
        {"faults", "page faults of a command, or of loading a library", cli_faults},
        {"iobench", "read() against mmap on a file, cold and warm", cli_iobench},
        {"share", "memory of N processes holding a library, per loader", cli_share},
        {"libs", "what every shared library costs: memory, RELRO, page cache", cli_libs},
        {"watch", "RSS, faults or residency over time, one line per interval", cli_watch},
        {0},
};

int cli_format(const char *arg, enum emit_format *out)
{
	return command_format(CLI_PROG, arg, COMMAND_ALL_FORMATS, out);
}

bool cli_table_option(int opt, const char *arg, struct table_options *t)
{
	switch (opt) {
	case 'o':
		t->output = arg;
		return true;
	case CLI_OPT_BYTES:
		t->bytes = true;
		return true;
	case CLI_OPT_NO_HEADINGS:
		t->no_headings = true;
		return true;
	case CLI_OPT_RAW:
		t->raw = true;
		return true;
	default:
		return false;
	}
}

void cli_table_help(FILE *out)
{
	fputs("\ntext tables:\n"
	      "  -o, --output COLUMNS   the columns to show, in order: -o COLUMN,COLUMN,...\n"
	      "      --bytes            sizes in bytes, not in human units\n"
	      "      --no-headings      no header row\n"
	      "      --raw              columns separated by one space, not aligned\n",
	      out);
}

void cli_table_columns(FILE *out, const char *title, const struct table_column *cols, size_t ncols)
{
	if (title)
		fprintf(out, "\ncolumns of %s:\n", title);
	else
		fputs("\ncolumns:\n", out);
	table_list_columns(out, cols, ncols);
}

int cli_table_check(const char *command, const struct table_options *t,
                    const struct table_column *cols, size_t ncols)
{
	char why[128], accepted[1024] = "", bad[64] = "";
	struct table *tb = table_new(cols, ncols, t, why, sizeof(why));
	size_t n = 0;

	if (tb) {
		table_free(tb);
		return 0;
	}
	for (size_t i = 0; i < ncols; i++)
		n += (size_t)snprintf(accepted + n,
		                      n < sizeof(accepted) ? sizeof(accepted) - n : 0, "%s%s",
		                      i ? ", " : "", cols[i].name);
	/* The first name that is not a column, as table_new found it. */
	sscanf(why, "unknown column '%63[^']'", bad);
	return command_invalid(CLI_PROG, command, "--output", bad, accepted);
}
