/* The iobench probes called directly, on real files, pipes and processes. */
#include "probe/iobench.h"
#include "probe/iobench_copy.h"
#include "probe/iobench_multiplex.h"
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/mapscope-iobench-probe-XXXXXX";
static char path[sizeof(dir) + 16];

static void make_file(void)
{
	cr_assert_not_null(tu_make_tmpdir(dir));
	snprintf(path, sizeof(path), "%s/data", dir);
	cr_assert_eq(iobench_create(path, 256 * 1024), 0);
}

static void remove_file(void)
{
	tu_remove_tree(dir);
}

TestSuite(iobench, .init = make_file, .fini = remove_file);

Test(iobench, scratch_file_is_unnamed_and_beside_the_file)
{
	struct iobench_scratch s;
	char link[64], target[256];
	ssize_t n;

	iobench_scratch_open(&s, path);
	cr_assert_geq(s.fd, 0, "%s", s.why);
	cr_assert_str_eq(s.dir, dir);
	cr_assert(s.same_fs);
	snprintf(link, sizeof(link), "/proc/self/fd/%d", s.fd);
	n = readlink(link, target, sizeof(target) - 1);
	cr_assert_gt(n, 0);
	target[n] = '\0';
	cr_assert_not_null(strstr(target, "(deleted)"), "%s has a name", target);
	iobench_scratch_close(&s);
	/* A directory that refuses one: the fallback, and where it went. */
	if (geteuid() != 0) {
		iobench_scratch_open(&s, "/proc/self/status");
		cr_assert_geq(s.fd, 0, "%s", s.why);
		cr_assert(!s.same_fs);
		iobench_scratch_close(&s);
	}
}

struct copies {
	struct iobench_copy_result r[COPY_NMETHODS * 2];
	int n;
};

static void keep_copy(const struct iobench_copy_result *r, void *arg)
{
	struct copies *c = arg;

	cr_assert_lt(c->n, COPY_NMETHODS * 2);
	c->r[c->n] = *r;
	if (r->unavailable)
		c->r[c->n].unavailable = "(copied)";
	c->n++;
}

Test(iobench, copy_to_a_socket_moves_every_byte_and_leaves_no_fd, .timeout = 30)
{
	struct iobench_scratch none = {.fd = -1, .why = "none"};
	struct copies c = {0};
	int fds = tu_count_fds();

	cr_assert_eq(iobench_copy_run(path, 0, 1u << DEST_SOCKET, &none, keep_copy, &c), 0);
	cr_assert_eq(c.n, COPY_NMETHODS * 2);
	for (int i = 0; i < c.n; i++) {
		const struct iobench_copy_result *r = &c.r[i];
		if (r->method == COPY_FILE_RANGE) {
			cr_assert_not_null(r->unavailable);
			continue;
		}
		cr_assert_null(r->unavailable, "%s", iobench_copy_names[r->method]);
		cr_assert_eq(r->bytes, 256 * 1024);
		cr_assert_eq(r->user_bytes, r->method == COPY_READ_WRITE ? 256 * 1024 : 0,
		             "%s: %lld", iobench_copy_names[r->method], (long long)r->user_bytes);
	}
	cr_assert_eq(tu_count_fds(), fds, "a descriptor was left open");
}

Test(iobench, copy_of_a_directory_is_refused)
{
	struct copies c = {0};

	cr_assert_eq(iobench_copy_run(dir, 0, 1u << DEST_PIPE, NULL, keep_copy, &c), -EINVAL);
	cr_assert_eq(c.n, 0);
}

struct muxes {
	struct iobench_mux_result r[MUX_N * 3];
	int n;
};

static void keep_mux(const struct iobench_mux_result *r, void *arg)
{
	struct muxes *m = arg;

	cr_assert_lt(m->n, MUX_N * 3);
	m->r[m->n++] = *r;
}

Test(iobench, multiplex_measures_in_ascending_order_and_cleans_up, .timeout = 30)
{
	static const unsigned counts[] = {300, 1, 20};
	struct muxes m = {0};
	int fds = tu_count_fds();

	cr_assert_eq(iobench_mux_run(counts, 3, 10, keep_mux, &m), 0);
	cr_assert_eq(m.n, MUX_N * 3);
	for (int i = 0; i < m.n; i++) {
		cr_assert_eq(m.r[i].idle, i < MUX_N ? 1u : i < 2 * MUX_N ? 20u : 300u);
		cr_assert_eq(m.r[i].method, (enum iobench_mux)(i % MUX_N));
		cr_assert_null(m.r[i].unavailable, "%s", m.r[i].why);
		cr_assert_eq(m.r[i].events, 10);
		cr_assert_gt(m.r[i].cpu_ns_per_event, 0);
	}
	cr_assert_eq(tu_count_fds(), fds, "a descriptor was left open");
}
