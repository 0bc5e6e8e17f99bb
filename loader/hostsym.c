#include "hostsym.h"

#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#define SLOTS       1024 /* a power of two */
#define MAX_NAME    56
#define MAX_VERSION 24

/*
 * A direct-mapped cache: a colliding answer simply replaces the old one. An
 * entry is good while glibc's count of objects loaded and unloaded
 * (dlpi_adds + dlpi_subs) is what it was when the entry was made: only a
 * new object can define a name, only an unloaded one can take it away.
 * dlopen promoting an already loaded library to RTLD_GLOBAL changes no
 * count; it only appends to the global scope, so a first definition found
 * before stays the first, and names that missed are the weak __gmon_start__
 * and _ITM_* that no library promoted that way defines.
 */
struct entry {
	unsigned long long generation; /* 0: empty */
	void *handle;
	void *addr; /* NULL: not defined */
	char name[MAX_NAME];
	char version[MAX_VERSION];
};

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct entry cache[SLOTS];

static int read_generation(struct dl_phdr_info *info, size_t size, void *arg)
{
	(void)size;
	*(unsigned long long *)arg = info->dlpi_adds + info->dlpi_subs;
	return 1;
}

static unsigned long long current_generation(void)
{
	unsigned long long now = 0;

	dl_iterate_phdr(read_generation, &now);
	return now;
}

static size_t slot_of(void *handle, const char *name, const char *version)
{
	uint32_t h = 5381;
	const char *s;

	for (s = name; *s; s++)
		h = h * 33 + (unsigned char)*s;
	for (s = version ? version : ""; *s; s++)
		h = h * 33 + (unsigned char)*s;
	return (h ^ (uint32_t)((uintptr_t)handle >> 4)) & (SLOTS - 1);
}

static int cacheable(const char *name, const char *version)
{
	return strlen(name) < MAX_NAME && (!version || strlen(version) < MAX_VERSION);
}

static int matches(const struct entry *e, unsigned long long gen, void *handle, const char *name,
                   const char *version)
{
	return e->generation == gen && e->handle == handle && !strcmp(e->name, name) &&
	       !strcmp(e->version, version ? version : "");
}

/* A thread-local variable's address is this thread's copy, outside every
 * object's mapping: only addresses inside one are the same for all. */
static int inside_an_object(void *addr)
{
	Dl_info info;

	return dladdr(addr, &info) != 0;
}

static void *ask_glibc(void *handle, const char *name, const char *version)
{
	return version ? dlvsym(handle, name, version) : dlsym(handle, name);
}

void *hostsym_lookup(void *handle, const char *name, const char *version)
{
	struct entry *e = &cache[slot_of(handle, name, version)];
	unsigned long long gen;
	void *addr;

	if (!cacheable(name, version))
		return ask_glibc(handle, name, version);
	/* Counted before asking: an object loaded meanwhile makes the entry
	 * stale at once rather than wrong. */
	gen = current_generation() + 1;
	pthread_mutex_lock(&cache_lock);
	if (matches(e, gen, handle, name, version)) {
		addr = e->addr;
		pthread_mutex_unlock(&cache_lock);
		return addr;
	}
	pthread_mutex_unlock(&cache_lock);
	addr = ask_glibc(handle, name, version);
	if (addr && !inside_an_object(addr))
		return addr;
	pthread_mutex_lock(&cache_lock);
	e->generation = gen;
	e->handle = handle;
	e->addr = addr;
	strcpy(e->name, name);
	strcpy(e->version, version ? version : "");
	pthread_mutex_unlock(&cache_lock);
	return addr;
}
