/*
 * dlsemantics: dlopen as a plugin host uses it, one case per run, for the
 * soload run tests (tests/cli/test_cli_run.c). The same checks pass under
 * plain glibc; under soload run the report says who loaded what.
 *
 *   dlsemantics CASE TESTLIBS_DIR [FILE...]
 *
 * Prints "ok" and exits 0, or says what differed and exits 1.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static char dir[PATH_MAX];

static int fail(const char *what)
{
	const char *e = dlerror();

	printf("FAIL: %s (dlerror: %s)\n", what, e ? e : "none");
	return 1;
}

static void *open_lib(const char *name, int mode)
{
	char path[PATH_MAX * 2];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return dlopen(path, mode);
}

/* RTLD_GLOBAL: a later library and dlsym(RTLD_DEFAULT) see the symbol;
 * RTLD_LOCAL does not put it there. */
static int case_global(void)
{
	void *a, *b;
	int (*f)(void);

	if (!(a = open_lib("libdlglobal.so", RTLD_NOW | RTLD_LOCAL)))
		return fail("dlopen libdlglobal local");
	if (dlsym(RTLD_DEFAULT, "dlglobal_value"))
		return fail("RTLD_LOCAL symbol visible through RTLD_DEFAULT");
	dlerror();
	if (open_lib("libdlneedsglobal.so", RTLD_NOW))
		return fail("libdlneedsglobal loaded without its symbol in the global scope");
	if (!dlerror())
		return fail("no dlerror after a failed dlopen");
	if (!(a = open_lib("libdlglobal.so", RTLD_NOW | RTLD_GLOBAL)))
		return fail("dlopen libdlglobal global");
	if (!(f = (int (*)(void))dlsym(RTLD_DEFAULT, "dlglobal_value")) || f() != 41)
		return fail("dlsym(RTLD_DEFAULT, dlglobal_value)");
	if (!(b = open_lib("libdlneedsglobal.so", RTLD_NOW)))
		return fail("dlopen libdlneedsglobal after RTLD_GLOBAL");
	if (!(f = (int (*)(void))dlsym(b, "needsglobal_value")) || f() != 42)
		return fail("needsglobal_value");
	return dlclose(b) || dlclose(a) || dlclose(a) ? fail("dlclose") : 0;
}

/* RTLD_LAZY: a library whose call only a later RTLD_GLOBAL library can
 * answer loads, and the call is bound when it is first made. */
static int case_lazy_global(void)
{
	void *b = open_lib("libdlneedsglobal.so", RTLD_LAZY), *a;
	int (*f)(void);

	if (!b)
		return fail("dlopen libdlneedsglobal RTLD_LAZY");
	if (!(a = open_lib("libdlglobal.so", RTLD_LAZY | RTLD_GLOBAL)))
		return fail("dlopen libdlglobal global");
	if (!(f = (int (*)(void))dlsym(b, "needsglobal_value")) || f() != 42 || f() != 42)
		return fail("needsglobal_value through a lazily bound call");
	return dlclose(b) || dlclose(a) ? fail("dlclose") : 0;
}

/* A constructor's dlopen of a bare name searches its own library's
 * $ORIGIN. */
static int case_ctor(void)
{
	void *h = open_lib("libdlctor.so", RTLD_NOW);
	int (*value)(void), (*found)(void);
	const char *(*why)(void);

	if (!h)
		return fail("dlopen libdlctor");
	value = (int (*)(void))dlsym(h, "dlctor_leaf_value");
	why = (const char *(*)(void))dlsym(h, "dlctor_error");
	if (!value || !why)
		return fail("dlsym libdlctor");
	if (value() != 7) {
		printf("FAIL: the constructor's dlopen: %s\n", why());
		return 1;
	}
	found = (int (*)(void))dlsym(h, "dlctor_found_itself");
	if (!found || !found()) {
		printf("FAIL: dladdr in the constructor did not name its library\n");
		return 1;
	}
	return 0;
}

/* dladdr names the library and the nearest symbol of an address in it;
 * dladdr1 gives the symbol table entry. */
