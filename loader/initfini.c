#include "initfini.h"
#include "loadpath.h"
#include "sys.h"
#include "symbol.h"
#include "map.h"
#include "reload.h"

#include <string.h>
#include <sys/mman.h>

/* glibc hands initialisers the program's arguments; we capture them the
 * same way, as an initialiser of our own. */
static int saved_argc;
static char **saved_argv;
static char **saved_envp;

__attribute__((constructor)) static void save_args(int argc, char **argv, char **envp)
{
	saved_argc = argc;
	saved_argv = argv;
	saved_envp = envp;
}

/* The executable segment fn points into, or NULL. An entry of an init or
 * fini array is called only if it has one (0 and -1 are placeholders). */
static const struct sl_segment *code_segment(const struct sl_lib *lib, uintptr_t fn)
{
	const struct sl_segment *s;

	if (fn < lib->base)
		return NULL;
	s = lib_segment(lib, fn - lib->base);
	return s && (s->prot & PROT_EXEC) ? s : NULL;
}

static int callable(const struct sl_lib *lib, uintptr_t fn)
{
	return code_segment(lib, fn) != NULL;
}

static void (*before_init)(void);
/* Initialisations finished, under the registry lock: finalisers run in the
 * reverse order (reach.c). */
static unsigned long inits;

void initfini_set_before_init(void (*fn)(void))
{
	before_init = fn;
}

/*
 * The code the initialisers run is populated before the first of them
 * runs, and the finalisers' before they run: a fault in a library's text
 * costs more than the madvise that maps the same 64 KiB around it
 * (fault-around), and a load and unload then takes no fault there
 * (liblzma's _init and _fini pages: 0.93x the time of a load and unload;
 * bench/README.md). The finalisers' not at load, where a program that
 * never unloads would pay for them; nor where what the initialisers'
 * populates mapped covers them. At most a few windows each, so that a C++
 * library's hundreds of constructors fault as before instead of costing a
 * system call each.
 *
 * A window is what the kernel maps around one page's fault or populate, of
 * the pages in the page cache (mm/memory.c, do_fault_around): 64 KiB from
 * the 64 KiB boundary below the page, or from the start of the mapping if
 * that is later, and no further than the mapping's end or the page
 * table's (2 MiB). A small library's text is one window from its start:
 * libbz2's _fini, 48 KiB after its _init, needs no populate of its own.
 *
 * On a reload none of this is needed where the hint of the last unload
 * named the pages (reload.h): map.c mapped exactly those, populated,
 * and the windows would map the rest of the text for nothing.
 */
#define CODE_WINDOW     (64 * 1024UL)
#define PAGE_TABLE_SPAN (2UL * 1024 * 1024)
#define CODE_WINDOWS    8
/* A hint's pages at most: more, mapped on their own, would cost more than
 * the one window's fault-around they replace. */
#define CODE_HINT_MAX CODE_WINDOW

struct code_windows {
	uintptr_t start[CODE_WINDOWS], end[CODE_WINDOWS];
	size_t n;
};

/* The window the kernel maps around fn's page in segment s: [*from, *to). */
static void window_around(const struct sl_segment *s, uintptr_t fn, uintptr_t *from, uintptr_t *to)
{
	uintptr_t table_end = (fn & ~(PAGE_TABLE_SPAN - 1)) + PAGE_TABLE_SPAN;

	*from = fn & ~(CODE_WINDOW - 1);
	if (*from < s->start)
		*from = s->start;
	*to = *from + CODE_WINDOW;
	if (*to > table_end)
		*to = table_end;
	if (*to > s->start + s->size)
		*to = s->start + s->size;
}

/* Adds fn's window to w: 1 if no window there had it and there was room. */
static int add_window(const struct sl_lib *lib, uintptr_t fn, struct code_windows *w)
{
	const struct sl_segment *s = code_segment(lib, fn);

	if (w->n == CODE_WINDOWS || !s)
		return 0;
	for (size_t i = 0; i < w->n; i++)
		if (fn >= w->start[i] && fn < w->end[i])
			return 0;
	window_around(s, fn, &w->start[w->n], &w->end[w->n]);
	w->n++;
	return 1;
}

