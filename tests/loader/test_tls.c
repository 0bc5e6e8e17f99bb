#include "soload.h"
#include "support/testutil.h"
#include "tls.h"

#include <criterion/criterion.h>
#include <elf.h>
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NTHREADS 8

/* Virtual size the process may gain over the reload rounds after the
 * first: glibc's cache of exited threads' stacks (8 MiB each) and ASan's
 * per-thread state come and go with timing (malloc's per-thread arenas,
 * 64 MiB each, are kept to one by the test); a library's mappings are
 * checked exactly, by name. */
#define VM_SLACK_KIB (4 * 8 * 1024 + 1024)

static const unsigned char template_bytes[] = {1, 2, 3, 4, 5, 6, 7, 8};

static size_t register_module(size_t memsz, size_t align)
{
	struct tls_image img = {template_bytes, sizeof(template_bytes), memsz, align, 0};
	size_t id = 0;

	cr_assert_eq(tls_register(&img, &id), 0);
	return id;
}

static unsigned char *block_of(size_t id, size_t offset)
{
	struct tls_index ti = {id, offset};
	return tls_get_addr(&ti);
}

Test(tls, ids_never_look_like_glibc_ones)
{
	size_t id = register_module(64, 8);

	cr_assert(tls_is_ours(id));
	cr_assert_not(tls_is_ours(1));
	cr_assert_not(tls_is_ours(4096));
	tls_unregister(id);
}

Test(tls, refuses_a_bad_template)
{
	struct tls_image big_file = {template_bytes, 8, 4, 8, 0};
	struct tls_image odd_align = {template_bytes, 8, 8, 3, 0};
	size_t id;

	cr_assert_eq(tls_register(&big_file, &id), -EINVAL);
	cr_assert_eq(tls_register(&odd_align, &id), -EINVAL);
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
	tls_unregister(id);
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
	tls_unregister(id);
}

Test(tls, blocks_die_with_their_threads)
{
	size_t id = register_module(4096, 64);
	size_t before = tls_block_count(), round;
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
		cr_assert_eq(tls_block_count(), before, "round %zu leaked blocks", round);
	}
	pthread_barrier_destroy(&barrier);
	tls_unregister(id);
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
	size_t before = tls_block_count();
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
	cr_assert_eq(tls_block_count(), before + NTHREADS + 1);
	tls_unregister(id);
	cr_assert_eq(tls_block_count(), before);
	pthread_barrier_wait(&barrier);
	for (i = 0; i < NTHREADS; i++)
		pthread_join(tids[i], NULL);
	cr_assert_eq(tls_block_count(), before);
	pthread_barrier_destroy(&barrier);
}

Test(tls, a_reused_slot_gets_a_fresh_block)
{
	size_t first = register_module(64, 8), second;
	unsigned char *old = block_of(first, 0);

	old[0] = 99;
	tls_unregister(first);
	second = register_module(64, 8);
	cr_assert_neq(second, first);
	cr_assert_eq(block_of(second, 0)[0], template_bytes[0]);
	tls_unregister(second);
}

Test(tls, host_ids_go_to_glibc)
{
	void *host_errno = dlvsym(RTLD_DEFAULT, "errno", "GLIBC_PRIVATE");
	struct tls_index ti;

	cr_assert_not_null(host_errno, "%s", dlerror());
	cr_assert_eq(host_errno, (void *)&errno);
	cr_assert_eq(tls_host_locate(host_errno, &ti.module, &ti.offset), 0);
	cr_assert_not(tls_is_ours(ti.module));
	cr_assert_eq(tls_get_addr(&ti), (void *)&errno);
	cr_assert_eq(tls_host_locate(&ti, &ti.module, &ti.offset), -ENOENT);
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
	size_t before = tls_block_count();
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
	cr_assert_eq(tls_block_count(), before, "exited threads kept their blocks");
	cr_assert_eq(w[0].bump(), 43, "the main thread's counter is its own");
	cr_assert_eq(sl_close(lib), 0);
	cr_assert_eq(tls_block_count(), before, "sl_close left blocks behind");
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
	size_t before = tls_block_count();
	long vm = 0;
	int round;

	mallopt(M_ARENA_MAX, 1);

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
		cr_assert_eq(tls_block_count(), before, "round %d", round);
		cr_assert_eq(tu_count_maps_of("libtls.so"), 0, "round %d: still mapped", round);
		if (round == 0)
			vm = tu_vm_size_kib();
		cr_assert_leq(tu_vm_size_kib(), vm + VM_SLACK_KIB, "round %d", round);
	}
}

