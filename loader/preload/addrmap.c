#include "addrmap.h"
#include "arraygrow.h"
#include "lib.h"
#include "rdebug.h"
#include "registry.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* One library as the tools see it. */
struct known {
	struct known *next;
	struct sl_lib *lib;
	uintptr_t base;
	struct link_map lm;
	const char *path; /* the library's, as opened */
	const ElfW(Phdr) * phdr;
	ElfW(Half) phnum;
	int seen;   /* in the latest rebuild */
	int listed; /* in the debugger's list */
};

struct range {
	uintptr_t lo, hi;
	struct known *k;
};

/* A snapshot, immutable once published; readers hold a reference. */
struct snapshot {
	atomic_int refs;
	size_t n;
	struct range r[];
};

/* lock guards known, current and the counters; it is a leaf lock: nothing
 * else is taken under it, and no callback runs under it. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct known *known;
static struct snapshot *current;
static unsigned long long adds, subs;

static void put(struct snapshot *s)
{
	if (s && atomic_fetch_sub(&s->refs, 1) == 1)
		free(s);
}

static struct snapshot *get(void)
{
	struct snapshot *s;

	pthread_mutex_lock(&lock);
	s = current;
	if (s)
		atomic_fetch_add(&s->refs, 1);
	pthread_mutex_unlock(&lock);
	return s;
}

/* The program headers in memory: inside the segment that maps e_phoff. */
static void find_phdr(const struct sl_lib *lib, struct known *k)
{
	const Elf64_Ehdr *eh = lib->nsegments && lib->segments[0].file_offset == 0
	                               ? (const void *)(lib->base + lib->segments[0].vaddr)
	                               : NULL;

	if (!eh || lib->segments[0].file_size < sizeof(*eh))
		return;
	for (size_t i = 0; i < lib->nsegments; i++) {
		const struct sl_segment *s = &lib->segments[i];
		uint64_t size = (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr);
		if (eh->e_phoff >= s->file_offset &&
		    eh->e_phoff + size <= s->file_offset + s->file_size) {
			k->phdr = (const void *)(lib->base + s->vaddr +
			                         (eh->e_phoff - s->file_offset));
			k->phnum = eh->e_phnum;
			return;
		}
	}
}

/* path from the current directory made absolute, in a new string. */
static char *absolute(const char *path)
{
	char cwd[PATH_MAX], *out;

	if (!getcwd(cwd, sizeof(cwd)) || asprintf(&out, "%s/%s", cwd, path) < 0)
		return strdup(path);
	return out;
}

static struct known *new_known(struct sl_lib *lib)
{
	struct known *k = calloc(1, sizeof(*k));

	if (!k)
		return NULL;
	k->lib = lib;
	k->base = lib->base;
	k->path = lib->path;
	k->lm.l_addr = lib->base;
	/* Absolute, for a debugger that runs in another directory. */
	k->lm.l_name = lib->path[0] == '/' ? strdup(lib->path) : absolute(lib->path);
	if (!k->lm.l_name) {
		free(k);
		return NULL;
	}
	if (lib->dynamic.size)
		k->lm.l_ld = (ElfW(Dyn) *)(lib->base + lib->dynamic.vaddr);
	find_phdr(lib, k);
	return k;
}

struct collect {
	struct sl_lib **libs;
	size_t n, cap;
};

static void collect_one(struct sl_lib *lib, void *arg)
{
	struct collect *c = arg;

	if (array_grow(&c->libs, &c->cap, c->n, sizeof(*c->libs), 32) != 0)
		return;
	c->libs[c->n++] = lib;
}

