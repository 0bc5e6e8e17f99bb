/* lazy: SL_LAZY binds each PLT slot at its first call (loader/lazy.c and
 * lazyplt.S): a library may call what only a library loaded after it
 * defines; arguments in every register a call may use reach the target;
 * a symbol nobody defines ends the process with glibc's message; two
 * threads racing one first call both get there; LD_BIND_NOW, -z now and
 * the default (no SL_LAZY) bind at load. */
#include "soload.h"
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define USER  TESTLIB("liblazy_user.so")
#define LATE  TESTLIB("liblazy_late.so")
#define VCALL TESTLIB("liblazy_vcall.so")
#define IBT   TESTLIB("liblazy_ibt.so")
#define SLOW  TESTLIB("libslowctor.so")

static sl_lib *open_ok(const char *path, int flags)
{
	sl_lib *lib = sl_open(path, flags);

	cr_assert_not_null(lib, "%s", sl_error());
	return lib;
}

static void *sym(sl_lib *lib, const char *name)
{
	void *p = sl_sym(lib, name);

	cr_assert_not_null(p, "%s", sl_error());
	return p;
}

static int loaded(const char *path)
{
	sl_lib *lib = sl_open(path, SL_NOLOAD);

	if (lib)
		sl_close(lib);
	return lib != NULL;
}

Test(lazy, calls_what_only_a_library_loaded_later_defines)
{
	sl_lib *user = open_ok(USER, SL_LAZY);
	sl_lib *late = open_ok(LATE, SL_LAZY);
	int (*call_late)(int) = (int (*)(int))sym(user, "lazy_call_late");
	int (*round_trip)(int) = (int (*)(int))sym(late, "lazy_late_round_trip");

	cr_assert_eq(call_late(20), 41, "the first call, through the trampoline");
	cr_assert_eq(call_late(3), 7, "the bound slot");
	cr_assert_eq(round_trip(5), 11);
	cr_assert_eq(sl_close(late), 0);
	cr_assert_eq(sl_close(user), 0);
	cr_assert(!loaded(LATE) && !loaded(USER), "both unloaded: the binding holds nothing");
}

Test(lazy, binds_at_load_without_sl_lazy)
{
	cr_assert_null(sl_open(USER, 0));
	cr_assert(strstr(sl_error(), "liblazy_user.so: undefined symbol lazy_"), "%s", sl_error());
	cr_assert(!loaded(USER), "a failed load leaves nothing");
}

Test(lazy, ld_bind_now_binds_at_load)
{
	setenv("LD_BIND_NOW", "1", 1);
	cr_assert_null(sl_open(USER, SL_LAZY), "LD_BIND_NOW=1 binds at load");
	cr_assert(strstr(sl_error(), "undefined symbol lazy_"), "%s", sl_error());
	setenv("LD_BIND_NOW", "", 1);
	sl_lib *user = open_ok(USER, SL_LAZY); /* empty: not set, as glibc reads it */
	cr_assert_eq(sl_close(user), 0);
	unsetenv("LD_BIND_NOW");
}

Test(lazy, a_library_linked_with_z_now_binds_at_load)
{
	cr_assert_null(sl_open(TESTLIB("liblazy_now.so"), SL_LAZY));
	cr_assert(strstr(sl_error(), "liblazy_now.so: undefined symbol lazy_late"), "%s",
	          sl_error());
}