static int case_dladdr(void)
{
	void *h = open_lib("libhello.so", RTLD_NOW);
	char *fn = h ? dlsym(h, "hello_add") : NULL;
	const ElfW(Sym) *sym = NULL;
	Dl_info info;

	if (!fn)
		return fail("dlopen/dlsym libhello");
	if (!dladdr(fn + 1, &info))
		return fail("dladdr returned 0");
	if (!strstr(info.dli_fname, "libhello.so") || !info.dli_sname ||
	    strcmp(info.dli_sname, "hello_add") || info.dli_saddr != fn ||
	    (char *)info.dli_fbase > fn) {
		printf("FAIL: dladdr gave %s %p %s %p for %p\n", info.dli_fname, info.dli_fbase,
		       info.dli_sname ? info.dli_sname : "(null)", info.dli_saddr, (void *)fn);
		return 1;
	}
	if (!dladdr1(fn, &info, (void **)&sym, RTLD_DL_SYMENT) || !sym || sym->st_size == 0)
		return fail("dladdr1 RTLD_DL_SYMENT");
	return 0;
}

/* A bare name from the program: dlopen searches LD_LIBRARY_PATH, then
 * the executable's DT_RUNPATH ($ORIGIN/../../testlibs, the Makefile sets
 * it), then the system's. Prints the file it got. With via_library, the
 * dlopen is made by libdlvia.so (LD_PRELOAD), for which the executable's
 * DT_RUNPATH is not searched. */
static int case_bare(int via_library)
{
	void *(*via)(const char *, int) = dlsym(RTLD_DEFAULT, "dlvia_open");
	void *h;
	char *fn;
	char real[PATH_MAX];
	Dl_info info;

	if (via_library && !via)
		return fail("dlvia_open: libdlvia.so is not in LD_PRELOAD");
	h = via_library ? via("libhello.so", RTLD_NOW) : dlopen("libhello.so", RTLD_NOW);
	if (!h && via_library) {
		printf("not found\n"); /* glibc's answer too, without LD_LIBRARY_PATH */
		return 0;
	}
	fn = h ? dlsym(h, "hello_add") : NULL;
	if (!fn)
		return fail("dlopen libhello.so by its bare name");
	if (!dladdr(fn, &info) || !realpath(info.dli_fname, real))
		return fail("dladdr");
	printf("found %s\n", real);
	return 0;
}

struct find {
	const char *name;
	const char *addr;
	int found, covered;
};

static int each(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct find *f = arg;

	(void)size;
	if (!info->dlpi_name || !strstr(info->dlpi_name, f->name))
		return 0;
	f->found++;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		const char *lo = (const char *)info->dlpi_addr + ph->p_vaddr;
		if (ph->p_type == PT_LOAD && f->addr >= lo && f->addr < lo + ph->p_memsz)
			f->covered = 1;
	}
	return 0;
}

/* dl_iterate_phdr lists the library once, its PT_LOADs where it lies. */
static int case_iterate(void)
{
	void *h = open_lib("libchain_a.so", RTLD_NOW);
	struct find f = {"libchain_a.so", h ? dlsym(h, "chain_a") : NULL, 0, 0};

	if (!f.addr)
		return fail("dlopen/dlsym libchain_a");
	dl_iterate_phdr(each, &f);
	if (f.found != 1 || !f.covered) {
		printf("FAIL: dl_iterate_phdr listed libchain_a %d times, covered %d\n", f.found,
		       f.covered);
		return 1;
	}
	return 0;
}

/* How many of the debugger's lists (every namespace, glibc's r_debug
 * chain) name a library whose path holds name; -1 if one is not
 * consistent. */
static int debugger_lists(const char *name)
{
	int n = 0;

	for (struct r_debug_extended *r = (struct r_debug_extended *)&_r_debug; r; r = r->r_next) {
		if (r->base.r_state != RT_CONSISTENT)
			return -1;
		for (struct link_map *m = r->base.r_map; m; m = m->l_next)
			n += m->l_name && strstr(m->l_name, name) != NULL;
		if (r->base.r_version < 2)
			break;
	}
	return n;
}

static int listed(const char *name)
{
	struct find f = {name, NULL, 0, 0};

	dl_iterate_phdr(each, &f);
	return f.found;
}

/* Unloading by reachability: libreach_dep binds back to libreach_top, which
 * needs it; libreach_other needs libreach_dep. top's handle closed, the
 * cycle stays for other, in dl_iterate_phdr, dladdr and the debugger's
 * list alike; other's closed, all three go at once. */