static int by_start(const void *a, const void *b)
{
	const struct range *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static struct known *find_known(struct sl_lib *lib)
{
	for (struct known *k = known; k; k = k->next)
		if (k->lib == lib && k->base == lib->base && k->path == lib->path)
			return k;
	return NULL;
}

/* Drops what the latest rebuild no longer saw. Under lock. */
static void forget_unseen(void)
{
	for (struct known **p = &known; *p;) {
		struct known *k = *p;
		if (k->seen) {
			p = &k->next;
			continue;
		}
		*p = k->next;
		subs++;
		free(k->lm.l_name);
		free(k);
	}
}

/* The debugger's list (rdebug.h): the libraries of s, in load order (s
 * not sorted yet), announced when one came or went. Under lock. */
static void publish_debug_list(const struct snapshot *s, int added)
{
	struct link_map *prev = NULL, *head = NULL;
	int removed = 0;

	for (const struct known *k = known; k; k = k->next)
		removed |= !k->seen && k->listed;
	if (!added && !removed)
		return;
	rdebug_begin(removed ? RT_DELETE : RT_ADD);
	for (size_t i = 0; i < s->n; i++) {
		struct link_map *lm = &s->r[i].k->lm;
		s->r[i].k->listed = 1;
		lm->l_prev = prev;
		lm->l_next = NULL;
		if (prev)
			prev->l_next = lm;
		else
			head = lm;
		prev = lm;
	}
	for (struct known *k = known; k; k = k->next)
		if (!k->seen) {
			k->lm.l_next = k->lm.l_prev = NULL;
			k->listed = 0;
		}
	rdebug_end(head);
}

void addrmap_rebuild(void)
{
	struct collect c = {0};
	struct snapshot *s, *old;
	unsigned long long before;

	/* The registry lock is held throughout (another thread's dlclose
	 * would free a library between reading the registry and reading the
	 * library), and taken before ours: a constructor running under the
	 * registry lock may ask dladdr, which takes ours. */
	registry_lock();
	registry_foreach_mapped(collect_one, &c);
	s = malloc(sizeof(*s) + c.n * sizeof(s->r[0]));
	if (!s) {
		registry_unlock();
		free(c.libs);
		return;
	}
	atomic_init(&s->refs, 1);
	s->n = 0;
	pthread_mutex_lock(&lock);
	before = adds;
	for (struct known *k = known; k; k = k->next)
		k->seen = 0;
	for (size_t i = 0; i < c.n; i++) {
		struct known *k = find_known(c.libs[i]);
		if (!k && (k = new_known(c.libs[i]))) {
			k->next = known;
			known = k;
			adds++;
		}
		if (!k)
			continue;
		k->seen = 1;
		s->r[s->n++] =
		        (struct range){(uintptr_t)c.libs[i]->map_start,
		                       (uintptr_t)c.libs[i]->map_start + c.libs[i]->span, k};
	}
	publish_debug_list(s, adds != before);
	qsort(s->r, s->n, sizeof(s->r[0]), by_start);
	old = current;
	current = s;
	/* A known entry is freed only once no snapshot can name it. */
	if (!old || atomic_load(&old->refs) == 1)
		forget_unseen();
	pthread_mutex_unlock(&lock);
	registry_unlock();
	put(old);
	free(c.libs);
}

void addrmap_note_scope_change(void)
{
	pthread_mutex_lock(&lock);
	adds++;
	pthread_mutex_unlock(&lock);
}

static const struct range *search(const struct snapshot *s, uintptr_t a)
{
	size_t lo = 0, hi = s ? s->n : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (a < s->r[mid].lo)
			hi = mid;
		else if (a >= s->r[mid].hi)
			lo = mid + 1;
		else
			return &s->r[mid];
	}
	return NULL;
}

/* As glibc's _dl_addr: the defined symbol whose [value, value + size)
 * holds addr (or equals it, for size 0), the highest such. */
