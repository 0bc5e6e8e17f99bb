#include "runrecord.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int fd = -1;

void runrecord_open(void)
{
	const char *path = getenv("SOLOAD_RUN_RECORD");

	if (path && *path)
		fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
}

/* Appends s escaped at *len in buf (cap bytes); 0, or -1 when full. */
static int put(char *buf, size_t cap, size_t *len, const char *s)
{
	for (; s && *s; s++) {
		char c = *s == '\t' ? 't' : *s == '\n' ? 'n' : *s == '\\' ? '\\' : 0;
		if (*len + 2 >= cap)
			return -1;
		if (c) {
			buf[(*len)++] = '\\';
			buf[(*len)++] = c;
		} else {
			buf[(*len)++] = *s;
		}
	}
	return 0;
}

void runrecord_write(const char *event, int n, const char *const *fields)
{
	char buf[4096];
	size_t len;

	if (fd < 0)
		return;
	len = (size_t)snprintf(buf, sizeof(buf), "%s\t%d", event, (int)getpid());
	for (int i = 0; i < n; i++) {
		buf[len++] = '\t';
		if (put(buf, sizeof(buf) - 1, &len, fields[i]) != 0)
			return; /* a record that does not fit is left out whole */
	}
	buf[len++] = '\n';
	if (write(fd, buf, len) != (ssize_t)len)
		return;
}
