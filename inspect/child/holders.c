#include "child/holders.h"
#include "core/clock.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

/* What an epoll event is about; the holder's index is in the bits above. */
enum { EV_PID, EV_OUT, EV_ERR, EV_BITS = 2 };

static int fail(struct holder_set *set, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

static int fail(struct holder_set *set, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(set->failure, sizeof(set->failure), fmt, ap);
	va_end(ap);
	return -1;
}

static long long now_ms(void)
{
	return (long long)(clock_ns() / 1000000);
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static int watch(struct holder_set *set, int fd, size_t index, int kind)
{
	struct epoll_event ev = {.events = EPOLLIN};

	ev.data.u64 = (uint64_t)index << EV_BITS | (uint64_t)kind;
	return epoll_ctl(set->epfd, EPOLL_CTL_ADD, fd, &ev);
}

/* Forks one holder with its three standard fds on fresh pipes. */
static pid_t spawn(char *const argv[], int in[2], int out[2], int err[2])
{
	pid_t pid;

	if (pipe2(in, O_CLOEXEC) != 0)
		return -1;
	if (pipe2(out, O_CLOEXEC) != 0)
		goto close_in;
	if (pipe2(err, O_CLOEXEC) != 0)
		goto close_out;
	pid = fork();
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		dup2(err[1], 2);
		execv(argv[0], argv);
		dprintf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	close(err[1]);
	if (pid > 0)
		return pid;
	close(err[0]);
close_out:
	close(out[0]);
	close(out[1]);
close_in:
	close(in[0]);
	close(in[1]);
	return -1;
}

static int start_one(struct holder_set *set, size_t i, char *const argv[])
{
	struct holder *h = &set->h[i];
	int in[2], out[2], err[2];

	h->pid = spawn(argv, in, out, err);
	if (h->pid < 0)
		return fail(set, "cannot start %s: %s", argv[0], strerror(errno));
	h->in = in[1];
	h->out = out[0];
	h->err = err[0];
	/* Only our ends are non-blocking: the holder writes as usual. */
	fcntl(h->out, F_SETFL, O_NONBLOCK);
	fcntl(h->err, F_SETFL, O_NONBLOCK);
	h->pidfd = (int)syscall(SYS_pidfd_open, h->pid, 0);
	if (h->pidfd < 0)
		return fail(set, "pidfd_open(%d): %s", (int)h->pid, strerror(errno));
	if (watch(set, h->pidfd, i, EV_PID) || watch(set, h->out, i, EV_OUT) ||
	    watch(set, h->err, i, EV_ERR))
		return fail(set, "epoll_ctl: %s", strerror(errno));
	return 0;
}

int holders_start(struct holder_set *set, char *const argv[], size_t n)
{
	memset(set, 0, sizeof(*set));
	set->h = calloc(n ? n : 1, sizeof(*set->h));
	set->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (!set->h || set->epfd < 0)
		return fail(set, "cannot set up holders: %s", strerror(errno));
	for (size_t i = 0; i < n; i++) {
		struct holder *h = &set->h[i];
		h->pidfd = h->in = h->out = h->err = -1;
		h->pid = -1;
	}
	set->n = n;
	for (size_t i = 0; i < n; i++)
		if (start_one(set, i, argv) != 0)
			return -1;
	return 0;
}

/* Appends what stdout has to the line until the first newline; later
 * output is read and dropped so the holder never blocks on a full pipe. */
static void read_out(struct holder *h)
{
	char buf[4096];
	ssize_t got;

	while ((got = read(h->out, buf, sizeof(buf))) > 0) {
		char *nl;
		if (h->ready)
			continue;
		char *grown = realloc(h->line, h->line_len + (size_t)got + 1);
		if (!grown)
			continue;
		h->line = grown;
		memcpy(h->line + h->line_len, buf, (size_t)got);
		h->line_len += (size_t)got;
		h->line[h->line_len] = '\0';
		nl = strchr(h->line, '\n');
		if (nl) {
			*nl = '\0';
			h->line_len = (size_t)(nl - h->line);
			h->ready = 1;
		}
	}
	if (got == 0)
		close_fd(&h->out);
}

static void read_err(struct holder *h)
{
	char buf[4096];
	ssize_t got;

	while ((got = read(h->err, buf, sizeof(buf))) > 0) {
		size_t room = sizeof(h->errtext) - 1 - h->err_len;
		size_t take = (size_t)got < room ? (size_t)got : room;
		memcpy(h->errtext + h->err_len, buf, take);
		h->err_len += take;
		h->errtext[h->err_len] = '\0';
	}
	if (got == 0)
		close_fd(&h->err);
}

static void reap(struct holder *h)
{
	if (h->reaped || h->pid <= 0)
		return;
	if (h->err >= 0)
		read_err(h);
	while (waitpid(h->pid, &h->status, 0) < 0 && errno == EINTR)
		;
	h->reaped = 1;
	close_fd(&h->pidfd);
}

static void handle(struct holder_set *set, uint64_t data)
{
	struct holder *h = &set->h[data >> EV_BITS];

	switch (data & ((1u << EV_BITS) - 1)) {
	case EV_PID:
		reap(h);
		break;
	case EV_OUT:
		read_out(h);
		break;
	default:
		read_err(h);
	}
}

/* Waits for events until deadline; 0 if some were handled, -1 on timeout. */
static int handle_events(struct holder_set *set, long long deadline)
{
	struct epoll_event ev[16];
	long long left = deadline - now_ms();
	int k;

	if (left <= 0)
		return -1;
	k = epoll_wait(set->epfd, ev, 16, (int)left);
	if (k < 0 && errno != EINTR)
		return -1;
	for (int i = 0; i < k; i++)
		handle(set, ev[i].data.u64);
	return 0;
}

static void describe_status(int status, char *buf, size_t cap)
{
	if (WIFEXITED(status))
		snprintf(buf, cap, "exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, cap, "killed by signal %d (%s)", WTERMSIG(status),
		         strsignal(WTERMSIG(status)));
	else
		snprintf(buf, cap, "stopped");
}

static int fail_exited(struct holder_set *set, const struct holder *h)
{
	char how[96];
	char text[sizeof(h->errtext)];
	size_t len;

	describe_status(h->status, how, sizeof(how));
	snprintf(text, sizeof(text), "%s", h->err_len ? h->errtext : "(nothing on stderr)");
	len = strlen(text);
	while (len > 0 && text[len - 1] == '\n')
		text[--len] = '\0';
	return fail(set, "holder %d %s%s: %s", (int)h->pid, how,
	            h->ready ? " before it was measured" : " before it was ready", text);
}

int holders_wait_ready(struct holder_set *set, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;

	for (;;) {
		size_t ready = 0;
		for (size_t i = 0; i < set->n; i++) {
			if (set->h[i].reaped)
				return fail_exited(set, &set->h[i]);
			ready += set->h[i].ready;
		}
		if (ready == set->n)
			return 0;
		if (handle_events(set, deadline) != 0)
			break;
	}
	for (size_t i = 0; i < set->n; i++)
		if (!set->h[i].ready)
			return fail(set, "holder %d not ready after %d ms", (int)set->h[i].pid,
			            timeout_ms);
	return fail(set, "epoll_wait: %s", strerror(errno));
}

static size_t count_running(const struct holder_set *set)
{
	size_t n = 0;

	for (size_t i = 0; i < set->n; i++)
		n += set->h[i].pid > 0 && !set->h[i].reaped;
	return n;
}

void holders_stop(struct holder_set *set, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;

	for (size_t i = 0; set->h && i < set->n; i++)
		close_fd(&set->h[i].in);
	while (count_running(set) > 0 && set->epfd >= 0 && handle_events(set, deadline) == 0)
		;
	for (size_t i = 0; set->h && i < set->n; i++) {
		struct holder *h = &set->h[i];
		if (h->pid > 0 && !h->reaped)
			kill(h->pid, SIGKILL);
		reap(h);
		close_fd(&h->pidfd);
		close_fd(&h->out);
		close_fd(&h->err);
		free(h->line);
	}
	free(set->h);
	set->h = NULL;
	set->n = 0;
	if (set->epfd >= 0)
		close(set->epfd);
	set->epfd = -1;
}
