#include "probe/share.h"
#include "child/holders.h"
#include "core/holdline.h"
#include "relro_share.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const loader_names[SHARE_NLOADERS] = {"dlopen", "soload", "soload-share"};

const char *share_loader_name(enum share_loader loader)
{
	return loader_names[loader];
}

int share_parse_loader(const char *name, enum share_loader *out)
{
	for (int i = 0; i < SHARE_NLOADERS; i++)
		if (strcmp(name, loader_names[i]) == 0) {
			*out = (enum share_loader)i;
			return 0;
		}
	return -1;
}

static void holder_argv(const struct share_request *req, enum share_loader loader, char *argv[5])
{
	int i = 0;

	if (loader == SHARE_DLOPEN) {
		argv[i++] = (char *)req->self;
		argv[i++] = "share";
		argv[i++] = "--hold-dlopen";
	} else {
		argv[i++] = (char *)req->soload;
		argv[i++] = "hold";
		if (loader == SHARE_SOLOAD_SHARE)
			argv[i++] = "--share";
	}
	argv[i++] = (char *)req->lib;
	argv[i] = NULL;
}

static void append_status(struct share_proc *p, const char *path, const char *status)
{
	size_t len = strlen(p->relro_status);
	const char *slash = strrchr(path, '/');

	snprintf(p->relro_status + len, sizeof(p->relro_status) - len, "%s%s: %s", len ? "; " : "",
	         slash ? slash + 1 : path, status);
}

/* RELRO sharing of one library as `soload hold` reports it: "share" with
 * relro_pages, shared_pages, private_pages and status. */
static void take_share(json_t *share, const char *path, struct share_proc *p)
{
	if (!json_is_object(share) || !json_is_true(json_object_get(share, "requested")))
		return;
	p->have_relro = 1;
	p->relro_pages += (size_t)json_integer_value(json_object_get(share, "relro_pages"));
	p->relro_shared_pages +=
	        (size_t)json_integer_value(json_object_get(share, "shared_pages"));
	p->relro_private_pages +=
	        (size_t)json_integer_value(json_object_get(share, "private_pages"));
	append_status(p, path, json_string_value(json_object_get(share, "status")) ?: "?");
}

struct take_ctx {
	struct share_run *run;
	struct share_proc *p;
};

/* One library of the ready line: its path, the paths it needed and, from
 * `soload hold`, its RELRO "share". */
static int take_library(void *ctx, const char *path, json_t *entry)
{
	struct take_ctx *c = ctx;
	json_t *dep;
	size_t i;

	if (share_mem_add_file(&c->run->files, path) != 0)
		return -1;
	json_array_foreach(json_object_get(entry, "needed"), i, dep)
	{
		if (share_mem_add_file(&c->run->files, json_string_value(dep)) != 0)
			return -1;
	}
	take_share(json_object_get(entry, "share"), path, c->p);
	return 0;
}

/* The ready line (core/holdline): the libraries asked for and the
 * dependencies the holder loaded for them. */
static int take_ready_line(const struct holder *h, struct share_run *run, struct share_proc *p,
                           char *why, size_t cap)
{
	struct take_ctx ctx = {run, p};
	char bad[256];
	json_t *line;
	int err;

	if (holdline_read(h->line, &line, bad, sizeof(bad)) != 0) {
		snprintf(why, cap, "holder %d failed: %s", (int)h->pid, bad);
		return -1;
	}
	err = holdline_each(line, take_library, &ctx);
	json_decref(line);
	if (err)
		snprintf(why, cap, "holder %d: out of memory", (int)h->pid);
	return err;
}

static void add_totals(struct share_mem *t, const struct share_mem *m, int first)
{
	t->mappings += m->mappings;
	t->rss += m->rss;
	t->pss += m->pss;
	t->shared_clean += m->shared_clean;
	t->shared_dirty += m->shared_dirty;
	t->private_clean += m->private_clean;
	t->private_dirty += m->private_dirty;
	t->text_rss += m->text_rss;
	t->text_pss += m->text_pss;
	t->sole_pages += m->sole_pages;
	t->shared_pages += m->shared_pages;
	t->have_mapcount = (first || t->have_mapcount) && m->have_mapcount;
	if (!m->have_mapcount && !t->mapcount_why[0])
		memcpy(t->mapcount_why, m->mapcount_why, sizeof(t->mapcount_why));
}

/* The RELRO cache files are the shared library's pages too. */
static void add_share_dir(struct share_run *run)
{
	char dir[PATH_MAX + 1], why[256];

	if (share_dir(dir, sizeof(dir) - 1, why, sizeof(why)) == 0) {
		strcat(dir, "/");
		share_mem_add_prefix(&run->files, dir);
	}
}

static int measure(struct holder_set *set, struct share_run *run, char *why, size_t cap)
{
	for (size_t i = 0; i < set->n; i++)
		if (take_ready_line(&set->h[i], run, &run->procs[i], why, cap) != 0)
			return -1;
	if (run->loader == SHARE_SOLOAD_SHARE)
		add_share_dir(run);
	for (size_t i = 0; i < set->n; i++) {
		struct share_proc *p = &run->procs[i];
		int err = share_mem_measure(set->h[i].pid, &run->files, &p->mem);
		p->pid = set->h[i].pid;
		if (err) {
			snprintf(why, cap, "holder %d: /proc/%d/smaps: %s", (int)p->pid,
			         (int)p->pid, strerror(-err));
			return -1;
		}
		add_totals(&run->totals, &p->mem, i == 0);
	}
	return 0;
}

int share_measure(const struct share_request *req, enum share_loader loader, struct share_run *run,
                  char *why, size_t cap)
{
	struct holder_set set;
	char *argv[5];
	int err = -1;

	memset(run, 0, sizeof(*run));
	run->loader = loader;
	run->n = req->n;
	run->procs = calloc(req->n ? req->n : 1, sizeof(*run->procs));
	if (!run->procs) {
		snprintf(why, cap, "out of memory");
		return -1;
	}
	holder_argv(req, loader, argv);
	if (holders_start(&set, argv, req->n) != 0 ||
	    holders_wait_ready(&set, req->timeout_ms) != 0)
		snprintf(why, cap, "%s: %s", share_loader_name(loader), set.failure);
	else
		err = measure(&set, run, why, cap);
	holders_stop(&set, req->timeout_ms);
	return err;
}

void share_free(struct share_run *run)
{
	free(run->procs);
	run->procs = NULL;
	share_mem_free(&run->files);
}