Test(tls, initial_exec_is_refused_and_leaves_nothing)
{
	int fds = tu_count_fds(), maps = tu_count_maps();

	cr_assert_null(sl_open(TESTLIB("libtlsie.so"), 0));
	cr_assert_str_eq(sl_error(), TESTLIB("libtlsie.so") ": initial-exec TLS (TPOFF64) is not "
	                                                    "supported "
	                                                    "for libraries loaded after start-up");
	cr_assert_eq(tu_count_fds(), fds);
	cr_assert_eq(tu_count_maps(), maps);
}

/* ---- A loaded library using a host library's thread-local variable ---- */

struct host_use {
	sl_lib *lib;
	int *(*host_addr)(void);
	int *ours, *theirs;
};

/* Loads the user library in this thread: a binding made in another thread
 * must not hand over that thread's copy. */
static void *compare_views(void *arg)
{
	struct host_use *u = arg;
	sl_lib *lib = sl_open(TESTLIB("libtlsuser.so"), 0);

	cr_assert_not_null(lib, "%s", sl_error());
	u->ours = ((int *(*)(void))sl_sym(lib, "tlsuser_addr"))();
	u->theirs = u->host_addr();
	sl_close(lib);
	return NULL;
}

Test(tls, host_library_variables_keep_glibcs_module)
{
	void *host = dlopen(TESTLIB("libtlshost.so"), RTLD_NOW | RTLD_GLOBAL);
	struct host_use u = {0}, other;
	int (*bump)(void);
	pthread_t t;

	cr_assert_not_null(host, "%s", dlerror());
	u.host_addr = (int *(*)(void))dlsym(host, "tlshost_addr");
	u.lib = sl_open(TESTLIB("libtlsuser.so"), 0);
	cr_assert_not_null(u.lib, "%s", sl_error());
	bump = (int (*)(void))sl_sym(u.lib, "tlsuser_bump");
	cr_assert_eq(bump(), 8, "the host's initial 7, bumped");
	cr_assert_eq(*u.host_addr(), 8, "both see the same variable");
	cr_assert_eq(sl_close(u.lib), 0);
	/* Loaded afresh in another thread, after this thread's binding. */
	other = u;
	pthread_create(&t, NULL, compare_views, &other);
	pthread_join(t, NULL);
	cr_assert_eq(other.ours, other.theirs, "another thread sees its own copy through both");
	cr_assert_neq(other.ours, u.host_addr());
	dlclose(host);
}

/* ---- Malformed TLS: refused with the reason, nothing left behind ---- */

static unsigned char *read_whole(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;

	cr_assert_not_null(f, "%s", path);
	fseek(f, 0, SEEK_END);
	*size = (size_t)ftell(f);
	rewind(f);
	buf = malloc(*size);
	cr_assert_eq(fread(buf, 1, *size, f), *size);
	fclose(f);
	return buf;
}

static Elf64_Phdr *tls_phdr(unsigned char *elf)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)elf;
	Elf64_Phdr *ph = (Elf64_Phdr *)(elf + eh->e_phoff);

	for (int i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_TLS)
			return &ph[i];
	cr_assert_fail("no PT_TLS");
	return NULL;
}

/* The .dynsym entry named name. */
static Elf64_Sym *dynsym(unsigned char *elf, const char *name)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)elf;
	Elf64_Shdr *sh = (Elf64_Shdr *)(elf + eh->e_shoff);

	for (int i = 0; i < eh->e_shnum; i++) {
		if (sh[i].sh_type != SHT_DYNSYM)
			continue;
		Elf64_Sym *sym = (Elf64_Sym *)(elf + sh[i].sh_offset);
		const char *str = (const char *)elf + sh[sh[i].sh_link].sh_offset;
		for (size_t k = 0; k < sh[i].sh_size / sizeof(*sym); k++)
			if (!strcmp(str + sym[k].st_name, name))
				return &sym[k];
	}
	cr_assert_fail("no dynamic symbol %s", name);
	return NULL;
}

enum tls_break { TLS_FILESZ, TLS_ALIGN, TLS_OUTSIDE, TLS_GONE, TLS_NOT_TLS_SYMBOL };

