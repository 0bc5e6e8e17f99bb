#include "runrecord.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The file's path, kept from start-up (the program may change its
 * environment); empty when there is no record to write. */
static char path[PATH_MAX];

void runrecord_open(void)
{
	const char *env = getenv("SOLOAD_RUN_RECORD");

	if (env && *env && strlen(env) < sizeof(path))
		strcpy(path, env);
}

/* One record, appended by one write(2) on a descriptor of its own, closed
 * at once: a descriptor held for the process's life would be one more
 * the program finds open (the lowest free number: fd 0 in a child
 * started with stdin closed, which then reads as open: CPython's
 * test_posix and test_subprocess failed so), and one a program that
 * closes every descriptor it did not open would close under us. */
static int append(const char *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	ssize_t done;

	if (fd < 0)
		return -1;
	done = write(fd, buf, len);
	close(fd);
	return done == (ssize_t)len ? 0 : -1;
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

	if (!path[0])
		return;
	len = (size_t)snprintf(buf, sizeof(buf), "%s\t%d", event, (int)getpid());
	for (int i = 0; i < n; i++) {
		buf[len++] = '\t';
		if (put(buf, sizeof(buf) - 1, &len, fields[i]) != 0)
			return; /* a record that does not fit is left out whole */
	}
	buf[len++] = '\n';
	/* A record lost (no descriptor left, a full disk) has nowhere else to
	 * be told: the report lists what the file holds. */
	append(buf, len);
}
