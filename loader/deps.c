#include "deps.h"
#include "loadpath.h"
#include "sys.h"
#include "error.h"
#include "ldcache.h"
#include "load.h"
#include "registry.h"
#include "unload.h"

#include <dlfcn.h>
#include <link.h>
#include <stdint.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

static const char *const system_dirs[] = {
        "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib", "/usr/lib", NULL,
};

/* glibc's libraries share private state with the dynamic linker that
 * started the process; a second copy would break it. */
static const char *const host_prefixes[] = {
        "libc.so.",  "libm.so.",      "libpthread.so.", "libdl.so.",
        "librt.so.", "libresolv.so.", "ld-linux",       NULL,
};

LOAD_PATH int deps_is_host_library(const char *name)
{
	const char *base = error_basename(name);

	for (const char *const *p = host_prefixes; *p; p++)
		if (strncmp(base, *p, strlen(*p)) == 0)
			return 1;
	return 0;
}

/*
 * A search keeps no PATH_MAX buffer: each candidate is built in a frame of
 * its exact size, and the one that opens is copied to the heap. A 4 KiB
 * buffer (and the 1 KiB of notes below) above the search's calls pushed
 * them onto a stack page a fresh process had not touched, a fault in
 * every first load that glibc's dlopen did not take.
 */

/* Where a search got to, for the "not found" message: made only by the
 * second walk of a search that found nothing (s NULL on the first). */
struct search {
	char tried[1024];
	size_t len;
};

/* By hand, not snprintf: formatting every directory tried was a fifth of
 * the search's time in a first load. */
static void note_dir(struct search *s, const char *dir, size_t n)
{
	size_t sep;

	if (!s)
		return;
	sep = s->len ? 1 : 0;
	if (s->len + sep + n >= sizeof(s->tried)) {
		s->tried[s->len] = '\0'; /* a directory that does not fit is left out whole */
		return;
	}
	if (sep)
		s->tried[s->len] = ':';
	memcpy(s->tried + s->len + sep, dir, n);
	s->len += sep + n;
	s->tried[s->len] = '\0';
}

/* Opens file; if it opens, *found is a copy of file on the heap (NULL if
 * out of memory: the caller of the search tells). An open fd, or -1. */
static int open_found(const char *file, char **found)
{
	int fd = sys_open(file, O_RDONLY | O_CLOEXEC);

	if (fd >= 0)
		*found = strdup(file);
	return fd;
}

/* Opens the n bytes at a, the m at b, "/" and name, as one path (noted
 * but not opened when n is 0: an empty entry of a list). An open fd, or
 * -1 (also when the path would not fit in PATH_MAX: neither tried nor
 * noted). */
static int try_path(const char *a, size_t n, const char *b, size_t m, const char *name,
                    char **found, struct search *s)
{
	size_t len = strlen(name);

	if (n + m + 1 + len >= PATH_MAX)
		return -1;
	char path[n + m + 1 + len + 1];
	memcpy(path, a, n);
	memcpy(path + n, b, m);
	path[n + m] = '/';
	memcpy(path + n + m + 1, name, len + 1);
	note_dir(s, path, n + m);
	if (n == 0)
		return -1;
	return open_found(path, found);
}

/* Tries dir/name, with $ORIGIN or ${ORIGIN} at the start of dir replaced
 * by the directory of owner, the file whose path list dir comes from. An
 * open fd, or -1. */
static int try_dir(const char *owner, const char *dir, size_t n, const char *name, char **found,
                   struct search *s)
{
	const char *origin_end = strrchr(owner, '/');
	size_t origin_len = origin_end ? (size_t)(origin_end - owner) : 1;
	const char *origin = origin_end ? owner : ".";
	size_t skip = 0;

	if (n >= 7 && strncmp(dir, "$ORIGIN", 7) == 0)
		skip = 7;
	else if (n >= 9 && strncmp(dir, "${ORIGIN}", 9) == 0)
		skip = 9;
	if (n == 0)
		return try_path(dir, 0, "", 0, name, found, s);
	if (skip)
		return try_path(origin, origin_len, dir + skip, n - skip, name, found, s);
	return try_path(dir, n, "", 0, name, found, s);
}

/* Searches a colon-separated list of directories that owner gave. */
static int search_list(const char *owner, const char *list, const char *name, char **found,
                       struct search *s)
{
	while (list && *list) {
		size_t n = strcspn(list, ":");
		int fd = try_dir(owner, list, n, name, found, s);
		if (fd >= 0)
			return fd;
		list += n + (list[n] == ':');
	}
	return -1;
}

