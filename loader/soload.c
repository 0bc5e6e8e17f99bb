/* soload: the public API, and the pipeline that runs the steps in order:
 * header check, load plan, mapping, dynamic table, dependencies,
 * relocation, RELRO, initialisers, registry. */
#include "soload.h"
#include "loadpath.h"
#include "stage.h"
#include "sys.h"
#include "deps.h"
#include "dynamic.h"
#include "elfcheck.h"
#include "error.h"
#include "initfini.h"
#include "fileid.h"
#include "lazy.h"
#include "ldcache.h"
#include "load.h"
#include "map.h"
#include "plan.h"
#include "reach.h"
#include "registry.h"
#include "reloc.h"
#include "relro_share.h"
#include "symbol.h"
#include "tls.h"
#include "unique.h"
#include "unwind.h"
#include "unload.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

LOAD_PATH static struct sl_lib *new_lib(const char *path, const struct stat *st, int flags,
                                        struct sl_lib *loader)
{
	struct sl_lib *lib = calloc(1, sizeof(*lib));

	if (!lib || !(lib->path = strdup(path))) {
		free(lib);
		error_set(path, "out of memory");
		return NULL;
	}
	lib->name = lib->path;
	lib->dev = st->st_dev;
	lib->ino = st->st_ino;
	lib->file_identity = file_identity(st);
	lib->flags = flags;
	lib->loader = loader;
	lib->refcount = 1;
	lib->opens = !loader;
	lib->state = LIB_LOADING;
	return lib;
}

/* The file's bytes are needed only to read the program headers. */
LOAD_PATH static int read_plan(struct sl_lib *lib, int fd, size_t size, struct load_plan *plan)
{
	struct elf_file ef;
	int rc;

	if (elfcheck_read(lib->name, fd, size, &ef) != 0)
		return -1;
	rc = plan_build(lib->name, ef.phdr, ef.phnum, ef.file_size, plan);
	elfcheck_release(&ef);
	return rc;
}

/* Not inlined: the load plan (a kilobyte) is dead once mapped, and
 * load_fd's frame is stacked once per level of the dependency tree. */
LOAD_PATH static __attribute__((noinline)) int map_file(struct sl_lib *lib, int fd, size_t size)
{
	struct load_plan plan;

	return read_plan(lib, fd, size, &plan) ? -1 : map_library(lib, fd, &plan);
}

/* The first half of a load: the library and, recursively, its
 * dependencies are mapped, nothing is relocated or run yet. */
static int map_steps(struct sl_lib *lib, int fd, size_t size)
{
	if (map_file(lib, fd, size) != 0 || dynamic_decode(lib) != 0)
		return -1;
	stage_relative(lib, fd);
	if (tls_attach(lib) != 0)
		return -1;
	/* Registered while loading so that a dependency cycle finds it. */
	registry_add(lib);
	if (deps_load(lib) != 0)
		return -1;
	lib->state = LIB_MAPPED;
	return 0;
}

/* A cache that matched none of this process's RELRO pages shared nothing:
 * the status says so rather than "shared". Pages differ when they hold
 * addresses that differ between processes, glibc's above all. */
static void explain_unshared(struct sl_lib *lib)
{
	const struct sl_share_stats *st = &lib->share_stats;
	char why[256];

	if (!lib->share || !st->relro_pages || st->shared_pages || !st->status ||
	    strcmp(st->status, "shared") != 0)
		return;
	/* A warm load may still have written values from the cache (glibc's
	 * addresses as an object's bias plus an offset): say so, or the status
	 * reads as if the cache had done nothing. */
	snprintf(why, sizeof(why),
	         "no RELRO page matched the cache: each holds something that differs between "
	         "processes, such as an address in glibc%s",
	         st->relocs_skipped ? " (relocations still written from the cache: see "
	                              "relocs_skipped)"
	                            : "");
	share_give_up(lib->share, why);
}

/* The second half, over the group group's sl_open mapped: dependencies
 * first, each relocated (with the group as a last resort for symbols) and
 * RELRO protected. */
LOAD_PATH static int relocate_steps(struct sl_lib *lib, struct sl_lib *group)
{
	if (lib->state != LIB_MAPPED)
		return 0; /* done, or already on the way (a cycle) */
	lib->state = LIB_RELOCATING;
	for (size_t i = 0; i < lib->ndeps; i++)
		if (lib->deps[i].lib && relocate_steps(lib->deps[i].lib, group) != 0)
			return -1;
	lib->group = group;
	lib->scope_root = group;
	map_share_begin(lib);
	if (reloc_library(lib) != 0 || map_protect_relro(lib) != 0)
		return -1;
	explain_unshared(lib);
	lib->group = NULL;
	lib->state = LIB_RELOCATED;
	return 0;
}

