#include "unique.h"
#include "loadpath.h"
#include "error.h"
#include "hostsym.h"
#include "registry.h"
#include "unload.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

/* One name. It outlives its definer: once the definer is unloaded it
 * stands vacant, remembering whether the host lacked the name, for the
 * next library that defines it. The name is the definer's own string while
 * one of ours defines it, copied to the heap only when the entry must
 * outlive it (vacant) or the host defines it: libstdc++'s hundred names
 * were 4 KiB of copies on a C++ tree's first load. */
struct unique_entry {
	struct unique_entry *next; /* in its bucket */
	const char *name;
	uint32_t hash;
	/* Flags beside the hash: 56 bytes an entry, 64 with malloc's header,
	 * against 80 with two ints (libQt5Core's tree has 83 entries). */
	unsigned char own_name; /* name is our copy */
	unsigned char host;     /* addr is the host's definition, for good */
	struct sl_lib *lib;     /* else the definer, or NULL: vacant */
	const Elf64_Sym *sym;
	uintptr_t addr;
	unsigned long long host_lacked; /* glibc's load count when the host
	                                 * had no definition; 0: not asked */
};

/* A library bound to another's definition: user holds a reference on lib.
 * unique: through a unique definition, which makes lib NODELETE once user
 * is loaded for good (a failed load leaves lib as it was, as glibc). */
struct unique_hold {
	struct unique_hold *next;
	struct sl_lib *user, *lib;
	int unique;
};

/* Global because the system linker's table is: guarded by the registry
 * lock, like every load. libstdc++ alone has about a hundred names, two a
 * bucket (only unique names are asked here). The buckets on the heap,
 * made by the first unique name: most trees have none, and 2 KiB of .bss
 * put the loader's other globals a page apart. */
#define NBUCKETS 64
static struct unique_entry **buckets;
static struct unique_hold *holds;

static struct unique_entry **bucket_of(uint32_t hash)
{
	return &buckets[hash % NBUCKETS];
}

static struct unique_entry *find_entry(const struct symbol_key *key)
{
	struct unique_entry *e;

	if (!buckets && !(buckets = calloc(NBUCKETS, sizeof(*buckets))))
		return NULL;
	for (e = *bucket_of(key->gnu_hash); e; e = e->next)
		if (e->hash == key->gnu_hash && strcmp(e->name, key->name) == 0)
			return e;
	if (!(e = calloc(1, sizeof(*e))))
		return NULL;
	e->name = key->name; /* until fill_entry names its keeper */
	e->hash = key->gnu_hash;
	e->next = *bucket_of(e->hash);
	*bucket_of(e->hash) = e;
	return e;
}

/* Whether the host's dynamic linker has loaded lib too (the same file, or
 * its soname): a C++ host has its own libstdc++. Our copy's unique objects
 * (locale facet ids, ...) belong with our copy's code and counters: bound
 * to the host's, its streams print nothing. Asked once per library. */
static const struct sl_lib *asked_lib;
static int asked_answer;

static int host_has(const char *name)
{
	void *h = name ? dlopen(name, RTLD_LAZY | RTLD_NOLOAD) : NULL;

	if (h)
		dlclose(h);
	return h != NULL;
}

static int host_has_copy(const struct sl_lib *lib)
{
	if (asked_lib != lib) {
		asked_lib = lib;
		asked_answer = host_has(lib->path) || host_has(lib->soname);
	}
	return asked_answer;
}

/* The host's definition of e's name, or NULL. A miss holds until glibc
 * loads something: a failed dlsym costs a formatted error, and libstdc++
 * alone asks a hundred names at every load. */
static void *ask_host(struct unique_entry *e, const struct symdef *def)
{
	unsigned long long adds;
	void *p;

	if (ELF64_ST_TYPE(def->sym->st_info) == STT_TLS)
		return NULL; /* its value is an offset in our own block */
	adds = hostsym_generation();
	if (e->host_lacked == adds)
		return NULL;
	if (!(p = hostsym_lookup(RTLD_DEFAULT, e->name, NULL)))
		e->host_lacked = adds;
	/* Under soload run the global scope's answer may be a library of
	 * ours (SL_GLOBAL): not the host's. Under the registry lock. */
	if (p && registry_find_addr(p))
		return NULL;
	return p && !host_has_copy(def->lib) ? p : NULL;
}

/* e's name made its own: a copy on the heap. 0, or -1 out of memory. */
static int own_name(struct unique_entry *e)
{
	char *copy;

	if (e->own_name)
		return 0;
	if (!(copy = strdup(e->name)))
		return -1;
	e->name = copy;
	e->own_name = 1;
	return 0;
}