/* The executable's path lists, read once under the registry lock like
 * every search: its DT_RPATH (ignored, as by glibc, when it also has a
 * DT_RUNPATH) and its DT_RUNPATH. */
static struct {
	int read, path_read;
	const char *rpath;   /* NULL: none */
	const char *runpath; /* NULL: none */
	char *path;          /* the executable, for $ORIGIN: read when first needed, on the heap
	                      * (share_place.c's layout says why) */
} exe;

static int find_exe_paths(struct dl_phdr_info *info, size_t size, void *arg)
{
	const Elf64_Dyn *d = NULL;
	uintptr_t strtab = 0;
	int64_t rpath = -1, runpath = -1;

	(void)size;
	(void)arg;
	for (int i = 0; i < info->dlpi_phnum; i++)
		if (info->dlpi_phdr[i].p_type == PT_DYNAMIC)
			d = (const void *)(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr);
	for (; d && d->d_tag != DT_NULL; d++) {
		if (d->d_tag == DT_STRTAB)
			strtab = d->d_un.d_ptr;
		else if (d->d_tag == DT_RPATH)
			rpath = (int64_t)d->d_un.d_val;
		else if (d->d_tag == DT_RUNPATH)
			runpath = (int64_t)d->d_un.d_val;
	}
	/* glibc turns the executable's DT_STRTAB into a run-time address when
	 * its dynamic section is writable: below the load base, it is not. */
	if (strtab && strtab < info->dlpi_addr)
		strtab += info->dlpi_addr;
	if (strtab && runpath >= 0)
		exe.runpath = (const char *)strtab + runpath;
	else if (strtab && rpath >= 0)
		exe.rpath = (const char *)strtab + rpath;
	return 1; /* the first object is the executable */
}

static void read_exe_paths(void)
{
	if (exe.read)
		return;
	exe.read = 1;
	dl_iterate_phdr(find_exe_paths, NULL);
}

/* The executable's path, the owner of its path lists and of
 * LD_LIBRARY_PATH's and SOLOAD_LIBRARY_PATH's $ORIGIN: a readlink that a
 * search without any of them never pays. */
static const char *exe_path(void)
{
	char path[PATH_MAX];
	ssize_t n;

	if (!exe.path_read) {
		exe.path_read = 1;
		n = readlink("/proc/self/exe", path, sizeof(path) - 1);
		path[n > 0 ? n : 0] = '\0';
		exe.path = strdup(path);
	}
	return exe.path ? exe.path : ""; /* out of memory: no $ORIGIN, as if unreadable */
}

/* The DT_RPATH lists, glibc's dl-load.c order: none for a library with a
 * DT_RUNPATH; else its own, that of the library that loaded it, and on up
 * the chain of loaders, then the executable's (for lib NULL, the program
 * itself: the executable's alone). Each $ORIGIN is the directory of the
 * file whose list it is in. */
static int search_rpaths(const struct sl_lib *lib, const char *name, char **found,
                         struct search *s)
{
	int fd = -1;

	if (lib && lib_has(lib, DT_RUNPATH))
		return -1;
	for (const struct sl_lib *l = lib; fd < 0 && l; l = l->loader)
		if (!lib_has(l, DT_RUNPATH))
			fd = search_list(l->path, l->runpath, name, found, s);
	if (fd < 0 && exe.rpath)
		fd = search_list(exe_path(), exe.rpath, name, found, s);
	return fd;
}

/* LD_LIBRARY_PATH, unless the program runs with privileges it was given
 * (set-user-ID: AT_SECURE), where glibc ignores it. Its $ORIGIN is the
 * executable's directory, as glibc reads it. */
static int search_env(const char *name, char **found, struct search *s)
{
	const char *env = getenv("LD_LIBRARY_PATH");

	if (!env || getauxval(AT_SECURE))
		return -1;
	return search_list(exe_path(), env, name, found, s);
}

/* DF_1_NODEFLIB (-z nodefaultlib): not from the system's directories. */
static int nodeflib(const struct sl_lib *lib)
{
	return lib && lib_has(lib, DYN_FLAGS_1) && (lib->dt_flags_1 & DF_1_NODEFLIB);
}

static int in_system_dir(const char *file)
{
	const char *slash = strrchr(file, '/');
	size_t n = slash ? (size_t)(slash - file) : 0;

	for (const char *const *d = system_dirs; *d; d++)
		if (strlen(*d) == n && strncmp(file, *d, n) == 0)
			return 1;
	return 0;
}

