#include "hostsym.h"
#include "loadpath.h"
#include "arraygrow.h"
#include "namefilter.h"
#include "sharednames.h"
#include "lib.h"
#include "symbol.h"

#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>

#define MAX_MISSES 32
#define MAX_NAME   48

/*
 * Misses stay true while glibc loads and unloads nothing (its dlpi_adds and
 * dlpi_subs counters): only a new object can define a new name. The one
 * case this misses, dlopen promoting an already loaded library to
 * RTLD_GLOBAL, does not happen for the names that miss in practice. Only
 * unversioned names are cached: a versioned reference names its file, and
 * the symbol step asks only that file.
 */
struct miss {
	void *handle;
	char name[MAX_NAME];
};

static pthread_mutex_t misses_lock = PTHREAD_MUTEX_INITIALIZER;
static struct miss misses[MAX_MISSES];
static size_t nmisses, next_victim;
static unsigned long long misses_generation;

/* glibc's counts of objects ever loaded and unloaded, read together. */
struct counts {
	unsigned long long adds, subs;
};

LOAD_PATH static int read_counts(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct counts *c = arg;

	(void)size;
	c->adds = info->dlpi_adds;
	c->subs = info->dlpi_subs;
	return 1;
}

static void objects_changed(void);

/* Drops every miss if glibc loaded something. Under the lock. */
static void check_generation(unsigned long long adds)
{
	if (adds != misses_generation) {
		nmisses = next_victim = 0;
		objects_changed();
	}
	misses_generation = adds;
}

static int known_missing(void *handle, const char *name)
{
	size_t i;

	for (i = 0; i < nmisses; i++)
		if (misses[i].handle == handle && !strcmp(misses[i].name, name))
			return 1;
	return 0;
}

static void note_missing(void *handle, const char *name)
{
	struct miss *m;

	if (strlen(name) >= MAX_NAME)
		return;
	m = nmisses < MAX_MISSES ? &misses[nmisses++] : &misses[next_victim++ % MAX_MISSES];
	m->handle = handle;
	strcpy(m->name, name);
}

/* Set while this thread relocates a library: the checks for objects glibc
 * added or removed ran once when the pass began (hostsym_begin_pass), not
 * once per symbol, which cost a dl_iterate_phdr each (a fifth of sl_open's
 * own instructions on libz). */
static __thread int in_pass;

/* glibc's count of unloads as last seen. */
static unsigned long long known_subs;

/* Whether glibc loaded or unloaded anything since the last look: one
 * dl_iterate_phdr that stops at the first object. Under the lock. */
LOAD_PATH static void check_changes(void)
{
	struct counts now = {0, 0};

	if (in_pass)
		return;
	dl_iterate_phdr(read_counts, &now);
	if (now.subs != known_subs) {
		known_subs = now.subs;
		objects_changed();
	}
	check_generation(now.adds);
}

static void snapshot_tables(void);
static void drop_snapshot(void);
static void prepare_tests(const struct sl_symtab *owner, size_t lookups);
static __thread int npass_tables = -1; /* -1: no snapshot (below) */

LOAD_PATH void hostsym_begin_pass(const struct sl_symtab *owner, size_t lookups)
{
	pthread_mutex_lock(&misses_lock);
	in_pass = 0;
	check_changes();
	snapshot_tables();
	prepare_tests(owner, lookups);
	in_pass = 1;
	pthread_mutex_unlock(&misses_lock);
}

LOAD_PATH void hostsym_end_pass(void)
{
	in_pass = 0;
	drop_snapshot();
}

unsigned long long hostsym_generation(void)
{
	unsigned long long g;

	pthread_mutex_lock(&misses_lock);
	check_changes();
	g = misses_generation;
	pthread_mutex_unlock(&misses_lock);
	return g;
}

static int nowhere_defined(const char *name);

LOAD_PATH void *hostsym_lookup(void *handle, const char *name, const char *version)
{
	void *p;
	int missing;

	pthread_mutex_lock(&misses_lock);
	check_changes();
	missing = nowhere_defined(name) || (!version && known_missing(handle, name));
	pthread_mutex_unlock(&misses_lock);
	if (missing)
		return NULL;
	if (version)
		return dlvsym(handle, name, version);
	p = dlsym(handle, name);
	if (!p) {
		pthread_mutex_lock(&misses_lock);
		check_changes();
		note_missing(handle, name);
		pthread_mutex_unlock(&misses_lock);
	}
	return p;
}

