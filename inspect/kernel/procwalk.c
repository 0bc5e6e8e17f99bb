#include "kernel/procwalk.h"
#include "core/interrupt.h"

#include "core/grow.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int procwalk_open(struct procwalk *w)
{
	w->dir = opendir("/proc");
	return w->dir ? 0 : -errno;
}

/* A pid directory's name: digits only. */
static pid_t name_to_pid(const char *name)
{
	char *end;
	long v = strtol(name, &end, 10);

	return *name && !*end && v > 0 ? (pid_t)v : 0;
}

pid_t procwalk_next(struct procwalk *w)
{
	struct dirent *d;

	while ((d = readdir(w->dir))) {
		pid_t pid = name_to_pid(d->d_name);
		if (pid)
			return pid;
	}
	return 0;
}

void procwalk_close(struct procwalk *w)
{
	if (w->dir)
		closedir(w->dir);
	w->dir = NULL;
}

int procwalk_each(struct proc_errors *errors, int (*fn)(void *ctx, pid_t pid, int procdir),
                  void *ctx)
{
	struct procwalk w;
	pid_t pid;
	int rc = procwalk_open(&w);

	/* After SIGINT or SIGTERM the report ends with the processes read so far. */
	while (rc == 0 && !interrupt_signal() && (pid = procwalk_next(&w))) {
		int procdir;

		if (pid == getpid())
			continue;
		procdir = procwalk_open_pid(pid);
		if (procdir < 0) {
			proc_errors_add(errors, pid, "", procdir);
			continue;
		}
		rc = fn(ctx, pid, procdir);
		close(procdir);
	}
	procwalk_close(&w);
	return rc;
}

int procwalk_open_pid(pid_t pid)
{
	char dir[32];
	int fd;

	snprintf(dir, sizeof(dir), "/proc/%d", (int)pid);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}
