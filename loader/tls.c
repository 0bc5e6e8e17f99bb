#include "tls.h"
#include "loadpath.h"
#include "error.h"
#include "lib.h"
#include "registry.h"
#include "reloc_arch.h"
#include "symbol.h"
#include "unload.h"
#include "xstate.h"

#include <errno.h>
#include <link.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* glibc's own, for the module ids it handed out (exported by ld.so), and
 * for thread_local destructors. */
extern void *__tls_get_addr(void *ti);
extern int __cxa_thread_atexit_impl(void (*fn)(void *), void *obj, void *dso_symbol);

/*
 * Our module ids carry a tag in the top 16 bits, which glibc's small dense
 * ids never reach, so a loaded library's GOT can hold either kind and
 * tls_get_addr tells them apart without a lookup. Below the tag: a
 * generation (so a reused slot never matches a dead module's stale id) and
 * the slot in the module table.
 */
#define ID_TAG      ((size_t)0x50adUL << 48)
#define ID_TAG_MASK ((size_t)0xffffUL << 48)
#define SLOT_BITS   16
#define SLOT_MASK   (((size_t)1 << SLOT_BITS) - 1)
#define GEN_MASK    ((size_t)0xffffffffUL)
#define MAX_MODULES ((size_t)1 << SLOT_BITS)
#define MIN_ALIGN   (2 * sizeof(void *))

/*
 * What a GOT's DTPMOD64 word holds for a module in static TLS: the block's
 * offset from the thread pointer, which is negative (static TLS lies below
 * it), where every module id, glibc's or ours, is positive. tls_get_addr
 * then finds the block with one test and an add, and no lookup.
 */
#define STATIC_MAX_DIST ((size_t)1 << 47)

/*
 * libsoload's own static TLS: room at the same offset from the thread
 * pointer in every thread, from which a library's module gets its block
 * when it fits (glibc's dlopen does the same with its spare static TLS).
 * It is .tbss: every thread starts with zeros, and sets up the blocks
 * placed since it last looked on its next access through us (sync_reserve),
 * so threads that existed before a load need nobody to reach into them.
 * libsoload.so is built without one (TLS_RESERVE=0): it may be dlopened,
 * and glibc then has only about 1.5 KiB of static TLS for all of its
 * initial-exec variables (docs/loader.md).
 */
#ifndef TLS_RESERVE
#define TLS_RESERVE 4096
#endif
#define RESERVE_ALIGN 64
#if TLS_RESERVE > 0
static __thread unsigned char reserve[TLS_RESERVE]
        __attribute__((tls_model("initial-exec"), aligned(RESERVE_ALIGN)));
#endif
/* Bumped under the lock whenever a block is placed in the reserve; a thread
 * whose tls_static_seen equals it has every placed block set up.
 * tlsdesc.S reads both. */
__attribute__((visibility("hidden"))) size_t tls_static_gen;
__attribute__((visibility("hidden"), tls_model("initial-exec"))) __thread size_t tls_static_seen;

struct tls_module {
	size_t id; /* 0: free slot */
	struct tls_image img;
	int is_static;   /* its blocks are in static TLS (the reserve or the provider's) */
	ptrdiff_t tpoff; /* then: the block's offset from the thread pointer */
	int in_reserve;  /* in libsoload's reserve, at: */
	size_t rsv_off;
	size_t placed_gen; /* tls_static_gen when it was placed */
};

/* One thread's blocks, indexed by slot; the owner reads it without a lock.
 * A block is kept as its offset from the owner's thread pointer (what a
 * descriptor returns), 0 when the thread has none: unloading a module
 * clears its entry in every thread, so a slot's next module starts empty. */
struct tls_slot {
	size_t id;
	ptrdiff_t tpoff;
};

struct tls_thread {
	struct tls_slot *slots;
	size_t nslots;
	char *tp; /* the owner's thread pointer */
	struct tls_thread *next;
	struct tls_thread **pprev;
};

/*
 * The module table and the list of threads are global because every loaded
 * library and every thread share them; one lock guards both. Only the slow
 * path (first access of a module in a thread), registration and thread exit
 * take it.
 */