/*
 * The address ranges of the objects glibc has loaded, sorted, to tell in a
 * binary search whether an address lies inside one. dladdr answers that
 * too, but glibc's _dl_addr then scans every symbol of the object for the
 * nearest one: asked once per bound symbol, it was the largest single cost
 * of a first sl_open (a tenth of a fresh process's load of liblzma).
 * Made from the objects' program headers when first asked after the
 * objects were (a load that binds no symbol from a share cache never
 * asks: its 800 bytes were most of a heap page). Under the lock.
 */
struct range {
	uintptr_t lo, hi;
	unsigned object; /* dl_iterate_phdr's order: ranges of one object share it */
};

/*
 * An object glibc has loaded, as libsoload's own lookup sees it: its
 * symbol tables as a struct sl_symtab, so that symbol_find_in() searches
 * it exactly as one of libsoload's libraries.
 * Whether it is in glibc's global scope is found out only when a lookup
 * would take its definition (probe_scope).
 */
enum host_scope { SCOPE_UNKNOWN, SCOPE_GLOBAL, SCOPE_LOCAL };

/* Kept small: one for each object glibc has, on the heap of every
 * process that loads a library (the heap pages a first load touches are
 * glibc's own dlopen's, and 184 bytes each were a page more). */
struct host_object {
	/* The tables symbol_find_in() searches, in place: a struct sl_lib
	 * for each object a lookup reached (2 KiB, most of it unused) cost a
	 * fresh process's first load a page fault for every two of them. */
	struct sl_symtab tab;
	uintptr_t base;
	const ElfW(Phdr) * phdr; /* in the object's own memory */
	const ElfW(Dyn) * dynamic;
	const Elf64_Verdef *verdef;
	uint32_t nverdef;
	uint16_t phnum;
	uint8_t scope;         /* enum host_scope */
	uint8_t versions_read; /* tab.versions filled from verdef (on first need) */
	uint8_t tables;        /* a hash table and the symbol table were found */
};

static struct {
	struct range *r;
	size_t n, cap;
	unsigned long long ranges_build; /* the build r was made from; 0: none */
	struct host_object *t;           /* one per object, in dl_iterate_phdr's order */
	size_t nt, tcap;
	unsigned long long builds; /* how often built: a probe's answer is for one build */
	int stale;                 /* 0 once built for glibc's current objects */
	int failed;                /* out of memory: no answer */
	int plain_dlsym;           /* the dlsym this code calls is libc's own */
} objects = {.stale = 1};

static void objects_changed(void)
{
	objects.stale = 1;
}

static int add_range(uintptr_t lo, uintptr_t hi, unsigned object)
{
	if (array_grow(&objects.r, &objects.cap, objects.n, sizeof(*objects.r), 32) != 0)
		return -1;
	objects.r[objects.n].lo = lo;
	objects.r[objects.n].object = object;
	objects.r[objects.n++].hi = hi;
	return 0;
}

/* An address the dynamic section gives: glibc has made most of them
 * absolute in place, but not those of a read-only dynamic section (the
 * vDSO's), which stay offsets from the base. 0 if it lies in none of the
 * object's segments. */
LOAD_PATH static uintptr_t dyn_address(const struct dl_phdr_info *info, uintptr_t v, size_t need)
{
	if (v < info->dlpi_addr)
		v += info->dlpi_addr;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr;
		if (ph->p_type == PT_LOAD && v >= lo && v - lo <= ph->p_memsz &&
		    need <= ph->p_memsz - (v - lo))
			return v;
	}
	return 0;
}

/* The hash tables as symbol_find_in() reads them. */
static void set_gnu_hash(struct sl_symtab *v, const uint32_t *h)
{
	if (!h[0] || !h[2] || (h[2] & (h[2] - 1)))
		return;
	v->gnu_hash = h;
	v->gnu_bloom = (const uint64_t *)(h + 4);
	v->gnu_buckets = (const uint32_t *)(v->gnu_bloom + h[2]);
	v->gnu_chains = v->gnu_buckets + h[0] - h[1];
}

