#include "dlroute.h"
#include "arraygrow.h"
#include "addrmap.h"
#include "deps.h"
#include "error.h"
#include "ldcache.h"
#include "initfini.h"
#include "lib.h"
#include "rdebug.h"
#include "realdl.h"
#include "registry.h"
#include "runrecord.h"
#include "statictls.h"
#include "symbol.h"
#include "unique.h"
#include "tls.h"
#include "unload.h"
#include "unwind.h"

#include <ctype.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

/* The preload's own image: a call from inside it is libsoload asking glibc. */
extern const char __ehdr_start[];
extern const char _end[];

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int ready;   /* glibc's functions were found */
static int booted;  /* realdl_init ran: 1 found, -1 not */
static int started; /* our constructor ran: the program proper runs */
static int debug;   /* SOLOAD_PRELOAD_DEBUG: log each decision on stderr */
static int share;   /* SOLOAD_RUN_SHARE: SL_SHARE for every load */
/* SOLOAD_PRELOAD_FALLBACK=1: a library libsoload refuses goes to glibc.
 * Not the default: glibc asserts on some malformed files that libsoload
 * refuses cleanly (a bloom size not a power of two, an odd DT_RELAENT). */
static int fallback;

static int boot(void);

static void init(void)
{
	const char *v;

	ready = boot();
	debug = (v = getenv("SOLOAD_PRELOAD_DEBUG")) && *v && strcmp(v, "0") != 0;
	share = (v = getenv("SOLOAD_RUN_SHARE")) && *v && strcmp(v, "0") != 0;
	fallback = (v = getenv("SOLOAD_PRELOAD_FALLBACK")) && strcmp(v, "1") == 0;
	runrecord_open();
	if (ready) {
		statictls_init();
		rdebug_init();
		initfini_set_before_init(addrmap_rebuild);
		/* Every unwinder in the process binds _dl_find_object to ours
		 * below (an older libgcc_s walks our dl_iterate_phdr): none
		 * needs our libraries' frames registered. */
		if (real.dl_find_object)
			unwind_host_asks_us();
	}
	if (!ready)
		fprintf(stderr,
		        "libsoload-preload: glibc's dlsym not found; dlopen left to glibc\n");
}

/* glibc's functions, found on the first call (which may come before any
 * constructor: a sanitizer's runtime asks dlsym while it starts). A race
 * between threads writes the same values twice. */
static int boot(void)
{
	int b = __atomic_load_n(&booted, __ATOMIC_ACQUIRE);

	if (!b) {
		b = realdl_init() == 0 ? 1 : -1;
		__atomic_store_n(&booted, b, __ATOMIC_RELEASE);
	}
	return b == 1;
}

__attribute__((constructor)) static void preload_init(void)
{
	pthread_once(&once, init);
	__atomic_store_n(&started, 1, __ATOMIC_RELEASE);
}

/* At exit glibc runs the finalisers of every object it still holds
 * (_dl_fini), NODELETE ones and those a relocation dependency kept
 * included; the libraries libsoload still holds get the same (glibc's
 * elf/nodelete2, tst-dlopen-nodelete-reloc). Nothing is unmapped. */
__attribute__((destructor)) static void preload_fini(void)
{
	if (ready)
		unload_at_exit();
}

/* 1 when the call is to be passed to glibc before anything else: it comes
 * from libsoload itself, or before the program proper starts (our
 * constructor has not run: others' start-up code is glibc's matter). */
static int from_us(const void *caller)
{
	if (!boot() || !__atomic_load_n(&started, __ATOMIC_ACQUIRE) || !ready)
		return 1;
	return (const char *)caller >= __ehdr_start && (const char *)caller < _end;
}

static void debug_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void debug_log(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	if (!debug)
		return;
	n = snprintf(buf, sizeof(buf), "soload-preload[%d]: ", (int)getpid());
	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof(buf) - n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	if (write(STDERR_FILENO, buf, n) != n)
		return;
}

/* ---- dlerror: this thread's last failure of a call we served ---- */

static __thread char err_buf[1024];
static __thread int err_pending;

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err_buf, sizeof(err_buf), fmt, ap);
	va_end(ap);
	err_pending = 1;
}