/* Then, once the whole group is relocated, as glibc does (a dependency's
 * constructor may call code of the library that brought it in, which its
 * references bind to first), the initialisers, dependencies first. */
LOAD_PATH static void init_steps(struct sl_lib *lib)
{
	if (lib->state != LIB_RELOCATED)
		return;
	lib->state = LIB_INITIALISING;
	for (size_t i = 0; i < lib->ndeps; i++)
		if (lib->deps[i].lib)
			init_steps(lib->deps[i].lib);
	unique_settle(lib);
	/* Before the initialisers: a constructor may throw and catch. */
	unwind_attach(lib);
	initfini_run_init(lib);
	lib->state = LIB_READY;
}

static int finish_steps(struct sl_lib *lib)
{
	if (relocate_steps(lib, lib) != 0)
		return -1;
	unwind_adopt(lib);
	init_steps(lib);
	return 0;
}

LOAD_PATH struct sl_lib *load_fd(const char *path, int fd, int flags, struct sl_lib *loader)
{
	struct stat st;
	struct sl_lib *lib;

	if (sys_fstat(fd, &st) != 0) {
		error_set(path, "%m");
		sys_close(fd);
		return NULL;
	}
	if ((lib = registry_find(st.st_dev, st.st_ino))) {
		lib->refcount++;
		lib->opens += !loader;
		sys_close(fd);
		return lib;
	}
	if (flags & SL_NOLOAD) {
		error_set(path, "not loaded (SL_NOLOAD)");
	} else if (!S_ISREG(st.st_mode)) {
		error_set(path, "not a regular file");
	} else if ((lib = new_lib(path, &st, flags, loader)) &&
	           map_steps(lib, fd, st.st_size) != 0) {
		/* Once registered, a dependency may refer back to it (a cycle):
		 * it goes with them, unreached, when sl_open collects. */
		if (registry_contains(lib))
			lib->opens = 0;
		else
			unload_one(lib);
		lib = NULL;
	}
	sys_close(fd);
	return lib;
}

/* Every defined symbol (the first 4096) looked up by its own name, as
 * sl_sym would: the hash tables' walk, on whatever the file holds. */
static void check_lookups(struct sl_lib *lib)
{
	for (size_t i = 1; i < lib->tab.nsyms && i < 4096; i++) {
		const Elf64_Sym *s = &lib->tab.symtab[i];
		struct symbol_key key;
		if (s->st_name >= lib->tab.strsz || s->st_shndx == SHN_UNDEF)
			continue;
		symbol_key(&key, lib->tab.strtab + s->st_name, NULL);
		symbol_find_in(&lib->tab, &key);
	}
}

struct sl_lib *load_inspect_fd(const char *path, int fd, enum load_check upto,
                               struct load_plan *plan)
{
	struct stat st;
	struct sl_lib *lib;
	int rc;

	if (sys_fstat(fd, &st) != 0) {
		error_set(path, "%m");
		return NULL;
	}
	if (!(lib = new_lib(path, &st, 0, NULL)))
		return NULL;
	rc = read_plan(lib, fd, st.st_size, plan);
	if (rc == 0 && upto >= LOAD_CHECK_DYNAMIC)
		rc = map_library(lib, fd, plan) || dynamic_decode(lib) ? -1 : 0;
	if (rc == 0 && upto >= LOAD_CHECK_RELOCS)
		rc = reloc_check(lib);
	if (rc == 0 && upto >= LOAD_CHECK_SYMBOLS)
		check_lookups(lib);
	if (rc == 0)
		return lib;
	load_discard(lib);
	return NULL;
}

void load_discard(struct sl_lib *lib)
{
	registry_lock();
	unload_one(lib);
	registry_unlock();
}

int load_check_fd(const char *path, int fd, enum load_check upto)
{
	struct load_plan plan;
	struct sl_lib *lib = load_inspect_fd(path, fd, upto, &plan);

	if (!lib)
		return -1;
	load_discard(lib);
	return 0;
}

/* A second libc beside the host's would break both. A file that is no
 * library at all (a 32-bit libc) is refused for what it is instead. */
