#include "cli/cli.h"

#include <stdio.h>

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
