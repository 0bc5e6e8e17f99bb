#include "probe/faults_lib.h"
#include "core/clock.h"
#include "soload.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* What the child sends back. */
struct child_msg {
	int failed; /* 1: err holds the reason */
	char err[256];
	struct faults_lib_report rep;
};

/* Per-phase counters in the child: perf events when allowed. */
struct counters {
	int fd[2]; /* minor, major; -1 when using getrusage */
	struct rusage ru;
	uint64_t t0;
};

static int open_counter(uint64_t config)
{
	struct perf_event_attr attr = {
	        .type = PERF_TYPE_SOFTWARE,
	        .size = sizeof(attr),
	        .config = config,
	        .disabled = 1,
	};

	return (int)syscall(SYS_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
}

static void open_counters(struct counters *c, struct faults_lib_report *rep)
{
	c->fd[0] = open_counter(PERF_COUNT_SW_PAGE_FAULTS_MIN);
	c->fd[1] = c->fd[0] < 0 ? -1 : open_counter(PERF_COUNT_SW_PAGE_FAULTS_MAJ);
	rep->perf = c->fd[1] >= 0;
	if (!rep->perf) {
		snprintf(rep->perf_why, sizeof(rep->perf_why), "perf_event_open: %s",
		         strerror(errno));
		if (c->fd[0] >= 0)
			close(c->fd[0]);
		c->fd[0] = -1;
	}
}

static void start_phase(struct counters *c)
{
	if (c->fd[0] >= 0) {
		ioctl(c->fd[0], PERF_EVENT_IOC_RESET, 0);
		ioctl(c->fd[1], PERF_EVENT_IOC_RESET, 0);
		ioctl(c->fd[0], PERF_EVENT_IOC_ENABLE, 0);
		ioctl(c->fd[1], PERF_EVENT_IOC_ENABLE, 0);
	} else {
		getrusage(RUSAGE_SELF, &c->ru);
	}
	c->t0 = clock_ns();
}

static void end_phase(struct counters *c, struct faults_lib_phase *p)
{
	struct rusage ru;

	p->ns = clock_ns() - c->t0;
	if (c->fd[0] >= 0) {
		ioctl(c->fd[0], PERF_EVENT_IOC_DISABLE, 0);
		ioctl(c->fd[1], PERF_EVENT_IOC_DISABLE, 0);
		if (read(c->fd[0], &p->minor, 8) != 8 || read(c->fd[1], &p->major, 8) != 8)
			p->minor = p->major = 0;
		return;
	}
	getrusage(RUSAGE_SELF, &ru);
	p->minor = (uint64_t)(ru.ru_minflt - c->ru.ru_minflt);
	p->major = (uint64_t)(ru.ru_majflt - c->ru.ru_majflt);
}

/* Loads lib and finds symbol; NULL with msg->err on failure. */
static void *load(const char *lib, const char *symbol, enum faults_lib_loader loader,
                  struct child_msg *msg)
{
	void *fn = NULL;

	if (loader == LIBFAULTS_DLOPEN) {
		void *h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
		fn = h ? dlsym(h, symbol) : NULL;
		if (!fn)
			snprintf(msg->err, sizeof(msg->err), "%s", dlerror());
	} else {
		sl_lib *h = sl_open(lib, 0);
		fn = h ? sl_sym(h, symbol) : NULL;
		if (!h)
			snprintf(msg->err, sizeof(msg->err), "%s", sl_error());
		else if (!fn)
			snprintf(msg->err, sizeof(msg->err), "%s: %s: symbol not found", lib,
			         symbol);
	}
	return fn;
}

/* mapscope itself links libelf, libz, jansson and libc: loading one of those
 * again only raises a reference count, and the report must say so. */
static bool is_loaded(const char *lib, enum faults_lib_loader loader)
{
	if (loader == LIBFAULTS_DLOPEN)
		return dlopen(lib, RTLD_NOW | RTLD_NOLOAD) != NULL;
	return sl_open(lib, SL_NOLOAD) != NULL;
}

static void run_child(int out, const char *lib, const char *symbol, enum faults_lib_loader loader)
{
	struct child_msg msg;
	struct counters c;
	void (*fn)(void);

	memset(&msg, 0, sizeof(msg));
	dup2(STDERR_FILENO, STDOUT_FILENO); /* keep the report alone on stdout */
	msg.rep.already_loaded = is_loaded(lib, loader);
	open_counters(&c, &msg.rep);
	start_phase(&c); /* once, so the counting code itself is faulted in */
	end_phase(&c, &msg.rep.phase[LIBFAULTS_LOAD]);
	start_phase(&c);
	*(void **)&fn = load(lib, symbol, loader, &msg);
	end_phase(&c, &msg.rep.phase[LIBFAULTS_LOAD]);
	if (!fn) {
		msg.failed = 1;
	} else {
		start_phase(&c);
		fn();
		end_phase(&c, &msg.rep.phase[LIBFAULTS_CALL]);
	}
	(void)!write(out, &msg, sizeof(msg));
	_exit(0);
}

/* Reads the child's message and reaps it. 0, or -1 with err. */
static int collect(pid_t pid, int in, const char *lib, const char *symbol,
                   struct faults_lib_report *rep, char *err, size_t errlen)
{
	struct child_msg msg;
	ssize_t n;
	int status;

	do
		n = read(in, &msg, sizeof(msg));
	while (n < 0 && errno == EINTR);
	waitpid(pid, &status, 0);
	if (n == (ssize_t)sizeof(msg) && !msg.failed) {
		*rep = msg.rep;
		return 0;
	}
	if (n == (ssize_t)sizeof(msg))
		snprintf(err, errlen, "%s", msg.err);
	else if (WIFSIGNALED(status))
		snprintf(err, errlen, "%s: calling %s killed the child: %s", lib, symbol,
		         strsignal(WTERMSIG(status)));
	else
		snprintf(err, errlen, "%s: the child exited with %d before reporting", lib,
		         WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return -1;
}

int faults_lib_run(const char *lib, const char *symbol, enum faults_lib_loader loader,
                   struct faults_lib_report *rep, char *err, size_t errlen)
{
	int pipefd[2], rc;
	pid_t pid;

	memset(rep, 0, sizeof(*rep));
	if (pipe2(pipefd, O_CLOEXEC) != 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		close(pipefd[0]);
		run_child(pipefd[1], lib, symbol, loader);
	}
	close(pipefd[1]);
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		close(pipefd[0]);
		return -1;
	}
	rc = collect(pid, pipefd[0], lib, symbol, rep, err, errlen);
	close(pipefd[0]);
	return rc;
}
