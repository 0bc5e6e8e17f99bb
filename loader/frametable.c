#include "frametable.h"

#include <pthread.h>
#include <stdlib.h>

/* Every field a reader may read while a writer writes it is accessed
 * atomically (relaxed): a reader that raced a writer retries anyway. */
struct range {
	uintptr_t start, end;
	const void *owner;
};

/* One copy of the table. Its capacity never changes; a copy that needs
 * more room gets a new block, and the old one is kept (retired), since a
 * reader that began before the change may still be searching it: what is
 * kept grows only when more libraries are mapped at once than ever
 * before, to at most twice the most there ever were. */
struct block {
	size_t cap;
	size_t n;
	struct block *retired;
	struct range r[];
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct block *copies[2];
/* copies[version & 1] is the one readers search. */
static unsigned long version;

static const void *search(const struct block *b, uintptr_t addr)
{
	size_t n = b ? __atomic_load_n(&b->n, __ATOMIC_RELAXED) : 0;

	for (size_t i = 0; i < n && i < b->cap; i++) {
		const struct range *r = &b->r[i];
		if (addr >= __atomic_load_n(&r->start, __ATOMIC_RELAXED) &&
		    addr < __atomic_load_n(&r->end, __ATOMIC_RELAXED))
			return __atomic_load_n(&r->owner, __ATOMIC_RELAXED);
	}
	return NULL;
}

const void *frametable_find(uintptr_t addr)
{
	for (;;) {
		unsigned long v = __atomic_load_n(&version, __ATOMIC_ACQUIRE);
		const void *owner =
		        search(__atomic_load_n(&copies[v & 1], __ATOMIC_ACQUIRE), addr);
		/* Whatever the search read of a later change, the version
		 * read after this fence has moved past v. */
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&version, __ATOMIC_RELAXED) == v)
			return owner;
	}
}

/* The block of copy slot, with room for n ranges. */
static struct block *room_for(unsigned slot, size_t n)
{
	struct block *b = copies[slot], *bigger;
	size_t cap = b ? b->cap : 16;

	if (b && b->cap >= n)
		return b;
	while (cap < n)
		cap *= 2;
	if (!(bigger = calloc(1, sizeof(*bigger) + cap * sizeof(bigger->r[0]))))
		return NULL;
	bigger->cap = cap;
	bigger->retired = b;
	__atomic_store_n(&copies[slot], bigger, __ATOMIC_RELEASE);
	return bigger;
}

static void put(struct block *b, size_t i, const struct range *r)
{
	__atomic_store_n(&b->r[i].start, r->start, __ATOMIC_RELAXED);
	__atomic_store_n(&b->r[i].end, r->end, __ATOMIC_RELAXED);
	__atomic_store_n(&b->r[i].owner, r->owner, __ATOMIC_RELAXED);
}

/* How many of b's ranges are not drop's. */
static size_t kept(const struct block *b, const void *drop)
{
	size_t n = 0;

	for (size_t i = 0; i < b->n; i++)
		n += b->r[i].owner != drop;
	return n;
}

/* The current copy without drop's range and with add (each if not NULL),
 * written to the other copy, which then becomes current. */
static int change(const struct range *add, const void *drop)
{
	unsigned long v;
	const struct block *from;
	struct block *to;
	size_t n, k = 0;

	pthread_mutex_lock(&lock);
	v = version;
	/* Both copies from the first change on, so that a removal, which
	 * needs no more room than the copy it writes has, never fails. */
	from = room_for(v & 1, 0);
	n = from ? from->n : 0;
	if (!from || !(to = room_for((v + 1) & 1, kept(from, drop) + (add != NULL)))) {
		pthread_mutex_unlock(&lock);
		return -1;
	}
	/* Readers told to search this copy before the last flip may still be
	 * in it: they must see the version moved if they see what follows. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	for (size_t i = 0; i < n; i++)
		if (from->r[i].owner != drop)
			put(to, k++, &from->r[i]);
	if (add)
		put(to, k++, add);
	__atomic_store_n(&to->n, k, __ATOMIC_RELAXED);
	__atomic_store_n(&version, v + 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&lock);
	return 0;
}

int frametable_add(uintptr_t start, uintptr_t end, const void *owner)
{
	struct range r = {start, end, owner};

	return change(&r, NULL);
}

void frametable_remove(const void *owner)
{
	/* Needs no memory: each change leaves the copy it does not write
	 * room for at least one range fewer than the one it does, and a
	 * removal writes one fewer. */
	change(NULL, owner);
}