/* What ldconfig's cache gives for name, as glibc asks it after the path
 * lists: it also knows the directories of /etc/ld.so.conf. */
static int try_cache(const struct sl_lib *lib, const char *name, char **found, struct search *s)
{
	const char *file = ldcache_lookup(name);

	note_dir(s, ldcache_path(), strlen(ldcache_path()));
	if (!file || (nodeflib(lib) && in_system_dir(file)) || strlen(file) >= PATH_MAX)
		return -1;
	return open_found(file, found);
}

/* The search for a name without a '/' that lib needs or dlopens (lib NULL:
 * the program does), glibc's order: the DT_RPATH lists, LD_LIBRARY_PATH,
 * the DT_RUNPATH of lib (or, when exe_runpath, the executable's), then
 * SOLOAD_LIBRARY_PATH, ldconfig's cache, the system directories. An open
 * fd with its file in *found, or -1. */
static int search_name(const struct sl_lib *lib, int exe_runpath, const char *name, char **found,
                       struct search *s)
{
	const char *runpath, *env = getenv("SOLOAD_LIBRARY_PATH");
	int fd;

	read_exe_paths();
	if (lib)
		runpath = lib_has(lib, DT_RUNPATH) ? lib->runpath : NULL;
	else
		runpath = exe_runpath ? exe.runpath : NULL;
	fd = search_rpaths(lib, name, found, s);
	if (fd < 0)
		fd = search_env(name, found, s);
	if (fd < 0 && runpath)
		fd = search_list(lib ? lib->path : exe_path(), runpath, name, found, s);
	if (fd < 0 && env)
		fd = search_list(lib ? lib->path : exe_path(), env, name, found, s);
	if (fd < 0)
		fd = try_cache(lib, name, found, s);
	/* The system directories hold no $ORIGIN: no owner needed. */
	for (const char *const *d = system_dirs; fd < 0 && !nodeflib(lib) && *d; d++)
		fd = try_dir("", *d, strlen(*d), name, found, s);
	return fd;
}

/* The search again, noting each directory it tries, for the message of
 * one that found nothing (needed_by NULL: a dlopen's): the notes' frame
 * is on this path alone. */
static __attribute__((noinline)) int search_failed(const struct sl_lib *lib, int exe_runpath,
                                                   const char *name, const char *needed_by)
{
	struct search s = {.len = 0};
	char *found = NULL;
	int fd = search_name(lib, exe_runpath, name, &found, &s);

	if (fd >= 0)
		sys_close(fd); /* it appeared since the first walk: still not found by it */
	free(found);
	if (needed_by)
		return error_set_missing(needed_by, name,
		                         "needed library %s not found (searched: %s)", name,
		                         s.tried);
	return error_set_missing(name, name, "not found (searched: %s)", s.tried);
}

/* fd as a search found it, or -1 with the error set for who if the copy
 * of its path could not be made. */
static int kept(int fd, char *const *found, const char *who)
{
	if (fd >= 0 && !*found) {
		sys_close(fd);
		return error_set(who, "out of memory");
	}
	return fd;
}

/* search_name, and the message if it finds nothing. */
static int search_or_fail(const struct sl_lib *lib, int exe_runpath, const char *name,
                          const char *needed_by, char **found)
{
	int fd;

	*found = NULL;
	fd = search_name(lib, exe_runpath, name, found, NULL);
	if (fd < 0)
		return search_failed(lib, exe_runpath, name, needed_by);
	return kept(fd, found, needed_by ? needed_by : name);
}

/* The file lib needs as name: a path as it is, else searched. */
static int search(const struct sl_lib *lib, const char *name, char **found)
{
	int fd;

	if (!strchr(name, '/'))
		return search_or_fail(lib, 0, name, lib->name, found);
	*found = NULL;
	fd = open_found(name, found);
	if (fd < 0)
		return error_set(lib->name, "needed library %s: %m", name);
	return kept(fd, found, lib->name);
}

/* fd's file, found on the heap, into path (PATH_MAX bytes: a search finds
 * no longer path). */
static int copy_found(int fd, char *found, char *path)
{
	if (fd >= 0)
		strcpy(path, found);
	free(found);
	return fd;
}

int deps_search(const struct sl_lib *caller, const char *name, char *path)
{
	char *found;
	int fd = search_or_fail(caller, 1, name, NULL, &found);

	return copy_found(fd, found, path);
}

int deps_search_listless(const char *name, char *path)
{
	char *found;
	int fd = search_or_fail(NULL, 0, name, NULL, &found);

	return copy_found(fd, found, path);
}