/* A dlopen libsoload failed: a library that was not found is said in
 * glibc's words, which programs and glibc's own tests read (the search
 * libsoload made is in the report); any other failure in libsoload's. */
static void fail_open(const char *why)
{
	const char *missing = error_missing();

	if (missing)
		fail("%s: cannot open shared object file: No such file or directory", missing);
	else
		fail("%s", why);
}

/* A call passed to glibc: its error, if any, is the newest. */
static int pass(void)
{
	err_pending = 0;
	return 0;
}

/* A call served without error: as glibc, dlerror() then says nothing,
 * neither an older failure nor what libsoload's own lookups through glibc
 * (a weak __gmon_start__ nobody defines) left behind. */
static void succeed(void)
{
	err_pending = 0;
	real.dlerror();
}

/* ---- handles we gave out ---- */

struct handle {
	struct sl_lib *lib;
	unsigned opens;
	int nodelete; /* RTLD_NODELETE: one reference never dropped */
};

static pthread_mutex_t handles_lock = PTHREAD_MUTEX_INITIALIZER;
static struct handle *handles;
static size_t nhandles, handles_cap;

static struct handle *find_handle(const void *h)
{
	for (size_t i = 0; i < nhandles; i++)
		if (handles[i].lib == h)
			return &handles[i];
	return NULL;
}

static int is_ours(const void *h)
{
	int ours;

	pthread_mutex_lock(&handles_lock);
	ours = find_handle(h) != NULL;
	pthread_mutex_unlock(&handles_lock);
	return ours;
}

/* Counts one dlopen of lib; 1 when lib is new to the table. */
static int note_open(struct sl_lib *lib, int mode)
{
	struct handle *h;
	int fresh = 0, pin = 0;

	pthread_mutex_lock(&handles_lock);
	if (!(h = find_handle(lib)))
		array_grow(&handles, &handles_cap, nhandles, sizeof(*handles), 16);
	if (!h && nhandles < handles_cap) {
		h = &handles[nhandles++];
		*h = (struct handle){.lib = lib};
		fresh = 1;
	}
	if (h) {
		h->opens++;
		pin = (mode & RTLD_NODELETE) && !h->nodelete;
		h->nodelete |= pin;
	}
	pthread_mutex_unlock(&handles_lock);
	/* A symbol libsoload found missing may be there now (sl_open made
	 * the library global: SL_GLOBAL). */
	if (mode & RTLD_GLOBAL)
		addrmap_note_scope_change();
	/* The reference RTLD_NODELETE keeps: libsoload's count never reaches 0. */
	if (pin)
		sl_open(lib->path, SL_NOLOAD);
	return fresh;
}

/* A symbol of the libraries libsoload holds in the global scope (SL_GLOBAL:
 * libsoload's one list, in the order they became global), not skip's own,
 * or NULL. */
static void *global_sym(const char *name, const char *version, const struct sl_lib *skip)
{
	struct symdef def;

	if (symbol_lookup_global(name, version, skip, &def) != 0)
		return NULL;
	if (def.sym && ELF64_ST_TYPE(def.sym->st_info) == STT_TLS && def.lib->tls_modid) {
		struct tls_index ti = {def.lib->tls_modid, def.sym->st_value};
		return tls_get_addr(&ti);
	}
	return (void *)def.addr;
}

/* ---- the run's record ---- */

static pthread_mutex_t record_lock = PTHREAD_MUTEX_INITIALIZER;
static char **recorded;
static size_t nrecorded, recorded_cap;

static int seen_before(const char *path)
{
	for (size_t i = 0; i < nrecorded; i++)
		if (!strcmp(recorded[i], path))
			return 1;
	if (array_grow(&recorded, &recorded_cap, nrecorded, sizeof(*recorded), 32) != 0)
		return 1;
	return !(recorded[nrecorded] = strdup(path)) ? 1 : (nrecorded++, 0);
}

static void record_lib(struct sl_lib *lib, void *arg)
{
	struct sl_info in;
	char relro[24], shared[24], priv[24], skipped[24];

	(void)arg;
	if (sl_info(lib, &in) != 0 || seen_before(in.path))
		return;
	snprintf(relro, sizeof(relro), "%zu", in.share.relro_pages);
	snprintf(shared, sizeof(shared), "%zu", in.share.shared_pages);
	snprintf(priv, sizeof(priv), "%zu", in.share.private_pages);
	snprintf(skipped, sizeof(skipped), "%zu", in.share.relocs_skipped);
	const char *f[] = {
	        in.path, in.soname, in.share.requested ? "1" : "0", in.share.status, relro, shared,
	        priv,    skipped};
	runrecord_write("lib", 8, f);
}

