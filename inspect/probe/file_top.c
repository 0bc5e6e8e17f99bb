#include "probe/file_top.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int file_top_parse_key(const char *name, enum file_top_key *out)
{
	if (strcmp(name, "resident") == 0)
		*out = FILE_TOP_RESIDENT;
	else if (strcmp(name, "evicted") == 0)
		*out = FILE_TOP_EVICTED;
	else
		return -1;
	return 0;
}

int file_top_init(struct file_top *t, size_t cap, enum file_top_key key, file_top_drop_fn drop,
                  void *ctx)
{
	memset(t, 0, sizeof(*t));
	t->items = calloc(cap, sizeof(*t->items));
	if (!t->items)
		return -ENOMEM;
	t->cap = cap;
	t->key = key;
	t->drop = drop;
	t->ctx = ctx;
	return 0;
}

static uint64_t key_of(const struct file_top *t, const struct residency *r)
{
	if (t->key == FILE_TOP_EVICTED)
		return r->detail_unavailable ? 0 : r->evicted_pages;
	return r->resident_pages;
}

/* Whether a ranks below b: fewer pages, or as many and a later path. */
static bool below(const struct file_top *t, const struct file_top_item *a,
                  const struct file_top_item *b)
{
	uint64_t ka = key_of(t, &a->r), kb = key_of(t, &b->r);

	return ka != kb ? ka < kb : strcmp(a->path, b->path) > 0;
}

static void swap(struct file_top_item *a, struct file_top_item *b)
{
	struct file_top_item tmp = *a;

	*a = *b;
	*b = tmp;
}

static void sift_up(struct file_top *t, size_t i)
{
	while (i > 0 && below(t, &t->items[i], &t->items[(i - 1) / 2])) {
		swap(&t->items[i], &t->items[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
}

static void sift_down(struct file_top *t, size_t i)
{
	for (;;) {
		size_t least = i, l = 2 * i + 1, r = l + 1;

		if (l < t->n && below(t, &t->items[l], &t->items[least]))
			least = l;
		if (r < t->n && below(t, &t->items[r], &t->items[least]))
			least = r;
		if (least == i)
			return;
		swap(&t->items[i], &t->items[least]);
		i = least;
	}
}

int file_top_offer(struct file_top *t, const char *path, const struct residency *r)
{
	struct file_top_item offered = {(char *)path, *r};
	char *copy;

	if (r->unavailable || (t->n == t->cap && !below(t, &t->items[0], &offered))) {
		t->drop(path, r, t->ctx);
		return 0;
	}
	copy = strdup(path);
	if (!copy) {
		t->drop(path, r, t->ctx);
		return -ENOMEM;
	}
	offered.path = copy;
	if (t->n < t->cap) {
		t->items[t->n++] = offered;
		sift_up(t, t->n - 1);
		return 0;
	}
	t->drop(t->items[0].path, &t->items[0].r, t->ctx);
	free(t->items[0].path);
	t->items[0] = offered;
	sift_down(t, 0);
	return 0;
}

/* qsort has no context argument: the heap being ordered. */
static __thread const struct file_top *ordering;

static int most_first(const void *a, const void *b)
{
	return below(ordering, a, b) ? 1 : below(ordering, b, a) ? -1 : 0;
}

void file_top_finish(struct file_top *t)
{
	ordering = t;
	qsort(t->items, t->n, sizeof(*t->items), most_first);
}

void file_top_free(struct file_top *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->items[i].path);
	free(t->items);
	memset(t, 0, sizeof(*t));
}
