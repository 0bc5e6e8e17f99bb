/*
 * procwalk: every process in /proc, one pid at a time, and the list of
 * processes a scan could not read (exited, permission refused), which the
 * reports print instead of stopping.
 */
#ifndef PROCWALK_H
#define PROCWALK_H

#include "core/proc_errors.h"

#include <dirent.h>
#include <stddef.h>
#include <sys/types.h>

struct procwalk {
	DIR *dir;
};

/* 0 or -errno. */
int procwalk_open(struct procwalk *w);
/* The next pid, or 0 at the end. */
pid_t procwalk_next(struct procwalk *w);
void procwalk_close(struct procwalk *w);

/* Calls fn for every process but this one (the inspector) with its /proc
 * directory fd; one whose directory cannot be opened goes to errors. Stops
 * at the first non-zero return of fn and returns it; -errno if /proc cannot
 * be listed. */
int procwalk_each(struct proc_errors *errors, int (*fn)(void *ctx, pid_t pid, int procdir),
                  void *ctx);

/* Opens /proc/PID as a directory fd. -errno if it cannot. */
int procwalk_open_pid(pid_t pid);

#endif
