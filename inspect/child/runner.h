/*
 * runner: starts a command in a child that waits, after fork and before
 * exec, until the parent has attached what it wants to the child's pid
 * (perf events with enable_on_exec), then execs it. A command that cannot
 * be executed is reported with the exec's errno, not as exit status 127.
 */
#ifndef RUNNER_H
#define RUNNER_H

#include <sys/resource.h>
#include <sys/types.h>

struct runner {
	pid_t pid;
	int go_fd;  /* parent writes here to let the child exec */
	int err_fd; /* the child's exec errno arrives here; EOF means exec worked */
};

/* Forks a child that will exec argv[0] (searched in PATH) once released.
 * The command's stdout goes to our stderr so that stdout holds only the
 * report. 0 or -errno. */
int runner_start(struct runner *r, char *const argv[]);

/* Lets the child exec. 0 once exec has succeeded, or -errno of the failed
 * exec (the child is then reaped). */
int runner_release(struct runner *r);

/* Waits for the child; fills its wait status and resource usage. 0 or -errno. */
int runner_wait(struct runner *r, int *status, struct rusage *ru);

/* Kills and reaps a child that is not going to be released. */
void runner_abort(struct runner *r);

#endif
