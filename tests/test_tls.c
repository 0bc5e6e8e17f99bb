#include "soload.h"
#include "testutil.h"
#include "tls.h"

#include <criterion/criterion.h>
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#define NTHREADS 8

static const unsigned char template_bytes[] = {1, 2, 3, 4, 5, 6, 7, 8};

static size_t register_module(size_t memsz, size_t align)
{
	struct sl_tls_image img = {template_bytes, sizeof(template_bytes), memsz, align};
	size_t id = 0;

	cr_assert_eq(sl_tls_register(&img, &id), 0);
	return id;
}

static unsigned char *block_of(size_t id, size_t offset)
{
	struct sl_tls_index ti = {id, offset};
	return sl_tls_get_addr(&ti);
}

Test(tls, ids_never_look_like_glibc_ones)
{
	size_t id = register_module(64, 8);

	cr_assert(sl_tls_is_ours(id));
	cr_assert_not(sl_tls_is_ours(1));
	cr_assert_not(sl_tls_is_ours(4096));
	sl_tls_unregister(id);
}

Test(tls, refuses_a_bad_template)
{
	struct sl_tls_image big_file = {template_bytes, 8, 4, 8};
	struct sl_tls_image odd_align = {template_bytes, 8, 8, 3};
	size_t id;

	cr_assert_eq(sl_tls_register(&big_file, &id), -EINVAL);
	cr_assert_eq(sl_tls_register(&odd_align, &id), -EINVAL);
}

Test(tls, block_starts_as_the_template_and_is_aligned)
{
	size_t id = register_module(256, 128);
	unsigned char *b = block_of(id, 0);
	size_t i;

	cr_assert_eq((uintptr_t)b % 128, 0);
	cr_assert_eq(memcmp(b, template_bytes, sizeof(template_bytes)), 0);
	for (i = sizeof(template_bytes); i < 256; i++)
		cr_assert_eq(b[i], 0, "byte %zu of the bss part is %d", i, b[i]);
	cr_assert_eq(block_of(id, 40), b + 40);
	sl_tls_unregister(id);
}

struct worker {
	size_t id;
	long seen;
	unsigned char *addr;
	pthread_barrier_t *barrier;
};

/* Writes its own value, waits for everyone to write, then reads it back. */
static void *use_module(void *arg)
{
	struct worker *w = arg;
	long *counter = (long *)block_of(w->id, 8);

	cr_assert_eq(*counter, 0);
	*counter = (long)(uintptr_t)w;
	pthread_barrier_wait(w->barrier);
	w->seen = *(long *)block_of(w->id, 8);
	w->addr = block_of(w->id, 0);
	pthread_barrier_wait(w->barrier);
	return NULL;
}

static void run_workers(struct worker *w, size_t n, size_t id, pthread_barrier_t *barrier,
                        pthread_t *tids)
{
	size_t i;

	for (i = 0; i < n; i++) {
		w[i] = (struct worker){.id = id, .barrier = barrier};
		cr_assert_eq(pthread_create(&tids[i], NULL, use_module, &w[i]), 0);
	}
}

Test(tls, each_thread_sees_its_own_block)
{
	size_t id = register_module(64, 16);
	struct worker w[NTHREADS];
	pthread_t tids[NTHREADS];
	pthread_barrier_t barrier;
	size_t i, j;

	pthread_barrier_init(&barrier, NULL, NTHREADS + 1);
	run_workers(w, NTHREADS, id, &barrier, tids);
	pthread_barrier_wait(&barrier);
	pthread_barrier_wait(&barrier);
	for (i = 0; i < NTHREADS; i++) {
		pthread_join(tids[i], NULL);
		cr_assert_eq(w[i].seen, (long)(uintptr_t)&w[i]);
		for (j = 0; j < i; j++)
			cr_assert_neq(w[i].addr, w[j].addr);
	}
	pthread_barrier_destroy(&barrier);
	sl_tls_unregister(id);
}

