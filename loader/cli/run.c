#include "run.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

const char *run_find_preload(char *buf, size_t cap)
{
	static const char *const rel[] = {"/libsoload-preload.so", "/../lib/libsoload-preload.so"};
	const char *env = getenv("SOLOAD_PRELOAD");
	char exe[PATH_MAX];
	ssize_t n;
	char *slash;

	if (env && *env) {
		snprintf(buf, cap, "%s", env);
		return access(buf, R_OK) == 0 ? buf : NULL;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	if (!(slash = strrchr(exe, '/')))
		return NULL;
	*slash = '\0';
	for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		char *real;
		snprintf(buf, cap, "%s%s", exe, rel[i]);
		if (access(buf, R_OK) != 0 || !(real = realpath(buf, NULL)))
			continue;
		snprintf(buf, cap, "%s", real);
		free(real);
		return buf;
	}
	return NULL;
}

/* LD_PRELOAD with the preload first, as the child gets it. */
static int set_preload(const char *preload)
{
	const char *old = getenv("LD_PRELOAD");
	char *v;
	int rc;

	if (!old || !*old)
		return setenv("LD_PRELOAD", preload, 1);
	if (asprintf(&v, "%s:%s", preload, old) < 0)
		return -1;
	rc = setenv("LD_PRELOAD", v, 1);
	free(v);
	return rc;
}

static void exec_child(const struct run_report *rep, const char *record_path)
{
	if (set_preload(rep->preload) != 0 || (rep->share && setenv("SOLOAD_RUN_SHARE", "1", 1)) ||
	    (record_path && setenv("SOLOAD_RUN_RECORD", record_path, 1))) {
		fprintf(stderr, "soload: run: cannot set the environment: %m\n");
		_exit(127);
	}
	execvp(rep->argv[0], rep->argv);
	fprintf(stderr, "soload: run: %s: %m\n", rep->argv[0]);
	_exit(127);
}

/* The command, while soload waits for it: SIGTERM and SIGHUP sent to
 * soload alone (timeout(1), a service manager, a closed terminal) are
 * passed on to it, and soload goes on to write the report and remove its
 * record, as for a command that ended by itself. */
static volatile sig_atomic_t waited_for;

static void pass_on(int sig)
{
	if (waited_for > 0)
		kill((pid_t)waited_for, sig);
}

int run_command(struct run_report *rep, const char *record_path)
{
	struct sigaction ign = {.sa_handler = SIG_IGN}, fwd = {.sa_handler = pass_on};
	struct sigaction old_int, old_quit, old_term, old_hup;
	sigset_t passed, old_mask;
	pid_t pid;
	int status;

	fflush(NULL);
	/* As system(3): ^C and ^\ are the command's to handle (the terminal
	 * sends them to both); soload goes on to write the report. */
	sigaction(SIGINT, &ign, &old_int);
	sigaction(SIGQUIT, &ign, &old_quit);
	/* Held until the pid is known, so that none is lost in between. */
	sigemptyset(&passed);
	sigaddset(&passed, SIGTERM);
	sigaddset(&passed, SIGHUP);
	sigprocmask(SIG_BLOCK, &passed, &old_mask);
	sigaction(SIGTERM, &fwd, &old_term);
	sigaction(SIGHUP, &fwd, &old_hup);
	pid = fork();
	if (pid == 0) {
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGQUIT, &old_quit, NULL);
		sigaction(SIGTERM, &old_term, NULL);
		sigaction(SIGHUP, &old_hup, NULL);
		sigprocmask(SIG_SETMASK, &old_mask, NULL);
		exec_child(rep, record_path);
	}
	waited_for = pid;
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	waited_for = 0;
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	if (pid < 0) {
		fprintf(stderr, "soload: run: fork: %m\n");
		return -1;
	}
	rep->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	rep->signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
	return 0;
}

/* Splits line at tabs into at most max fields, unescaping each in place. */
static int split(char *line, char **f, int max)
{
	int n = 0;

	while (n < max) {
		char *w = line, *r = line;
		f[n++] = line;
		for (; *r && *r != '\t'; r++) {
			if (*r == '\\' && r[1]) {
				r++;
				*w++ = *r == 't' ? '\t' : *r == 'n' ? '\n' : *r;
			} else {
				*w++ = *r;
			}
		}
		if (!*r) {
			*w = '\0';
			break;
		}
		line = r + 1;
		*w = '\0';
	}
	return n;
}