/* Every library libsoload holds that the record does not name yet. */
static void record_new_libs(void)
{
	pthread_mutex_lock(&record_lock);
	sl_foreach(record_lib, NULL);
	pthread_mutex_unlock(&record_lock);
}

static void record_open(const char *by, const char *path)
{
	const char *f[] = {by, path};

	runrecord_write("open", 2, f);
	debug_log("dlopen %s: %s", path, by);
}

static void record_refusal(const char *path, const char *why)
{
	const char *f[] = {path, why};

	runrecord_write("refuse", 2, f);
	debug_log("dlopen %s refused: %s", path, why);
}

/* ---- finding the file ---- */

/* Who dlopens: libsoload's own libraries are found in the registry; of
 * glibc's objects, the executable (or code in no object at all, which
 * glibc also takes for the program), a library with path lists of its own
 * (DT_RPATH or DT_RUNPATH, left to glibc, which knows them) or one
 * without. */
enum caller_kind { CALLER_PROGRAM, CALLER_HOST_LISTS, CALLER_HOST_LISTLESS };

/* The executable's load address, from its program headers. */
static uintptr_t exe_base(void)
{
	static uintptr_t base;
	const ElfW(Phdr) *ph = (const void *)getauxval(AT_PHDR);
	size_t n = getauxval(AT_PHNUM);

	for (size_t i = 0; !base && ph && i < n; i++)
		if (ph[i].p_type == PT_PHDR)
			base = (uintptr_t)ph - ph[i].p_vaddr;
	return base;
}

static enum caller_kind host_caller(const void *addr)
{
	struct link_map *lm = NULL;
	Dl_info info;

	if (!real.dladdr1(addr, &info, (void **)&lm, RTLD_DL_LINKMAP) || !lm)
		return CALLER_PROGRAM;
	/* glibc names the executable's map ""; under "ld.so PROG", PROG. */
	if (!lm->l_name || !lm->l_name[0] || (uintptr_t)info.dli_fbase == exe_base())
		return CALLER_PROGRAM;
	for (const ElfW(Dyn) *d = lm->l_ld; d && d->d_tag != DT_NULL; d++)
		if (d->d_tag == DT_RPATH || d->d_tag == DT_RUNPATH)
			return CALLER_HOST_LISTS;
	return CALLER_HOST_LISTLESS;
}

/* The directory $ORIGIN names for code at caller, as glibc has it: that of
 * the libsoload library or host object holding it, the executable's for
 * the program (and for code in no object, which glibc takes for the
 * program's). 0 with dir filled, -1 if unknown. */
static int origin_of(const void *caller, char *dir)
{
	const char *slash;
	struct sl_lib *lib;
	Dl_info info;
	ssize_t n = -1;

	registry_lock();
	if ((lib = registry_find_addr(caller)))
		n = snprintf(dir, PATH_MAX, "%s", lib->path);
	registry_unlock();
	if (!lib && real.dladdr(caller, &info) && info.dli_fname && info.dli_fname[0] == '/' &&
	    (uintptr_t)info.dli_fbase != exe_base())
		n = snprintf(dir, PATH_MAX, "%s", info.dli_fname);
	else if (!lib && (n = readlink("/proc/self/exe", dir, PATH_MAX - 1)) >= 0)
		dir[n] = '\0';
	if (n < 0 || n >= PATH_MAX || !(slash = strrchr(dir, '/')))
		return -1;
	dir[slash == dir ? 1 : slash - dir] = '\0';
	return 0;
}

/* The length of the $ORIGIN or ${ORIGIN} token at s, or 0. */
static size_t origin_token(const char *s)
{
	if (!strncmp(s, "${ORIGIN}", 9))
		return 9;
	if (!strncmp(s, "$ORIGIN", 7) && !isalnum((unsigned char)s[7]) && s[7] != '_')
		return 7;
	return 0;
}