char *deps_search_copy(const char *name, int *fd)
{
	char *found;

	*fd = search_or_fail(NULL, 1, name, NULL, &found);
	return *fd >= 0 ? found : NULL;
}

/* Host libraries opened so far, kept open for the life of the process:
 * glibc's libraries never unload anyway, and asking dlopen again on every
 * sl_open costs more than the rest of a small library's load. Guarded by
 * the registry lock, like every dependency step. */
static struct host_lib {
	char *name; /* on the heap: 64-byte arrays made this 2 KiB of .bss */
	void *handle;
} host_cache[32];

/* The C library this very code calls is loaded, and in the global scope,
 * in every process it runs in: its handle (in glibc a library's struct
 * link_map, as dlinfo's RTLD_DI_LINKMAP gives it) is found in the
 * debugger's list, where libc sits near the head, without asking dlopen,
 * whose code a first load in a fresh process faulted in for nothing. */
static struct link_map *glibc_loaded(const char *name)
{
	for (struct link_map *l = _r_debug.r_map; l; l = l->l_next)
		if (l->l_name && strcmp(error_basename(l->l_name), name) == 0)
			return l;
	return NULL;
}

static void *loaded_libc(const char *name)
{
	return strcmp(name, "libc.so.6") == 0 ? glibc_loaded(name) : NULL;
}

/* glibc's dlopen of one of its libraries, for lib. One glibc has loaded
 * is asked for by name, which it matches without a search (each of its
 * own libraries' files is named by its soname); one not loaded yet by the
 * path the search finds (glibc's order, with lib's path lists, as glibc
 * searches for lib's DT_NEEDED), and by name only if the search finds
 * nothing, for dlerror's message. Given a bare name to search, glibc's
 * dlopen maps ldconfig's cache itself and unmaps it: for libsqlite3's
 * libm that unmapping alone cost 40 us and more here. Not by path when
 * loaded: glibc knows the dynamic linker by its names alone, and a path
 * to its file loaded a second copy. */
static void *dlopen_host(const struct sl_lib *lib, const char *name)
{
	char *path = NULL;
	void *handle;
	int fd = -1;

	if (!strchr(name, '/') && !glibc_loaded(name))
		fd = search_name(lib, 0, name, &path, NULL);
	if (fd >= 0)
		sys_close(fd);
	handle = dlopen(path ? path : name, RTLD_LAZY | RTLD_GLOBAL);
	free(path);
	return handle;
}

static int open_host(const struct sl_lib *lib, const char *name, struct host_lib *out)
{
	size_t i, n = sizeof(host_cache) / sizeof(host_cache[0]);

	/* libc first, and not kept in the cache: the walk is as short as the
	 * cache's, and the cache's page of .bss, touched for nothing else in
	 * most loads, cost a fault in a fresh process. */
	if ((out->handle = loaded_libc(name)))
		return 0;
	for (i = 0; i < n && host_cache[i].handle; i++) {
		if (strcmp(host_cache[i].name, name) == 0) {
			*out = host_cache[i];
			return 0;
		}
	}
	/* RTLD_GLOBAL: symbol lookups ask the global scope (symbol.c). One
	 * dlopen: one that is loaded already is found by name first, and an
	 * RTLD_NOLOAD try first made glibc search the disk for a library not
	 * loaded yet (libm for libsqlite3) and fail, before the real load. */
	out->handle = dlopen_host(lib, name);
	if (!out->handle)
		return -1;
	if (i < n && (out->name = strdup(name))) /* out of memory: not kept, asked again */
		host_cache[i] = *out;
	return 0;
}

int deps_host_path(const char *name, char *path)
{
	void *h = dlopen(name, RTLD_LAZY | RTLD_NOLOAD);
	struct link_map *lm;
	int rc = -1;

	if (h && dlinfo(h, RTLD_DI_LINKMAP, &lm) == 0 && lm && lm->l_name[0] == '/' &&
	    strlen(lm->l_name) < PATH_MAX) {
		strcpy(path, lm->l_name);
		rc = 0;
	}
	if (h)
		dlclose(h);
	return rc;
}

LOAD_PATH static int load_host(struct sl_lib *lib, const char *name, struct sl_scope *dep)
{
	struct host_lib h;

	if (open_host(lib, name, &h) != 0)
		return error_set(lib->name, "needed library %s: %s", name, dlerror());
	dep->host = h.handle;
	return 0;
}

/* SL_USE_HOST: whether glibc already holds name (a soname it matches, or
 * a path to the same device and inode). */
