/*
 * lines: reads a file line by line through one fixed buffer with read(2), so
 * a /proc file of any length is parsed in constant memory. /proc files are
 * generated per read call; a buffer of a few pages keeps the calls few.
 */
#ifndef LINES_H
#define LINES_H

#include <stdbool.h>
#include <stddef.h>

#define LINES_BUF 16384

struct lines {
	int fd;
	int err;      /* -errno of a failed read, else 0 */
	size_t start; /* first unread byte in buf */
	size_t end;   /* one past the last byte read into buf */
	bool eof;
	bool skipping; /* dropping the rest of an overlong line */
	char buf[LINES_BUF + 1];
};

/* Opens path (relative to dirfd, or AT_FDCWD) read-only. 0 or -errno. */
int lines_open(struct lines *l, int dirfd, const char *path);

/* The next line, NUL-terminated and without its '\n'; valid until the next
 * call. A line longer than the buffer is cut to it. NULL at end of file or
 * on error (l->err). */
char *lines_next(struct lines *l);

void lines_close(struct lines *l);

#endif
