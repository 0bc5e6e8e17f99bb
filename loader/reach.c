#include "reach.h"
#include "arraygrow.h"
#include "registry.h"
#include "unique.h"

#include <stdlib.h>

/* The walk's pending libraries: reached, edges not yet followed. */
struct reach_stack {
	struct sl_lib **lib;
	size_t n, cap;
	int failed;
};

static void push(struct sl_lib *lib, void *arg)
{
	struct reach_stack *st = arg;

	if (!lib || lib->reach_mark || lib->dying)
		return;
	lib->reach_mark = 1;
	if (array_grow(&st->lib, &st->cap, st->n, sizeof(*st->lib), 16) != 0) {
		st->failed = 1;
		return;
	}
	st->lib[st->n++] = lib;
}

static int is_root(const struct sl_lib *lib)
{
	int nodelete =
	        lib->nodelete || (lib_has(lib, DYN_FLAGS_1) && (lib->dt_flags_1 & DF_1_NODELETE));

	return lib->opens || lib->pins || (nodelete && lib->state == LIB_READY);
}

static void unmark(struct sl_lib *lib, void *arg)
{
	(void)arg;
	lib->reach_mark = 0;
}

static void push_root(struct sl_lib *lib, void *arg)
{
	if (is_root(lib))
		push(lib, arg);
}

/* Marks every library a root reaches; 0, or -1 out of memory. */
static int mark(void)
{
	struct reach_stack st = {0};

	registry_foreach_all(unmark, NULL);
	registry_foreach_all(push_root, &st);
	while (st.n && !st.failed) {
		struct sl_lib *lib = st.lib[--st.n];
		for (size_t i = 0; i < lib->ndeps; i++)
			push(lib->deps[i].lib, &st);
		unique_foreach_held(lib, push, &st);
	}
	free(st.lib);
	return st.failed ? -1 : 0;
}

struct reach_set {
	struct sl_lib **lib;
	size_t n;
	int count_only;
};

static void collect(struct sl_lib *lib, void *arg)
{
	struct reach_set *set = arg;

	if (lib->reach_mark || lib->dying)
		return;
	if (!set->count_only)
		set->lib[set->n] = lib;
	set->n++;
}

static int later_init_first(const void *a, const void *b)
{
	const struct sl_lib *x = *(struct sl_lib *const *)a, *y = *(struct sl_lib *const *)b;

	return x->init_order < y->init_order ? 1 : x->init_order > y->init_order ? -1 : 0;
}

void reach_order(struct sl_lib **set, size_t n)
{
	qsort(set, n, sizeof(*set), later_init_first);
}

size_t reach_unreachable(struct sl_lib ***out)
{
	struct reach_set set = {.count_only = 1};

	*out = NULL;
	if (mark() != 0)
		return 0;
	registry_foreach_all(collect, &set);
	if (!set.n || !(set.lib = malloc(set.n * sizeof(*set.lib))))
		return 0;
	set.n = 0;
	set.count_only = 0;
	registry_foreach_all(collect, &set);
	reach_order(set.lib, set.n);
	for (size_t i = 0; i < set.n; i++)
		set.lib[i]->dying = 1;
	*out = set.lib;
	return set.n;
}
