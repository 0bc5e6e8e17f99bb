/* tlsreserve: libsoload's static TLS reserve (loader/tls.c). A library's
 * block that fits sits at the same offset from the thread pointer in every
 * thread, through __tls_get_addr (libtls) and TLS descriptors
 * (libtlsstatic); threads that existed before the load get their copy set
 * up from the image as well as those created after; a reload in the same
 * room starts again from the image; a block that does not fit (libtlsbig)
 * or that comes after the reserve is full goes the dynamic way. */
#include "soload.h"
#include "support/testutil.h"
#include "tls.h"

#include <criterion/criterion.h>
#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define NEARLY 3 /* threads created before the load */
#define NLATE  3 /* and after */

typedef long (*bump_fn)(void);
typedef void *(*addr_fn)(void);

/* One thread's view of a library's variable. */
struct view {
	bump_fn bump;
	addr_fn addr;
	long first, second;
	ptrdiff_t tpoff; /* the variable's address minus the thread pointer */
	pthread_barrier_t *loaded, *done;
};

static void look(struct view *v)
{
	v->first = v->bump();
	v->second = v->bump();
	v->tpoff = (char *)v->addr() - thread_pointer();
}

/* Created before the load: waits for it, looks, then holds on (a live
 * thread's block stays where it is) until everyone has looked. */
static void *look_when_loaded(void *arg)
{
	struct view *v = arg;

	pthread_barrier_wait(v->loaded);
	look(v);
	pthread_barrier_wait(v->done);
	return NULL;
}

static void *look_now(void *arg)
{
	struct view *v = arg;

	look(v);
	pthread_barrier_wait(v->done);
	return NULL;
}

static void *sym(sl_lib *lib, const char *name)
{
	void *p = sl_sym(lib, name);

	cr_assert_not_null(p, "%s", sl_error());
	return p;
}

/* Every thread (main, NEARLY from before the load, NLATE after) bumps the
 * variable twice from its initial value init; their offsets from the
 * thread pointer go to tpoff[], the main thread's first. */
static void views_of(const char *path, const char *bump, const char *addr, long init,
                     ptrdiff_t *tpoff)
{
	struct view v[1 + NEARLY + NLATE];
	pthread_t t[NEARLY + NLATE];
	pthread_barrier_t loaded, done;
	sl_lib *lib;

	pthread_barrier_init(&loaded, NULL, NEARLY + 1);
	pthread_barrier_init(&done, NULL, NEARLY + NLATE + 1);
	for (int i = 0; i < 1 + NEARLY + NLATE; i++)
		v[i] = (struct view){.loaded = &loaded, .done = &done};
	for (int i = 0; i < NEARLY; i++)
		cr_assert_eq(pthread_create(&t[i], NULL, look_when_loaded, &v[1 + i]), 0);
	lib = sl_open(path, 0);
	cr_assert_not_null(lib, "%s", sl_error());
	for (int i = 0; i < 1 + NEARLY + NLATE; i++) {
		v[i].bump = (bump_fn)sym(lib, bump);
		v[i].addr = (addr_fn)sym(lib, addr);
	}
	pthread_barrier_wait(&loaded);
	for (int i = NEARLY; i < NEARLY + NLATE; i++)
		cr_assert_eq(pthread_create(&t[i], NULL, look_now, &v[1 + i]), 0);
	look(&v[0]);
	pthread_barrier_wait(&done);
	for (int i = 0; i < NEARLY + NLATE; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < 1 + NEARLY + NLATE; i++) {
		cr_assert_eq(v[i].first, init + 1, "thread %d (%s the load) starts from %ld", i,
		             i == 0        ? "main"
		             : i <= NEARLY ? "before"
		                           : "after",
		             v[i].first - 1);
		cr_assert_eq(v[i].second, init + 2, "thread %d: a write did not stick", i);
		tpoff[i] = v[i].tpoff;
	}
	pthread_barrier_destroy(&loaded);
	pthread_barrier_destroy(&done);
	cr_assert_eq(sl_close(lib), 0);
}

static void expect_static(const ptrdiff_t *tpoff)
{
	cr_assert_lt(tpoff[0], 0, "static TLS lies below the thread pointer");
	for (int i = 1; i < 1 + NEARLY + NLATE; i++)
		cr_assert_eq(tpoff[i], tpoff[0], "thread %d's copy is elsewhere", i);
}

