#include "child/dlhold.h"
#include "core/holdline.h"

#include <dlfcn.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct names {
	size_t n;
	char **v;
};

static int has_name(const struct names *names, const char *name)
{
	for (size_t i = 0; i < names->n; i++)
		if (strcmp(names->v[i], name) == 0)
			return 1;
	return 0;
}

static void add_name(struct names *names, const char *name)
{
	char **grown;

	if (!name[0] || has_name(names, name))
		return;
	grown = realloc(names->v, (names->n + 1) * sizeof(*grown));
	if (!grown)
		return;
	names->v = grown;
	grown[names->n] = strdup(name);
	if (grown[names->n])
		names->n++;
}

static void free_names(struct names *names)
{
	for (size_t i = 0; i < names->n; i++)
		free(names->v[i]);
	free(names->v);
	names->n = 0;
	names->v = NULL;
}

static int collect(struct dl_phdr_info *info, size_t size, void *arg)
{
	(void)size;
	add_name(arg, info->dlpi_name);
	return 0;
}

int dlhold_open(struct dlhold *d, const char *lib)
{
	struct names before = {0}, after = {0}, held = {0};
	struct link_map *map = NULL;
	const char *err;

	memset(d, 0, sizeof(*d));
	dl_iterate_phdr(collect, &before);
	d->handle = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
	if (!d->handle) {
		err = dlerror();
		snprintf(d->error, sizeof(d->error), "%s", err ? err : "dlopen failed");
		free_names(&before);
		return -1;
	}
	/* The library itself first, even if something had loaded it already. */
	if (dlinfo(d->handle, RTLD_DI_LINKMAP, &map) == 0 && map)
		add_name(&held, map->l_name);
	dl_iterate_phdr(collect, &after);
	for (size_t i = 0; i < after.n; i++)
		if (!has_name(&before, after.v[i]))
			add_name(&held, after.v[i]);
	free_names(&before);
	free_names(&after);
	d->n = held.n;
	d->paths = held.v;
	return 0;
}

void dlhold_close(struct dlhold *d)
{
	struct names names = {d->n, d->paths};

	if (d->handle)
		dlclose(d->handle);
	free_names(&names);
	d->handle = NULL;
	d->n = 0;
	d->paths = NULL;
}

json_t *dlhold_line(const struct dlhold *d, int pid)
{
	json_t *line = holdline_new(pid, "dlopen");
	json_t *lib = holdline_add(line, d->paths[0], false);

	for (size_t i = 1; i < d->n; i++) {
		holdline_add_needed(lib, d->paths[i]);
		holdline_add(line, d->paths[i], true);
	}
	return line;
}