static void refuse_host_library(const char *path)
{
	int fd = -1;

	if (strchr(path, '/') && (fd = sys_open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		error_set(path, "%m");
		return;
	}
	if (fd < 0 || load_check_fd(path, fd, LOAD_CHECK_HEADER) == 0)
		error_set(path, "one of glibc's own libraries: only the system's dynamic linker "
		                "loads those (use dlopen)");
	if (fd >= 0)
		sys_close(fd);
}

/* A name without a '/' gives the library loaded by that soname, if any,
 * as dlopen does. Under the registry lock. */
static struct sl_lib *loaded_by_soname(const char *name)
{
	struct sl_lib *lib = registry_find_soname(name);

	return lib && lib->state == LIB_READY ? lib : NULL;
}

/* Else the file the search finds. Under the registry lock. */
static struct sl_lib *open_name(const char *name, int flags)
{
	struct sl_lib *lib = loaded_by_soname(name);
	char *path;
	int fd;

	if (lib) {
		lib->refcount++;
		lib->opens++;
		return lib;
	}
	if (!(path = deps_search_copy(name, &fd)))
		return NULL;
	lib = load_fd(path, fd, flags, NULL);
	free(path);
	return lib;
}

/* What open_name would load, into path (PATH_MAX bytes). 0 or -1. */
static int find_name(const char *name, char *path)
{
	struct sl_lib *lib;
	int fd = -1;

	registry_lock();
	if ((lib = loaded_by_soname(name)))
		snprintf(path, PATH_MAX, "%s", lib->path);
	else if ((fd = deps_search(NULL, name, path)) >= 0)
		sys_close(fd);
	ldcache_release(); /* the path was copied out of it */
	registry_unlock();
	return lib || fd >= 0 ? 0 : -1;
}

static struct sl_lib *open_path(const char *path, int flags)
{
	int fd = sys_open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		error_set(path, "%m");
		return NULL;
	}
	return load_fd(path, fd, flags, NULL);
}

LOAD_PATH sl_lib *sl_open(const char *path, int flags)
{
	struct sl_lib *lib;

	error_clear();
	if (!path || !*path) {
		error_set(NULL, "sl_open: no path given");
		return NULL;
	}
	if (deps_is_host_library(path)) {
		refuse_host_library(path);
		return NULL;
	}
	registry_lock();
	lib = strchr(path, '/') ? open_path(path, flags) : open_name(path, flags);
	/* The dependencies are all found: ldconfig's cache is not needed. */
	ldcache_release();
	if (lib &&
	    (finish_steps(lib) != 0 || ((flags & SL_GLOBAL) && symbol_make_global(lib) != 0))) {
		unload_close(lib);
		lib = NULL;
	} else if (!lib) {
		unload_collect(); /* what a failed load left mapped */
	}
	registry_unlock();
	return lib;
}

int sl_find(const char *name, char *path, size_t cap)
{
	char found[PATH_MAX];
	int fd;

	error_clear();
	if (!name || !*name || !path)
		return error_set(NULL, "sl_find: no name or no buffer given");
	if (strchr(name, '/')) {
		if ((fd = sys_open(name, O_RDONLY | O_CLOEXEC)) < 0)
			return error_set(name, "%m");
		sys_close(fd);
		snprintf(found, sizeof(found), "%s", name);
	} else if (!deps_is_host_library(name) || deps_host_path(name, found) != 0) {
		if (find_name(name, found) != 0)
			return -1;
	}
	if (strlen(found) >= cap)
		return error_set(name, "its path %s does not fit in %zu bytes", found, cap);
	strcpy(path, found);
	return 0;
}

LOAD_PATH void *sl_sym(sl_lib *lib, const char *name)
{
	struct symdef def;

	if (!lib || !name) {
		error_set(NULL, "sl_sym: no library or no name given");
		return NULL;
	}
	if (symbol_lookup(lib, name, NULL, &def) != 0)
		return NULL;
	if (def.sym && ELF64_ST_TYPE(def.sym->st_info) == STT_TLS) {
		error_set(lib->name, "%s is thread-local: no single address", name);
		return NULL;
	}
	return (void *)def.addr;
}

int sl_close(sl_lib *lib)
{
	int rc = 0;

	registry_lock();
	if (!lib || !registry_contains(lib) || lib->state != LIB_READY || !lib->opens)
		rc = error_set(NULL, "sl_close: not an open library handle");
	else
		unload_close(lib);
	registry_unlock();
	return rc;
}

int sl_info(sl_lib *lib, struct sl_info *out)
{
	if (!lib || !out)
		return error_set(NULL, "sl_info: no library or no output given");
	memset(out, 0, sizeof(*out));
	registry_lock();
	out->path = lib->path;
	out->soname = lib->soname;
	out->base = lib->base;
	out->span = lib->span;
	out->refcount = lib->refcount;
	out->nsegments = lib->nsegments;
	out->segments = lib->segments;
	out->nneeded = lib->nneeded;
	out->needed = lib->needed;
	out->relro_start = lib->relro_start;
	out->relro_size = lib->relro_size;
	out->share = lib->share_stats;
	registry_unlock();
	return 0;
}

void sl_foreach(void (*fn)(sl_lib *lib, void *arg), void *arg)
{
	registry_foreach(fn, arg);
}