static pthread_mutex_t tls_lock = PTHREAD_MUTEX_INITIALIZER;
static struct tls_module *modules;
static size_t nmodules;
static size_t generation;
static struct tls_thread *threads;
static size_t nblocks;
static pthread_key_t exit_key;
static pthread_once_t exit_key_once = PTHREAD_ONCE_INIT;

/* This thread's state, and its table straight from the thread pointer:
 * tls_table and tls_table_len are tls_self->slots and ->nslots, which the
 * fast paths (tls_get_addr and tlsdesc.S) read with one load each. */
static __attribute__((tls_model("initial-exec"))) __thread struct tls_thread *tls_self;
__attribute__((visibility("hidden"),
               tls_model("initial-exec"))) __thread struct tls_slot *tls_table;
__attribute__((visibility("hidden"), tls_model("initial-exec"))) __thread size_t tls_table_len;
_Static_assert(sizeof(struct tls_slot) == 16 && offsetof(struct tls_slot, tpoff) == 8 &&
                       SLOT_MASK == 0xffff,
               "tlsdesc.S knows these offsets");

static void die(const char *why, size_t id)
{
	fprintf(stderr, "soload: thread-local storage: %s (module %#zx)\n", why, id);
	abort();
}

static size_t slot_of(size_t id)
{
	return id & SLOT_MASK;
}

int tls_is_ours(size_t modid)
{
	return (modid & ID_TAG_MASK) == ID_TAG;
}

static int check_image(const struct tls_image *img)
{
	if (img->filesz > img->memsz)
		return -EINVAL;
	if (img->align & (img->align - 1))
		return -EINVAL;
	return 0;
}