/* In a child, whose stderr comes back through a pipe. */
Test(lazy, a_symbol_nobody_defines_aborts_at_its_first_call)
{
	char err[1024] = "", want[512];
	int fds[2], status;
	ssize_t n, got = 0;
	pid_t pid;

	cr_assert_eq(pipe(fds), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		dup2(fds[1], STDERR_FILENO);
		sl_lib *user = sl_open(USER, SL_LAZY);
		if (!user)
			_exit(3);
		signal(SIGABRT, SIG_DFL);
		((void (*)(void))sl_sym(user, "lazy_call_never"))();
		_exit(4);
	}
	close(fds[1]);
	while ((n = read(fds[0], err + got, sizeof(err) - 1 - (size_t)got)) > 0)
		got += n;
	close(fds[0]);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT, "status 0x%x, stderr: %s",
	          status, err);
	snprintf(want, sizeof(want), ": symbol lookup error: %s: undefined symbol: lazy_never\n",
	         USER);
	cr_assert(strstr(err, want), "stderr: %s", err);
}

/* ---- Arguments through the trampoline ---- */

static void check_m256(sl_lib *lib)
{
	void (*call)(const float *, float *) =
	        (void (*)(const float *, float *))sym(lib, "lazy_call256");
	float in[64], out[8];

	for (int i = 0; i < 64; i++)
		in[i] = (float)(i * 3 + 1);
	for (int round = 0; round < 2; round++) {
		memset(out, 0, sizeof(out));
		call(in, out);
		for (int j = 0; j < 8; j++) {
			float want = 0;
			for (int i = 0; i < 8; i++)
				want += (float)(i + 1) * in[8 * i + j];
			cr_assert_float_eq(out[j], want, 1e-3, "lane %d, call %d", j, round + 1);
		}
	}
}

static void check_m512(sl_lib *lib)
{
	void (*call)(const float *, float *) =
	        (void (*)(const float *, float *))sym(lib, "lazy_call512");
	float in[128], out[16];

	for (int i = 0; i < 128; i++)
		in[i] = (float)(i * 5 + 2);
	for (int round = 0; round < 2; round++) {
		memset(out, 0, sizeof(out));
		call(in, out);
		for (int j = 0; j < 16; j++) {
			float want = 0;
			for (int i = 0; i < 8; i++)
				want += (float)(i + 1) * in[16 * i + j];
			cr_assert_float_eq(out[j], want, 1e-3, "lane %d, call %d", j, round + 1);
		}
	}
}

static void check_scalars(sl_lib *lib)
{
	double (*dmix)(const long *, const double *) =
	        (double (*)(const long *, const double *))sym(lib, "lazy_call_dmix");
	double (*vsum)(const double *) = (double (*)(const double *))sym(lib, "lazy_call_vsum");
	int (*ifunc)(void) = (int (*)(void))sym(lib, "lazy_call_ifunc");
	long ints[6] = {1, 2, 3, 4, 5, 6};
	double d[8] = {0.5, 1.25, 2.5, 3.75, 5.0, 6.25, 7.5, 8.75}, want = 654321;

	for (int i = 0; i < 8; i++)
		want += (i + 1) * d[i];
	for (int round = 0; round < 2; round++) {
		cr_assert_float_eq(dmix(ints, d), want, 1e-9, "call %d", round + 1);
		cr_assert_float_eq(vsum(d), want - 654321, 1e-9, "variadic, call %d", round + 1);
		cr_assert_eq(ifunc(), 7, "an IFUNC target, call %d", round + 1);
	}
}

Test(lazy, vector_and_scalar_arguments_reach_the_target)
{
	sl_lib *lib = open_ok(VCALL, SL_LAZY);

	check_scalars(lib);
	if (__builtin_cpu_supports("avx"))
		check_m256(lib);
	if (__builtin_cpu_supports("avx512f"))
		check_m512(lib);
	cr_assert_eq(sl_close(lib), 0);
}

Test(lazy, the_ibt_form_of_plt_binds_lazily_too)
{
	cr_assert_null(sl_open(IBT, 0), "lazy_ibt_never is defined nowhere");
	sl_lib *lib = open_ok(IBT, SL_LAZY);

	check_scalars(lib);
	if (__builtin_cpu_supports("avx"))
		check_m256(lib);
	cr_assert_eq(sl_close(lib), 0);
}

