#include "core/clock.h"
#include "probe/iobench_multiplex.h"
#include "probe/iobench.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* Events before the timed ones, to settle caches and the scheduler. */
#define WARMUP 5
/* Descriptors passed in one SCM_RIGHTS message (the kernel's SCM_MAX_FD). */
#define BATCH 253
/* Descriptors the tool needs besides the idle ones, with room to spare. */
#define SPARE (BATCH * 2 + 64)
/* A wait that sees nothing for this long means the writer is gone. */
#define WAIT_MS 5000

const char *const iobench_mux_names[MUX_N] = {
        [MUX_SELECT] = "select",
        [MUX_POLL] = "poll",
        [MUX_EPOLL] = "epoll",
};

/* A command to the writer: make count events, gap_us apart. */
struct command {
	uint32_t count, gap_us;
};

struct mux {
	int ctl;      /* SOCK_SEQPACKET to the writer: commands, and idle write ends */
	int ready;    /* the read end the writer makes ready */
	int go;       /* one byte here lets the writer make the next event */
	pid_t writer; /* -1 once reaped */
	int *idle;    /* read ends of the idle pipes */
	unsigned nidle;
	int maxfd;
	int high;      /* idle write ends are moved to numbers from here up */
	uint64_t *lat; /* wake-up times of the timed events */
	uint64_t *cpu; /* CPU time of the timed events */
};

static void sleep_us(uint32_t us)
{
	struct timespec ts = {us / 1000000, (long)(us % 1000000) * 1000};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* The writer process: keeps the idle pipes' write ends it is sent open (so
 * they stay idle, never at end of file) and makes events on command. */
static void writer(int ctl, int ready_w, int go_r)
{
	char cbuf[CMSG_SPACE(BATCH * sizeof(int))];

	for (;;) {
		struct command cmd;
		struct iovec iov = {&cmd, sizeof(cmd)};
		struct msghdr msg = {.msg_iov = &iov,
		                     .msg_iovlen = 1,
		                     .msg_control = cbuf,
		                     .msg_controllen = sizeof(cbuf)};
		ssize_t n = recvmsg(ctl, &msg, MSG_CMSG_CLOEXEC);

		if (n <= 0)
			_exit(0); /* the tool is done (or gone) */
		for (uint32_t i = 0; i < cmd.count; i++) {
			uint64_t ts;
			char b;
			if (read(go_r, &b, 1) != 1)
				_exit(0);
			sleep_us(cmd.gap_us);
			ts = clock_ns();
			if (write(ready_w, &ts, sizeof(ts)) != (ssize_t)sizeof(ts))
				_exit(1);
		}
	}
}

/* Sends fds to the writer, which keeps them. 0 or -errno. */
static int hand_over(int ctl, const int *fds, unsigned n)
{
	char cbuf[CMSG_SPACE(BATCH * sizeof(int))];
	struct command none = {0, 0};
	struct iovec iov = {&none, sizeof(none)};
	struct msghdr msg = {.msg_iov = &iov,
	                     .msg_iovlen = 1,
	                     .msg_control = cbuf,
	                     .msg_controllen = CMSG_SPACE(n * sizeof(int))};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	memset(cbuf, 0, sizeof(cbuf));
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(n * sizeof(int));
	memcpy(CMSG_DATA(cm), fds, n * sizeof(int));
	return sendmsg(ctl, &msg, 0) == (ssize_t)sizeof(none) ? 0 : -errno;
}

/* Adds idle pipes until there are n: we keep the read ends, the writer the
 * write ends. 0 or -errno. */
static int grow_idle(struct mux *m, unsigned n)
{
	int *more = realloc(m->idle, (n ? n : 1) * sizeof(*m->idle));

	if (!more)
		return -ENOMEM;
	m->idle = more;
	while (m->nidle < n) {
		int wr[BATCH], k = 0, err = 0;
		while (k < BATCH && m->nidle < n) {
			int p[2];
			if (pipe2(p, O_CLOEXEC) != 0) {
				err = -errno;
				break;
			}
			m->idle[m->nidle++] = p[0];
			m->maxfd = p[0] > m->maxfd ? p[0] : m->maxfd;
			/* Moved out of the way, so that the read ends are the lowest
			 * numbers and select() reaches as many as it can. */
			wr[k] = m->high ? fcntl(p[1], F_DUPFD_CLOEXEC, m->high) : p[1];
			if (wr[k] != p[1])
				close(p[1]);
			if (wr[k++] < 0) {
				err = -errno;
				k--;
				break;
			}
		}
		if (!err && k > 0)
			err = hand_over(m->ctl, wr, (unsigned)k);
		for (int i = 0; i < k; i++)
			close(wr[i]);
		if (err)
			return err;
	}
	return 0;
}

/* Raises the soft limit on descriptors to the hard one; the writer
 * inherits it. */
static void raise_limit(struct mux *m)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0 || getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur > (rlim_t)SPARE)
		m->high = (int)(rl.rlim_cur - BATCH - 8);
}

static void close_pair(int p[2])
{
	if (p[0] >= 0)
		close(p[0]);
	if (p[1] >= 0)
		close(p[1]);
}

