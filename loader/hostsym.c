#include "hostsym.h"

#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
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
	*(unsigned long long *)arg = info->dlpi_adds + info->dlpi_subs;
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

void *hostsym_lookup(void *handle, const char *name, const char *version)
{
	void *p;
	int missing;

	if (version)
		return dlvsym(handle, name, version);
	pthread_mutex_lock(&misses_lock);
	check_generation();
	missing = known_missing(handle, name);
	pthread_mutex_unlock(&misses_lock);
	if (missing)
		return NULL;
	p = dlsym(handle, name);
	if (!p) {
		pthread_mutex_lock(&misses_lock);
		check_generation();
		note_missing(handle, name);
		pthread_mutex_unlock(&misses_lock);
	}
	return p;
}
