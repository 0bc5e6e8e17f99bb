#include "registry.h"
#include "loadpath.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>

static pthread_mutex_t lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
static struct sl_lib *head;

LOAD_PATH void registry_lock(void)
{
	pthread_mutex_lock(&lock);
}

LOAD_PATH void registry_unlock(void)
{
	pthread_mutex_unlock(&lock);
}

/* A child forked while another thread was inside a load would find the
 * lock held for good by a thread it does not have, and hang at its first
 * lazy call or sl_open: fork waits for the lock, as glibc's does for its
 * loader's. The child, whose one thread has a new id, starts with a fresh
 * lock (a recursive one's owner check would refuse its unlock). */
static void fork_child(void)
{
	pthread_mutex_t fresh = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;

	lock = fresh;
}

__attribute__((constructor)) static void lock_around_fork(void)
{
	pthread_atfork(registry_lock, registry_unlock, fork_child);
}

LOAD_PATH struct sl_lib *registry_find(dev_t dev, ino_t ino)
{
	for (struct sl_lib *l = head; l; l = l->next)
		if (l->dev == dev && l->ino == ino && !l->dying)
			return l;
	return NULL;
}

struct sl_lib *registry_find_soname(const char *soname)
{
	for (struct sl_lib *l = head; l; l = l->next)
		if (l->soname && !l->dying && strcmp(l->soname, soname) == 0)
			return l;
	return NULL;
}

struct sl_lib *registry_find_addr(const void *addr)
{
	uintptr_t a = (uintptr_t)addr;

	for (struct sl_lib *l = head; l; l = l->next)
		if (l->map_start && a >= (uintptr_t)l->map_start &&
		    a - (uintptr_t)l->map_start < l->span)
			return l;
	return NULL;
}

int registry_contains(const struct sl_lib *lib)
{
	for (struct sl_lib *l = head; l; l = l->next)
		if (l == lib)
			return 1;
	return 0;
}

LOAD_PATH void registry_add(struct sl_lib *lib)
{
	struct sl_lib **p = &head;

	while (*p)
		p = &(*p)->next;
	lib->next = NULL;
	*p = lib;
}

void registry_remove(struct sl_lib *lib)
{
	for (struct sl_lib **p = &head; *p; p = &(*p)->next) {
		if (*p == lib) {
			*p = lib->next;
			return;
		}
	}
}

void registry_foreach_mapped(void (*fn)(struct sl_lib *lib, void *arg), void *arg)
{
	registry_lock();
	for (struct sl_lib *l = head; l; l = l->next)
		if (l->state >= LIB_MAPPED && l->map_start)
			fn(l, arg);
	registry_unlock();
}

void registry_foreach(void (*fn)(struct sl_lib *lib, void *arg), void *arg)
{
	registry_lock();
	for (struct sl_lib *l = head; l; l = l->next)
		if (l->state == LIB_READY && !l->dying)
			fn(l, arg);
	registry_unlock();
}

void registry_foreach_all(void (*fn)(struct sl_lib *lib, void *arg), void *arg)
{
	for (struct sl_lib *l = head; l; l = l->next)
		fn(l, arg);
}