Test(tls, blocks_die_with_their_threads)
{
	size_t id = register_module(4096, 64);
	size_t before = sl_tls_block_count(), round;
	struct worker w[NTHREADS];
	pthread_t tids[NTHREADS];
	pthread_barrier_t barrier;

	pthread_barrier_init(&barrier, NULL, NTHREADS + 1);
	for (round = 0; round < 25; round++) {
		run_workers(w, NTHREADS, id, &barrier, tids);
		pthread_barrier_wait(&barrier);
		pthread_barrier_wait(&barrier);
		for (size_t i = 0; i < NTHREADS; i++)
			pthread_join(tids[i], NULL);
		cr_assert_eq(sl_tls_block_count(), before, "round %zu leaked blocks", round);
	}
	pthread_barrier_destroy(&barrier);
	sl_tls_unregister(id);
}

/* Touches the module, then holds its block until the main thread says go. */
static void *touch_and_wait(void *arg)
{
	struct worker *w = arg;

	w->addr = block_of(w->id, 0);
	pthread_barrier_wait(w->barrier);
	pthread_barrier_wait(w->barrier);
	return NULL;
}

Test(tls, unregister_frees_every_threads_block)
{
	size_t id = register_module(64, 8);
	size_t before = sl_tls_block_count();
	struct worker w[NTHREADS];
	pthread_t tids[NTHREADS];
	pthread_barrier_t barrier;
	size_t i;

	pthread_barrier_init(&barrier, NULL, NTHREADS + 1);
	for (i = 0; i < NTHREADS; i++) {
		w[i] = (struct worker){.id = id, .barrier = &barrier};
		cr_assert_eq(pthread_create(&tids[i], NULL, touch_and_wait, &w[i]), 0);
	}
	pthread_barrier_wait(&barrier);
	block_of(id, 0);
	cr_assert_eq(sl_tls_block_count(), before + NTHREADS + 1);
	sl_tls_unregister(id);
	cr_assert_eq(sl_tls_block_count(), before);
	pthread_barrier_wait(&barrier);
	for (i = 0; i < NTHREADS; i++)
		pthread_join(tids[i], NULL);
	cr_assert_eq(sl_tls_block_count(), before);
	pthread_barrier_destroy(&barrier);
}

Test(tls, a_reused_slot_gets_a_fresh_block)
{
	size_t first = register_module(64, 8), second;
	unsigned char *old = block_of(first, 0);

	old[0] = 99;
	sl_tls_unregister(first);
	second = register_module(64, 8);
	cr_assert_neq(second, first);
	cr_assert_eq(block_of(second, 0)[0], template_bytes[0]);
	sl_tls_unregister(second);
}

Test(tls, host_ids_go_to_glibc)
{
	void *host_errno = dlvsym(RTLD_DEFAULT, "errno", "GLIBC_PRIVATE");
	struct sl_tls_index ti;

	cr_assert_not_null(host_errno, "%s", dlerror());
	cr_assert_eq(host_errno, (void *)&errno);
	cr_assert_eq(sl_tls_host_locate(host_errno, &ti.module, &ti.offset), 0);
	cr_assert_not(sl_tls_is_ours(ti.module));
	cr_assert_eq(sl_tls_get_addr(&ti), (void *)&errno);
	cr_assert_eq(sl_tls_host_locate(&ti, &ti.module, &ti.offset), -ENOENT);
}

/* ---- Through sl_open: a real library's TLS ---- */

struct lib_worker {
	int (*bump)(void);
	void *(*addr)(void);
	int first, last;
	void *where;
};

static void *bump_five_times(void *arg)
{
	struct lib_worker *w = arg;
	int i;

	w->first = w->bump();
	for (i = 0; i < 4; i++)
		w->last = w->bump();
	w->where = w->addr();
	return NULL;
}