static int case_reach(void)
{
	void *top = open_lib("libreach_top.so", RTLD_NOW), *other;
	void *value = top ? dlsym(top, "reach_top_value") : NULL;
	int (*call)(void);
	Dl_info di;

	if (!value || !(other = open_lib("libreach_other.so", RTLD_NOW)))
		return fail("dlopen libreach_top, libreach_other");
	if (!(call = (int (*)(void))dlsym(other, "reach_other_call")) || dlclose(top))
		return fail("dlsym reach_other_call, dlclose libreach_top");
	if (call() != 42 || listed("libreach_top.so") != 1 || debugger_lists("libreach_") != 3 ||
	    !dladdr(value, &di) || !di.dli_fname || !strstr(di.dli_fname, "libreach_top.so"))
		return fail("libreach_top kept by libreach_dep's binding");
	if (dlclose(other))
		return fail("dlclose libreach_other");
	if (listed("libreach_") || debugger_lists("libreach_") != 0 ||
	    open_lib("libreach_top.so", RTLD_NOW | RTLD_NOLOAD))
		return fail("the cycle unloaded with the last handle");
	return 0;
}

/* Libraries left open at exit: their finalisers run then (each writes a
 * line to $SOLOAD_TRACE), as glibc's _dl_fini runs them. */
static int case_exit(void)
{
	if (!open_lib("libreach_top.so", RTLD_NOW) || !open_lib("libreach_other.so", RTLD_NOW))
		return fail("dlopen libreach_top, libreach_other");
	return 0;
}

/* Files that are not libraries: NULL and a message for each, never a
 * crash. */
static int case_malformed(int n, char **files)
{
	for (int i = 0; i < n; i++) {
		const char *e;
		if (dlopen(files[i], RTLD_NOW))
			return fail(files[i]);
		if (!(e = dlerror()) || !*e)
			return fail("no dlerror");
		printf("dlerror: %s\n", e);
	}
	return 0;
}

/* RTLD_NOLOAD finds only what is loaded; RTLD_NODELETE keeps it loaded. */
static int case_noload(void)
{
	void *h, *again;

	if (open_lib("libcounter.so", RTLD_NOW | RTLD_NOLOAD))
		return fail("RTLD_NOLOAD loaded a library");
	if (!(h = open_lib("libcounter.so", RTLD_NOW | RTLD_NODELETE)))
		return fail("dlopen libcounter");
	if ((again = open_lib("libcounter.so", RTLD_NOW | RTLD_NOLOAD)) != h)
		return fail("RTLD_NOLOAD did not give the same handle");
	dlclose(again);
	dlclose(h);
	if (!open_lib("libcounter.so", RTLD_NOW | RTLD_NOLOAD))
		return fail("RTLD_NODELETE library unloaded");
	return 0;
}

/* dlinfo: the link_map and the origin directory. */
static int case_dlinfo(void)
{
	void *h = open_lib("libhello.so", RTLD_NOW);
	struct link_map *lm = NULL;
	char origin[PATH_MAX] = "", real[PATH_MAX];

	if (!h)
		return fail("dlopen libhello");
	if (dlinfo(h, RTLD_DI_LINKMAP, &lm) != 0 || !lm || !strstr(lm->l_name, "libhello.so") ||
	    (char *)lm->l_addr + 1 == NULL)
		return fail("dlinfo RTLD_DI_LINKMAP");
	if (dlinfo(h, RTLD_DI_ORIGIN, origin) != 0 || !realpath(origin, real) ||
	    !realpath(dir, origin) || strcmp(real, origin))
		return fail("dlinfo RTLD_DI_ORIGIN");
	return 0;
}

/* dlsym(RTLD_NEXT) from inside a library finds the definition after its
 * own. */
static int case_next(void)
{
	void *h = open_lib("libdlnext.so", RTLD_NOW);
	int (*f)(const char *) = h ? (int (*)(const char *))dlsym(h, "atoi") : NULL;

	if (!f)
		return fail("dlopen/dlsym libdlnext");
	if (f("7") != 1007) {
		printf("FAIL: the library's atoi(\"7\") gave %d, not 1007\n", f("7"));
		return 1;
	}
	return 0;
}