static long find_free_slot(void)
{
	size_t i;

	for (i = 0; i < nmodules; i++)
		if (!modules[i].id)
			return (long)i;
	if (nmodules == MAX_MODULES)
		return -ENOSPC;
	struct tls_module *grown = realloc(modules, (nmodules + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	modules = grown;
	modules[nmodules].id = 0;
	return (long)nmodules++;
}

int tls_register(const struct tls_image *img, size_t *modid)
{
	int err = check_image(img);
	long slot;

	if (err)
		return err;
	pthread_mutex_lock(&tls_lock);
	slot = find_free_slot();
	if (slot >= 0) {
		generation = (generation + 1) & GEN_MASK;
		modules[slot].id = ID_TAG | generation << SLOT_BITS | (size_t)slot;
		modules[slot].img = *img;
		modules[slot].is_static = 0;
		modules[slot].in_reserve = 0;
		*modid = modules[slot].id;
	}
	pthread_mutex_unlock(&tls_lock);
	return slot < 0 ? (int)slot : 0;
}

/* Drops thread t's block of module id, if it has one. Called under the lock. */
static void drop_block(struct tls_thread *t, size_t id)
{
	struct tls_slot *s;

	if (slot_of(id) >= t->nslots)
		return;
	s = &t->slots[slot_of(id)];
	if (s->id != id)
		return;
	if (!modules[slot_of(id)].is_static) {
		free(t->tp + s->tpoff);
		nblocks--;
	}
	s->id = 0;
	__atomic_store_n(&s->tpoff, 0, __ATOMIC_RELAXED);
}

void tls_unregister(size_t modid)
{
	struct tls_thread *t;

	if (!tls_is_ours(modid))
		return;
	pthread_mutex_lock(&tls_lock);
	if (slot_of(modid) < nmodules && modules[slot_of(modid)].id == modid) {
		for (t = threads; t; t = t->next)
			drop_block(t, modid);
		modules[slot_of(modid)].id = 0;
	}
	pthread_mutex_unlock(&tls_lock);
}

/* Thread exit: the key's destructor frees what the thread allocated. A later
 * destructor that touches TLS again simply gets a fresh state (glibc reruns
 * key destructors while values are set). */
static void free_thread(void *arg)
{
	struct tls_thread *t = arg;
	size_t i;

	pthread_mutex_lock(&tls_lock);
	for (i = 0; i < t->nslots; i++)
		if (t->slots[i].id)
			drop_block(t, t->slots[i].id);
	*t->pprev = t->next;
	if (t->next)
		t->next->pprev = t->pprev;
	pthread_mutex_unlock(&tls_lock);
	free(t->slots);
	free(t);
	tls_self = NULL;
	tls_table = NULL;
	tls_table_len = 0;
}

static void create_exit_key(void)
{
	if (pthread_key_create(&exit_key, free_thread))
		die("cannot create the thread-exit key", 0);
}

/* This thread's state, created and linked on first use. Under the lock. */
static struct tls_thread *this_thread(void)
{
	struct tls_thread *t = tls_self;

	if (t)
		return t;
	pthread_once(&exit_key_once, create_exit_key);
	t = calloc(1, sizeof(*t));
	if (!t || pthread_setspecific(exit_key, t))
		die("cannot allocate thread state", 0);
	t->tp = thread_pointer();
	t->next = threads;
	t->pprev = &threads;
	if (threads)
		threads->pprev = &t->next;
	threads = t;
	tls_self = t;
	return t;
}

static void grow_slots(struct tls_thread *t, size_t want)
{
	struct tls_slot *grown;

	if (want <= t->nslots)
		return;
	grown = realloc(t->slots, want * sizeof(*grown));
	if (!grown)
		die("cannot allocate the block table", 0);
	memset(grown + t->nslots, 0, (want - t->nslots) * sizeof(*grown));
	t->slots = tls_table = grown;
	t->nslots = tls_table_len = want;
}

/* A block laid out as the template says: image copied, the rest zeroed. */
static void *new_block(const struct tls_image *img)
{
	size_t align = img->align < MIN_ALIGN ? MIN_ALIGN : img->align;
	void *block;

	if (posix_memalign(&block, align, img->memsz ? img->memsz : 1))
		return NULL;
	if (img->filesz)
		memcpy(block, img->init, img->filesz);
	memset((char *)block + img->filesz, 0, img->memsz - img->filesz);
	return block;
}

/* Sets up this thread's copies of the reserve's blocks placed since it last
 * looked, each from its image. Under the lock. */
static void sync_reserve(void)
{
#if TLS_RESERVE > 0
	size_t seen = tls_static_seen;

	for (size_t i = 0; i < nmodules; i++) {
		const struct tls_module *m = &modules[i];
		if (!m->id || !m->in_reserve || m->placed_gen <= seen)
			continue;
		if (m->img.filesz) /* init is NULL for a block of zeros */
			memcpy(reserve + m->rsv_off, m->img.init, m->img.filesz);
		memset(reserve + m->rsv_off + m->img.filesz, 0, m->img.memsz - m->img.filesz);
	}
#endif
	tls_static_seen = tls_static_gen;
}

/* First access of a module by this thread. Under the lock. */
static void *allocate_block(size_t id)
{
	size_t slot = slot_of(id);
	struct tls_thread *t;
	void *block;

	if (slot >= nmodules || modules[slot].id != id)
		die("access to a module that is not loaded", id);
	t = this_thread();
	grow_slots(t, slot + 1);
	if (modules[slot].in_reserve && tls_static_seen != tls_static_gen)
		sync_reserve();
	/* A static module's block is this thread's copy in static TLS, set
	 * up by the provider: dynamic and initial-exec accesses meet there. */
	block = modules[slot].is_static ? thread_pointer() + modules[slot].tpoff
	                                : new_block(&modules[slot].img);
	if (!block)
		die("cannot allocate a block", id);
	t->slots[slot].id = id;
	__atomic_store_n(&t->slots[slot].tpoff, (char *)block - t->tp, __ATOMIC_RELAXED);
	if (!modules[slot].is_static)
		nblocks++;
	return block;
}

static void *get_addr_slow(const struct tls_index *ti)
{
	void *block;

	pthread_mutex_lock(&tls_lock);
	block = allocate_block(ti->module);
	pthread_mutex_unlock(&tls_lock);
	return (char *)block + ti->offset;
}

/* A block in the reserve, this thread's copies not yet set up. */
static char *static_block_slow(ptrdiff_t tpoff)
{
	pthread_mutex_lock(&tls_lock);
	sync_reserve();
	pthread_mutex_unlock(&tls_lock);
	return thread_pointer() + tpoff;
}

/* Old compilers called __tls_get_addr with a misaligned stack: the slow
 * paths, which call into libc, realign as glibc does rather than trust
 * every loaded library's compiler; the fast paths touch no stack. */
__attribute__((force_align_arg_pointer, noinline)) static void *
static_addr_slow(const struct tls_index *ti)
{
	return static_block_slow((ptrdiff_t)ti->module) + ti->offset;
}

__attribute__((force_align_arg_pointer, noinline)) static void *
dynamic_addr_slow(const struct tls_index *ti)
{
	return get_addr_slow(ti);
}

/* This thread's block of module modid if it is set up, else NULL
 * (dlinfo's RTLD_DI_TLS_DATA): a block in the reserve once this thread has
 * synced past its placement, one in the provider's static TLS always, a
 * dynamic one after the thread's first access. */
void *tls_block_if_allocated(size_t modid)
{
	struct tls_thread *t = tls_self;
	size_t slot = slot_of(modid);
	const struct tls_module *m;
	char *block = NULL;

	if (!tls_is_ours(modid))
		return NULL;
	pthread_mutex_lock(&tls_lock);
	m = slot < nmodules && modules[slot].id == modid ? &modules[slot] : NULL;
	if (m && m->in_reserve && m->placed_gen && m->placed_gen <= tls_static_seen)
		block = thread_pointer() + m->tpoff;
	else if (m && m->is_static && !m->in_reserve)
		block = thread_pointer() + m->tpoff;
	else if (m && !m->is_static && t && slot < t->nslots && t->slots[slot].id == modid &&
	         t->slots[slot].tpoff)
		block = t->tp + t->slots[slot].tpoff;
	pthread_mutex_unlock(&tls_lock);
	return block;
}

void *tls_get_addr(struct tls_index *ti)
{
	size_t module = ti->module, slot;
	ptrdiff_t tpoff;

	if (__builtin_expect((ptrdiff_t)module < 0, 1)) {
		if (__builtin_expect(tls_static_seen ==
		                             __atomic_load_n(&tls_static_gen, __ATOMIC_RELAXED),
		                     1))
			return thread_pointer() + (ptrdiff_t)module + ti->offset;
		return static_addr_slow(ti);
	}
	if (!tls_is_ours(module))
		return __tls_get_addr(ti);
	slot = slot_of(module);
	if (slot < tls_table_len &&
	    (tpoff = __atomic_load_n(&tls_table[slot].tpoff, __ATOMIC_RELAXED)))
		return thread_pointer() + tpoff + ti->offset;
	return dynamic_addr_slow(ti);
}

struct host_query {
	uintptr_t addr;
	size_t modid;
	size_t offset;
};

static int match_host_block(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct host_query *q = arg;
	uintptr_t start = (uintptr_t)info->dlpi_tls_data;
	int i;

	(void)size;
	if (!info->dlpi_tls_modid || !start || q->addr < start)
		return 0;
	for (i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type == PT_TLS && q->addr - start < ph->p_memsz) {
			q->modid = info->dlpi_tls_modid;
			q->offset = q->addr - start;
			return 1;
		}
	}
	return 0;
}

int tls_host_locate(const void *addr, size_t *modid, size_t *offset)
{
	struct host_query q = {.addr = (uintptr_t)addr};

	if (!dl_iterate_phdr(match_host_block, &q))
		return -ENOENT;
	*modid = q.modid;
	*offset = q.offset;
	return 0;
}

size_t tls_block_count(void)
{
	size_t n;

	pthread_mutex_lock(&tls_lock);
	n = nblocks;
	pthread_mutex_unlock(&tls_lock);
	return n;
}

static int locate_ours(struct sl_lib *lib, const struct symdef *def, size_t *modid,
                       size_t *offset);

/* Set once by libsoload-preload.so before any load; read under the
 * registry lock. */
static const struct tls_static_provider *static_provider;

void tls_set_static_provider(const struct tls_static_provider *p)
{
	static_provider = p;
}

/* Linked for initial-exec TLS, and there is static TLS to give. */
static int wants_static(const struct sl_lib *lib)
{
	return static_provider && lib_has(lib, DT_FLAGS) && (lib->dt_flags & DF_STATIC_TLS);
}

/* Whether relocation writes into [lo, hi) only by relative relocations
 * (the load address plus an addend), as libGLdispatch's TLS image holds a
 * pointer: then buf, the file's bytes there, becomes the image as
 * relocation will leave it. 0 if another kind writes there, or the
 * library has DT_RELR (not worked out here). */
static int relocated_before(const struct sl_lib *lib, uint64_t lo, uint64_t hi, unsigned char *buf)
{
	const Elf64_Rela *tables[2] = {lib->rela, lib->jmprel};
	size_t counts[2] = {lib->nrela, lib->njmprel};

	if (lib->nrelr)
		return 0;
	for (int t = 0; t < 2; t++) {
		for (size_t i = 0; i < counts[t]; i++) {
			const Elf64_Rela *r = &tables[t][i];
			uint64_t value = lib->base + (uint64_t)r->r_addend;
			if (r->r_offset + sizeof(value) <= lo || r->r_offset >= hi)
				continue;
			if (reloc_kind_of(ELF64_R_TYPE(r->r_info)) != RK_RELATIVE ||
			    r->r_offset < lo || r->r_offset + sizeof(value) > hi)
				return 0;
			memcpy(buf + (r->r_offset - lo), &value, sizeof(value));
		}
	}
	return 1;
}

/* Puts lib's module in static TLS; undone by tls_detach (the provider's
 * space is not reused). The provider is given the relocated image when it
 * can be worked out now, so that threads that exist can have it too. */
static int place_static(struct sl_lib *lib, const struct tls_image *img)
{
	const Elf64_Phdr *ph = &lib->tls_ph;
	struct tls_image given = *img;
	unsigned char *final = img->filesz ? malloc(img->filesz) : NULL;
	ptrdiff_t tpoff;
	size_t slot = slot_of(lib->tls_modid);
	int rc;

	if (final) {
		memcpy(final, img->init, img->filesz);
		if (relocated_before(lib, ph->p_vaddr, ph->p_vaddr + ph->p_filesz, final)) {
			given.init = final;
			given.final = 1;
		}
	}
	rc = static_provider->assign(lib->name, &given, &tpoff);
	free(final);
	if (rc != 0) {
		tls_unregister(lib->tls_modid);
		lib->tls_modid = 0;
		return -1;
	}
	pthread_mutex_lock(&tls_lock);
	modules[slot].tpoff = tpoff;
	modules[slot].is_static = 1;
	pthread_mutex_unlock(&tls_lock);
	return 0;
}

/* The static module of a variable of ours, and its offset from the thread
 * pointer. 0, or -1 with sl_error(). */
static int static_tpoff(struct sl_lib *lib, size_t modid, size_t offset, uint64_t *value)
{
	size_t slot = slot_of(modid);
	int ok;

	pthread_mutex_lock(&tls_lock);
	ok = slot < nmodules && modules[slot].id == modid && modules[slot].is_static;
	if (ok)
		*value = (uint64_t)(modules[slot].tpoff + (ptrdiff_t)offset);
	pthread_mutex_unlock(&tls_lock);
	if (!ok)
		return error_set(lib->name, "initial-exec TLS relocation against a variable whose "
		                            "library is not in static TLS");
	return 0;
}

int tls_tpoff_relocate(struct sl_lib *lib, const Elf64_Rela *r, uint64_t *value)
{
	uint32_t symidx = ELF64_R_SYM(r->r_info);
	struct symdef def;

	if (!static_provider)
		return -2;
	if (symidx == 0)
		return lib->tls_modid ? static_tpoff(lib, lib->tls_modid, 0, value)
		                      : error_set(lib->name, "TPOFF64 relocation but no PT_TLS");
	if (symbol_resolve(lib, symidx, &def) != 0)
		return -1;
	if (def.lib) {
		size_t modid, offset;
		return locate_ours(lib, &def, &modid, &offset)
		               ? -1
		               : static_tpoff(lib, modid, offset, value);
	}
	if (!def.addr)
		return error_set(lib->name, "initial-exec TLS relocation against undefined %s",
		                 symbol_name(lib, symidx));
	/* A host library's variable: dlsym gave this thread's copy, which is
	 * in static TLS (glibc's start-up libraries are). */
	*value = (uint64_t)((char *)def.addr - thread_pointer());
	return 0;
}

#if TLS_RESERVE > 0
/* The lowest offset in the reserve, aligned to align, where size bytes
 * overlap no placed block; TLS_RESERVE if none. Under the lock. */
static size_t find_room(size_t size, size_t align)
{
	size_t off = 0, i = 0;

	while (off + size <= TLS_RESERVE && i < nmodules) {
		const struct tls_module *m = &modules[i++];
		if (!m->id || !m->in_reserve || !size || m->rsv_off >= off + size ||
		    m->rsv_off + m->img.memsz <= off)
			continue;
		off = (m->rsv_off + m->img.memsz + align - 1) & ~(align - 1);
		i = 0; /* moved past it: look at every block again */
	}
	return off + size <= TLS_RESERVE ? off : TLS_RESERVE;
}
#endif

/* Puts the module modid in the reserve if it fits; it stays dynamic if
 * not. Threads set their copies up once it is published (tls_publish). */
static void place_in_reserve(size_t modid)
{
#if TLS_RESERVE > 0
	struct tls_module *m;
	size_t off, align;
	ptrdiff_t tpoff;

	pthread_mutex_lock(&tls_lock);
	m = &modules[slot_of(modid)];
	align = m->img.align > MIN_ALIGN ? m->img.align : MIN_ALIGN;
	off = align <= RESERVE_ALIGN ? find_room(m->img.memsz, align) : TLS_RESERVE;
	tpoff = (char *)reserve + off - thread_pointer();
	if (off < TLS_RESERVE && tpoff < 0 && (size_t)-tpoff < STATIC_MAX_DIST) {
		m->is_static = m->in_reserve = 1;
		m->rsv_off = off;
		m->tpoff = tpoff;
		m->placed_gen = 0; /* no thread sets it up before tls_publish */
	}
	pthread_mutex_unlock(&tls_lock);
#else
	(void)modid;
#endif
}

/* The offset from the thread pointer of modid's block if it is in static
 * TLS, below it, as DTPMOD64 words carry it; 0 otherwise. */
static ptrdiff_t static_tpoff_of(size_t modid)
{
	const struct tls_module *m;
	ptrdiff_t tpoff = 0;

	if (!tls_is_ours(modid))
		return 0;
	pthread_mutex_lock(&tls_lock);
	m = &modules[slot_of(modid)];
	if (m->id == modid && m->is_static && m->tpoff < 0 && (size_t)-m->tpoff < STATIC_MAX_DIST)
		tpoff = m->tpoff;
	pthread_mutex_unlock(&tls_lock);
	return tpoff;
}

/* What a DTPMOD64 relocation stores for the module modid: for a module in
 * static TLS, its (negative) offset from the thread pointer. */
static size_t module_word(size_t modid)
{
	ptrdiff_t tpoff = static_tpoff_of(modid);

	return tpoff ? (size_t)tpoff : modid;
}

LOAD_PATH int tls_attach(struct sl_lib *lib)
{
	const Elf64_Phdr *ph = &lib->tls_ph;
	struct tls_image img = {NULL, ph->p_filesz, ph->p_memsz, ph->p_align, 0};
	int err;

	if (ph->p_type != PT_TLS)
		return 0;
	if (ph->p_filesz && !(img.init = lib_ptr(lib, ph->p_vaddr, ph->p_filesz)))
		return error_set(lib->name, "PT_TLS image 0x%lx+0x%lx outside the segments",
		                 ph->p_vaddr, ph->p_filesz);
	err = tls_register(&img, &lib->tls_modid);
	if (err == -EINVAL)
		return error_set(lib->name, "bad PT_TLS (filesz 0x%lx, memsz 0x%lx, align 0x%lx)",
		                 ph->p_filesz, ph->p_memsz, ph->p_align);
	if (err)
		return error_set(lib->name, "cannot register its TLS: %s", strerror(-err));
	if (wants_static(lib))
		return place_static(lib, &img);
	place_in_reserve(lib->tls_modid);
	return 0;
}

LOAD_PATH int tls_publish(struct sl_lib *lib)
{
	struct tls_module *m;
	struct tls_image img;
	ptrdiff_t tpoff = 0;

	if (!lib->tls_modid)
		return 0;
	pthread_mutex_lock(&tls_lock);
	m = &modules[slot_of(lib->tls_modid)];
	if (m->id == lib->tls_modid && m->in_reserve && !m->placed_gen) {
		m->placed_gen = tls_static_gen + 1;
		__atomic_store_n(&tls_static_gen, m->placed_gen, __ATOMIC_RELAXED);
	} else if (m->id == lib->tls_modid && m->is_static && !m->in_reserve) {
		img = m->img;
		tpoff = m->tpoff;
	}
	pthread_mutex_unlock(&tls_lock);
	/* The provider's space: set up in every thread now. */
	return tpoff ? static_provider->publish(lib->name, &img, tpoff) : 0;
}

void tls_detach(struct sl_lib *lib)
{
	tls_unregister(lib->tls_modid);
	lib->tls_modid = 0;
	free(lib->tlsdesc);
	lib->tlsdesc = NULL;
	lib->ntlsdesc = lib->tlsdesc_cap = 0;
}

/* A variable of one of our libraries: its module and st_value. */
static int locate_ours(struct sl_lib *lib, const struct symdef *def, size_t *modid, size_t *offset)
{
	const char *name = def->lib->tab.strtab + def->sym->st_name;

	if (ELF64_ST_TYPE(def->sym->st_info) != STT_TLS)
		return error_set(lib->name, "TLS relocation against %s, which is not thread-local",
		                 name);
	if (!def->lib->tls_modid)
		return error_set(lib->name, "TLS relocation against %s, but %s has no PT_TLS",
		                 name, def->lib->name);
	*modid = def->lib->tls_modid;
	*offset = def->addr;
	return 0;
}

/* The module and offset (before the addend) of the variable relocation r
 * of lib refers to; *missing set for an undefined weak one, which has
 * neither (the module is then lib's own). 0, or -1 with sl_error(). */
static int locate_var(struct sl_lib *lib, const Elf64_Rela *r, size_t *modid, size_t *offset,
                      int *missing)
{
	uint32_t symidx = ELF64_R_SYM(r->r_info);
	struct symdef def;

	*modid = lib->tls_modid;
	*offset = 0;
	*missing = 0;
	if (symidx == 0 && !*modid)
		return error_set(lib->name, "TLS relocation at offset 0x%lx but no PT_TLS",
		                 r->r_offset);
	if (symidx == 0)
		return 0;
	if (symbol_resolve(lib, symidx, &def) != 0)
		return -1;
	if (def.lib)
		return locate_ours(lib, &def, modid, offset);
	*missing = !def.addr;
	/* dlsym gave this thread's copy of a host variable. */
	if (def.addr && tls_host_locate((void *)def.addr, modid, offset))
		return error_set(lib->name, "%s is not in any host library's TLS block",
		                 symbol_name(lib, symidx));
	return 0;
}

int tls_relocate(struct sl_lib *lib, const Elf64_Rela *r, int want_module, uint64_t *value)
{
	size_t modid, offset;
	int missing;

	if (locate_var(lib, r, &modid, &offset, &missing) != 0)
		return -1;
	*value = want_module ? module_word(modid) : offset;
	return 0;
}

/*
 * TLS descriptors. The resolver (tlsdesc.S) must keep every register but
 * %rax, so it saves the vector, mask and x87 state with XSAVE around its
 * call into tls_desc_resolve; which components, and how much room they
 * take, is read once by xstate.c from XCR0 and CPUID leaf 0xD.
 */
extern char tlsdesc_resolver[] __attribute__((visibility("hidden")));
__attribute__((visibility("hidden"))) uint64_t tlsdesc_xsave_mask;
__attribute__((visibility("hidden"))) uint64_t tlsdesc_xsave_size;
static pthread_once_t xsave_once = PTHREAD_ONCE_INIT;

static void read_xsave_layout(void)
{
	const struct xstate_layout *x = xstate_layout();

	if (!x->has_xsave)
		return;
	tlsdesc_xsave_mask = x->mask;
	tlsdesc_xsave_size = x->standard;
}

/* The descriptors' three functions (tlsdesc.S): a dynamic module's
 * (argument: a tls_index), a static one's (argument: the offset from the
 * thread pointer) and an undefined weak variable's (argument: its address,
 * the addend). */
extern char tlsdesc_static[] __attribute__((visibility("hidden")));
extern char tlsdesc_undef[] __attribute__((visibility("hidden")));

/* What the resolvers ask, every register saved. */
__attribute__((visibility("hidden"))) void *tls_desc_resolve(struct tls_index *ti);
__attribute__((visibility("hidden"))) void *tls_desc_resolve_static(ptrdiff_t tpoff);

void *tls_desc_resolve(struct tls_index *ti)
{
	return tls_get_addr(ti);
}

void *tls_desc_resolve_static(ptrdiff_t tpoff)
{
	return static_block_slow(tpoff);
}

static size_t count_descs(const Elf64_Rela *r, size_t n)
{
	size_t count = 0;

	for (size_t i = 0; i < n; i++)
		count += reloc_kind_of(ELF64_R_TYPE(r[i].r_info)) == RK_TLSDESC;
	return count;
}

/* A descriptor's argument, in an array sized once for all of lib's: the
 * descriptors point into it, so it never moves. */
static struct tls_index *new_desc_arg(struct sl_lib *lib)
{
	if (!lib->tlsdesc) {
		lib->tlsdesc_cap = count_descs(lib->rela, lib->nrela) +
		                   count_descs(lib->jmprel, lib->njmprel);
		lib->tlsdesc = calloc(lib->tlsdesc_cap, sizeof(*lib->tlsdesc));
	}
	if (!lib->tlsdesc || lib->ntlsdesc == lib->tlsdesc_cap)
		return NULL;
	return &lib->tlsdesc[lib->ntlsdesc++];
}

int tls_desc_relocate(struct sl_lib *lib, const Elf64_Rela *r, void *desc)
{
	struct tls_index *ti;
	size_t modid, offset;
	ptrdiff_t tpoff;
	uint64_t words[2];
	int missing;

	pthread_once(&xsave_once, read_xsave_layout);
	if (!tlsdesc_xsave_size)
		return error_set(lib->name, "TLS descriptors need XSAVE, which this CPU or its "
		                            "kernel does not offer");
	if (locate_var(lib, r, &modid, &offset, &missing) != 0)
		return -1;
	if (missing) {
		words[0] = (uint64_t)(uintptr_t)tlsdesc_undef;
		words[1] = (uint64_t)r->r_addend;
	} else if ((tpoff = static_tpoff_of(modid))) {
		words[0] = (uint64_t)(uintptr_t)tlsdesc_static;
		words[1] = (uint64_t)(tpoff + (ptrdiff_t)offset + r->r_addend);
	} else {
		if (!(ti = new_desc_arg(lib)))
			return error_set(lib->name, "out of memory");
		ti->module = modid;
		ti->offset = offset + r->r_addend;
		words[0] = (uint64_t)(uintptr_t)tlsdesc_resolver;
		words[1] = (uint64_t)(uintptr_t)ti;
	}
	memcpy(desc, words, sizeof(words));
	return 0;
}

LOAD_PATH void *tls_override(const char *name)
{
	if (name[0] != '_' || name[1] != '_')
		return NULL;
	if (!strcmp(name, "__tls_get_addr"))
		return (void *)tls_get_addr;
	/* libstdc++'s __cxa_thread_atexit hands its arguments on to libc's
	 * __cxa_thread_atexit_impl unchanged; taken here too, so that a
	 * library's thread_local destructors keep it loaded also when the
	 * process already holds libstdc++ (glibc's own copy would pin only
	 * what glibc loaded). */
	if (!strcmp(name, "__cxa_thread_atexit_impl") || !strcmp(name, "__cxa_thread_atexit"))
		return (void *)tls_thread_atexit;
	return NULL;
}

/* A thread_local destructor registered by a loaded library, and the
 * reference that keeps the library mapped until it has run. */
struct thread_dtor {
	void (*fn)(void *);
	void *obj;
	struct sl_lib *lib;
};

static void run_thread_dtor(void *arg)
{
	struct thread_dtor *d = arg;

	d->fn(d->obj);
	if (d->lib) {
		registry_lock();
		unload_unpin(d->lib);
		registry_unlock();
	}
	free(d);
}

int tls_thread_atexit(void (*fn)(void *), void *obj, void *dso_symbol)
{
	struct thread_dtor *d = malloc(sizeof(*d));

	if (!d)
		return -1;
	d->fn = fn;
	d->obj = obj;
	registry_lock();
	if ((d->lib = registry_find_addr(dso_symbol)))
		unload_pin(d->lib);
	registry_unlock();
	/* glibc pins whatever holds the function it is given: libsoload. */
	return __cxa_thread_atexit_impl(run_thread_dtor, d, (void *)run_thread_dtor);
}