Test(tls, loaded_library_gives_each_thread_its_own_variables)
{
	size_t before = sl_tls_block_count();
	sl_lib *lib = sl_open(TESTLIB("libtls.so"), 0);
	struct lib_worker w[NTHREADS];
	pthread_t tids[NTHREADS];
	size_t i;

	cr_assert_not_null(lib, "%s", sl_error());
	for (i = 0; i < NTHREADS; i++) {
		w[i] = (struct lib_worker){
		        .bump = (int (*)(void))sl_sym(lib, "tls_bump"),
		        .addr = (void *(*)(void))sl_sym(lib, "tls_counter_addr")};
		cr_assert_not_null(w[i].bump);
		pthread_create(&tids[i], NULL, bump_five_times, &w[i]);
	}
	for (i = 0; i < NTHREADS; i++) {
		pthread_join(tids[i], NULL);
		cr_assert_eq(w[i].first, 43, "thread %zu did not start from the template's 42", i);
		cr_assert_eq(w[i].last, 47);
		if (i)
			cr_assert_neq(w[i].where, w[i - 1].where);
	}
	cr_assert_eq(sl_tls_block_count(), before, "exited threads kept their blocks");
	cr_assert_eq(w[0].bump(), 43, "the main thread's counter is its own");
	cr_assert_eq(sl_close(lib), 0);
	cr_assert_eq(sl_tls_block_count(), before, "sl_close left blocks behind");
}

Test(tls, local_dynamic_and_aligned_tbss_work)
{
	sl_lib *lib = sl_open(TESTLIB("libtls.so"), 0);
	long (*local_bump)(long);
	int (*buffer_ok)(void);

	cr_assert_not_null(lib, "%s", sl_error());
	local_bump = (long (*)(long))sl_sym(lib, "tls_local_bump");
	buffer_ok = (int (*)(void))sl_sym(lib, "tls_buffer_ok");
	cr_assert_eq(local_bump(3), 10);
	cr_assert_eq(local_bump(1), 11);
	cr_assert_eq(buffer_ok(), 1, "buffer misaligned or not zeroed");
	cr_assert_eq(buffer_ok(), 0, "buffer write did not stick");
	sl_close(lib);
}

static void *use_library_once(void *arg)
{
	return (void *)(intptr_t)((int (*)(void))arg)();
}

Test(tls, no_growth_over_many_threads_and_reloads)
{
	size_t before = sl_tls_block_count();
	int round, maps = 0;

	for (round = 0; round < 20; round++) {
		sl_lib *lib = sl_open(TESTLIB("libtls.so"), 0);
		pthread_t tids[4];
		void *got;
		size_t i;

		cr_assert_not_null(lib, "%s", sl_error());
		for (i = 0; i < 4; i++)
			pthread_create(&tids[i], NULL, use_library_once, sl_sym(lib, "tls_bump"));
		for (i = 0; i < 4; i++) {
			pthread_join(tids[i], &got);
			cr_assert_eq((intptr_t)got, 43);
		}
		cr_assert_eq(((int (*)(void))sl_sym(lib, "tls_bump"))(), 43, "round %d", round);
		cr_assert_eq(sl_close(lib), 0);
		cr_assert_eq(sl_tls_block_count(), before, "round %d", round);
		/* From the second round on: glibc keeps exited threads' stacks. */
		if (round == 0)
			maps = tu_count_maps();
		cr_assert_eq(tu_count_maps(), maps, "round %d", round);
	}
}

Test(tls, initial_exec_is_refused_and_leaves_nothing)
{
	int fds = tu_count_fds(), maps = tu_count_maps();

	cr_assert_null(sl_open(TESTLIB("libtlsie.so"), 0));
	cr_assert_str_eq(sl_error(), "libtlsie.so: initial-exec TLS (TPOFF64) is not supported "
	                             "for libraries loaded after start-up");
	cr_assert_eq(tu_count_fds(), fds);
	cr_assert_eq(tu_count_maps(), maps);
}