/* name with $ORIGIN and ${ORIGIN} replaced by the caller's directory, as
 * glibc's dlopen expands them. 0 with out filled; -1 when name holds
 * another token ($LIB, $PLATFORM: glibc's to expand) or does not fit. */
static int expand_origin(const char *name, const void *caller, char *out)
{
	char origin[PATH_MAX];
	size_t w = 0, skip;

	if (origin_of(caller, origin) != 0)
		return -1;
	while (*name && w < PATH_MAX) {
		if ((skip = origin_token(name))) {
			w += snprintf(out + w, PATH_MAX - w, "%s", origin);
			name += skip;
		} else if (*name == '$') {
			return -1;
		} else {
			out[w++] = *name++;
		}
	}
	if (w >= PATH_MAX)
		return -1;
	out[w] = '\0';
	return 0;
}

/* The file a dlopen of name means, when libsoload is to load it: 1 with
 * out filled, 0 to leave the name to glibc. A bare name is searched by
 * libsoload's one rule (deps_search, what sl_find follows) for the caller:
 * one of libsoload's libraries (found in any state: a constructor that
 * calls dlopen runs before its library is ready), the program, or one of
 * glibc's libraries without path lists of its own. */
static int resolve(const char *name, const void *caller, char *out)
{
	struct sl_lib *loaded, *from;
	enum caller_kind kind;
	int fd = -1;

	if (strchr(name, '$') && strchr(name, '/'))
		return expand_origin(name, caller, out) == 0;
	if (strchr(name, '/')) {
		snprintf(out, PATH_MAX, "%s", name);
		return 1;
	}
	if (deps_is_host_library(name))
		return 0;
	kind = host_caller(caller); /* glibc's lock is not taken under ours */
	registry_lock();
	if ((loaded = registry_find_soname(name)))
		snprintf(out, PATH_MAX, "%s", loaded->path);
	else if ((from = registry_find_addr(caller)))
		fd = deps_search(from, name, out);
	else if (kind == CALLER_PROGRAM)
		fd = deps_search(NULL, name, out);
	else if (kind == CALLER_HOST_LISTLESS)
		fd = deps_search_listless(name, out);
	ldcache_release(); /* the path was copied out of it */
	registry_unlock();
	if (fd >= 0)
		close(fd);
	return loaded || fd >= 0;
}

/* Whether glibc already holds the file (same name or soname, or same
 * device and inode): then it is used from there, never mapped again. */
static int host_holds(const char *file)
{
	void *h = real.dlopen(file, RTLD_LAZY | RTLD_NOLOAD);

	if (!h)
		return 0;
	real.dlclose(h);
	return 1;
}

/* ---- the routes ---- */

int route_dlopen(struct dl_args *args, void *caller)
{
	const char *file = (const char *)args->a[0];
	int mode = (int)args->a[1];
	char path[PATH_MAX];
	struct sl_lib *lib;
	int flags = SL_USE_HOST | (share ? SL_SHARE : 0);

	if (from_us(caller))
		return 0;
	if (!file)
		return pass();
	if (!resolve(file, caller, path) || deps_is_host_library(path) || host_holds(path)) {
		record_open("host", file);
		return pass();
	}
	if (mode & RTLD_NOLOAD)
		flags |= SL_NOLOAD;
	if (mode & RTLD_GLOBAL)
		flags |= SL_GLOBAL;
	if (mode & RTLD_DEEPBIND)
		flags |= SL_DEEPBIND;
	/* As glibc: lazy only when RTLD_LAZY is given without RTLD_NOW. */
	if ((mode & (RTLD_LAZY | RTLD_NOW)) == RTLD_LAZY)
		flags |= SL_LAZY;
	if (!(lib = sl_open(path, flags))) {
		const char *why = sl_error() ? sl_error() : "refused";
		if (mode & RTLD_NOLOAD) {
			fail("%s", why);
			args->ret = 0;
			return 1;
		}
		record_refusal(path, why);
		addrmap_rebuild(); /* what a constructor's rebuild showed is gone */
		if (fallback) {
			record_open("host", path);
			return pass();
		}
		fail_open(why);
		args->ret = 0;
		return 1;
	}
	note_open(lib, mode);
	record_open("soload", path);
	record_new_libs();
	addrmap_rebuild();
	succeed();
	args->ret = (uintptr_t)lib;
	return 1;
}

