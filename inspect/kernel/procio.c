#include "kernel/procio.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const struct procio_field procio_fields[] = {
        {"rchar", offsetof(struct procio, rchar)},
        {"wchar", offsetof(struct procio, wchar)},
        {"syscr", offsetof(struct procio, syscr)},
        {"syscw", offsetof(struct procio, syscw)},
        {"read_bytes", offsetof(struct procio, read_bytes)},
        {"write_bytes", offsetof(struct procio, write_bytes)},
};

const size_t procio_nfields = sizeof(procio_fields) / sizeof(procio_fields[0]);

/* The value of "key: N" at the start of a line of text, or -1. */
static int find_value(const char *text, const char *key, uint64_t *out)
{
	size_t n = strlen(key);

	for (const char *p = text; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		char *end;

		if (strncmp(p, key, n) != 0 || p[n] != ':')
			continue;
		errno = 0;
		*out = strtoull(p + n + 1, &end, 10);
		return end == p + n + 1 || errno ? -1 : 0;
	}
	return -1;
}

int procio_parse(const char *text, struct procio *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < procio_nfields; i++) {
		uint64_t *v = (uint64_t *)((char *)out + procio_fields[i].offset);
		if (find_value(text, procio_fields[i].key, v) != 0)
			return -EINVAL;
	}
	return 0;
}

int procio_read(struct procio *out)
{
	char text[512];
	int fd = open("/proc/thread-self/io", O_RDONLY | O_CLOEXEC);
	ssize_t n;
	int err;

	if (fd < 0)
		return -errno;
	n = read(fd, text, sizeof(text) - 1);
	err = n < 0 ? -errno : 0;
	close(fd);
	if (err)
		return err;
	text[n] = '\0';
	err = procio_parse(text, out);
	out->self_bytes = (uint64_t)n;
	return err;
}

static uint64_t less(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

void procio_delta(const struct procio *before, const struct procio *after, struct procio *out)
{
	for (size_t i = 0; i < procio_nfields; i++) {
		const uint64_t *b =
		        (const uint64_t *)((const char *)before + procio_fields[i].offset);
		const uint64_t *a =
		        (const uint64_t *)((const char *)after + procio_fields[i].offset);
		*(uint64_t *)((char *)out + procio_fields[i].offset) = less(*a, *b);
	}
	out->rchar = less(out->rchar, before->self_bytes);
	out->syscr = less(out->syscr, 1);
	out->self_bytes = 0;
}