static int start(struct mux *m)
{
	int ctl[2] = {-1, -1}, ready[2] = {-1, -1}, go[2] = {-1, -1}, err = 0;

	memset(m, 0, sizeof(*m));
	m->writer = -1;
	raise_limit(m);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ctl) != 0 ||
	    pipe2(ready, O_CLOEXEC) != 0 || pipe2(go, O_CLOEXEC) != 0 || (m->writer = fork()) < 0)
		err = -errno;
	if (err) {
		close_pair(ctl);
		close_pair(ready);
		close_pair(go);
		return err;
	}
	if (m->writer == 0) {
		close(ctl[0]);
		close(ready[0]);
		close(go[1]);
		writer(ctl[1], ready[1], go[0]);
	}
	close(ctl[1]);
	close(ready[1]);
	close(go[0]);
	m->ctl = ctl[0];
	m->ready = ready[0];
	m->go = go[1];
	m->maxfd = m->ready;
	return 0;
}

static void stop(struct mux *m)
{
	close(m->ctl); /* the writer sees end of file and exits */
	close(m->go);
	waitpid(m->writer, NULL, 0);
	close(m->ready);
	for (unsigned i = 0; i < m->nidle; i++)
		close(m->idle[i]);
	free(m->idle);
	free(m->lat);
	free(m->cpu);
}

/* What one way of waiting keeps between events. */
struct waiter {
	enum iobench_mux method;
	fd_set set; /* select: the descriptors, copied in before each call */
	struct pollfd *pfd;
	int ep;
};

/* Waits for the ready pipe. 0, or -errno (-ETIMEDOUT: nothing came;
 * -EPROTO: something other than the ready pipe woke us). */
static int wait_ready(struct mux *m, struct waiter *w)
{
	struct epoll_event ev;
	int n;

	if (w->method == MUX_SELECT) {
		fd_set rs = w->set;
		struct timeval tv = {WAIT_MS / 1000, 0};
		n = select(m->maxfd + 1, &rs, NULL, NULL, &tv);
		if (n > 0 && (n != 1 || !FD_ISSET(m->ready, &rs)))
			return -EPROTO;
	} else if (w->method == MUX_POLL) {
		n = poll(w->pfd, m->nidle + 1, WAIT_MS);
		if (n > 0 && (n != 1 || !(w->pfd[m->nidle].revents & POLLIN)))
			return -EPROTO;
	} else {
		n = epoll_wait(w->ep, &ev, 1, WAIT_MS);
		if (n > 0 && ev.data.fd != m->ready)
			return -EPROTO;
	}
	return n < 0 ? -errno : n == 0 ? -ETIMEDOUT : 0;
}

/* One event: let the writer go, wait, read its clock. The wake-up time,
 * or -errno. */
static int64_t one_event(struct mux *m, struct waiter *w)
{
	uint64_t ts, now;
	int err;

	if (write(m->go, "g", 1) != 1)
		return -errno;
	err = wait_ready(m, w);
	now = clock_ns();
	if (err)
		return err;
	if (read(m->ready, &ts, sizeof(ts)) != (ssize_t)sizeof(ts))
		return -EIO;
	return (int64_t)(now > ts ? now - ts : 0);
}

static int make_waiter(struct mux *m, struct waiter *w, struct iobench_mux_result *r)
{
	struct epoll_event ev = {.events = EPOLLIN};
	uint64_t t0;

	w->pfd = NULL;
	w->ep = -1;
	if (w->method == MUX_SELECT) {
		if (m->maxfd >= FD_SETSIZE)
			return -EMFILE;
		FD_ZERO(&w->set);
		for (unsigned i = 0; i < m->nidle; i++)
			FD_SET(m->idle[i], &w->set);
		FD_SET(m->ready, &w->set);
		return 0;
	}
	if (w->method == MUX_POLL) {
		w->pfd = calloc(m->nidle + 1, sizeof(*w->pfd));
		if (!w->pfd)
			return -ENOMEM;
		for (unsigned i = 0; i <= m->nidle; i++) {
			w->pfd[i].fd = i < m->nidle ? m->idle[i] : m->ready;
			w->pfd[i].events = POLLIN;
		}
		return 0;
	}
	t0 = clock_ns();
	w->ep = epoll_create1(EPOLL_CLOEXEC);
	if (w->ep < 0)
		return -errno;
	for (unsigned i = 0; i <= m->nidle; i++) {
		ev.data.fd = i < m->nidle ? m->idle[i] : m->ready;
		if (epoll_ctl(w->ep, EPOLL_CTL_ADD, ev.data.fd, &ev) != 0)
			return -errno;
	}
	r->setup_ns = clock_ns() - t0;
	return 0;
}

