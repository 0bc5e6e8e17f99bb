#include "core/lines.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Writes text to a new temp file; its path goes into path (64 bytes). */
static void write_temp(char *path, const char *text, size_t len)
{
	int fd;

	strcpy(path, "/tmp/mapscope-lines-XXXXXX");
	fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, text, len), (ssize_t)len);
	close(fd);
}

Test(lines, reads_lines_and_a_last_one_without_newline)
{
	char path[64];
	struct lines l;

	write_temp(path, "one\n\nthree", 10);
	cr_assert_eq(lines_open(&l, AT_FDCWD, path), 0);
	cr_assert_str_eq(lines_next(&l), "one");
	cr_assert_str_eq(lines_next(&l), "");
	cr_assert_str_eq(lines_next(&l), "three");
	cr_assert_null(lines_next(&l));
	cr_assert_eq(l.err, 0);
	lines_close(&l);
	unlink(path);
}

Test(lines, cuts_an_overlong_line_and_goes_on)
{
	size_t len = LINES_BUF * 3;
	char *text = malloc(len + 8), path[64], *line;
	struct lines l;

	memset(text, 'x', len);
	memcpy(text + len, "\nnext\n", 6);
	write_temp(path, text, len + 6);
	cr_assert_eq(lines_open(&l, AT_FDCWD, path), 0);
	line = lines_next(&l);
	cr_assert_eq(strlen(line), LINES_BUF);
	cr_assert_str_eq(lines_next(&l), "next");
	cr_assert_null(lines_next(&l));
	lines_close(&l);
	unlink(path);
	free(text);
}

Test(lines, missing_file_is_an_errno)
{
	struct lines l;

	cr_assert_eq(lines_open(&l, AT_FDCWD, "/nonexistent/mapscope"), -ENOENT);
}

Test(lines, streams_a_proc_file_longer_than_the_buffer)
{
	struct lines l;
	int n = 0;

	cr_assert_eq(lines_open(&l, AT_FDCWD, "/proc/self/smaps"), 0);
	while (lines_next(&l))
		n++;
	cr_assert_gt(n, 100);
	cr_assert_eq(l.err, 0);
	lines_close(&l);
}