static void read_tables(const struct dl_phdr_info *info, struct host_object *o)
{
	const ElfW(Dyn) *d = NULL;
	uintptr_t gnu = 0, sysv = 0, sym = 0, str = 0, strsz = 0, versym = 0, verdef = 0;
	size_t nverdef = 0;

	memset(o, 0, sizeof(*o));
	o->base = info->dlpi_addr;
	o->phdr = info->dlpi_phdr;
	o->phnum = info->dlpi_phnum;
	for (int i = 0; i < info->dlpi_phnum; i++)
		if (info->dlpi_phdr[i].p_type == PT_DYNAMIC)
			d = (const void *)(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr);
	o->dynamic = d;
	for (; d && d->d_tag != DT_NULL; d++) {
		uintptr_t v = d->d_un.d_ptr;
		switch (d->d_tag) {
		case DT_GNU_HASH:
			gnu = v;
			break;
		case DT_HASH:
			sysv = v;
			break;
		case DT_SYMTAB:
			sym = v;
			break;
		case DT_STRTAB:
			str = v;
			break;
		case DT_STRSZ:
			strsz = v;
			break;
		case DT_VERSYM:
			versym = v;
			break;
		case DT_VERDEF:
			verdef = v;
			break;
		case DT_VERDEFNUM:
			nverdef = v;
			break;
		}
	}
	if ((!gnu && !sysv) || !sym || !str || !strsz ||
	    !(sym = dyn_address(info, sym, sizeof(ElfW(Sym)))) ||
	    !(str = dyn_address(info, str, strsz)))
		return;
	o->tab.symtab = (const ElfW(Sym) *)sym;
	o->tab.strtab = (const char *)str;
	o->tab.strsz = strsz;
	if (gnu && (gnu = dyn_address(info, gnu, 16)))
		set_gnu_hash(&o->tab, (const uint32_t *)gnu);
	else if (sysv && (sysv = dyn_address(info, sysv, 8)))
		o->tab.sysv_hash = (const uint32_t *)sysv;
	if (o->tab.gnu_hash)
		o->tab.gnu_names = gnu_names_count(o->tab.gnu_hash);
	if (versym)
		o->tab.versym = (const uint16_t *)dyn_address(info, versym, 2);
	if (verdef && (verdef = dyn_address(info, verdef, sizeof(Elf64_Verdef)))) {
		o->verdef = (const Elf64_Verdef *)verdef;
		o->nverdef = nverdef > UINT32_MAX ? UINT32_MAX : (uint32_t)nverdef;
	}
	o->tables = o->tab.gnu_hash || o->tab.sysv_hash;
}

/* o's DT_SONAME, or NULL. */
static const char *soname_of(const struct host_object *o)
{
	for (const ElfW(Dyn) *d = o->dynamic; d && o->tab.strtab && d->d_tag != DT_NULL; d++)
		if (d->d_tag == DT_SONAME && d->d_un.d_val < o->tab.strsz)
			return o->tab.strtab + d->d_un.d_val;
	return NULL;
}

/* Calls fn for each of o's version definitions, at most nverdef of them
 * (a table whose links loop ends). */
static void each_verdef(struct host_object *o,
                        void (*fn)(struct sl_symtab *t, const Elf64_Verdef *vd))
{
	const char *at = (const char *)o->verdef;

	for (size_t i = 0; at && i < o->nverdef; i++) {
		const Elf64_Verdef *vd = (const Elf64_Verdef *)at;
		fn(&o->tab, vd);
		if (!vd->vd_next)
			break;
		at += vd->vd_next;
	}
}

LOAD_PATH static void count_version(struct sl_symtab *t, const Elf64_Verdef *vd)
{
	if ((size_t)(vd->vd_ndx & 0x7fff) >= t->nversions)
		t->nversions = (vd->vd_ndx & 0x7fff) + 1u;
}

static void note_version(struct sl_symtab *t, const Elf64_Verdef *vd)
{
	const Elf64_Verdaux *aux = (const Elf64_Verdaux *)((const char *)vd + vd->vd_aux);

	if (!(vd->vd_flags & VER_FLG_BASE) && aux->vda_name < t->strsz &&
	    aux->vda_name < VERSION_HIDDEN) {
		t->versions[vd->vd_ndx & 0x7fff].name = aux->vda_name;
		t->versions[vd->vd_ndx & 0x7fff].hash = vd->vd_hash;
	}
}

/* The versions an object defines, by index, as glibc records them: the
 * base version (the object itself) is not one. Read on the first
 * versioned lookup that reaches the object, into one array sized from the
 * highest index (grown as they came, its copies took a fresh process's
 * first load a page of heap). Under the lock. */