/* dlvsym gives the version asked for, not the default one, from a handle
 * and from the global scope; a version the library does not have is a
 * miss with an error. */
static int case_dlvsym(void)
{
	void *h = open_lib("libversioned.so", RTLD_NOW | RTLD_GLOBAL);
	int (*v1)(void) = h ? (int (*)(void))dlvsym(h, "ver_value", "VERS_1") : NULL;
	int (*v2)(void) = h ? (int (*)(void))dlvsym(h, "ver_value", "VERS_2") : NULL;
	int (*dflt)(void) = h ? (int (*)(void))dlsym(h, "ver_value") : NULL;
	int (*global_v1)(void) = (int (*)(void))dlvsym(RTLD_DEFAULT, "ver_value", "VERS_1");

	if (!v1 || !v2 || !dflt || !global_v1)
		return fail("dlopen/dlvsym libversioned");
	if (v1() != 1 || v2() != 2 || dflt() != 2 || global_v1() != 1) {
		printf("FAIL: ver_value gave %d @VERS_1, %d @VERS_2, %d by default and %d @VERS_1 "
		       "from the global scope (want 1, 2, 2, 1)\n",
		       v1(), v2(), dflt(), global_v1());
		return 1;
	}
	if (dlvsym(h, "ver_value", "VERS_9"))
		return fail("dlvsym found a version the library lacks");
	/* glibc: "...: undefined symbol: ver_value, version VERS_9" */
	const char *why = dlerror();
	if (!why || !strstr(why, "ver_value, version VERS_9")) {
		printf("FAIL: dlvsym's miss said %s\n", why ? why : "nothing");
		return 1;
	}
	if (dlvsym(h, "ver_only_v1", "VERS_2"))
		return fail("dlvsym found ver_only_v1 in a version it is not in");
	dlerror();
	return dlclose(h) != 0 ? fail("dlclose libversioned") : 0;
}

static int count_objects(struct dl_phdr_info *info, size_t size, void *arg)
{
	(void)info;
	(void)size;
	++*(int *)arg;
	return 0;
}

/* One thread's share of case_threads: its own library opened and closed
 * while the others do the same, each answer checked. */
static void *churn(void *arg)
{
	static const char *const libs[] = {"libhello.so", "libchain_a.so", "libcounter.so",
	                                   "libtables.so"};
	static const char *const syms[] = {"hello_add", "chain_a", "counter_next", "tables_count"};
	long i = (long)arg;

	for (int round = 0; round < 200; round++) {
		void *h = open_lib(libs[i % 4], RTLD_NOW);
		char *fn = h ? dlsym(h, syms[i % 4]) : NULL;
		Dl_info info;
		int n = 0;
		if (!fn || !dladdr(fn, &info) || !strstr(info.dli_fname, libs[i % 4]))
			return (void *)"dlopen, dlsym or dladdr";
		dl_iterate_phdr(count_objects, &n);
		if (n < 2 || dlclose(h) != 0)
			return (void *)"dl_iterate_phdr or dlclose";
	}
	return NULL;
}

/* Threads that load, look up, ask dladdr and dl_iterate_phdr and unload
 * at once. */
static int case_threads(void)
{
	pthread_t t[8];
	const char *why = NULL;

	for (long i = 0; i < 8; i++)
		if (pthread_create(&t[i], NULL, churn, (void *)i) != 0)
			return fail("pthread_create");
	for (int i = 0; i < 8; i++) {
		void *r;
		pthread_join(t[i], &r);
		if (r)
			why = r;
	}
	if (why) {
		printf("FAIL: %s\n", why);
		return 1;
	}
	return 0;
}

/* dlerror() reports the last call's failure only, as glibc does: nothing
 * after a success, the message once after a failure. */
static int case_errors(void)
{
	void *h;
	const char *e;

	dlerror();
	if (!(h = open_lib("libcxx.so", RTLD_NOW)) || (e = dlerror()))
		return fail("dlerror after a successful dlopen");
	if (dlsym(h, "no_such_symbol") || !(e = dlerror()) || !strstr(e, "no_such_symbol"))
		return fail("dlerror after a failed dlsym");
	if (dlerror())
		return fail("dlerror twice");
	if (open_lib("no-such-library.so", RTLD_NOW) || !(e = dlerror()) ||
	    !strstr(e, "no-such-library.so"))
		return fail("dlerror after a failed dlopen");
	dlsym(h, "no_such_symbol");
	if (!dlsym(h, "cxx_checked") || dlerror())
		return fail("dlerror after a failure then a success");
	return dlclose(h) || dlerror() ? fail("dlclose") : 0;
}