Test(lazy, m512_arguments_reach_the_target)
{
	if (!__builtin_cpu_supports("avx512f"))
		cr_skip_test("no AVX-512 on this CPU");
	sl_lib *lib = open_ok(VCALL, SL_LAZY);
	check_m512(lib);
	cr_assert_eq(sl_close(lib), 0);
}

/* ---- Threads ---- */

#define ROUNDS 200

static pthread_barrier_t start;
static int (*race_fn)(int);

static void *race(void *arg)
{
	int x = (int)(intptr_t)arg;

	pthread_barrier_wait(&start);
	return (void *)(intptr_t)race_fn(x);
}

/* Each round a fresh library, so both threads meet its slot unbound. */
Test(lazy, two_threads_racing_the_first_call_both_reach_the_target)
{
	pthread_barrier_init(&start, NULL, 2);
	for (int round = 0; round < ROUNDS; round++) {
		sl_lib *user = open_ok(USER, SL_LAZY);
		sl_lib *late = open_ok(LATE, SL_LAZY);
		pthread_t t[2];
		void *ret[2];
		race_fn = (int (*)(int))sym(user, "lazy_call_late");
		for (int i = 0; i < 2; i++)
			cr_assert_eq(
			        pthread_create(&t[i], NULL, race, (void *)(intptr_t)(round + i)),
			        0);
		for (int i = 0; i < 2; i++) {
			pthread_join(t[i], &ret[i]);
			cr_assert_eq((int)(intptr_t)ret[i], 2 * (round + i) + 1, "round %d",
			             round);
		}
		cr_assert_eq(sl_close(late), 0);
		cr_assert_eq(sl_close(user), 0);
	}
	pthread_barrier_destroy(&start);
	cr_assert(!loaded(USER));
}

/* ---- With the rest of the loader ---- */

/* C++: __cxa_throw and the unwinder's own calls bound at first use, and
 * the throw still finds the library's frames (unwind.c). */
Test(lazy, a_cxx_exception_passes_lazily_bound_calls)
{
	sl_lib *lib = open_ok(TESTLIB("libcxx.so"), SL_LAZY);
	long (*checked)(long) = (long (*)(long))sym(lib, "cxx_checked");

	cr_assert_eq(checked(5), 5);
	cr_assert_eq(checked(-123), -(long)strlen("negative: -123"));
	cr_assert_eq(checked(-7), -(long)strlen("negative: -7"), "a second throw");
	cr_assert_eq(sl_close(lib), 0);
}

/* DT_JMPREL holds more than JUMP_SLOTs: IRELATIVE (libifunc's local
 * IFUNC) and TLS descriptors (libtlsdesc's) stay bound at load. */
Test(lazy, irelative_and_tls_descriptors_in_dt_jmprel_stay_bound_at_load)
{
	sl_lib *ifunc = open_ok(TESTLIB("libifunc.so"), SL_LAZY);
	sl_lib *desc = open_ok(TESTLIB("libtlsdesc.so"), SL_LAZY);
	long (*bump)(void) = (long (*)(void))sym(desc, "tlsdesc_bump");
	long first = bump();

	cr_assert_eq(((int (*)(void))sym(ifunc, "ifunc_call_local"))(), 14);
	cr_assert_eq(bump(), first + 1);
	cr_assert_eq(sl_close(desc), 0);
	cr_assert_eq(sl_close(ifunc), 0);
}

/* SL_SHARE: GOT[1] and GOT[2] sit in RELRO's last page and differ in every
 * process; a cache written by an eager load or a lazy one serves the other. */