static void free_waiter(struct waiter *w)
{
	free(w->pfd);
	if (w->ep >= 0)
		close(w->ep);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The writer's pause before each event: long enough for the waiter to be
 * asleep again, even when it hands the kernel 10,000 descriptors a call. */
static uint32_t gap_us(unsigned idle)
{
	return 100 + idle / 2;
}

static int time_events(struct mux *m, struct waiter *w, unsigned events,
                       struct iobench_mux_result *r)
{
	struct command cmd = {WARMUP + events, gap_us(m->nidle)};
	uint64_t c0;

	if (send(m->ctl, &cmd, sizeof(cmd), 0) != (ssize_t)sizeof(cmd))
		return -errno;
	for (unsigned i = 0; i < WARMUP; i++) {
		int64_t t = one_event(m, w);
		if (t < 0)
			return (int)t;
	}
	c0 = clock_ns_of(CLOCK_THREAD_CPUTIME_ID);
	for (unsigned i = 0; i < events; i++) {
		int64_t t = one_event(m, w);
		uint64_t c1 = clock_ns_of(CLOCK_THREAD_CPUTIME_ID);
		if (t < 0)
			return (int)t;
		m->lat[i] = (uint64_t)t;
		m->cpu[i] = c1 - c0;
		c0 = c1;
	}
	/* Medians: the machine is shared, and one event that an interrupt or
	 * a neighbour landed on should not move the figure. */
	qsort(m->cpu, events, sizeof(*m->cpu), cmp_u64);
	r->cpu_ns_per_event = m->cpu[events / 2];
	qsort(m->lat, events, sizeof(*m->lat), cmp_u64);
	r->wake_ns_median = m->lat[events / 2];
	r->wake_ns_p90 = m->lat[(events * 9) / 10 < events ? (events * 9) / 10 : events - 1];
	r->syscalls_per_event = 3;
	r->events = events;
	return 0;
}

/* Measures one method at the current count; false if the writer may be
 * out of step (an event went wrong), after which nothing more is timed. */
static bool measure(struct mux *m, enum iobench_mux method, unsigned events,
                    struct iobench_mux_result *r)
{
	struct waiter w = {.method = method};
	int err = make_waiter(m, &w, r);
	bool in_step = true;

	if (err == -EMFILE && method == MUX_SELECT) {
		snprintf(r->why, sizeof(r->why),
		         "descriptors reach %d, past select()'s FD_SETSIZE (%d)", m->maxfd,
		         FD_SETSIZE);
	} else if (err) {
		snprintf(r->why, sizeof(r->why), "%s: %s", iobench_mux_names[method],
		         strerror(-err));
	} else if ((err = time_events(m, &w, events, r)) != 0) {
		snprintf(r->why, sizeof(r->why), "%s: %s", iobench_mux_names[method],
		         err == -ETIMEDOUT ? "no event came (the writer process stopped?)"
		         : err == -EPROTO  ? "woken by an idle descriptor"
		                           : strerror(-err));
		in_step = false;
	}
	if (err)
		r->unavailable = r->why;
	free_waiter(&w);
	return in_step;
}

/* Lets the tool hold n idle descriptors and the writer its copies. 0, or
 * -EMFILE with r->why when the limit is too low. */
static int room_for(unsigned n, struct iobench_mux_result *r)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return -errno;
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= (rlim_t)n + SPARE)
		return 0;
	snprintf(r->why, sizeof(r->why),
	         "needs %u descriptors open at once; RLIMIT_NOFILE allows %llu", n + SPARE,
	         (unsigned long long)rl.rlim_cur);
	return -EMFILE;
}

static int cmp_uint(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return x < y ? -1 : x > y;
}

int iobench_mux_run(const unsigned *idle, size_t n, unsigned events,
                    void (*report)(const struct iobench_mux_result *r, void *arg), void *arg)
{
	unsigned *counts = malloc(n * sizeof(*counts));
	const char *broken = NULL;
	char broken_why[sizeof(((struct iobench_mux_result *)0)->why)];
	struct mux m;
	int err;

	if (!counts)
		return -ENOMEM;
	memcpy(counts, idle, n * sizeof(*counts));
	qsort(counts, n, sizeof(*counts), cmp_uint);
	err = start(&m);
	if (!err && (!(m.lat = malloc((events ? events : 1) * sizeof(*m.lat))) ||
	             !(m.cpu = malloc((events ? events : 1) * sizeof(*m.cpu)))))
		err = -ENOMEM;
	if (err) {
		if (m.writer > 0)
			stop(&m);
		free(counts);
		return err;
	}
	for (size_t i = 0; i < n; i++) {
		struct iobench_mux_result base = {.idle = counts[i]};
		int room = broken ? 0 : room_for(counts[i], &base);

		if (!broken && !room && (room = grow_idle(&m, counts[i])) != 0)
			snprintf(base.why, sizeof(base.why), "cannot make %u idle pipes: %s",
			         counts[i], strerror(-room));
		for (int k = 0; k < MUX_N; k++) {
			struct iobench_mux_result r = base;
			r.method = (enum iobench_mux)k;
			if (broken || room) {
				snprintf(r.why, sizeof(r.why), "%s", broken ? broken : base.why);
				r.unavailable = r.why;
			} else if (!measure(&m, r.method, events, &r)) {
				snprintf(broken_why, sizeof(broken_why),
				         "not measured after an earlier failure: %.120s", r.why);
				broken = broken_why;
			}
			report(&r, arg);
		}
	}
	stop(&m);
	free(counts);
	return 0;
}