static int (*ie_get)(void);

static int (*ie_anchor_ok)(void);

static void *ie_in_thread(void *arg)
{
	(void)arg;
	return (void *)(long)(ie_get() * 10 + ie_anchor_ok());
}

/* Initial-exec TLS (libtlsie, DF_STATIC_TLS): its variable starts at 5, and
 * its pointer at its relocated value, in this thread and in one created
 * after the load. */
static int case_ie(void)
{
	void *h = open_lib("libtlsie.so", RTLD_NOW);
	pthread_t t;
	void *r;

	if (!h || !(ie_get = (int (*)(void))dlsym(h, "ie_get")) ||
	    !(ie_anchor_ok = (int (*)(void))dlsym(h, "ie_anchor_ok")))
		return fail("dlopen/dlsym libtlsie");
	if (pthread_create(&t, NULL, ie_in_thread, NULL) != 0 || pthread_join(t, &r) != 0)
		return fail("pthread_create");
	if (ie_get() != 5 || !ie_anchor_ok() || (long)r != 51) {
		printf("FAIL: ie_get gave %d, ie_anchor_ok %d here, and %ld in a new thread "
		       "(want 5, 1, 51)\n",
		       ie_get(), ie_anchor_ok(), (long)r);
		return 1;
	}
	return 0;
}

static pthread_mutex_t hold = PTHREAD_MUTEX_INITIALIZER;
static int (*late_ok)(void);
static long late_seen = -1;

/* A thread that exists before the load: once released, reads the
 * library's variables through late_ok, if it was loaded. */
static void *wait_then_read(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&hold);
	pthread_mutex_unlock(&hold);
	if (late_ok)
		late_seen = late_ok();
	return NULL;
}

/* The value seen through late_ok in a thread created now: want, or a
 * line saying which thread saw what. */
static int later_thread_sees(const char *ok, long want, long earlier)
{
	pthread_t t;

	if (pthread_create(&t, NULL, wait_then_read, NULL) != 0 || pthread_join(t, NULL) != 0)
		return fail("pthread_create");
	if (earlier == want && late_seen == want)
		return 0;
	printf("FAIL: %s gave %ld in a thread that existed before the load and %ld in one "
	       "created after (want %ld)\n",
	       ok, earlier, late_seen, want);
	return 1;
}

/* lib loaded while another thread exists; that thread, then one created
 * after, calls ok (an initial-exec variable's initial value, as each sees
 * it), which must give want. A load that fails prints why. */
static int load_with_a_thread(const char *lib, const char *ok, long want)
{
	pthread_t t;
	void *h;

	pthread_mutex_lock(&hold);
	if (pthread_create(&t, NULL, wait_then_read, NULL) != 0)
		return fail("pthread_create");
	h = open_lib(lib, RTLD_NOW);
	if (h)
		late_ok = (int (*)(void))dlsym(h, ok);
	pthread_mutex_unlock(&hold);
	pthread_join(t, NULL);
	if (!h) {
		printf("%s\n", dlerror());
		return 0;
	}
	return later_thread_sees(ok, want, late_seen);
}

/* libtlsie with a thread that exists before the load: its variable (5)
 * and its relocated pointer, as that thread sees them: 51. */
static int case_ie_late(void)
{
	return load_with_a_thread("libtlsie.so", "ie_check", 51);
}

/* libtlsiesym: an initial-exec variable whose initial value is another
 * library's address (glibc's environ), with a thread that exists. */
static int case_iesym_late(void)
{
	return load_with_a_thread("libtlsiesym.so", "iesym_check", 1);
}

/* A copy of libhello in a memfd of the program's, dlopened by its
 * /proc/self/fd path: 0 if dlsym finds hello_add there. */