static int host_holds(const struct sl_lib *lib, const char *name)
{
	void *h;

	if (!(lib->flags & SL_USE_HOST) || !(h = dlopen(name, RTLD_LAZY | RTLD_NOLOAD)))
		return 0;
	dlclose(h);
	return 1;
}

static int load_one(struct sl_lib *lib, const char *name, struct sl_scope *dep)
{
	struct sl_lib *found;
	char *path;
	int fd, rc;

	dep->name = name;
	if (deps_is_host_library(name))
		return load_host(lib, name, dep);
	found = registry_find_soname(name);
	if (found && found->state == LIB_LOADING) {
		dep->lib = found; /* a cycle: in scope, but no reference */
		return 0;
	}
	if (found) {
		found->refcount++;
		dep->lib = found;
		dep->owned = 1;
		return 0;
	}
	if (host_holds(lib, name))
		return load_host(lib, name, dep);
	if ((fd = search(lib, name, &path)) < 0)
		return -1;
	if (host_holds(lib, path)) {
		sys_close(fd);
		rc = load_host(lib, path, dep);
	} else {
		dep->lib = load_fd(path, fd, lib->flags & ~SL_NOLOAD, lib);
		dep->owned = dep->lib != NULL;
		rc = dep->lib ? 0 : -1;
	}
	free(path);
	return rc;
}

/* The library, then its dependencies breadth-first, each once: marked as
 * they are added (a walk of the scope per dependency grew with the square
 * of the tree), glibc's where the first of them is met, and the array cut
 * to its size at the end (doubling leaves up to half of it unused). Under
 * the registry lock, as every load step. */
static int build_scope(struct sl_lib *lib)
{
	static unsigned long last_mark;
	unsigned long mark = ++last_mark;
	size_t cap = 8;
	int host_added = 0;
	struct sl_lib **fitted;

	lib->scope = malloc(cap * sizeof(*lib->scope));
	if (!lib->scope)
		return error_set(lib->name, "out of memory");
	lib->scope[0] = lib;
	lib->scope_mark = mark;
	lib->nscope = 1;
	for (size_t i = 0; i < lib->nscope; i++) {
		const struct sl_lib *from = lib->scope[i];
		for (size_t j = 0; from && j < from->ndeps; j++) {
			struct sl_lib *dep = from->deps[j].lib;
			if (dep ? dep->scope_mark == mark : host_added)
				continue;
			if (dep)
				dep->scope_mark = mark;
			else
				host_added = 1;
			if (lib->nscope == cap) {
				struct sl_lib **grown;
				cap *= 2;
				grown = realloc(lib->scope, cap * sizeof(*grown));
				if (!grown)
					return error_set(lib->name, "out of memory");
				lib->scope = grown;
			}
			lib->scope[lib->nscope++] = dep;
		}
	}
	if ((fitted = realloc(lib->scope, lib->nscope * sizeof(*fitted))))
		lib->scope = fitted;
	return 0;
}

static int collect_needed(struct sl_lib *lib)
{
	lib->needed = malloc((lib->ndeps + 1) * sizeof(*lib->needed));
	if (!lib->needed)
		return error_set(lib->name, "out of memory");
	for (size_t i = 0; i < lib->ndeps; i++)
		if (lib->deps[i].lib && lib->deps[i].owned)
			lib->needed[lib->nneeded++] = lib->deps[i].lib;
	return 0;
}

LOAD_PATH int deps_load(struct sl_lib *lib)
{
	lib->deps = calloc(lib->nneeded_names + 1, sizeof(*lib->deps));
	if (!lib->deps)
		return error_set(lib->name, "out of memory");
	for (size_t i = 0; i < lib->nneeded_names; i++) {
		if (load_one(lib, lib->tab.strtab + lib->needed_names[i], &lib->deps[i]) != 0)
			goto fail;
		lib->ndeps++;
	}
	lib->loader = NULL;
	if (collect_needed(lib) == 0 && build_scope(lib) == 0)
		return 0;
fail:
	lib->loader = NULL;
	deps_release(lib);
	return -1;
}

void deps_release(struct sl_lib *lib)
{
	for (size_t i = lib->ndeps; i-- > 0;) {
		struct sl_scope *d = &lib->deps[i];
		if (d->owned && d->lib)
			unload_unref(d->lib);
	}
	free(lib->deps);
	free(lib->needed);
	free(lib->scope);
	lib->deps = NULL;
	lib->needed = NULL;
	lib->scope = NULL;
	lib->ndeps = lib->nneeded = lib->nscope = 0;
}