static void read_versions(struct host_object *o)
{
	o->versions_read = 1;
	each_verdef(o, count_version);
	if (o->tab.nversions &&
	    !(o->tab.versions = calloc(o->tab.nversions, sizeof(*o->tab.versions)))) {
		o->tab.nversions = 0;
		return;
	}
	each_verdef(o, note_version);
}

LOAD_PATH static int count_object(struct dl_phdr_info *info, size_t size, void *arg)
{
	(void)info;
	(void)size;
	++*(size_t *)arg;
	return 0;
}

/* Room for as many as glibc has: grown from a guess, the copies left
 * holes of a few hundred bytes, a heap page for every few of them. */
LOAD_PATH static int collect_object(struct dl_phdr_info *info, size_t size, void *arg)
{
	size_t *want = arg;

	(void)size;
	if (array_grow(&objects.t, &objects.tcap, objects.nt, sizeof(*objects.t), *want) != 0)
		return 1;
	read_tables(info, &objects.t[objects.nt++]);
	return 0;
}

/* By start address. An insertion sort: glibc lists the objects mostly in
 * address order already, and qsort's merge sort (a buffer and a call per
 * comparison) cost a fresh process's first load 10K instructions. */
static void sort_ranges(struct range *r, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct range x = r[i];
		size_t j = i;
		for (; j > 0 && r[j - 1].lo > x.lo; j--)
			r[j] = r[j - 1];
		r[j] = x;
	}
}

/* The object whose segments hold addr: its index, or -1. A scan of each
 * object's program headers, for the one or two addresses a build asks
 * (range_of is the binary search for many). */
LOAD_PATH static long object_holding(const void *addr)
{
	uintptr_t a = (uintptr_t)addr;

	for (size_t i = 0; i < objects.nt; i++) {
		const struct host_object *o = &objects.t[i];
		for (uint16_t j = 0; j < o->phnum; j++) {
			const ElfW(Phdr) *ph = &o->phdr[j];
			uintptr_t lo = o->base + ph->p_vaddr;
			if (ph->p_type == PT_LOAD && a >= lo && a - lo < ph->p_memsz)
				return (long)i;
		}
	}
	return -1;
}

/*
 * Whether the dlsym this code calls lies in glibc's libc. Not under
 * `soload run`, whose preload answers dlsym for libsoload's libraries
 * too, nor under a tool that interposes dlsym: only glibc's own dlsym
 * finds nothing but what glibc's objects define (nowhere_defined).
 */
static int dlsym_is_libcs(void)
{
	void *(*volatile ours)(void *, const char *) = dlsym;
	long libc = -1;

	for (struct link_map *l = _r_debug.r_map; l && libc < 0; l = l->l_next) {
		const char *slash = l->l_name ? strrchr(l->l_name, '/') : NULL;
		if (slash && strcmp(slash + 1, "libc.so.6") == 0)
			libc = object_holding(l->l_ld);
	}
	return libc >= 0 && object_holding((const void *)ours) == libc;
}

/* The objects glibc's global scope holds for sure, kept across a rebuild:
 * an object stays global until it is unloaded. */
struct kept {
	uintptr_t base;
	const void *dynamic;
};

static size_t keep_globals(struct kept *k, size_t cap)
{
	size_t n = 0;

	for (size_t i = 0; i < objects.nt; i++) {
		if (objects.t[i].scope == SCOPE_GLOBAL && n < cap)
			k[n++] = (struct kept){objects.t[i].base, objects.t[i].dynamic};
		free(objects.t[i].tab.versions);
	}
	return n;
}

/* The first object of a soname the executable names in DT_NEEDED was
 * loaded with it, at start-up, into the global scope: known without
 * asking glibc (libc above all, whose probe cost a fresh process's first
 * load a dlsym). Only the first: a later one of the same soname is one
 * that dlopen was given a path to, maybe RTLD_LOCAL. */
static void mark_needed_by_executable(void)
{
	const struct host_object *exe = &objects.t[0];
	const ElfW(Dyn) *d = exe->dynamic;

	for (; d && exe->tab.strtab && d->d_tag != DT_NULL; d++) {
		const char *name = exe->tab.strtab + d->d_un.d_val;
		if (d->d_tag != DT_NEEDED || d->d_un.d_val >= exe->tab.strsz)
			continue;
		for (size_t i = 1; i < objects.nt; i++) {
			const char *soname = soname_of(&objects.t[i]);
			if (soname && strcmp(soname, name) == 0) {
				objects.t[i].scope = SCOPE_GLOBAL;
				break;
			}
		}
	}
}