/* Adds fn's window to w and, if populate, maps it in (one page's populate
 * fault-arounds the window); nothing if w has it already or is full. */
LOAD_PATH static void populate_window(const struct sl_lib *lib, uintptr_t fn,
                                      struct code_windows *w, int populate)
{
	if (add_window(lib, fn, w) && populate)
		sys_madvise((void *)(fn & ~(SYS_PAGE_SIZE - 1)), 1, MADV_POPULATE_READ);
}

/* The initialisers' windows, after the pages the hint had mapped with the
 * text (map.c), which count as one already there. */
LOAD_PATH static void init_windows(const struct sl_lib *lib, const struct reload_hint *hint,
                                   struct code_windows *w, int populate)
{
	w->n = 0;
	if (hint->lo < hint->hi) {
		w->start[0] = lib->base + hint->lo;
		w->end[0] = lib->base + hint->hi;
		w->n = 1;
	}
	if (lib_has(lib, DT_INIT))
		populate_window(lib, lib->base + lib->dt_init, w, populate);
	for (size_t i = 0; i < lib->ninit_array; i++)
		populate_window(lib, (uintptr_t)lib->init_array[i], w, populate);
}

/* DT_FINI is there and not known to be the empty frame (reload.h). */
static int fini_may_run(const struct sl_lib *lib, const struct reload_hint *hint)
{
	return lib_has(lib, DT_FINI) && !hint->fini_empty;
}

static void prefault_fini(const struct sl_lib *lib, const struct reload_hint *hint)
{
	struct code_windows w;

	init_windows(lib, hint, &w, 0);
	if (fini_may_run(lib, hint))
		populate_window(lib, lib->base + lib->dt_fini, &w, 1);
	for (size_t i = 0; i < lib->nfini_array; i++)
		populate_window(lib, (uintptr_t)lib->fini_array[i], &w, 1);
}

LOAD_PATH void initfini_run_init(struct sl_lib *lib)
{
	struct reload_hint hint;
	struct code_windows w;

	reload_hint_find(lib, &hint);
	init_windows(lib, &hint, &w, 1);
	if (before_init && (lib_has(lib, DT_INIT) || lib->ninit_array))
		before_init();
	if (lib_has(lib, DT_INIT)) {
		void (*init)(int, char **, char **) = (void *)(lib->base + lib->dt_init);
		init(saved_argc, saved_argv, saved_envp);
	}
	for (size_t i = 0; i < lib->ninit_array; i++)
		if (callable(lib, (uintptr_t)lib->init_array[i]))
			lib->init_array[i](saved_argc, saved_argv, saved_envp);
	lib->initialised = 1;
	lib->init_order = ++inits;
}

/* glibc's __libc_freeres calls libstdc++'s __gnu_cxx::__freeres to free its
 * emergency exception pool (72 KiB), which nothing else frees: a library
 * that has one and is unloaded for good does the same, or every unload of
 * libstdc++ leaks the pool. */
static void run_freeres(struct sl_lib *lib)
{
	struct symbol_key key;
	const Elf64_Sym *s;

	symbol_key(&key, "_ZN9__gnu_cxx9__freeresEv", NULL);
	s = symbol_find_in(&lib->tab, &key);
	if (s && ELF64_ST_TYPE(s->st_info) == STT_FUNC && callable(lib, lib->base + s->st_value))
		((void (*)(void))(lib->base + s->st_value))();
}

/* A DT_FINI that crti and crtn made with nothing in between: x86-64's
 * crti.o opens it with a frame (sub $8, %rsp) that crtn.o closes (add $8,
 * %rsp; ret); with -fcf-protection an endbr64 comes first. */
#define EMPTY_FRAME_MAX 13
static const unsigned char empty_frame[] = {0x48, 0x83, 0xec, 0x08, 0x48, 0x83, 0xc4, 0x08, 0xc3};
static const unsigned char endbr64[] = {0xf3, 0x0f, 0x1e, 0xfa};

