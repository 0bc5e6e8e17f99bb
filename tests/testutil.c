#include "testutil.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

int tu_run(const char *cmd, char *out, size_t cap)
{
	FILE *p = popen(cmd, "r");
	size_t n = 0;
	int status;

	if (!p)
		return -1;
	while (n + 1 < cap) {
		size_t got = fread(out + n, 1, cap - 1 - n, p);
		if (got == 0)
			break;
		n += got;
	}
	out[n] = '\0';
	status = pclose(p);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

json_t *tu_run_json(const char *cmd, int *status)
{
	size_t cap = 1 << 22;
	char *buf = malloc(cap);
	json_t *doc;

	*status = tu_run(cmd, buf, cap);
	doc = json_loads(buf, 0, NULL);
	free(buf);
	return doc;
}

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	int n = 0;

	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n - 3; /* ".", ".." and the fd opendir itself holds */
}

int tu_count_fds(void)
{
	return count_entries("/proc/self/fd");
}

int tu_count_maps(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	int n = 0, c;

	if (!f)
		return -1;
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

int tu_spawn(int (*setup)(void *arg), void *arg)
{
	int ready[2];
	char ok = 0;
	pid_t pid;

	if (pipe(ready) != 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		/* A failed assertion in the parent must not leave us behind. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(ready[0]);
		ok = setup(arg) == 0;
		if (write(ready[1], &ok, 1) != 1 || !ok)
			_exit(1);
		for (;;)
			pause();
	}
	close(ready[1]);
	if (pid > 0 && (read(ready[0], &ok, 1) != 1 || !ok)) {
		tu_reap(pid);
		pid = -1;
	}
	close(ready[0]);
	return pid;
}

void tu_reap(int pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}
