#include "kernel/procio.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

static const char sample[] = "rchar: 3980\n"
                             "wchar: 12\n"
                             "syscr: 8\n"
                             "syscw: 1\n"
                             "read_bytes: 4096\n"
                             "write_bytes: 0\n"
                             "cancelled_write_bytes: 0\n";

Test(procio, parses_the_kernels_text)
{
	struct procio io;

	cr_assert_eq(procio_parse(sample, &io), 0);
	cr_assert_eq(io.rchar, 3980);
	cr_assert_eq(io.wchar, 12);
	cr_assert_eq(io.syscr, 8);
	cr_assert_eq(io.syscw, 1);
	cr_assert_eq(io.read_bytes, 4096);
	cr_assert_eq(io.write_bytes, 0);
	cr_assert_eq(procio_parse("rchar: 1\nwchar: 2\n", &io), -EINVAL);
	cr_assert_eq(procio_parse("rchar: x\nwchar: 2\nsyscr: 1\nsyscw: 1\nread_bytes: 0\n"
	                          "write_bytes: 0\n",
	                          &io),
	             -EINVAL);
}

Test(procio, a_delta_counts_what_happened_between_and_not_the_reading)
{
	struct procio a, b, d;
	char buf[4096];
	int fd = open("/proc/self/exe", O_RDONLY);

	cr_assert_geq(fd, 0);
	if (procio_read(&a) == -ENOENT)
		cr_skip_test("no /proc/thread-self/io on this kernel");
	cr_assert_eq(procio_read(&b), 0);
	procio_delta(&a, &b, &d);
	cr_assert_eq(d.rchar, 0, "reading the counters counted %llu bytes",
	             (unsigned long long)d.rchar);
	cr_assert_eq(d.syscr, 0);
	cr_assert_eq(procio_read(&a), 0);
	cr_assert_eq(read(fd, buf, sizeof(buf)), (ssize_t)sizeof(buf));
	cr_assert_eq(read(fd, buf, 100), 100);
	cr_assert_eq(procio_read(&b), 0);
	procio_delta(&a, &b, &d);
	cr_assert_eq(d.rchar, sizeof(buf) + 100);
	cr_assert_eq(d.syscr, 2);
	cr_assert_eq(d.wchar, 0);
	close(fd);
}
