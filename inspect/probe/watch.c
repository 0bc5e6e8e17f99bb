#include "probe/watch.h"
#include "core/clock.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

enum { EV_TIMER, EV_SIGNAL, EV_PID };

struct loop {
	int epfd, timerfd, sigfd, pidfd;
	sigset_t old_mask;
};

int watch_check(const struct watch_target *t)
{
	struct procstat ps;
	struct residency r;
	int fd, err;

	if (t->pid > 0)
		return procstat_read(t->pid, &ps);
	fd = open(t->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = residency_measure(fd, &r);
	close(fd);
	return err;
}

static void take_sample(const struct watch_target *t, struct watch_sample *s)
{
	int fd;

	if (t->pid > 0) {
		s->err = procstat_read(t->pid, &s->proc);
		return;
	}
	fd = open(t->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		s->err = -errno;
		return;
	}
	s->err = residency_measure(fd, &s->file);
	close(fd);
}

static int add_fd(int epfd, int fd, int tag)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)tag};

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) == 0 ? 0 : -errno;
}

static void close_loop(struct loop *l)
{
	int *fds[] = {&l->epfd, &l->timerfd, &l->sigfd, &l->pidfd};

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (*fds[i] >= 0)
			close(*fds[i]);
	sigprocmask(SIG_SETMASK, &l->old_mask, NULL);
}

static int open_loop(struct loop *l, pid_t pid, uint64_t interval_ns, const char **op)
{
	struct itimerspec its = {{0, 0}, {0, 0}};
	sigset_t mask;

	l->epfd = l->timerfd = l->sigfd = l->pidfd = -1;
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, &l->old_mask);
	its.it_interval.tv_sec = (time_t)(interval_ns / 1000000000ULL);
	its.it_interval.tv_nsec = (long)(interval_ns % 1000000000ULL);
	its.it_value = its.it_interval;
	*op = "epoll_create1";
	if ((l->epfd = epoll_create1(EPOLL_CLOEXEC)) < 0)
		return -errno;
	*op = "timerfd";
	if ((l->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC)) < 0 ||
	    timerfd_settime(l->timerfd, 0, &its, NULL) != 0)
		return -errno;
	*op = "signalfd";
	if ((l->sigfd = signalfd(-1, &mask, SFD_CLOEXEC)) < 0)
		return -errno;
	/* Without pidfds (kernels before 5.3, valgrind) the exit is seen at the
	 * next tick instead, still within one interval. */
	*op = "pidfd_open";
	if (pid > 0 && (l->pidfd = (int)syscall(SYS_pidfd_open, pid, 0)) < 0 && errno != ENOSYS)
		return -errno;
	*op = "epoll_ctl";
	if (add_fd(l->epfd, l->timerfd, EV_TIMER) || add_fd(l->epfd, l->sigfd, EV_SIGNAL) ||
	    (l->pidfd >= 0 && add_fd(l->epfd, l->pidfd, EV_PID)))
		return -errno;
	return 0;
}

/* Waits for the next event: EV_TIMER, EV_SIGNAL (sets *sig), EV_PID, or -errno. */
static int next_event(struct loop *l, int *sig)
{
	struct epoll_event ev;
	int n;

	do
		n = epoll_wait(l->epfd, &ev, 1, -1);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (ev.data.u32 == EV_TIMER) {
		uint64_t expirations;
		if (read(l->timerfd, &expirations, sizeof(expirations)) < 0)
			return -errno;
	} else if (ev.data.u32 == EV_SIGNAL) {
		struct signalfd_siginfo si;
		if (read(l->sigfd, &si, sizeof(si)) != (ssize_t)sizeof(si))
			return -EIO;
		*sig = (int)si.ssi_signo;
	}
	return (int)ev.data.u32;
}

void watch_run(const struct watch_target *t, uint64_t interval_ns, uint64_t count,
               void (*fn)(const struct watch_sample *s, void *arg), void *arg,
               struct watch_result *res)
{
	uint64_t start = clock_ns();
	struct loop l;
	int err, ev = EV_TIMER;

	memset(res, 0, sizeof(*res));
	err = open_loop(&l, t->pid, interval_ns, &res->op);
	if (err == -ESRCH && t->pid > 0) {
		/* Gone between watch_check and pidfd_open. */
		res->end = WATCH_EXITED;
		err = 0;
		ev = EV_PID;
	}
	for (uint64_t seq = 0; !err && ev == EV_TIMER; seq++) {
		struct watch_sample s = {.seq = seq, .t_ns = clock_ns() - start};
		take_sample(t, &s);
		if (l.pidfd < 0 && t->pid > 0 && (s.err == -ENOENT || s.proc.state == 'Z')) {
			res->end = WATCH_EXITED; /* seen by the sample, not by a pidfd */
			break;
		}
		fn(&s, arg);
		if (count && seq + 1 >= count) {
			res->end = WATCH_COUNT;
			break;
		}
		ev = next_event(&l, &res->signal);
		res->end = ev == EV_PID ? WATCH_EXITED : WATCH_SIGNALLED;
		if (ev < 0) {
			err = ev;
			res->op = "epoll_wait";
		}
	}
	if (err) {
		res->end = WATCH_FAILED;
		res->err = err;
	}
	res->t_ns = clock_ns() - start;
	close_loop(&l);
}