static int own_memfd_library(void)
{
	char path[PATH_MAX * 2], buf[1 << 16];
	int src, fd;
	ssize_t n;
	void *h;

	snprintf(path, sizeof(path), "%s/libhello.so", dir);
	if ((src = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return fail("open libhello.so");
	n = read(src, buf, sizeof(buf));
	close(src);
	if (n <= 0 || (fd = memfd_create("dlsemantics", MFD_CLOEXEC)) < 0 ||
	    write(fd, buf, (size_t)n) != n)
		return fail("memfd_create");
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	h = dlopen(path, RTLD_NOW);
	if (!h || !dlsym(h, "hello_add")) {
		printf("FAIL: %s is not the program's library: %s\n", path, dlerror());
		return 1;
	}
	return 0;
}

/* libtlsie while a thread exists (under soload run, glibc's block comes
 * through a memfd of the preload's, dlopened by path), then the program's
 * own memfds, given the numbers that are free again: each dlopen of
 * /proc/self/fd/N must be the program's library. */
static int case_ie_memfd(void)
{
	pthread_t t;
	void *h;

	pthread_mutex_lock(&hold);
	if (pthread_create(&t, NULL, wait_then_read, NULL) != 0)
		return fail("pthread_create");
	h = open_lib("libtlsie.so", RTLD_NOW);
	pthread_mutex_unlock(&hold);
	pthread_join(t, NULL);
	if (!h)
		return fail("dlopen libtlsie");
	for (int i = 0; i < 4; i++)
		if (own_memfd_library() != 0)
			return 1;
	return 0;
}

/* RTLD_DEEPBIND: glibc and soload run both honour it. */
static int case_deepbind(void)
{
	void *h = open_lib("libhello.so", RTLD_NOW | RTLD_DEEPBIND);

	printf("%s\n", h ? "loaded" : dlerror());
	return 0;
}

/* A frame for a debugger to name: waits in libdbgstop's dbgstop_wait
 * ("stop") or traps in dbgstop_trap ("trap"); neither returns. */
static int case_dbgstop(const char *how)
{
	void *h = open_lib("libdbgstop.so", RTLD_NOW);
	void (*f)(void) = h ? (void (*)(void))dlsym(h, how) : NULL;

	if (!f)
		return fail("libdbgstop.so");
	f();
	return 1;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: dlsemantics CASE TESTLIBS_DIR [FILE...]\n");
		return 2;
	}
	snprintf(dir, sizeof(dir), "%s", argv[2]);
	int rc = !strcmp(argv[1], "global")        ? case_global()
	         : !strcmp(argv[1], "lazy_global") ? case_lazy_global()
	         : !strcmp(argv[1], "ctor")        ? case_ctor()
	         : !strcmp(argv[1], "dladdr")      ? case_dladdr()
	         : !strcmp(argv[1], "iterate")     ? case_iterate()
	         : !strcmp(argv[1], "reach")       ? case_reach()
	         : !strcmp(argv[1], "exit")        ? case_exit()
	         : !strcmp(argv[1], "bare")        ? case_bare(0)
	         : !strcmp(argv[1], "bare_via")    ? case_bare(1)
	         : !strcmp(argv[1], "noload")      ? case_noload()
	         : !strcmp(argv[1], "dlinfo")      ? case_dlinfo()
	         : !strcmp(argv[1], "next")        ? case_next()
	         : !strcmp(argv[1], "dlvsym")      ? case_dlvsym()
	         : !strcmp(argv[1], "threads")     ? case_threads()
	         : !strcmp(argv[1], "errors")      ? case_errors()
	         : !strcmp(argv[1], "ie")          ? case_ie()
	         : !strcmp(argv[1], "ie_late")     ? case_ie_late()
	         : !strcmp(argv[1], "iesym_late")  ? case_iesym_late()
	         : !strcmp(argv[1], "ie_memfd")    ? case_ie_memfd()
	         : !strcmp(argv[1], "deepbind")    ? case_deepbind()
	         : !strcmp(argv[1], "stop")        ? case_dbgstop("dbgstop_wait")
	         : !strcmp(argv[1], "trap")        ? case_dbgstop("dbgstop_trap")
	         : !strcmp(argv[1], "malformed")   ? case_malformed(argc - 3, argv + 3)
	                                           : 2;
	if (rc == 0)
		printf("ok\n");
	return rc;
}
