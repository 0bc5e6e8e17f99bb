/*
 * fuzz_proctext: the libFuzzer target over the inspector's parsers of /proc
 * text. Each input is read three ways:
 *   - every line (split at '\n', as the kernel never writes one inside a
 *     maps line) through procmaps_parse, from a buffer of exactly its size;
 *   - the whole input as /proc/PID/smaps, through kernel/smaps and the
 *     line reader under it (core/lines), from a memfd opened by its
 *     /proc/self/fd name, as smaps_open opens a process's file;
 *   - up to the first NUL as /proc/PID/stat and the rest as
 *     /proc/PID/status, through procstat_parse.
 * A dictionary of the keys the parsers look for is tests/fuzz/proctext.dict.
 */
#include "kernel/procmaps.h"
#include "kernel/procstat.h"
#include "kernel/smaps.h"

#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A NUL-terminated copy of exactly n bytes, so a read past it is caught. */
static char *copy_of(const uint8_t *data, size_t n)
{
	char *s = malloc(n + 1);

	if (!s)
		abort();
	memcpy(s, data, n);
	s[n] = '\0';
	return s;
}

static void parse_maps_lines(const uint8_t *data, size_t size)
{
	struct procmaps_region r;

	while (size > 0) {
		const uint8_t *nl = memchr(data, '\n', size);
		size_t len = nl ? (size_t)(nl - data) : size;
		char *line = copy_of(data, len);

		if (procmaps_parse(line, &r) == 0) {
			/* The path points into the line and is a string inside it. */
			if (r.path < line || r.path > line + len || r.path[strlen(r.path)] != '\0')
				abort();
			procmaps_is_file(&r);
		}
		free(line);
		data += len + (nl != NULL);
		size -= len + (nl != NULL);
	}
}

/* One memfd and one reader (32 KiB of buffers) for the whole run, the
 * memfd's contents replaced per input and opened afresh by name each time,
 * as smaps_open opens a process's file. */
static void parse_smaps(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char name[32];
	static struct smaps smaps;
	struct smaps *s = &smaps;
	struct procmaps_region r;
	struct smaps_counters c;
	size_t done = 0;

	if (fd < 0) {
		fd = memfd_create("smaps", MFD_CLOEXEC);
		snprintf(name, sizeof(name), "/proc/self/fd/%d", fd);
	}
	if (fd < 0 || ftruncate(fd, (off_t)size) != 0)
		abort();
	while (done < size) {
		ssize_t n = pwrite(fd, data + done, size - done, (off_t)done);
		if (n <= 0)
			abort();
		done += (size_t)n;
	}
	if (smaps_open(s, AT_FDCWD, name) != 0)
		abort();
	while (smaps_next(s, &r, &c) == 1)
		if (strlen(r.path) > LINES_BUF)
			abort();
	smaps_close(s);
}

static void parse_procstat(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t len = nul ? (size_t)(nul - data) : size;
	char *stat = copy_of(data, len);
	char *status = nul ? copy_of(nul + 1, size - len - 1) : copy_of(data, 0);
	struct procstat ps;

	procstat_parse(stat, status, &ps);
	free(stat);
	free(status);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	parse_maps_lines(data, size);
	parse_smaps(data, size);
	parse_procstat(data, size);
	return 0;
}