static int code_is_empty_frame(const void *fn)
{
	const unsigned char *code = fn;

	if (memcmp(code, endbr64, sizeof(endbr64)) == 0)
		code += sizeof(endbr64);
	return memcmp(code, empty_frame, sizeof(empty_frame)) == 0;
}

/* The empty frame does nothing: found so, it is not called, and the hint
 * says so to the next load, which then never maps its page. Read only
 * where readable (an execute-only page would fault). */
static void run_dt_fini(struct sl_lib *lib, struct reload_hint *hint)
{
	uintptr_t fn = lib->base + lib->dt_fini;
	const struct sl_segment *s = code_segment(lib, fn);

	if (s && (s->prot & PROT_READ) && s->start + s->size - fn >= EMPTY_FRAME_MAX &&
	    code_is_empty_frame((const void *)fn)) {
		hint->fini_empty = 1;
		return;
	}
	((void (*)(void))fn)();
}

/* The text pages of fn, if it is code, added to [*lo, *hi) (p_vaddr); 0 if
 * it lies in another segment than those before it, or one whose pages a
 * reload does not map apart. */
static int add_code_page(const struct sl_lib *lib, uintptr_t fn, uint64_t *lo, uint64_t *hi,
                         const struct sl_segment **seg)
{
	const struct sl_segment *s = code_segment(lib, fn);
	uint64_t page = (fn - lib->base) & ~(SYS_PAGE_SIZE - 1);

	if (!s)
		return 1; /* a placeholder, never called */
	if ((*seg && s != *seg) ||
	    !map_text_splits(s->file_offset, s->file_size, s->mem_size, s->prot))
		return 0;
	*seg = s;
	if (*lo == *hi || page < *lo)
		*lo = page;
	if (page + SYS_PAGE_SIZE > *hi)
		*hi = page + SYS_PAGE_SIZE;
	return 1;
}

/* What the next load of this file is to know (reload.h): where it was
 * mapped; the pages the initialisers and finalisers ran, if they lie in
 * one segment and a few pages; whether DT_FINI is the empty frame, for
 * this build. */
static void keep_reload_hint(const struct sl_lib *lib, const struct reload_hint *found)
{
	struct reload_hint h = {.start = (uintptr_t)lib->map_start,
	                        .fini_empty = found->build && found->fini_empty,
	                        .build = found->build};
	const struct sl_segment *seg = NULL;
	int ok = 1;

	if (lib_has(lib, DT_INIT))
		ok &= add_code_page(lib, lib->base + lib->dt_init, &h.lo, &h.hi, &seg);
	if (fini_may_run(lib, found))
		ok &= add_code_page(lib, lib->base + lib->dt_fini, &h.lo, &h.hi, &seg);
	for (size_t i = 0; i < lib->ninit_array; i++)
		ok &= add_code_page(lib, (uintptr_t)lib->init_array[i], &h.lo, &h.hi, &seg);
	for (size_t i = 0; i < lib->nfini_array; i++)
		ok &= add_code_page(lib, (uintptr_t)lib->fini_array[i], &h.lo, &h.hi, &seg);
	if (!ok || h.hi - h.lo > CODE_HINT_MAX)
		h.lo = h.hi = 0;
	reload_hint_keep(lib, &h);
}

void initfini_run_fini(struct sl_lib *lib)
{
	struct reload_hint hint;
	uint64_t build;

	if (!lib->initialised)
		return;
	lib->initialised = 0;
	build = reload_build(lib);
	reload_hint_find(lib, &hint);
	if (!build || hint.build != build)
		hint.fini_empty = 0;
	hint.build = build;
	prefault_fini(lib, &hint);
	for (size_t i = lib->nfini_array; i-- > 0;)
		if (callable(lib, (uintptr_t)lib->fini_array[i]))
			lib->fini_array[i]();
	if (fini_may_run(lib, &hint))
		run_dt_fini(lib, &hint);
	run_freeres(lib);
	keep_reload_hint(lib, &hint);
}
