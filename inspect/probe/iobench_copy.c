#include "core/clock.h"
#include "probe/iobench_copy.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* read() + write() use a buffer of this size, as cp does. */
#define CHUNK (128 * 1024)
/* The receiving child reads this much at a time. */
#define DRAIN_CHUNK (256 * 1024)

const char *const iobench_copy_names[COPY_NMETHODS] = {
        [COPY_READ_WRITE] = "read_write",      [COPY_MMAP_WRITE] = "mmap_write",
        [COPY_SENDFILE] = "sendfile",          [COPY_SPLICE] = "splice",
        [COPY_FILE_RANGE] = "copy_file_range",
};

const char *const iobench_dest_names[DEST_N] = {
        [DEST_PIPE] = "pipe",
        [DEST_SOCKET] = "socket",
        [DEST_TCP] = "tcp",
        [DEST_FILE] = "file",
};

/* The receiving end of one run. */
struct receiver {
	int fd;       /* the copy writes here */
	pid_t pid;    /* the child draining it, or -1 for the scratch file */
	int count_fd; /* the child writes the bytes it received here */
};

/* What every run shares. */
struct copier {
	int src;
	uint64_t size;
	int scratch; /* the file receiver, or -1 */
	const char *scratch_why;
	int relay[2]; /* splice's pipe to a receiver that is not a pipe */
	uint64_t relay_size;
	char *buf;
	uint64_t calls, in_kernel; /* of the current run */
};

static uint64_t ns_of(const struct timeval *tv)
{
	return (uint64_t)tv->tv_sec * 1000000000ULL + (uint64_t)tv->tv_usec * 1000ULL;
}

/* The child's side: reads until end of file and says how much it got. */
static void drain(int in, int count_fd)
{
	char *buf = malloc(DRAIN_CHUNK);
	uint64_t total = 0;
	ssize_t n;

	while (buf && ((n = read(in, buf, DRAIN_CHUNK)) > 0 || (n < 0 && errno == EINTR)))
		total += n > 0 ? (uint64_t)n : 0;
	if (write(count_fd, &total, sizeof(total)) != (ssize_t)sizeof(total))
		_exit(1);
	_exit(0);
}

/* A connected pair: a pipe, a Unix stream socket pair or a loopback TCP
 * connection. fds[0] is read by the child, fds[1] written by the copy. */