static void restore_globals(const struct kept *k, size_t n)
{
	for (size_t i = 0; i < objects.nt; i++)
		for (size_t j = 0; j < n; j++)
			if (objects.t[i].base == k[j].base && objects.t[i].dynamic == k[j].dynamic)
				objects.t[i].scope = SCOPE_GLOBAL;
	/* dl_iterate_phdr gives the executable first: the global scope's head. */
	if (objects.nt) {
		objects.t[0].scope = SCOPE_GLOBAL;
		mark_needed_by_executable();
	}
}

LOAD_PATH static void build_objects(void)
{
	struct kept k[64];
	size_t nk = keep_globals(k, 64), want = 0;

	objects.nt = 0;
	dl_iterate_phdr(count_object, &want);
	objects.failed = dl_iterate_phdr(collect_object, &want) != 0;
	objects.stale = 0;
	objects.builds++;
	restore_globals(k, nk);
	objects.plain_dlsym = dlsym_is_libcs();
}

/* Each PT_LOAD segment is a range: the gaps between them belong to no
 * object, as for dladdr. */
static int build_ranges(void)
{
	objects.n = 0;
	objects.ranges_build = 0;
	for (size_t i = 0; i < objects.nt; i++) {
		const struct host_object *o = &objects.t[i];
		for (uint16_t j = 0; j < o->phnum; j++) {
			const ElfW(Phdr) *ph = &o->phdr[j];
			uintptr_t lo = o->base + ph->p_vaddr;
			if (ph->p_type == PT_LOAD && ph->p_memsz &&
			    add_range(lo, lo + ph->p_memsz, (unsigned)i) != 0)
				return -1;
		}
	}
	sort_ranges(objects.r, objects.n);
	objects.ranges_build = objects.builds;
	return 0;
}

