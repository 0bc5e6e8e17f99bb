/* registry: handles shared by dev+inode, counts, and open/sym/close from
 * many threads at once. */
#include "soload.h"
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define THREADS 8
#define ROUNDS  200

static const char *const libs[] = {
        TESTLIB("libhello.so"),
        TESTLIB("libchain_a.so"),
        TESTLIB("libcounter.so"),
        TESTLIB("libgnuhash.so"),
};

static void *churn(void *arg)
{
	long failures = 0, id = (long)arg;

	for (int i = 0; i < ROUNDS; i++) {
		const char *path = libs[(i + id) % 4];
		sl_lib *lib = sl_open(path, 0);
		if (!lib) {
			failures++;
			continue;
		}
		if (path == libs[0]) {
			int (*add)(int, int) = (int (*)(int, int))sl_sym(lib, "hello_add");
			failures += !add || add(i, 1) != i + 1;
		} else if (path == libs[1]) {
			int (*a)(int) = (int (*)(int))sl_sym(lib, "chain_a");
			failures += !a || a(0) != 13;
		}
		failures += sl_close(lib) != 0;
	}
	return (void *)failures;
}

Test(registry, open_sym_close_from_many_threads)
{
	pthread_t t[THREADS];
	int fds = tu_count_fds();
	long total = 0;
	char cmd[64], out[64];

	for (long i = 0; i < THREADS; i++)
		cr_assert_eq(pthread_create(&t[i], NULL, churn, (void *)i), 0);
	for (int i = 0; i < THREADS; i++) {
		void *failures;
		pthread_join(t[i], &failures);
		total += (long)failures;
	}
	cr_assert_eq(total, 0);
	cr_assert_eq(tu_count_fds(), fds);
	snprintf(cmd, sizeof(cmd), "grep -c testlibs/lib /proc/%d/maps", (int)getpid());
	tu_run(cmd, out, sizeof(out));
	cr_assert_str_eq(out, "0\n", "every library unmapped");
}

static void *open_and_hold(void *arg)
{
	return sl_open((const char *)arg, 0);
}

Test(registry, concurrent_first_opens_share_one_handle)
{
	pthread_t t[THREADS];
	sl_lib *got[THREADS];
	struct sl_info info;

	for (int i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, open_and_hold, (void *)libs[1]);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], (void **)&got[i]);
	for (int i = 1; i < THREADS; i++)
		cr_assert_eq(got[i], got[0]);
	sl_info(got[0], &info);
	cr_assert_eq(info.refcount, THREADS);
	for (int i = 0; i < THREADS; i++)
		cr_assert_eq(sl_close(got[i]), 0);
	cr_assert_null(sl_open(libs[1], SL_NOLOAD));
}

static void note(sl_lib *lib, void *arg)
{
	struct sl_info info;

	sl_info(lib, &info);
	strcat((char *)arg, strrchr(info.path, '/') + 1);
	strcat((char *)arg, " ");
}

Test(registry, foreach_walks_libraries_in_load_order)
{
	char seen[256] = "";
	sl_lib *h = sl_open(libs[0], 0), *c = sl_open(libs[2], 0);

	sl_foreach(note, seen);
	cr_assert_str_eq(seen, "libhello.so libcounter.so ");
	sl_close(c);
	sl_close(h);
}

Test(registry, errors_are_per_thread)
{
	pthread_t t;
	void *ret;

	cr_assert_null(sl_open("/nonexistent/a.so", 0));
	pthread_create(&t, NULL, open_and_hold, (void *)libs[0]);
	pthread_join(t, &ret);
	cr_assert_not_null(ret);
	cr_assert_str_eq(sl_error(), "/nonexistent/a.so: No such file or directory");
	sl_close(ret);
}
