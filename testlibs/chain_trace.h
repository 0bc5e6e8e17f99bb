/* Appends a line to the file named by $SOLOAD_TRACE, if set. */
#ifndef CHAIN_TRACE_H
#define CHAIN_TRACE_H

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static inline void chain_trace(const char *what)
{
	const char *path = getenv("SOLOAD_TRACE");
	int fd = path ? open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600) : -1;

	if (fd < 0)
		return;
	if (write(fd, what, strlen(what)) < 0)
		(void)0;
	close(fd);
}

#endif