int route_dlclose(struct dl_args *args, void *caller)
{
	struct sl_lib *lib = (struct sl_lib *)args->a[0];
	struct handle *h;
	int ours;

	if (from_us(caller))
		return 0;
	pthread_mutex_lock(&handles_lock);
	h = find_handle(lib);
	ours = h && h->opens > 0;
	if (ours && --h->opens == 0) {
		size_t i = (size_t)(h - handles);
		memmove(h, h + 1, (--nhandles - i) * sizeof(*h)); /* globals keep their order */
	}
	pthread_mutex_unlock(&handles_lock);
	if (!ours)
		return pass();
	if (sl_close(lib) != 0) {
		fail("%s", sl_error());
		args->ret = (uintptr_t)-1;
		return 1;
	}
	addrmap_rebuild();
	succeed();
	args->ret = 0;
	return 1;
}

/* RTLD_DEFAULT, and RTLD_NEXT from one of our libraries: the host's
 * global scope first, then the RTLD_GLOBAL libraries libsoload holds. */
static void *scope_sym(const char *name, const char *version, const struct sl_lib *skip)
{
	void *p = version ? real.dlvsym(RTLD_DEFAULT, name, version)
	                  : real.dlsym(RTLD_DEFAULT, name);

	if (p && (!skip || addrmap_lib_at(p) != skip))
		return p;
	if (p || (p = global_sym(name, version, skip)))
		succeed(); /* glibc's miss is not an error after all */
	else
		fail("undefined symbol: %s", name);
	return p;
}

/* dlsym, or dlvsym with version, of a handle of ours: sl_sym's search, in
 * the version asked for. A thread-local variable gives the calling
 * thread's copy, as glibc's dlsym does (sl_sym refuses: no single
 * address). NULL with sl_error() on a miss. */
static void *handle_sym(struct sl_lib *lib, const char *name, const char *version)
{
	struct symdef def;

	if (symbol_lookup(lib, name, version, &def) != 0)
		return NULL;
	if (!def.lib || !def.sym || ELF64_ST_TYPE(def.sym->st_info) != STT_TLS)
		return (void *)def.addr;
	if (!def.lib->tls_modid) {
		error_set(def.lib->name, "%s is thread-local: no single address", name);
		return NULL;
	}
	struct tls_index ti = {def.lib->tls_modid, def.sym->st_value};
	return tls_get_addr(&ti);
}

/* glibc's dlsym makes the caller's object depend on the definer it found:
 * a library of ours that looked up what another of ours defines keeps it
 * loaded (glibc's elf/reldep2: the definer's handle closed, the variable
 * keeps its value). */
static void hold_definer(const void *caller, const void *p)
{
	struct sl_lib *user, *definer;

	if (!p)
		return;
	registry_lock();
	user = registry_find_addr(caller);
	definer = registry_find_addr(p);
	if (user && definer && user != definer)
		unique_hold(user, definer);
	registry_unlock();
}

static int route_sym(struct dl_args *args, void *caller, const char *version)
{
	void *handle = (void *)args->a[0];
	const char *name = (const char *)args->a[1];
	struct sl_lib *from;

	if (from_us(caller)) {
		/* libsoload's own lookups in the global scope see RTLD_GLOBAL;
		 * the program's dlerror() is left alone. */
		if (handle != RTLD_DEFAULT)
			return 0;
		args->ret = (uintptr_t)(version ? real.dlvsym(RTLD_DEFAULT, name, version)
		                                : real.dlsym(RTLD_DEFAULT, name));
		if (!args->ret)
			args->ret = (uintptr_t)global_sym(name, version, NULL);
		return 1;
	}
	if (is_ours(handle)) {
		if ((args->ret = (uintptr_t)handle_sym(handle, name, version)))
			succeed();
		else
			fail("%s", sl_error());
		return 1;
	}
	if (handle == RTLD_DEFAULT) {
		args->ret = (uintptr_t)scope_sym(name, version, NULL);
		hold_definer(caller, (void *)args->ret);
		return 1;
	}
	if (handle == RTLD_NEXT && (from = addrmap_lib_at(caller))) {
		args->ret = (uintptr_t)scope_sym(name, version, from);
		hold_definer(caller, (void *)args->ret);
		return 1;
	}
	return pass();
}

