/* tlsdesc: TLS descriptors (R_X86_64_TLSDESC, -mtls-dialect=gnu2) reach
 * each thread's own block, as through dlopen; blocks are freed with their
 * thread and their library; the descriptors' functions keep every register
 * but %rax, for a dynamic block (libtlsdesc's is too big for the static
 * reserve) and a static one (libtlsstatic). */
#include "soload.h"
#include "support/testutil.h"
#include "tls.h"

#include <criterion/criterion.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#define NTHREADS 4
#define NREGS    32 /* ZMM0-31, 64 bytes each, then K0-K7 */
#define REG_AREA (NREGS * 64 + 8 * 8)

typedef long (*bump_fn)(void);
typedef void *(*addr_fn)(void);
typedef void *(*check_fn)(const void *in, void *out, uint64_t *gprs, int avx512);

static sl_lib *lib;
static const char *addr_name = "tlsdesc_addr"; /* the checked variable's address */

static void *sym(const char *name)
{
	void *p = sl_sym(lib, name);

	cr_assert_not_null(p, "%s", sl_error());
	return p;
}

static void open_lib(void)
{
	lib = sl_open(TESTLIB("libtlsdesc.so"), 0);
	cr_assert_not_null(lib, "%s", sl_error());
}

struct seen {
	long first, second;
	void *addr;
};

static pthread_barrier_t all_alive;

static void bump_twice(struct seen *s)
{
	s->first = ((bump_fn)sym("tlsdesc_bump"))();
	s->second = ((bump_fn)sym("tlsdesc_bump"))();
	s->addr = ((addr_fn)sym("tlsdesc_addr"))();
}

/* Every thread holds its block until all have one: live blocks differ. */
static void *bump_in_thread(void *arg)
{
	bump_twice(arg);
	pthread_barrier_wait(&all_alive);
	return NULL;
}

Test(tlsdesc, each_thread_has_its_own_variable_and_its_block_goes_with_it)
{
	size_t before = tls_block_count();
	struct seen main_seen, seen[NTHREADS];
	pthread_t t[NTHREADS];

	open_lib();
	pthread_barrier_init(&all_alive, NULL, NTHREADS);
	bump_twice(&main_seen);
	cr_assert_eq(main_seen.first, 6);
	cr_assert_eq(main_seen.second, 7);
	for (int i = 0; i < NTHREADS; i++)
		cr_assert_eq(pthread_create(&t[i], NULL, bump_in_thread, &seen[i]), 0);
	for (int i = 0; i < NTHREADS; i++) {
		pthread_join(t[i], NULL);
		cr_assert_eq(seen[i].first, 6, "thread %d starts from the template", i);
		cr_assert_eq(seen[i].second, 7);
		cr_assert_neq(seen[i].addr, main_seen.addr);
		for (int j = 0; j < i; j++)
			cr_assert_neq(seen[i].addr, seen[j].addr);
	}
	pthread_barrier_destroy(&all_alive);
	cr_assert_eq(tls_block_count(), before + 1, "the threads' blocks went with them");
	cr_assert_eq(((bump_fn)sym("tlsdesc_bump"))(), 8, "ours untouched");
	cr_assert_eq(sl_close(lib), 0);
	cr_assert_eq(tls_block_count(), before, "and ours with the library");
}

Test(tlsdesc, static_and_undefined_weak_variables_answer_as_through_dlopen)
{
	void *h = dlopen(TESTLIB("libtlsdesc.so"), RTLD_NOW | RTLD_LOCAL);

	cr_assert_not_null(h, "%s", dlerror());
	open_lib();
	cr_assert_eq(((int (*)(void))sym("tlsdesc_local"))(), 10);
	cr_assert_eq(((int (*)(void))sym("tlsdesc_local"))(), 11);
	cr_assert_eq(((int (*)(void))dlsym(h, "tlsdesc_local"))(), 10);
	cr_assert_null(((addr_fn)sym("tlsdesc_missing_addr"))());
	cr_assert_null(((addr_fn)dlsym(h, "tlsdesc_missing_addr"))());
	cr_assert_neq(((addr_fn)sym("tlsdesc_addr"))(), ((addr_fn)dlsym(h, "tlsdesc_addr"))(),
	              "two copies of the library, two variables");
	sl_close(lib);
	dlclose(h);
}

struct regs_run {
	unsigned char in[REG_AREA], out[REG_AREA];
	uint64_t gprs[8];
	void *addr, *want;
	int avx512;
};

/* In a fresh thread the first call allocates the block: malloc, memcpy and
 * memset, which use the vector registers, run inside the resolver. */
static void *check_in_thread(void *arg)
{
	struct regs_run *r = arg;

	r->addr = ((check_fn)sym("tlsdesc_check_regs"))(r->in, r->out, r->gprs, r->avx512);
	r->want = ((addr_fn)sym(addr_name))();
	return NULL;
}

static void expect_kept(const struct regs_run *r)
{
	static const uint64_t gprs[8] = {
	        0x1111111111111101, 0x2222222222222202, 0x3333333333333303, 0x4444444444444404,
	        0x5555555555555505, 0x6666666666666606, 0x7777777777777707, 0x8888888888888808,
	};
	const char *names[8] = {"rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11"};

	cr_assert_eq(r->addr, r->want, "the descriptor gives the variable");
	for (int i = 0; i < 8; i++)
		cr_assert_eq(r->gprs[i], gprs[i], "%%%s changed", names[i]);
	for (int i = 0; i < (r->avx512 ? NREGS : 16); i++)
		cr_assert(memcmp(r->in + i * 64, r->out + i * 64, r->avx512 ? 64 : 32) == 0,
		          "%s%d changed", r->avx512 ? "zmm" : "ymm", i);
	for (int k = 1; r->avx512 && k < 8; k++)
		cr_assert(memcmp(r->in + 2048 + k * 8, r->out + 2048 + k * 8, 8) == 0,
		          "k%d changed", k);
}

static void check_regs(void)
{
	static struct regs_run r;
	pthread_t t;

	for (size_t i = 0; i < sizeof(r.in); i++)
		r.in[i] = (unsigned char)(i * 37 + 11);
	__builtin_cpu_init();
	r.avx512 = __builtin_cpu_supports("avx512f");
	for (int round = 0; round < 2; round++) { /* first use, then a known block */
		memset(r.out, 0, sizeof(r.out));
		cr_assert_eq(pthread_create(&t, NULL, check_in_thread, &r), 0);
		pthread_join(t, NULL);
		expect_kept(&r);
		check_in_thread(&r);
		expect_kept(&r);
	}
}

Test(tlsdesc, the_resolver_keeps_every_register_but_rax)
{
	open_lib();
	check_regs();
	sl_close(lib);
}

/* A fresh thread's first call sets up its copy of the reserve's blocks. */
Test(tlsdesc, the_static_function_keeps_every_register_but_rax)
{
	lib = sl_open(TESTLIB("libtlsstatic.so"), 0);
	cr_assert_not_null(lib, "%s", sl_error());
	addr_name = "st_addr";
	check_regs();
	sl_close(lib);
}