static void break_tls(unsigned char *elf, enum tls_break how)
{
	Elf64_Phdr *ph = tls_phdr(elf);
	Elf64_Sym *s;

	switch (how) {
	case TLS_FILESZ:
		ph->p_filesz = ph->p_memsz + 8;
		break;
	case TLS_ALIGN:
		ph->p_align = 3;
		break;
	case TLS_OUTSIDE:
		ph->p_vaddr = 0x100000;
		break;
	case TLS_GONE:
		ph->p_type = PT_NULL;
		break;
	case TLS_NOT_TLS_SYMBOL:
		s = dynsym(elf, "tls_counter");
		s->st_info = ELF64_ST_INFO(ELF64_ST_BIND(s->st_info), STT_OBJECT);
		break;
	}
}

/* sl_open of libtls.so broken one way must fail with a message naming the
 * file and containing want, leaving no fd or mapping behind. */
static void expect_refused(enum tls_break how, const char *want)
{
	char dir[] = "/tmp/test_tls.XXXXXX", path[64];
	size_t size;
	unsigned char *elf = read_whole(TESTLIB("libtls.so"), &size);
	int fds, maps;
	FILE *f;

	cr_assert_not_null(tu_make_tmpdir(dir));
	snprintf(path, sizeof(path), "%s/libtls.so", dir);
	break_tls(elf, how);
	f = fopen(path, "wb");
	cr_assert_eq(fwrite(elf, 1, size, f), size);
	fclose(f);
	free(elf);
	fds = tu_count_fds();
	maps = tu_count_maps();
	cr_assert_null(sl_open(path, 0), "case %d loaded", how);
	cr_assert(strncmp(sl_error(), path, strlen(path)) == 0 && strstr(sl_error(), want),
	          "case %d: %s", how, sl_error());
	cr_assert_eq(tu_count_fds(), fds);
	cr_assert_eq(tu_count_maps(), maps);
	unlink(path);
	rmdir(dir);
}

Test(tls, malformed_templates_are_refused)
{
	expect_refused(TLS_FILESZ, "bad PT_TLS (filesz 0xc8, memsz 0xc0, align 0x40)");
	expect_refused(TLS_ALIGN, "bad PT_TLS (filesz 0xc, memsz 0xc0, align 0x3)");
	expect_refused(TLS_OUTSIDE, "PT_TLS image 0x100000+0xc outside the segments");
}

Test(tls, relocations_need_a_thread_local_definition)
{
	expect_refused(TLS_GONE, "but no PT_TLS");
	expect_refused(TLS_NOT_TLS_SYMBOL,
	               "TLS relocation against tls_counter, which is not thread-local");
}

Test(tls, a_host_variable_that_is_not_thread_local_is_refused)
{
	void *fake = dlopen(TESTLIB("libtlsfake.so"), RTLD_NOW | RTLD_GLOBAL);

	cr_assert_not_null(fake, "%s", dlerror());
	cr_assert_null(sl_open(TESTLIB("libtlsuser.so"), 0));
	cr_assert_str_eq(sl_error(),
	                 TESTLIB("libtlsuser.so") ": tlshost_value is not in any host library's "
	                                          "TLS block");
	dlclose(fake);
}

/* Open, use and close from several threads at once: module registration,
 * first access and unload race each other. */
static void *open_use_close(void *arg)
{
	int i, bad = 0;

	(void)arg;
	for (i = 0; i < 50; i++) {
		sl_lib *lib = sl_open(TESTLIB("libtls.so"), 0);
		long (*local_bump)(long);
		if (!lib)
			return (void *)1;
		local_bump = (long (*)(long))sl_sym(lib, "tls_local_bump");
		/* A block shared with another thread would show its bumps. */
		long first = local_bump(1);
		bad += first < 8 || local_bump(1) != first + 1;
		sl_close(lib);
	}
	return (void *)(intptr_t)bad;
}

Test(tls, concurrent_open_use_close)
{
	size_t before = tls_block_count();
	pthread_t tids[4];
	void *bad;
	size_t i;

	for (i = 0; i < 4; i++)
		pthread_create(&tids[i], NULL, open_use_close, NULL);
	for (i = 0; i < 4; i++) {
		pthread_join(tids[i], &bad);
		cr_assert_null(bad, "thread %zu", i);
	}
	cr_assert_eq(tls_block_count(), before);
}