Test(tlsreserve, general_dynamic_block_is_static_in_every_thread)
{
	size_t before = tls_block_count();
	ptrdiff_t tpoff[1 + NEARLY + NLATE];

	views_of(TESTLIB("libtls.so"), "tls_bump", "tls_counter_addr", 42, tpoff);
	expect_static(tpoff);
	cr_assert_eq(tls_block_count(), before, "no thread allocated a block");
}

Test(tlsreserve, descriptor_block_is_static_in_every_thread)
{
	size_t before = tls_block_count();
	ptrdiff_t tpoff[1 + NEARLY + NLATE];

	views_of(TESTLIB("libtlsstatic.so"), "st_bump", "st_addr", 11, tpoff);
	expect_static(tpoff);
	cr_assert_eq(tls_block_count(), before, "no thread allocated a block");
}

Test(tlsreserve, block_too_big_for_the_reserve_is_dynamic)
{
	size_t before = tls_block_count();
	ptrdiff_t tpoff[1 + NEARLY + NLATE];
	sl_lib *lib;

	views_of(TESTLIB("libtlsbig.so"), "big_bump", "big_addr", 21, tpoff);
	for (int i = 1; i < 1 + NEARLY + NLATE; i++)
		for (int j = 0; j < i; j++)
			cr_assert_neq(tpoff[i], tpoff[j], "threads %d and %d share a block", i, j);
	cr_assert_eq(tls_block_count(), before, "the blocks went with their library");
	/* The zeroed part in front of the initialised variable is zero. */
	lib = sl_open(TESTLIB("libtlsbig.so"), 0);
	cr_assert_not_null(lib, "%s", sl_error());
	cr_assert_eq(((int (*)(void))sym(lib, "big_last_zero"))(), 0);
	cr_assert_eq(tls_block_count(), before + 1);
	sl_close(lib);
}

static void *zeros_ok_in_thread(void *arg)
{
	return (void *)(intptr_t)((int (*)(void))arg)();
}

Test(tlsreserve, tbss_is_zero_and_aligned_in_every_thread)
{
	sl_lib *lib = sl_open(TESTLIB("libtlsstatic.so"), 0);
	int (*zeros_ok)(void);
	pthread_t t;
	void *ok;

	cr_assert_not_null(lib, "%s", sl_error());
	zeros_ok = (int (*)(void))sym(lib, "st_zeros_ok");
	cr_assert_eq(zeros_ok(), 1);
	cr_assert_eq(zeros_ok(), 0, "the mark did not stick");
	cr_assert_eq(pthread_create(&t, NULL, zeros_ok_in_thread, (void *)zeros_ok), 0);
	pthread_join(t, &ok);
	cr_assert_eq((intptr_t)ok, 1, "a new thread's copy is not zero, or misaligned");
	sl_close(lib);
}

/* libtlsanchor's image holds a pointer that relocation sets; its
 * dependency's constructor makes the loading thread set up its copies of
 * the reserve's blocks before libtlsanchor is relocated. */
Test(tlsreserve, threads_take_the_image_after_relocation)
{
	ptrdiff_t tpoff[1 + NEARLY + NLATE];

	views_of(TESTLIB("libtlsanchor.so"), "anchor_bump", "anchor_addr", 0, tpoff);
	expect_static(tpoff);
}

/* A thread alive across a close and a reload: the room the reload gets is
 * set up again from the image, whatever the thread wrote there before. */
struct reload_run {
	pthread_barrier_t step;
	bump_fn bump;
	long got[2];
};

static void *bump_across_reload(void *arg)
{
	struct reload_run *r = arg;

	for (int i = 0; i < 2; i++) {
		pthread_barrier_wait(&r->step); /* loaded */
		r->got[i] = r->bump();
		r->bump();
		pthread_barrier_wait(&r->step); /* bumped */
	}
	return NULL;
}

static void reload_in_live_thread(const char *path, const char *bump, long init)
{
	struct reload_run r;
	pthread_t t;

	pthread_barrier_init(&r.step, NULL, 2);
	cr_assert_eq(pthread_create(&t, NULL, bump_across_reload, &r), 0);
	for (int i = 0; i < 2; i++) {
		sl_lib *lib = sl_open(path, 0);
		cr_assert_not_null(lib, "%s", sl_error());
		r.bump = (bump_fn)sym(lib, bump);
		pthread_barrier_wait(&r.step);
		cr_assert_eq(r.bump(), init + 1, "load %d: the main thread's copy", i);
		r.bump();
		pthread_barrier_wait(&r.step);
		cr_assert_eq(r.got[i], init + 1, "load %d: the other thread's copy", i);
		cr_assert_eq(sl_close(lib), 0);
		cr_assert_eq(tu_count_maps_of(path), 0);
	}
	pthread_join(t, NULL);
	pthread_barrier_destroy(&r.step);
}

