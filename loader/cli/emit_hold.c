#include "emit_hold.h"
#include "emit_info.h"

#include "core/holdline.h"

#include <stdlib.h>
#include <string.h>

/* Sections that hold code or data a debugger shows; the loader's own
 * tables (.dynsym, .rela.*, notes, versions) are left out. */
static int shows_in_gdb(const char *name)
{
	static const char *const skip[] = {".note", ".gnu.", ".dyn", ".rel", ".hash", NULL};

	for (const char *const *p = skip; *p; p++)
		if (strncmp(name, *p, strlen(*p)) == 0)
			return 0;
	return strcmp(name, ".text") != 0;
}

/* gdb takes .text's address first, then other sections by name. The path
 * is made absolute so the command works from any directory. */
char *emit_hold_gdb_command(const struct sl_info *info, const struct section *s, size_t n)
{
	char *buf = NULL, *abs = realpath(info->path, NULL);
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	uint64_t text = 0;

	if (!f) {
		free(abs);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		if (strcmp(s[i].name, ".text") == 0)
			text = info->base + s[i].addr;
	fprintf(f, "add-symbol-file %s 0x%lx", abs ? abs : info->path, text);
	for (size_t i = 0; i < n; i++)
		if (shows_in_gdb(s[i].name))
			fprintf(f, " -s %s 0x%lx", s[i].name, info->base + s[i].addr);
	fclose(f);
	free(abs);
	return buf;
}

static json_t *segments_json(const struct sl_info *info)
{
	json_t *arr = json_array();
	char prot[4];

	for (size_t i = 0; i < info->nsegments; i++) {
		const struct sl_segment *s = &info->segments[i];
		json_t *o = json_object();
		emit_int(o, "start", s->start);
		emit_int(o, "size", s->size);
		emit_int(o, "vaddr", s->vaddr);
		emit_int(o, "file_offset", s->file_offset);
		emit_int(o, "file_size", s->file_size);
		emit_str(o, "prot", emit_prot(s->prot, prot));
		json_array_append_new(arr, o);
	}
	return arr;
}

static json_t *share_json(const struct sl_share_stats *s)
{
	json_t *o = json_object();

	json_object_set_new(o, "requested", json_boolean(s->requested));
	emit_str(o, "status", s->status);
	if (s->requested) {
		emit_int(o, "relro_pages", s->relro_pages);
		emit_int(o, "shared_pages", s->shared_pages);
		emit_int(o, "private_pages", s->private_pages);
		emit_int(o, "relocs_skipped", s->relocs_skipped);
	}
	return o;
}

/* The library's entry of the ready line, with all libsoload knows of it. */
static void add_library(json_t *line, const struct hold_entry *e, bool dependency)
{
	json_t *relro = json_null(), *o;
	struct sl_info info, dep;

	sl_info(e->lib, &info);
	o = holdline_add(line, info.path, dependency);
	emit_str(o, "soname", info.soname);
	emit_int(o, "base", info.base);
	emit_int(o, "span", info.span);
	emit_int(o, "refcount", info.refcount);
	json_object_set_new(o, "segments", segments_json(&info));
	if (info.relro_size) {
		relro = json_object();
		emit_int(relro, "start", info.relro_start);
		emit_int(relro, "size", info.relro_size);
	}
	json_object_set_new(o, "relro", relro);
	for (size_t i = 0; i < info.nneeded; i++) {
		sl_info(info.needed[i], &dep);
		holdline_add_needed(o, dep.path);
	}
	json_object_set_new(o, "share", share_json(&info.share));
	if (e->sections) {
		char *cmd = emit_hold_gdb_command(&info, e->sections, e->nsections);
		emit_str(o, "gdb", cmd);
		free(cmd);
	}
}

struct deps_ctx {
	const struct hold_entry *e;
	size_t n;
	json_t *line;
};

/* A library libsoload loaded that was not asked for: a dependency. */
static void add_dependency(sl_lib *lib, void *arg)
{
	struct deps_ctx *c = arg;
	struct hold_entry dep = {.lib = lib};

	for (size_t i = 0; i < c->n; i++)
		if (c->e[i].lib == lib)
			return;
	add_library(c->line, &dep, true);
}

json_t *emit_hold_doc(int pid, const struct hold_entry *e, size_t n)
{
	json_t *line = holdline_new(pid, "soload");
	struct deps_ctx deps = {e, n, line};

	for (size_t i = 0; i < n; i++)
		add_library(line, &e[i], false);
	/* With their own share stats: --share reaches them too. */
	sl_foreach(add_dependency, &deps);
	return line;
}

struct text_deps_ctx {
	const struct hold_entry *e;
	size_t n, shown;
	FILE *out;
};

/* A dependency libsoload loaded for the libraries asked for, one line. */
static void print_dependency(sl_lib *lib, void *arg)
{
	struct text_deps_ctx *c = arg;
	struct sl_info info;

	for (size_t i = 0; i < c->n; i++)
		if (c->e[i].lib == lib)
			return;
	if (sl_info(lib, &info) != 0)
		return;
	if (!c->shown++)
		fputs("loaded as dependencies:\n", c->out);
	fprintf(c->out, "  %s at 0x%lx (%zu bytes, refcount %u)\n", info.path, info.base,
	        info.span, info.refcount);
	if (info.share.requested)
		fprintf(c->out, "  RELRO: %zu of %zu pages shared (%s)\n", info.share.shared_pages,
		        info.share.relro_pages, info.share.status);
}

void emit_hold_text(FILE *out, int pid, const struct hold_entry *e, size_t n)
{
	struct text_deps_ctx deps = {e, n, 0, out};

	fprintf(out, "pid %d holds %zu librar%s\n", pid, n, n == 1 ? "y" : "ies");
	for (size_t i = 0; i < n; i++) {
		struct sl_info info;
		sl_info(e[i].lib, &info);
		fprintf(out, "  %s at 0x%lx (%zu bytes, refcount %u)\n", info.path, info.base,
		        info.span, info.refcount);
		if (info.share.requested)
			fprintf(out, "  RELRO: %zu of %zu pages shared (%s)\n",
			        info.share.shared_pages, info.share.relro_pages,
			        info.share.status);
		if (e[i].sections) {
			char *cmd = emit_hold_gdb_command(&info, e[i].sections, e[i].nsections);
			fprintf(out, "  %s\n", cmd ? cmd : "(out of memory)");
			free(cmd);
		}
	}
	sl_foreach(print_dependency, &deps);
	fflush(out);
}