int route_dlsym(struct dl_args *args, void *caller)
{
	return route_sym(args, caller, NULL);
}

int route_dlvsym(struct dl_args *args, void *caller)
{
	return route_sym(args, caller, (const char *)args->a[2]);
}

int route_dlerror(struct dl_args *args, void *caller)
{
	/* libsoload asking glibc why its own dlopen failed gets glibc's. */
	if (from_us(caller) || !err_pending)
		return 0;
	err_pending = 0;
	real.dlerror(); /* an older error of glibc's is superseded */
	args->ret = (uintptr_t)err_buf;
	return 1;
}

int route_dladdr(struct dl_args *args, void *caller)
{
	if (from_us(caller))
		return 0;
	args->ret = (uintptr_t)addrmap_dladdr((const void *)args->a[0], (Dl_info *)args->a[1],
	                                      NULL, NULL);
	return (int)args->ret;
}

int route_dladdr1(struct dl_args *args, void *caller)
{
	void **extra = (void **)args->a[2];
	int flags = (int)args->a[3];
	const ElfW(Sym) * sym;
	struct link_map *lm;

	if (from_us(caller) ||
	    !addrmap_dladdr((const void *)args->a[0], (Dl_info *)args->a[1], &sym, &lm))
		return 0;
	if (flags == RTLD_DL_SYMENT)
		*extra = (void *)sym;
	else if (flags == RTLD_DL_LINKMAP)
		*extra = lm;
	args->ret = 1;
	return 1;
}

static int info_of(struct sl_lib *lib, int request, void *arg)
{
	const char *slash;

	switch (request) {
	case RTLD_DI_LINKMAP:
		*(struct link_map **)arg = addrmap_link_map(lib);
		return *(struct link_map **)arg ? 0 : -1;
	case RTLD_DI_ORIGIN:
		slash = strrchr(lib->path, '/');
		if (!slash)
			return getcwd(arg, PATH_MAX) ? 0 : -1;
		memcpy(arg, lib->path, slash - lib->path);
		((char *)arg)[slash - lib->path] = '\0';
		return 0;
	case RTLD_DI_TLS_MODID:
		*(size_t *)arg = lib->tls_modid;
		return 0;
	case RTLD_DI_TLS_DATA:
		/* As glibc: NULL until this thread has used the block. */
		*(void **)arg = lib->tls_modid ? tls_block_if_allocated(lib->tls_modid) : NULL;
		return 0;
	default:
		fail("%s: dlinfo request %d is not supported for libraries soload loaded",
		     lib->name, request);
		return -1;
	}
}

int route_dlinfo(struct dl_args *args, void *caller)
{
	struct sl_lib *lib = (struct sl_lib *)args->a[0];

	if (from_us(caller))
		return 0;
	if (!is_ours(lib))
		return pass();
	args->ret = (uintptr_t)(intptr_t)info_of(lib, (int)args->a[1], (void *)args->a[2]);
	if (args->ret == 0)
		succeed();
	return 1;
}

/* Exported in glibc's place: libgcc's unwinder (GCC 12 on), glibc's own
 * libgcc_s included, asks it which object holds each return address it
 * unwinds; libsoload's libraries are answered from its frame table, the
 * rest by glibc. Before glibc's was found, nothing is. */
__attribute__((visibility("default"))) int _dl_find_object(void *address,
                                                           struct dl_find_object *result)
{
	if (!boot() || !real.dl_find_object)
		return -1;
	return unwind_find_object(address, result, real.dl_find_object);
}

int route_dl_iterate_phdr(struct dl_args *args, void *caller)
{
	/* libsoload itself asks about glibc's objects only (its host
	 * libraries, the executable, their TLS), but its cache of misses must
	 * see the libraries it loaded as new objects: the counters count them
	 * for every caller. */
	int ours = !from_us(caller);

	if (!ready || !__atomic_load_n(&started, __ATOMIC_ACQUIRE))
		return 0;
	args->ret = (uintptr_t)(intptr_t)addrmap_iterate(
	        real.dl_iterate_phdr, (int (*)(struct dl_phdr_info *, size_t, void *))args->a[0],
	        (void *)args->a[1], ours);
	return 1;
}