Test(tlsreserve, reload_starts_again_from_the_image)
{
	reload_in_live_thread(TESTLIB("libtls.so"), "tls_bump", 42);
	reload_in_live_thread(TESTLIB("libtlsstatic.so"), "st_bump", 11);
}

/* ---- Many modules: copies of libtlsstatic until the reserve is full ---- */

#define NCOPIES 48 /* 48 blocks of 128 bytes: more than the reserve holds */

struct copies {
	sl_lib *lib[NCOPIES];
	void (*set[NCOPIES])(long);
	bump_fn bump[NCOPIES];
	addr_fn addr[NCOPIES];
};

struct copies_view {
	const struct copies *c;
	ptrdiff_t tpoff[NCOPIES];
	int bad;
};

/* The whole file at path, for the caller to free; NULL if unreadable. */
static char *read_whole(const char *path, size_t *size)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	long n;

	if (f && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n)) && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	if (f)
		fclose(f);
	*size = buf ? (size_t)n : 0;
	return buf;
}

/* Writes a value of its own into every copy, then reads them all back. */
static void use_copies(struct copies_view *v, long base)
{
	for (int i = 0; i < NCOPIES; i++)
		v->c->set[i](base + i);
	for (int i = 0; i < NCOPIES; i++) {
		v->bad += v->c->bump[i]() != base + i + 1;
		v->tpoff[i] = (char *)v->c->addr[i]() - thread_pointer();
	}
}

static void *use_copies_in_thread(void *arg)
{
	use_copies(arg, 5000);
	return NULL;
}

Test(tlsreserve, many_modules_fill_the_reserve_then_go_dynamic)
{
	char tmpl[] = "/tmp/mapscope-XXXXXX", path[PATH_MAX];
	char *dir = tu_make_tmpdir(tmpl), *image;
	static struct copies c;
	struct copies_view mine = {&c, {0}, 0}, theirs = {&c, {0}, 0};
	int nstatic = 0;
	size_t size;
	pthread_t t;

	cr_assert_not_null(dir);
	cr_assert_not_null(image = read_whole(TESTLIB("libtlsstatic.so"), &size));
	for (int i = 0; i < NCOPIES; i++) {
		FILE *f;
		snprintf(path, sizeof(path), "%s/libtlsstatic%d.so", dir, i);
		cr_assert_not_null(f = fopen(path, "w"));
		cr_assert_eq(fwrite(image, 1, size, f), size);
		cr_assert_eq(fclose(f), 0);
		c.lib[i] = sl_open(path, 0);
		cr_assert_not_null(c.lib[i], "%s", sl_error());
		c.set[i] = (void (*)(long))sym(c.lib[i], "st_set");
		c.bump[i] = (bump_fn)sym(c.lib[i], "st_bump");
		c.addr[i] = (addr_fn)sym(c.lib[i], "st_addr");
	}
	use_copies(&mine, 1000);
	cr_assert_eq(pthread_create(&t, NULL, use_copies_in_thread, &theirs), 0);
	pthread_join(t, NULL);
	use_copies(&mine, 1000);
	cr_assert_eq(mine.bad + theirs.bad, 0, "a copy's variable was shared or overwritten");
	for (int i = 0; i < NCOPIES; i++)
		nstatic += mine.tpoff[i] == theirs.tpoff[i];
	cr_assert_gt(nstatic, 0, "no copy went into the reserve");
	cr_assert_lt(nstatic, NCOPIES, "all %d copies fit in the reserve", NCOPIES);
	cr_assert_leq(nstatic * 128, 4096);
	/* Unloaded, they give their room back. */
	for (int i = 0; i < NCOPIES; i++)
		cr_assert_eq(sl_close(c.lib[i]), 0);
	free(image);
	tu_remove_tree(dir);
	{
		ptrdiff_t tpoff[1 + NEARLY + NLATE];
		views_of(TESTLIB("libtlsstatic.so"), "st_bump", "st_addr", 11, tpoff);
		expect_static(tpoff);
	}
}

/* libsoload.so has no reserve: dlopened, its initial-exec TLS must fit in
 * the little static TLS glibc keeps spare (about 1.5 KiB). */
Test(tlsreserve, libsoload_so_can_be_dlopened)
{
	void *h = dlopen(BUILD_DIR "/libsoload.so", RTLD_NOW | RTLD_LOCAL);

	cr_assert_not_null(h, "%s", dlerror());
	cr_assert_not_null(dlsym(h, "sl_open"));
	dlclose(h);
}