static int share_child(int flags)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		sl_lib *lib = sl_open(VCALL, flags);
		double (*vsum)(const double *);
		double d[8] = {1, 1, 1, 1, 1, 1, 1, 1};
		if (!lib || !(vsum = (double (*)(const double *))sl_sym(lib, "lazy_call_vsum")))
			_exit(2);
		_exit(vsum(d) == 36 ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

Test(lazy, shared_relro_works_both_ways)
{
	char dir[] = "/tmp/lazy-share-XXXXXX";

	cr_assert_not_null(tu_make_tmpdir(dir));
	setenv("SOLOAD_SHARE_DIR", dir, 1);
	cr_assert_eq(share_child(SL_SHARE), 0, "eager, writes the cache");
	cr_assert_eq(share_child(SL_SHARE | SL_LAZY), 0, "lazy, from the eager cache");
	tu_remove_tree(dir);
	strcpy(dir, "/tmp/lazy-share-XXXXXX");
	cr_assert_not_null(tu_make_tmpdir(dir));
	setenv("SOLOAD_SHARE_DIR", dir, 1);
	cr_assert_eq(share_child(SL_SHARE | SL_LAZY), 0, "lazy, writes the cache");
	cr_assert_eq(share_child(SL_SHARE | SL_LAZY), 0, "lazy, from the lazy cache");
	cr_assert_eq(share_child(SL_SHARE), 0, "eager, from the lazy cache");
	tu_remove_tree(dir);
	unsetenv("SOLOAD_SHARE_DIR");
}

/* A load that another thread is inside of, its constructor waiting on the
 * go pipe until a third thread writes to it. */
struct held_load {
	int go[2], ready[2];
	sl_lib *lib;
};

static void *open_slow(void *arg)
{
	struct held_load *h = arg;

	h->lib = sl_open(SLOW, 0);
	return NULL;
}

static void *release_later(void *arg)
{
	struct held_load *h = arg;

	usleep(300 * 1000);
	if (write(h->go[1], "g", 1) != 1)
		abort();
	return NULL;
}

static void set_fd_env(const char *name, int fd)
{
	char num[16];

	snprintf(num, sizeof(num), "%d", fd);
	setenv(name, num, 1);
}

/* The loader's lock is taken around fork (as glibc does with its own), so
 * a child forked while another thread is inside sl_open does not find it
 * held for good by a thread it does not have: its first lazy call binds. */
Test(lazy, a_child_forked_during_another_threads_load_makes_its_first_call)
{
	struct held_load h = {.lib = NULL};
	pthread_t opener, releaser;
	int status;
	char c;

	cr_assert_eq(pipe(h.go), 0);
	cr_assert_eq(pipe(h.ready), 0);
	set_fd_env("SLOW_CTOR_FD", h.go[0]);
	set_fd_env("SLOW_CTOR_READY_FD", h.ready[1]);
	sl_lib *user = open_ok(USER, SL_LAZY), *late = open_ok(LATE, SL_LAZY);
	int (*call_late)(int) = (int (*)(int))sym(user, "lazy_call_late");
	cr_assert_eq(pthread_create(&opener, NULL, open_slow, &h), 0);
	cr_assert_eq(read(h.ready[0], &c, 1), 1, "the constructor runs: the load holds the lock");
	cr_assert_eq(pthread_create(&releaser, NULL, release_later, &h), 0);
	pid_t pid = fork();
	if (pid == 0) {
		alarm(10); /* a deadlock ends as SIGALRM */
		_exit(call_late(20) == 41 ? 0 : 1);
	}
	cr_assert_gt(pid, 0);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	pthread_join(opener, NULL);
	pthread_join(releaser, NULL);
	unsetenv("SLOW_CTOR_FD");
	unsetenv("SLOW_CTOR_READY_FD");
	cr_assert_not_null(h.lib, "%s", sl_error());
	cr_assert_eq(sl_close(h.lib), 0);
	cr_assert_eq(sl_close(late), 0);
	cr_assert_eq(sl_close(user), 0);
	for (int i = 0; i < 2; i++)
		close(h.go[i]), close(h.ready[i]);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	          "the child's first lazy call: %s %d", WIFSIGNALED(status) ? "signal" : "exit",
	          WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
}
