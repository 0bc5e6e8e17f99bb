#include "core/lines.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

int lines_open(struct lines *l, int dirfd, const char *path)
{
	l->fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	l->err = 0;
	l->start = l->end = 0;
	l->eof = false;
	l->skipping = false;
	return l->fd < 0 ? -errno : 0;
}

/* Moves the unread tail to the front and reads more behind it. */
static void refill(struct lines *l)
{
	ssize_t got;

	memmove(l->buf, l->buf + l->start, l->end - l->start);
	l->end -= l->start;
	l->start = 0;
	do
		got = read(l->fd, l->buf + l->end, LINES_BUF - l->end);
	while (got < 0 && errno == EINTR);
	if (got < 0)
		l->err = -errno;
	if (got <= 0)
		l->eof = true;
	else
		l->end += (size_t)got;
}

/* Cuts the line at buf[at] and resumes reading at buf[next]. */
static char *take_line(struct lines *l, size_t at, size_t next)
{
	char *line = l->buf + l->start;

	l->buf[at] = '\0';
	l->start = next;
	return line;
}

char *lines_next(struct lines *l)
{
	for (;;) {
		char *from = l->buf + l->start;
		char *nl = memchr(from, '\n', l->end - l->start);
		size_t at = nl ? (size_t)(nl - l->buf) : 0;

		if (nl && !l->skipping)
			return take_line(l, at, at + 1);
		if (nl) {
			l->start = at + 1;
			l->skipping = false;
			continue;
		}
		if (l->skipping)
			l->start = l->end;
		if (l->eof)
			return l->start == l->end ? NULL : take_line(l, l->end, l->end);
		if (l->start == 0 && l->end == LINES_BUF) {
			/* An overlong line: keep what fits, drop the rest of it. */
			l->skipping = true;
			return take_line(l, LINES_BUF, LINES_BUF);
		}
		refill(l);
	}
}

void lines_close(struct lines *l)
{
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
}