/* The range holding addr, or NULL (none, or it could not be told). */
static const struct range *range_of(const void *addr)
{
	uintptr_t a = (uintptr_t)addr;
	size_t lo = 0, hi;

	if (objects.stale)
		build_objects();
	if (objects.failed || (objects.ranges_build != objects.builds && build_ranges() != 0))
		return NULL;
	/* The last range starting at or below a. */
	for (hi = objects.n; lo < hi;) {
		size_t mid = lo + (hi - lo) / 2;
		if (objects.r[mid].lo <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 && a < objects.r[lo - 1].hi ? &objects.r[lo - 1] : NULL;
}

/* Whether o defines name (hash: its GNU hash), or may: 0 only when its
 * GNU hash table says no. */
LOAD_PATH static int may_define(const struct host_object *o, const char *name, uint32_t hash)
{
	const struct sl_symtab *v = &o->tab;
	const uint32_t *h = v->gnu_hash;
	uint32_t i;

	if (!h)
		return 1;
	if (!symtab_may_hold(v, hash))
		return 0;
	i = v->gnu_buckets[hash % h[0]];
	if (i == 0)
		return 0;
	if (i < h[1])
		return 1;
	for (;; i++) {
		uint32_t c = v->gnu_chains[i];
		const ElfW(Sym) *s = &v->symtab[i];
		if ((c | 1) == (hash | 1) &&
		    (s->st_name >= v->strsz || strcmp(v->strtab + s->st_name, name) == 0))
			return 1;
		if (c & 1)
			return 0;
	}
}

/*
 * 1 if no object glibc has loaded defines name: dlsym and dlvsym would
 * fail, and a failure costs glibc a formatted error (the first in a
 * process 13-33 us measured here: a fresh process's load of liblzma asks
 * for __register_frame and the weak __gmon_start__ and _ITM_* names that
 * nothing defines). Looked up in each object's GNU hash table, as glibc
 * would; an object without one, or a table that could not be built, says
 * nothing. Under the lock.
 */
static int nowhere_defined(const char *name)
{
	uint32_t hash = 5381;

	if (objects.stale)
		build_objects();
	if (objects.failed || !objects.plain_dlsym)
		return 0;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		hash = hash * 33 + *p;
	for (size_t i = 0; i < objects.nt; i++)
		if (may_define(&objects.t[i], name, hash))
			return 0;
	return 1;
}

int hostsym_same_object(const void *a, const void *b)
{
	const struct range *ra, *rb;
	int same;

	pthread_mutex_lock(&misses_lock);
	check_changes();
	ra = range_of(a);
	rb = range_of(b);
	same = ra && rb && ra->object == rb->object;
	pthread_mutex_unlock(&misses_lock);
	return same;
}

int hostsym_object_at(const void *addr, uint32_t *index, uintptr_t *bias)
{
	const struct range *r;
	int rc = -1;

	pthread_mutex_lock(&misses_lock);
	check_changes();
	if ((r = range_of(addr)) && r->object < objects.nt) {
		*index = r->object;
		*bias = objects.t[r->object].base;
		rc = 0;
	}
	pthread_mutex_unlock(&misses_lock);
	return rc;
}

uintptr_t *hostsym_object_biases(size_t *n)
{
	uintptr_t *bias = NULL;

	pthread_mutex_lock(&misses_lock);
	check_changes();
	if (objects.stale)
		build_objects();
	if (!objects.failed && (bias = malloc((objects.nt + 1) * sizeof(*bias)))) {
		for (size_t i = 0; i < objects.nt; i++)
			bias[i] = objects.t[i].base;
		*n = objects.nt;
	}
	pthread_mutex_unlock(&misses_lock);
	return bias;
}

/*
 * Whether object i is in glibc's global scope. glibc's dl_iterate_phdr
 * lists every object it loaded, but one it dlopened RTLD_LOCAL (a python
 * extension module, an NSS module, libsoload.so opened by ctypes) is not
 * in the global scope and answers no one else's lookup. glibc's dlsym on
 * the executable's handle searches exactly the global scope (an
 * RTLD_GLOBAL dlopen appends to the executable's search list): asked for a
 * name only object i defines, it answers from object i or not at all.
 * Asked once per object per change of glibc's objects, and only for an
 * object whose definition a lookup is about to take.
 */
/* The executable's handle, as dlopen(NULL) gives it: in glibc a handle is
 * the object's struct link_map, and the executable's heads the debugger's
 * list. Taken from there: a dlopen in a fresh process faulted in glibc's
 * code for it. */
static void *main_handle(void)
{
	return _r_debug.r_map;
}

static int probe_candidate(const struct sl_symtab *v, uint32_t j)
{
	const ElfW(Sym) *s = &v->symtab[j];
	int type = ELF64_ST_TYPE(s->st_info), bind = ELF64_ST_BIND(s->st_info);

	return s->st_shndx != SHN_UNDEF && s->st_value != 0 && s->st_name < v->strsz &&
	       (type == STT_FUNC || type == STT_OBJECT) &&
	       (bind == STB_GLOBAL || bind == STB_WEAK) &&
	       (!v->versym || !(v->versym[j] & 0x8000));
}

static int defined_elsewhere(size_t i, const char *name)
{
	uint32_t hash = 5381;

	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		hash = hash * 33 + *p;
	for (size_t k = 0; k < objects.nt; k++)
		if (k != i && may_define(&objects.t[k], name, hash))
			return 1;
	return 0;
}

/* A name object i defines and no other object may, or NULL (none among
 * the first few tried, or no GNU hash table to walk). Under the lock. */
static const char *probe_name(size_t i)
{
	const struct sl_symtab *v = &objects.t[i].tab;
	const uint32_t *h = v->gnu_hash;
	unsigned tries = 0;

	for (uint32_t b = 0; h && b < h[0] && tries < 32; b++) {
		for (uint32_t j = v->gnu_buckets[b]; j >= h[1] && tries < 32; j++) {
			if (probe_candidate(v, j)) {
				const char *name = v->strtab + v->symtab[j].st_name;
				tries++;
				if (!defined_elsewhere(i, name))
					return name;
			}
			if (v->gnu_chains[j] & 1)
				break;
		}
	}
	return NULL;
}

/* Finds out object i's scope, letting go of the lock for glibc's dlsym
 * (glibc runs a dlopened library's constructors under its own lock, and
 * such a constructor may come here). 0 if the objects stayed as they were,
 * -1 if they changed meanwhile and the lookup must start again. */
static int probe_scope(size_t i)
{
	char name[256];
	const char *n = probe_name(i);
	unsigned long long builds = objects.builds;
	void *p;

	if (!n || strlen(n) >= sizeof(name)) {
		objects.t[i].scope = SCOPE_GLOBAL; /* cannot tell: as glibc's dlsym would */
		return 0;
	}
	strcpy(name, n);
	pthread_mutex_unlock(&misses_lock);
	p = main_handle() ? dlsym(main_handle(), name) : NULL;
	if (!p)
		dlerror(); /* the miss is an answer, not the program's error */
	pthread_mutex_lock(&misses_lock);
	check_changes();
	if (objects.stale)
		build_objects();
	if (objects.builds != builds || objects.failed || i >= objects.nt)
		return -1;
	/* An answer from another object (one that defines the name without a
	 * hash table saying so) tells nothing: taken as global, as before. */
	objects.t[i].scope = p ? SCOPE_GLOBAL : SCOPE_LOCAL;
	return 0;
}

/* The runtime value of a host object's definition; IFUNCs are resolved
 * outside the lock by the caller. */
static uintptr_t host_value(const struct host_object *o, const ElfW(Sym) * s)
{
	return s->st_shndx == SHN_ABS ? s->st_value : o->base + s->st_value;
}

/*
 * The GNU hash tables of the global scope's objects as a relocation pass
 * began, for hostsym_global_may_define to test their bloom filters
 * without the lock: a first load asks it for nearly every symbol the
 * library defines, and the lock was half its cost. An object not yet
 * known global counts (it may be); an object without a GNU hash table: no
 * snapshot, the table is asked. On the heap, for the pass: libsoload.so's
 * own TLS must fit in what glibc keeps spare.
 */
static __thread struct gnu_names *pass_tables;

/* Under the lock. */
static void snapshot_tables(void)
{
	int n = 0;

	drop_snapshot();
	if (objects.stale)
		build_objects();
	if (objects.failed)
		return;
	if (!(pass_tables = malloc(objects.nt * sizeof(*pass_tables) + 1)))
		return;
	for (size_t i = 0; i < objects.nt; i++) {
		const struct host_object *h = &objects.t[i];
		if (h->scope == SCOPE_LOCAL)
			continue;
		if (!h->tab.gnu_hash)
			return;
		pass_tables[n++] = (struct gnu_names){h->tab.gnu_hash, h->tab.gnu_names};
	}
	npass_tables = n;
}

static void drop_shared(void);
static __thread const struct namefilter *pass_merged;

static void drop_snapshot(void)
{
	drop_shared();
	pass_merged = NULL;
	free(pass_tables);
	pass_tables = NULL;
	npass_tables = -1;
}

/*
 * The names the library a pass relocates shares with the snapshot's
 * objects (sharednames.c), found as the pass begins when that costs fewer
 * tests than asking each object's filter for each of its names would:
 * each test is then a look in that short list. Dropped when the pass
 * ends.
 */
static __thread const struct sl_symtab *shared_owner; /* NULL: none found */
static __thread struct shared_names shared;

static void drop_shared(void)
{
	shared_names_free(&shared);
	shared_owner = NULL;
}

/* Under the lock. */
static void find_shared(const struct sl_symtab *owner, size_t lookups)
{
	struct gnu_names own;

	if (!owner || !owner->gnu_hash || npass_tables <= 0)
		return;
	own = (struct gnu_names){owner->gnu_hash, owner->gnu_names};
	if (shared_names_cost(own, pass_tables, (size_t)npass_tables) > lookups * npass_tables)
		return;
	if (shared_names_find(&shared, own, pass_tables, (size_t)npass_tables) == 0)
		shared_owner = owner;
}

LOAD_PATH static int snapshot_may_define(uint32_t hash)
{
	for (int i = 0; i < npass_tables; i++) {
		const uint32_t *t = pass_tables[i].table;
		if (gnu_bloom_may_hold((const uint64_t *)(t + 4), t[2] - 1, t[3], hash))
			return 1;
	}
	return 0;
}

/*
 * A process that asks glibc's objects about many names (a large tree, or
 * library after library) has their filters merged into one (namefilter.c)
 * once its passes have announced MERGE_AFTER lookups for one set of them:
 * a test is then one cache line, and no pass sweeps for shared names. It
 * is 4 KiB for the process's life, which a smaller load does not pay: that
 * was more heap than glibc's dlopen keeps. Read and made only in
 * relocation passes, which the registry lock keeps to one at a time.
 */
#define MERGE_AFTER 8192

static struct namefilter *merged;
static unsigned long long merged_build, announced_build;
static size_t announced; /* lookups announced by passes for announced_build */

static void merge_snapshot(void)
{
	namefilter_free(merged);
	merged = namefilter_build(pass_tables, (size_t)npass_tables);
	merged_build = objects.builds;
}

/* The merged filter for this pass, made if it is time; NULL if none. */
static const struct namefilter *merged_for_pass(size_t lookups)
{
	if (announced_build != objects.builds) {
		announced_build = objects.builds;
		announced = 0;
	}
	announced += lookups;
	if (!(merged && merged_build == objects.builds) && announced >= MERGE_AFTER)
		merge_snapshot();
	return merged && merged_build == objects.builds ? merged : NULL;
}

/* How the pass will test: the merged filter, or the names owner shares,
 * or each object's filter. Under the lock, after the snapshot. */
static void prepare_tests(const struct sl_symtab *owner, size_t lookups)
{
	if (npass_tables < 0)
		return;
	if (!(pass_merged = merged_for_pass(lookups)))
		find_shared(owner, lookups);
}

/* In a pass: 0 when no object of the snapshot defines a name of GNU hash
 * hash (owner's, if not NULL). */
LOAD_PATH static int pass_may_define(const struct sl_symtab *owner, uint32_t hash)
{
	if (pass_merged)
		return namefilter_may_hold(pass_merged, hash);
	if (owner && owner == shared_owner)
		return shared_names_may_hold(&shared, hash);
	return snapshot_may_define(hash);
}

LOAD_PATH int hostsym_global_may_define(const struct sl_symtab *owner, uint32_t hash)
{
	int may = 0;

	if (in_pass && npass_tables >= 0)
		return pass_may_define(owner, hash);

	pthread_mutex_lock(&misses_lock);
	check_changes();
	if (objects.stale)
		build_objects();
	for (size_t i = 0; i < objects.nt && !may; i++) {
		const struct host_object *h = &objects.t[i];
		may = h->scope != SCOPE_LOCAL && symtab_may_hold(&h->tab, hash);
	}
	may |= objects.failed;
	pthread_mutex_unlock(&misses_lock);
	return may;
}

LOAD_PATH int hostsym_global(struct symbol_key *key, void **addr)
{
	const ElfW(Sym) *s = NULL;
	const struct host_object *o = NULL;
	uintptr_t value;
	int type;

	*addr = NULL;
	/* Most names of a relocation pass are in no object of the scope: the
	 * filters, as the pass began, say so without the lock. */
	if (in_pass && npass_tables >= 0 && !pass_may_define(NULL, key->gnu_hash))
		return HOSTSYM_MISS;
	pthread_mutex_lock(&misses_lock);
	check_changes();
again:
	if (objects.stale)
		build_objects();
	if (objects.failed) {
		pthread_mutex_unlock(&misses_lock);
		return HOSTSYM_ASK;
	}
	for (size_t i = 0; i < objects.nt; i++) {
		struct host_object *h = &objects.t[i];
		if (h->scope == SCOPE_LOCAL)
			continue;
		if (!h->tables) {
			pthread_mutex_unlock(&misses_lock);
			return HOSTSYM_ASK; /* an object only glibc can search */
		}
		if (!symtab_may_hold(&h->tab, key->gnu_hash))
			continue;
		/* Versions are read for an object that holds the name, not
		 * for every one whose filter let it through (each a few
		 * hundred bytes of heap for good). */
		if (key->version && !h->versions_read) {
			if (!may_define(h, key->name, key->gnu_hash))
				continue;
			read_versions(h);
		}
		if (!(s = symbol_find_in(&h->tab, key)))
			continue;
		if (h->scope == SCOPE_UNKNOWN && probe_scope(i) != 0)
			goto again;
		if (objects.t[i].scope == SCOPE_GLOBAL) {
			o = &objects.t[i];
			break;
		}
		s = NULL;
	}
	if (!s) {
		pthread_mutex_unlock(&misses_lock);
		return HOSTSYM_MISS;
	}
	type = ELF64_ST_TYPE(s->st_info);
	/* A thread-local variable's address is each thread's own, and a unique
	 * symbol's is whichever definition glibc took first: glibc says. */
	if (type == STT_TLS || ELF64_ST_BIND(s->st_info) == STB_GNU_UNIQUE) {
		pthread_mutex_unlock(&misses_lock);
		return HOSTSYM_ASK;
	}
	value = host_value(o, s);
	pthread_mutex_unlock(&misses_lock);
	if (type == STT_GNU_IFUNC)
		value = ((uintptr_t(*)(unsigned long))value)(getauxval(AT_HWCAP));
	*addr = (void *)value;
	return HOSTSYM_FOUND;
}