static struct run_lib *find_lib(struct run_report *rep, int pid, const char *path)
{
	struct run_lib *grown;

	for (size_t i = 0; i < rep->nlibs; i++)
		if (rep->libs[i].pid == pid && !strcmp(rep->libs[i].path, path))
			return &rep->libs[i];
	if (!(grown = realloc(rep->libs, (rep->nlibs + 1) * sizeof(*grown))))
		return NULL;
	rep->libs = grown;
	grown = &rep->libs[rep->nlibs];
	memset(grown, 0, sizeof(*grown));
	grown->pid = pid;
	if (!(grown->path = strdup(path)))
		return NULL;
	rep->nlibs++;
	return grown;
}

static char *dup_or_null(const char *s)
{
	return s && *s ? strdup(s) : NULL;
}

static void add_lib(struct run_report *rep, int pid, char **f)
{
	struct run_lib *l = find_lib(rep, pid, f[0]);

	if (!l)
		return;
	l->by_soload = 1;
	free(l->soname);
	free(l->share_status);
	l->soname = dup_or_null(f[1]);
	l->share_requested = !strcmp(f[2], "1");
	l->share_status = dup_or_null(f[3]);
	l->relro_pages = strtoul(f[4], NULL, 10);
	l->shared_pages = strtoul(f[5], NULL, 10);
	l->private_pages = strtoul(f[6], NULL, 10);
	l->relocs_skipped = strtoul(f[7], NULL, 10);
}

static void add_open(struct run_report *rep, int pid, char **f)
{
	struct run_lib *l = find_lib(rep, pid, f[1]);

	if (!l)
		return;
	l->opened++;
	if (!strcmp(f[0], "soload"))
		l->by_soload = 1;
}

static void add_refusal(struct run_report *rep, int pid, char **f)
{
	struct run_refusal *grown = realloc(rep->refused, (rep->nrefused + 1) * sizeof(*grown));

	if (!grown)
		return;
	rep->refused = grown;
	grown[rep->nrefused].pid = pid;
	grown[rep->nrefused].path = strdup(f[0]);
	grown[rep->nrefused].reason = strdup(f[1]);
	if (grown[rep->nrefused].path && grown[rep->nrefused].reason)
		rep->nrefused++;
}

static void note_pid(int *pids, size_t *n, size_t cap, int pid)
{
	for (size_t i = 0; i < *n; i++)
		if (pids[i] == pid)
			return;
	if (*n < cap)
		pids[(*n)++] = pid;
}

int run_read_record(struct run_report *rep, const char *record_path)
{
	FILE *in = fopen(record_path, "re");
	char *line = NULL;
	size_t cap = 0;
	int pids[4096];
	ssize_t len;

	if (!in)
		return -1;
	while ((len = getline(&line, &cap, in)) > 0) {
		char *f[10];
		int n, pid;
		if (line[len - 1] == '\n')
			line[len - 1] = '\0';
		n = split(line, f, 10);
		if (n < 2)
			continue;
		pid = atoi(f[1]);
		note_pid(pids, &rep->nprocesses, sizeof(pids) / sizeof(pids[0]), pid);
		if (!strcmp(f[0], "lib") && n == 10)
			add_lib(rep, pid, f + 2);
		else if (!strcmp(f[0], "open") && n == 4)
			add_open(rep, pid, f + 2);
		else if (!strcmp(f[0], "refuse") && n == 4)
			add_refusal(rep, pid, f + 2);
	}
	free(line);
	fclose(in);
	return 0;
}

void run_release(struct run_report *rep)
{
	for (size_t i = 0; i < rep->nlibs; i++) {
		free(rep->libs[i].path);
		free(rep->libs[i].soname);
		free(rep->libs[i].share_status);
	}
	for (size_t i = 0; i < rep->nrefused; i++) {
		free(rep->refused[i].path);
		free(rep->refused[i].reason);
	}
	free(rep->libs);
	free(rep->refused);
	rep->libs = NULL;
	rep->refused = NULL;
	rep->nlibs = rep->nrefused = 0;
}
