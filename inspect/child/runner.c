#include "child/runner.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

/* In the child between fork and exec: only async-signal-safe calls. */
static void run_child(int go, int err, char *const argv[])
{
	char c;
	int e;

	if (read(go, &c, 1) != 1)
		_exit(127); /* the parent gave up on us */
	/* The parent ignores Ctrl-C while the command runs, like time(1) does;
	 * the command itself must not inherit that. */
	signal(SIGINT, SIG_DFL);
	signal(SIGQUIT, SIG_DFL);
	if (dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
		_exit(127);
	execvp(argv[0], argv);
	e = errno;
	(void)!write(err, &e, sizeof(e));
	_exit(127);
}

int runner_start(struct runner *r, char *const argv[])
{
	int go[2], err[2];

	if (pipe2(go, O_CLOEXEC) != 0)
		return -errno;
	if (pipe2(err, O_CLOEXEC) != 0) {
		int e = -errno;
		close(go[0]);
		close(go[1]);
		return e;
	}
	r->pid = fork();
	if (r->pid == 0)
		run_child(go[0], err[1], argv);
	close(go[0]);
	close(err[1]);
	if (r->pid < 0) {
		int e = -errno;
		close(go[1]);
		close(err[0]);
		return e;
	}
	r->go_fd = go[1];
	r->err_fd = err[0];
	return 0;
}

int runner_release(struct runner *r)
{
	int e = 0;
	ssize_t n;

	n = write(r->go_fd, "g", 1);
	close(r->go_fd);
	r->go_fd = -1;
	if (n == 1) {
		do
			n = read(r->err_fd, &e, sizeof(e));
		while (n < 0 && errno == EINTR);
	}
	close(r->err_fd);
	r->err_fd = -1;
	if (n == 0)
		return 0;
	if (n != (ssize_t)sizeof(e))
		e = EIO;
	waitpid(r->pid, NULL, 0);
	r->pid = 0;
	return -e;
}

int runner_wait(struct runner *r, int *status, struct rusage *ru)
{
	while (wait4(r->pid, status, 0, ru) < 0)
		if (errno != EINTR)
			return -errno;
	r->pid = 0; /* reaped: never signal that pid again */
	return 0;
}

void runner_abort(struct runner *r)
{
	if (r->go_fd >= 0)
		close(r->go_fd);
	if (r->err_fd >= 0)
		close(r->err_fd);
	if (r->pid <= 0)
		return;
	kill(r->pid, SIGKILL);
	waitpid(r->pid, NULL, 0);
	r->pid = 0;
}