/* Takes e out of its bucket and frees it. */
static void drop_entry(struct unique_entry *e)
{
	struct unique_entry **p = bucket_of(e->hash);

	while (*p != e)
		p = &(*p)->next;
	*p = e->next;
	if (e->own_name)
		free((char *)e->name);
	free(e);
}

/* A vacant entry takes the host's definition if its global scope has one
 * (not for a second copy of a host library), else def, and names itself
 * with its keeper's string (or a copy, for the host's). 0, or -1 out of
 * memory, e dropped (only a new entry has no name of its own). */
static int fill_entry(struct unique_entry *e, const struct symdef *def)
{
	void *host = ask_host(e, def);

	if (host && own_name(e) != 0) {
		drop_entry(e);
		return -1;
	}
	e->host = host != NULL;
	e->lib = host ? NULL : def->lib;
	e->sym = host ? NULL : def->sym;
	e->addr = host ? (uintptr_t)host : def->addr;
	if (e->lib && !e->own_name)
		e->name = e->lib->tab.strtab + e->sym->st_name;
	if (e->lib)
		e->lib->unique_defs++;
	return 0;
}

static struct unique_hold *find_hold(const struct sl_lib *user, const struct sl_lib *lib)
{
	for (struct unique_hold *h = holds; h; h = h->next)
		if (h->user == user && h->lib == lib)
			return h;
	return NULL;
}

/* user keeps lib loaded while it uses lib's definition. */
static int hold(struct sl_lib *user, struct sl_lib *lib, int unique)
{
	struct unique_hold *h;

	if (!user || !lib || user == lib)
		return 0;
	if (!(h = find_hold(user, lib))) {
		if (!(h = calloc(1, sizeof(*h))))
			return -1;
		h->user = user;
		h->lib = lib;
		h->next = holds;
		holds = h;
		lib->refcount++;
	}
	h->unique |= unique;
	if (unique && user->state == LIB_READY)
		lib->nodelete = 1;
	return 0;
}

int unique_hold(struct sl_lib *user, struct sl_lib *lib)
{
	return hold(user, lib, 0);
}

LOAD_PATH void unique_settle(const struct sl_lib *user)
{
	for (struct unique_hold *h = holds; h; h = h->next)
		if (h->user == user && h->unique)
			h->lib->nodelete = 1;
}

int unique_bind(struct sl_lib *user, const struct symbol_key *key, struct symdef *def)
{
	struct unique_entry *e;
	int rc = 0;

	registry_lock();
	if (!(e = find_entry(key)) || (!e->host && !e->lib && fill_entry(e, def) != 0))
		rc = error_set(def->lib->name, "out of memory");
	/* As glibc: a definition another library is bound to stays for good,
	 * the users that come after it included. */
	if (rc == 0 && hold(user, e->lib, 1) != 0)
		rc = error_set(user->name, "out of memory");
	if (rc == 0) {
		def->lib = e->lib;
		def->sym = e->sym;
		def->addr = e->addr;
	}
	registry_unlock();
	return rc;
}

/* lib's entries stand vacant, each with a copy of its name (one that
 * cannot have it, out of memory, is dropped: it only remembered whether
 * the host lacked the name). */
static void vacate_entries(struct sl_lib *lib)
{
	for (size_t i = 0; lib->unique_defs && i < NBUCKETS; i++) {
		struct unique_entry *e = buckets[i], *next;
		for (; e; e = next) {
			next = e->next;
			if (e->lib != lib)
				continue;
			lib->unique_defs--;
			if (own_name(e) != 0) {
				drop_entry(e);
				continue;
			}
			e->lib = NULL;
			e->sym = NULL;
			e->addr = 0;
		}
	}
}

void unique_foreach_held(const struct sl_lib *user, void (*fn)(struct sl_lib *lib, void *arg),
                         void *arg)
{
	for (struct unique_hold *h = holds; h; h = h->next)
		if (h->user == user)
			fn(h->lib, arg);
}

void unique_release(struct sl_lib *lib)
{
	struct unique_hold **p = &holds;

	vacate_entries(lib);
	if (asked_lib == lib)
		asked_lib = NULL;
	while (*p) {
		struct unique_hold *h = *p;
		if (h->user != lib) {
			p = &h->next;
			continue;
		}
		*p = h->next;
		unload_unref(h->lib);
		free(h);
	}
}