static const ElfW(Sym) * nearest(const struct sl_lib *lib, uintptr_t addr)
{
	const ElfW(Sym) *best = NULL;

	for (size_t i = 1; i < lib->tab.nsyms; i++) {
		const ElfW(Sym) *s = &lib->tab.symtab[i];
		uintptr_t v = lib->base + s->st_value;
		int type = ELF64_ST_TYPE(s->st_info);
		if (s->st_shndx == SHN_UNDEF || s->st_shndx == SHN_ABS || type == STT_TLS ||
		    s->st_name >= lib->tab.strsz || addr < v)
			continue;
		if (!(addr < v + s->st_size || (s->st_size == 0 && addr == v)))
			continue;
		if (!best || best->st_value < s->st_value)
			best = s;
	}
	return best;
}

int addrmap_dladdr(const void *addr, Dl_info *info, const ElfW(Sym) * *sym, struct link_map **lm)
{
	struct snapshot *s = get();
	const struct range *r = search(s, (uintptr_t)addr);
	const ElfW(Sym) * best;

	if (!r) {
		put(s);
		return 0;
	}
	best = nearest(r->k->lib, (uintptr_t)addr);
	info->dli_fname = r->k->lib->path;
	info->dli_fbase = (void *)r->lo;
	info->dli_sname = best ? r->k->lib->tab.strtab + best->st_name : NULL;
	info->dli_saddr = best ? (void *)(r->k->lib->base + best->st_value) : NULL;
	if (sym)
		*sym = best;
	if (lm)
		*lm = &r->k->lm;
	put(s);
	return 1;
}

struct sl_lib *addrmap_lib_at(const void *addr)
{
	struct snapshot *s = get();
	const struct range *r = search(s, (uintptr_t)addr);
	struct sl_lib *lib = r ? r->k->lib : NULL;

	put(s);
	return lib;
}

struct link_map *addrmap_link_map(const struct sl_lib *lib)
{
	struct link_map *lm = NULL;

	pthread_mutex_lock(&lock);
	for (struct known *k = known; k && !lm; k = k->next)
		if (k->lib == lib && k->seen)
			lm = &k->lm;
	pthread_mutex_unlock(&lock);
	return lm;
}

struct iterate_ctx {
	int (*cb)(struct dl_phdr_info *, size_t, void *);
	void *data;
	unsigned long long adds, subs;           /* libsoload's */
	unsigned long long host_adds, host_subs; /* glibc's, as its entries gave them */
};

/* glibc's objects, with libsoload's loads and unloads added to the
 * counters, so a cache keyed on them (libgcc's) sees ours too. */
static int host_entry(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct iterate_ctx *c = arg;
	struct dl_phdr_info copy = *info;

	(void)size;
	c->host_adds = info->dlpi_adds;
	c->host_subs = info->dlpi_subs;
	copy.dlpi_adds += c->adds;
	copy.dlpi_subs += c->subs;
	return c->cb(&copy, sizeof(copy), c->data);
}

int addrmap_iterate(int (*iterate)(int (*)(struct dl_phdr_info *, size_t, void *), void *),
                    int (*cb)(struct dl_phdr_info *, size_t, void *), void *data, int with_ours)
{
	struct iterate_ctx c = {cb, data, 0, 0, 0, 0};
	struct snapshot *s;
	int rc;

	pthread_mutex_lock(&lock);
	c.adds = adds;
	c.subs = subs;
	pthread_mutex_unlock(&lock);
	s = with_ours ? get() : NULL;
	rc = iterate(host_entry, &c);
	for (size_t i = 0; rc == 0 && s && i < s->n; i++) {
		const struct known *k = s->r[i].k;
		struct dl_phdr_info info = {
		        .dlpi_addr = k->base,
		        .dlpi_name = k->lm.l_name,
		        .dlpi_phdr = k->phdr,
		        .dlpi_phnum = k->phdr ? k->phnum : 0,
		        .dlpi_adds = c.host_adds + c.adds,
		        .dlpi_subs = c.host_subs + c.subs,
		};
		rc = cb(&info, sizeof(info), data);
	}
	put(s);
	return rc;
}
