#include "hostsym.h"

#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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

static int read_generation(struct dl_phdr_info *info, size_t size, void *arg)
{
	(void)size;
	*(unsigned long long *)arg = info->dlpi_adds;
	return 1;
}

/* Drops every miss if glibc's set of objects changed. Under the lock. */
static void check_generation(void)
{
	unsigned long long now = 0;

	dl_iterate_phdr(read_generation, &now);
	if (now != misses_generation)
		nmisses = next_victim = 0;
	misses_generation = now;
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

static void check_unloads(void);

/* Whether glibc loaded or unloaded anything since the last look. Under the
 * lock. */
static void check_changes(void)
{
	if (in_pass)
		return;
	check_unloads();
	check_generation();
}

void hostsym_begin_pass(void)
{
	pthread_mutex_lock(&misses_lock);
	in_pass = 0;
	check_changes();
	in_pass = 1;
	pthread_mutex_unlock(&misses_lock);
}

void hostsym_end_pass(void)
{
	in_pass = 0;
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

void *hostsym_lookup(void *handle, const char *name, const char *version)
{
	void *p;
	int missing;

	if (version)
		return dlvsym(handle, name, version);
	pthread_mutex_lock(&misses_lock);
	check_changes();
	missing = known_missing(handle, name);
	pthread_mutex_unlock(&misses_lock);
	if (missing)
		return NULL;
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
 * Bindings: every library asks for the same few hundred libc names, and a
 * host binding costs two glibc lookups (the global scope, then the exact
 * version); remembered, a repeated one costs a hash probe. The table is
 * fixed; when it is full, new bindings are simply not remembered.
 */
#define MAX_BINDINGS 2048 /* a power of two */

struct binding {
	uint32_t hash;
	char *name, *version, *file; /* one allocation: name, then the others */
	void *addr;
};

static struct binding bindings[MAX_BINDINGS];
static size_t nbindings;
static unsigned long long bindings_subs;

static int read_subs(struct dl_phdr_info *info, size_t size, void *arg)
{
	(void)size;
	*(unsigned long long *)arg = info->dlpi_subs;
	return 1;
}

/* The address ranges of the objects glibc has loaded now. */
#define MAX_OBJECTS 256

struct objects {
	struct {
		uintptr_t lo, hi;
	} span[MAX_OBJECTS];
	size_t n;
	int overflow;
};

static int collect_object(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct objects *o = arg;
	uintptr_t lo = UINTPTR_MAX, hi = 0;

	(void)size;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_LOAD)
			continue;
		lo = info->dlpi_addr + ph->p_vaddr < lo ? info->dlpi_addr + ph->p_vaddr : lo;
		if (info->dlpi_addr + ph->p_vaddr + ph->p_memsz > hi)
			hi = info->dlpi_addr + ph->p_vaddr + ph->p_memsz;
	}
	if (o->n == MAX_OBJECTS)
		o->overflow = 1;
	else if (lo < hi)
		o->span[o->n].lo = lo, o->span[o->n++].hi = hi;
	return 0;
}

static int still_loaded(const struct objects *o, const void *addr)
{
	for (size_t i = 0; i < o->n; i++)
		if ((uintptr_t)addr >= o->span[i].lo && (uintptr_t)addr < o->span[i].hi)
			return 1;
	return 0;
}

static struct binding *slot_of(const char *name, uint32_t hash, const char *version,
                               const char *file);

/*
 * Once glibc has unloaded something, only bindings to what it unloaded are
 * wrong (objects it keeps stay in the same order), so those are dropped and
 * the rest are put back: a process that dlopens and dlcloses plugins does
 * not lose every binding each time. Under the lock.
 */
static void check_unloads(void)
{
	static struct objects loaded;
	static struct binding kept[MAX_BINDINGS];
	unsigned long long subs = 0;
	size_t nkept = 0;

	dl_iterate_phdr(read_subs, &subs);
	if (subs == bindings_subs)
		return;
	bindings_subs = subs;
	loaded.n = 0;
	loaded.overflow = 0;
	dl_iterate_phdr(collect_object, &loaded);
	for (size_t i = 0; i < MAX_BINDINGS; i++) {
		struct binding *b = &bindings[i];
		if (b->name && !loaded.overflow && (!b->addr || still_loaded(&loaded, b->addr)))
			kept[nkept++] = *b;
		else
			free(b->name);
	}
	memset(bindings, 0, sizeof(bindings));
	for (size_t i = 0; i < nkept; i++)
		*slot_of(kept[i].name, kept[i].hash, kept[i].version, kept[i].file) = kept[i];
	nbindings = nkept;
}

static int same(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/* The slot of the binding, or the empty slot where it would go. */
static struct binding *slot_of(const char *name, uint32_t hash, const char *version,
                               const char *file)
{
	for (size_t i = hash;; i++) {
		struct binding *b = &bindings[i & (MAX_BINDINGS - 1)];
		if (!b->name || (b->hash == hash && !strcmp(b->name, name) &&
		                 same(b->version, version) && same(b->file, file)))
			return b;
	}
}

void *hostsym_bound(const char *name, uint32_t hash, const char *version, const char *file)
{
	void *addr;

	pthread_mutex_lock(&misses_lock);
	check_changes();
	addr = slot_of(name, hash, version, file)->addr;
	pthread_mutex_unlock(&misses_lock);
	return addr;
}

static char *copy_after(char **at, const char *s)
{
	char *start = *at;

	if (!s)
		return NULL;
	strcpy(start, s);
	*at += strlen(s) + 1;
	return start;
}

/* dlsym gives a thread-local variable as the calling thread's copy, which
 * lies outside every object's mapping: such an answer is not remembered,
 * another thread must ask for its own. */
static int inside_an_object(void *addr)
{
	Dl_info info;

	return dladdr(addr, &info) != 0;
}

void hostsym_remember(const char *name, uint32_t hash, const char *version, const char *file,
                      void *addr)
{
	size_t len =
	        strlen(name) + (version ? strlen(version) : 0) + (file ? strlen(file) : 0) + 3;
	struct binding *b;
	char *mem, *at;

	if (addr && !inside_an_object(addr))
		return;
	pthread_mutex_lock(&misses_lock);
	check_changes();
	/* Three quarters full at most, so that probes stay short and end. */
	if (nbindings < MAX_BINDINGS / 4 * 3 && (mem = malloc(len))) {
		b = slot_of(name, hash, version, file);
		if (b->name) {
			free(mem);
		} else {
			at = mem;
			b->name = copy_after(&at, name);
			b->version = copy_after(&at, version);
			b->file = copy_after(&at, file);
			b->hash = hash;
			b->addr = addr;
			nbindings++;
		}
	}
	pthread_mutex_unlock(&misses_lock);
}
