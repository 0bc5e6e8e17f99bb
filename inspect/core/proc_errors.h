/*
 * proc_errors: the processes a scan could not read (exited, permission
 * refused), which every report lists instead of stopping or dropping them.
 * emit_proc_errors (core/emit.h) is their one JSON form.
 */
#ifndef PROC_ERRORS_H
#define PROC_ERRORS_H

#include <stddef.h>
#include <sys/types.h>

struct proc_error {
	pid_t pid;
	char *error; /* "/proc/PID/smaps: Permission denied", "exited during the scan" */
};

struct proc_errors {
	struct proc_error *items;
	size_t count, cap;
};

/* Records that pid could not be read: what ("smaps", "fd"...) and -errno.
 * A process that is gone (ENOENT, ESRCH) is "exited during the scan". */
void proc_errors_add(struct proc_errors *e, pid_t pid, const char *what, int err);
void proc_errors_free(struct proc_errors *e);

#endif