static int make_channel(enum iobench_dest dest, int fds[2])
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t len = sizeof(a);
	int l, err = 0;

	if (dest == DEST_PIPE)
		return pipe2(fds, O_CLOEXEC) == 0 ? 0 : -errno;
	if (dest == DEST_SOCKET)
		return socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0 ? 0 : -errno;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l < 0)
		return -errno;
	fds[0] = fds[1] = -1;
	if (bind(l, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(l, 1) != 0 ||
	    getsockname(l, (struct sockaddr *)&a, &len) != 0 ||
	    (fds[1] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    connect(fds[1], (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    (fds[0] = accept4(l, NULL, NULL, SOCK_CLOEXEC)) < 0)
		err = -errno;
	close(l);
	if (err && fds[1] >= 0)
		close(fds[1]);
	return err;
}

static int start_receiver(struct copier *c, enum iobench_dest dest, struct receiver *r)
{
	int ch[2], count[2], err;

	r->fd = -1;
	r->pid = -1;
	r->count_fd = -1;
	if (dest == DEST_FILE) {
		if (c->scratch < 0)
			return -EBADF;
		r->fd = c->scratch;
		return ftruncate(r->fd, 0) == 0 && lseek(r->fd, 0, SEEK_SET) == 0 ? 0 : -errno;
	}
	err = make_channel(dest, ch);
	if (err)
		return err;
	if (pipe2(count, O_CLOEXEC) != 0) {
		err = -errno;
		close(ch[0]);
		close(ch[1]);
		return err;
	}
	r->pid = fork();
	if (r->pid == 0) {
		close(ch[1]);
		close(count[0]);
		drain(ch[0], count[1]);
	}
	err = r->pid < 0 ? -errno : 0;
	close(ch[0]);
	close(count[1]);
	r->fd = ch[1];
	r->count_fd = count[0];
	if (err) {
		close(ch[1]);
		close(count[0]);
	}
	return err;
}

/* Closes the sending end and returns what arrived, or -errno. */
static int64_t finish_receiver(struct receiver *r)
{
	uint64_t got = 0;
	struct stat st;
	int status;
	ssize_t n;

	if (r->pid < 0)
		return fstat(r->fd, &st) == 0 ? (int64_t)st.st_size : -errno;
	/* End of file for the child; the socket stays ours until the peer has
	 * acknowledged every byte: until then TCP keeps what sendfile and
	 * splice sent as references to FILE's pages, which no eviction for the
	 * next cold run could drop. */
	if (shutdown(r->fd, SHUT_WR) != 0)
		close(r->fd);
	n = read(r->count_fd, &got, sizeof(got));
	close(r->count_fd);
	waitpid(r->pid, &status, 0);
	for (int i = 0, queued; i < 2000; i++) {
		if (ioctl(r->fd, SIOCOUTQ, &queued) != 0 || queued == 0)
			break;
		usleep(1000);
	}
	close(r->fd);
	return n == (ssize_t)sizeof(got) ? (int64_t)got : -EIO;
}

static int write_all(struct copier *c, int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		c->calls++;
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int copy_read_write(struct copier *c, int dst)
{
	for (uint64_t off = 0; off < c->size;) {
		size_t want = c->size - off < CHUNK ? c->size - off : CHUNK;
		ssize_t n = pread(c->src, c->buf, want, (off_t)off);
		int err;

		c->calls++;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		err = write_all(c, dst, c->buf, (size_t)n);
		if (err)
			return err;
		off += (uint64_t)n;
	}
	return 0;
}

static int copy_mmap_write(struct copier *c, int dst)
{
	char *map = mmap(NULL, c->size, PROT_READ, MAP_SHARED, c->src, 0);
	int err;

	c->calls += 2; /* mmap and munmap */
	if (map == MAP_FAILED)
		return -errno;
	err = write_all(c, dst, map, c->size);
	munmap(map, c->size);
	return err;
}

static int copy_sendfile(struct copier *c, int dst)
{
	off_t off = 0;

	while ((uint64_t)off < c->size) {
		ssize_t n = sendfile(dst, c->src, &off, c->size - (uint64_t)off);
		c->calls++;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		c->in_kernel += (uint64_t)n;
	}
	return 0;
}

/* Moves n bytes out of the relay pipe into dst. */
static int splice_out(struct copier *c, int dst, size_t n)
{
	while (n > 0) {
		ssize_t k = splice(c->relay[0], NULL, dst, NULL, n, SPLICE_F_MOVE | SPLICE_F_MORE);
		c->calls++;
		if (k <= 0)
			return k < 0 ? -errno : -EIO;
		n -= (size_t)k;
	}
	return 0;
}

/* Straight into a pipe receiver; into the relay pipe and out of it to
 * anything else (splice needs a pipe on one side). */
static int copy_splice(struct copier *c, int dst, bool to_pipe)
{
	loff_t off = 0;

	while ((uint64_t)off < c->size) {
		uint64_t rest = c->size - (uint64_t)off;
		size_t want = to_pipe || rest < c->relay_size ? rest : c->relay_size;
		ssize_t n = splice(c->src, &off, to_pipe ? dst : c->relay[1], NULL, want,
		                   SPLICE_F_MOVE | SPLICE_F_MORE);
		int err;

		c->calls++;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		err = to_pipe ? 0 : splice_out(c, dst, (size_t)n);
		if (err)
			return err;
	}
	return 0;
}

static int copy_range(struct copier *c, int dst)
{
	loff_t off = 0;

	while ((uint64_t)off < c->size) {
		ssize_t n = copy_file_range(c->src, &off, dst, NULL, c->size - (uint64_t)off, 0);
		c->calls++;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		c->in_kernel += (uint64_t)n;
	}
	return 0;
}

static int copy_once(struct copier *c, enum iobench_copy_method m, enum iobench_dest dest, int dst)
{
	switch (m) {
	case COPY_READ_WRITE:
		return copy_read_write(c, dst);
	case COPY_MMAP_WRITE:
		return copy_mmap_write(c, dst);
	case COPY_SENDFILE:
		return copy_sendfile(c, dst);
	case COPY_SPLICE:
		return copy_splice(c, dst, dest == DEST_PIPE);
	default:
		return copy_range(c, dst);
	}
}

static void fail(struct iobench_copy_result *r, const char *what, int err)
{
	snprintf(r->why, sizeof(r->why), "%s: %s", what, strerror(-err));
	r->unavailable = r->why;
}

/* The run itself, between the receiver's start and end. */
static int timed_copy(struct copier *c, struct iobench_copy_result *r, int dst)
{
	struct rusage ru0, ru1;
	struct procio io0, io1;
	uint64_t t0, t1, c0, c1;
	int ioerr, err;

	c->calls = c->in_kernel = 0;
	ioerr = procio_read(&io0);
	getrusage(RUSAGE_THREAD, &ru0);
	c0 = clock_ns_of(CLOCK_THREAD_CPUTIME_ID);
	t0 = clock_ns();
	err = copy_once(c, r->method, r->dest, dst);
	t1 = clock_ns();
	c1 = clock_ns_of(CLOCK_THREAD_CPUTIME_ID);
	getrusage(RUSAGE_THREAD, &ru1);
	if (!ioerr)
		ioerr = procio_read(&io1);
	if (err)
		return err;
	r->ns = t1 - t0;
	r->cpu_ns = c1 - c0;
	r->user_ns = ns_of(&ru1.ru_utime) - ns_of(&ru0.ru_utime);
	r->sys_ns = ns_of(&ru1.ru_stime) - ns_of(&ru0.ru_stime);
	r->minor = (uint64_t)(ru1.ru_minflt - ru0.ru_minflt);
	r->major = (uint64_t)(ru1.ru_majflt - ru0.ru_majflt);
	r->syscalls = c->calls;
	r->in_kernel_bytes = c->in_kernel;
	r->user_bytes = -1;
	if (ioerr) {
		r->io_why = ioerr == -ENOENT ? "no /proc/thread-self/io (a kernel without "
		                               "CONFIG_TASK_IO_ACCOUNTING)"
		                             : strerror(-ioerr);
		return 0;
	}
	procio_delta(&io0, &io1, &r->io);
	/* fs/read_write.c adds what sendfile and copy_file_range move to rchar,
	 * though no byte of it reaches user space; splice adds nothing. */
	r->user_bytes = (int64_t)(r->io.rchar > c->in_kernel ? r->io.rchar - c->in_kernel : 0);
	return 0;
}

static void run_one(struct copier *c, enum iobench_copy_method m, enum iobench_dest dest,
                    bool cold, struct iobench_copy_result *r)
{
	struct receiver rcv;
	int64_t got;
	int err;

	memset(r, 0, sizeof(*r));
	r->method = m;
	r->dest = dest;
	r->cold = cold;
	r->resident_before = -1;
	r->resident_why = "not measured";
	if (dest == DEST_FILE && c->scratch < 0) {
		snprintf(r->why, sizeof(r->why), "%s", c->scratch_why);
		r->unavailable = r->why;
		return;
	}
	err = start_receiver(c, dest, &rcv);
	if (err) {
		fail(r, "cannot set up the receiver", err);
		return;
	}
	iobench_prepare_cache(c->src, c->size, cold, c->buf, CHUNK);
	r->resident_before = iobench_resident_pages(c->src, &r->resident_why);
	err = timed_copy(c, r, rcv.fd);
	got = finish_receiver(&rcv);
	if (err == -EINVAL && m == COPY_FILE_RANGE && dest != DEST_FILE) {
		fail(r, "copy_file_range (to regular files only)", err);
		return;
	}
	if (err) {
		fail(r, iobench_copy_names[m], err);
		return;
	}
	if (got != (int64_t)c->size) {
		snprintf(r->why, sizeof(r->why), "the receiver got %lld of %llu bytes",
		         (long long)got, (unsigned long long)c->size);
		r->unavailable = r->why;
		return;
	}
	r->bytes = c->size;
}

static int open_copier(struct copier *c, const char *path, uint64_t size,
                       const struct iobench_scratch *scratch)
{
	struct stat st;
	int err = 0;

	memset(c, 0, sizeof(*c));
	c->relay[0] = c->relay[1] = -1;
	c->src = iobench_open_measured(path);
	if (c->src < 0)
		return c->src;
	if (fstat(c->src, &st) != 0)
		err = -errno;
	else if (!S_ISREG(st.st_mode))
		err = -EINVAL;
	else if (st.st_size == 0)
		err = -ENODATA;
	else if (!(c->buf = malloc(CHUNK)) || pipe2(c->relay, O_CLOEXEC) != 0)
		err = c->buf ? -errno : -ENOMEM;
	if (err) {
		free(c->buf);
		close(c->src);
		return err;
	}
	c->size = size && size < (uint64_t)st.st_size ? size : (uint64_t)st.st_size;
	c->relay_size = (uint64_t)fcntl(c->relay[1], F_GETPIPE_SZ);
	c->scratch = scratch ? scratch->fd : -1;
	c->scratch_why = scratch ? scratch->why : "no scratch file";
	memset(c->buf, 0, CHUNK); /* fault the buffer in now, not in the first run */
	return 0;
}

static void close_copier(struct copier *c)
{
	if (c->scratch >= 0)
		ftruncate(c->scratch, 0);
	close(c->relay[0]);
	close(c->relay[1]);
	close(c->src);
	free(c->buf);
}

int iobench_copy_run(const char *path, uint64_t size, unsigned dests,
                     const struct iobench_scratch *scratch,
                     void (*report)(const struct iobench_copy_result *r, void *arg), void *arg)
{
	struct sigaction ignore = {.sa_handler = SIG_IGN}, old;
	struct copier c;
	int err = open_copier(&c, path, size, scratch);

	if (err)
		return err;
	/* A receiver that dies must give the copy EPIPE, not kill the tool. */
	sigaction(SIGPIPE, &ignore, &old);
	for (int d = 0; d < DEST_N; d++) {
		if (!(dests & (1u << d)))
			continue;
		for (int m = 0; m < COPY_NMETHODS; m++) {
			for (int cold = 1; cold >= 0; cold--) {
				struct iobench_copy_result r;
				run_one(&c, (enum iobench_copy_method)m, (enum iobench_dest)d,
				        cold, &r);
				report(&r, arg);
			}
		}
	}
	sigaction(SIGPIPE, &old, NULL);
	close_copier(&c);
	return 0;
}
