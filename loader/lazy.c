#include "lazy.h"
#include "loadpath.h"
#include "error.h"
#include "registry.h"
#include "symbol.h"
#include "unique.h"
#include "relro_share.h"
#include "xstate.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/*
 * What lazyplt.S keeps around lazy_fixup: x87, SSE, AVX, AVX-512 mask
 * registers and ZMM state (as tlsdesc.S), with XSAVEC where the CPU has it
 * (compacted, so a buffer without AMX's or PKRU's room), else XSAVE, else
 * FXSAVE (x87 and SSE, all a CPU without XSAVE has). Read once from XCR0
 * and CPUID leaf 0xD; the trampoline reads them without a lock, after a
 * lazy library's GOT[2] was written, which comes after.
 */
#define SAVE_LEGACY 576u /* the legacy area and the XSAVE header */
enum { SAVE_FXSAVE, SAVE_XSAVE, SAVE_XSAVEC };
__attribute__((visibility("hidden"))) uint64_t lazy_save_mask;
__attribute__((visibility("hidden"))) uint64_t lazy_save_size = SAVE_LEGACY;
__attribute__((visibility("hidden"))) uint32_t lazy_save_kind = SAVE_FXSAVE;
static pthread_once_t save_once = PTHREAD_ONCE_INIT;

extern char lazy_trampoline[] __attribute__((visibility("hidden")));

static void read_save_layout(void)
{
	const struct xstate_layout *x = xstate_layout();

	if (!x->has_xsave)
		return; /* FXSAVE */
	lazy_save_mask = x->mask;
	lazy_save_kind = x->has_xsavec ? SAVE_XSAVEC : SAVE_XSAVE;
	lazy_save_size = x->has_xsavec ? x->compact : x->standard;
}

static int bind_now_asked(const struct sl_lib *lib)
{
	const char *env = getenv("LD_BIND_NOW");

	if (env && *env)
		return 1;
	if (lib_has(lib, DT_BIND_NOW))
		return 1;
	if (lib_has(lib, DT_FLAGS) && (lib->dt_flags & DF_BIND_NOW))
		return 1;
	return lib_has(lib, DYN_FLAGS_1) && (lib->dt_flags_1 & DF_1_NOW);
}

static int in_relro(const struct sl_lib *lib, uintptr_t addr, size_t len)
{
	return lib->relro_size && addr + len > lib->relro_start &&
	       addr < lib->relro_start + lib->relro_size;
}

/* A GOT word lazy binding writes: inside a writable segment, 8-aligned. */
static uint64_t *got_word(const struct sl_lib *lib, uint64_t vaddr)
{
	const struct sl_segment *s = lib_segment(lib, vaddr);

	if (vaddr % 8 || !s || !(s->prot & PROT_WRITE) || s->vaddr + s->mem_size - vaddr < 8)
		return NULL;
	return (uint64_t *)(lib->base + vaddr);
}

LOAD_PATH int lazy_prepare(struct sl_lib *lib)
{
	uint64_t *got1, *got2;

	if (!(lib->flags & SL_LAZY) || !lib->njmprel || !lib_has(lib, DT_PLTGOT) ||
	    bind_now_asked(lib))
		return 0;
	got1 = got_word(lib, lib->dt_pltgot + 8);
	got2 = got_word(lib, lib->dt_pltgot + 16);
	if (!got1 || !got2)
		return 0;
	/* The linker puts GOT[0..2] at the end of RELRO: a warm share cache
	 * may have mapped them read-only, with another process's values. */
	if (lib->share && (share_mapped(lib->share, (uintptr_t)got1) ||
	                   share_mapped(lib->share, (uintptr_t)got2)))
		return 0;
	pthread_once(&save_once, read_save_layout);
	if (!(lib->lazy_bound = calloc((lib->njmprel + 7) / 8, 1)))
		return error_set(lib->name, "out of memory");
	*got1 = (uint64_t)(uintptr_t)lib;
	*got2 = (uint64_t)(uintptr_t)lazy_trampoline;
	/* Both differ in every process: the RELRO page holding them is not
	 * the placement's alone. */
	if (lib->share) {
		share_unproven(lib->share, (uintptr_t)got1);
		share_unproven(lib->share, (uintptr_t)got2);
	}
	return 0;
}

LOAD_PATH int lazy_defer(struct sl_lib *lib, const Elf64_Rela *r, uint64_t *where)
{
	const struct sl_segment *plt;

	if (!lib->lazy_bound || r < lib->jmprel || r >= lib->jmprel + lib->njmprel)
		return 0;
	if (r->r_offset % 8 || in_relro(lib, (uintptr_t)where, 8) ||
	    ELF64_R_SYM(r->r_info) >= lib->tab.nsyms)
		return 0;
	/* The slot's link-time value is its PLT entry's push (or, in the
	 * IBT form, the endbr64 before it). */
	plt = lib_segment(lib, *where);
	if (!plt || !(plt->prot & PROT_EXEC))
		return 0;
	*where += lib->base;
	return 1;
}

void lazy_release(struct sl_lib *lib)
{
	free(lib->lazy_bound);
	lib->lazy_bound = NULL;
}

/* ---- At the first call ---- */

/* Libraries that hold lib in their scope: the library whose sl_open brought
 * lib in (a constructor's first call may need what only a sibling of the
 * group defines, as relocation's group lookup, glibc's reldep8), and those
 * opened after it, as glibc adds a dlopen's scope to those of the
 * dependencies it had loaded already, so a reference only such a library
 * defines binds at its first call (glibc's dblload, reldep6). Every
 * library mapped with its dependencies, ready or still being initialised,
 * in load order. */
struct opener_search {
	struct sl_lib *lib;
	struct symbol_key key;
	struct sl_version want; /* key's version */
	struct symdef def;
	struct sl_lib *opener; /* whose scope def was found in */
	int found;
};

static void search_opener(struct sl_lib *l, void *arg)
{
	struct opener_search *s = arg;

	if (s->found || l == s->lib || !lib_scope_holds(l, s->lib))
		return;
	for (size_t i = 0; i < l->nscope && !s->found; i++) {
		struct sl_lib *d = l->scope[i];
		const Elf64_Sym *sym = d ? symbol_find_in(&d->tab, &s->key) : NULL;
		if (!sym || ELF64_ST_TYPE(sym->st_info) == STT_TLS)
			continue;
		s->def.lib = d;
		s->def.sym = sym;
		s->def.addr = symbol_value(d, sym);
		s->opener = l;
		s->found = 1;
	}
}

/* A definer found this way keeps lib's binding valid by a hold (glibc's
 * relocation dependency), also when the definer needs lib itself (glibc's
 * dblload and reldep6 bind to such a definer): the cycle goes whole once
 * nothing reaches it (reach.h). Not while the opener's sl_open is still
 * loading it: a group that fails goes whole, whoever bound to it. */
static int search_openers(struct sl_lib *lib, uint32_t symidx, struct symdef *def)
{
	struct opener_search s = {.lib = lib};

	symbol_key(&s.key, symbol_name(lib, symidx), symbol_wanted_version(lib, symidx, &s.want));
	registry_foreach_mapped(search_opener, &s);
	if (!s.found)
		return -1;
	if (s.opener->state == LIB_READY && s.def.lib != lib && unique_hold(lib, s.def.lib) != 0)
		return -1;
	*def = s.def;
	return 0;
}

static void __attribute__((noreturn)) fatal_undefined(const struct sl_lib *lib, uint32_t symidx)
{
	struct sl_version want;
	const struct sl_version *v = symbol_wanted_version(lib, symidx, &want);

	dprintf(STDERR_FILENO, "%s: symbol lookup error: %s: undefined symbol: %s%s%s\n",
	        program_invocation_name, lib->path, symbol_name(lib, symidx),
	        v ? ", version " : "", v ? v->name : "");
	abort();
}

/* Under the registry lock, so that no sl_close unmaps a definer while it
 * is being bound, and a slot is bound once: a second thread that came
 * through the PLT before the first wrote it takes the first's answer. */
void *lazy_fixup(struct sl_lib *lib, uint64_t index)
{
	struct error_saved saved;
	struct symdef def;
	uint64_t *slot;
	uint32_t symidx;
	int rc;

	registry_lock();
	if (!lib->lazy_bound || index >= lib->njmprel) {
		dprintf(STDERR_FILENO, "%s: lazy binding: %s: PLT index %lu outside DT_JMPREL\n",
		        program_invocation_name, lib->path, (unsigned long)index);
		abort();
	}
	slot = (uint64_t *)(lib->base + lib->jmprel[index].r_offset);
	if (lib->lazy_bound[index / 8] & (1u << (index % 8))) {
		void *done = (void *)__atomic_load_n(slot, __ATOMIC_RELAXED);
		registry_unlock();
		return done;
	}
	symidx = (uint32_t)ELF64_R_SYM(lib->jmprel[index].r_info);
	/* The program's own sl_error() is not this call's business. */
	error_save(&saved);
	rc = symbol_resolve(lib, symidx, &def);
	if ((rc != 0 || !def.addr) && search_openers(lib, symidx, &def) == 0)
		rc = 0;
	error_restore(&saved);
	if (rc != 0 || !def.addr)
		fatal_undefined(lib, symidx);
	__atomic_store_n(slot, (uint64_t)def.addr, __ATOMIC_RELEASE);
	lib->lazy_bound[index / 8] |= (unsigned char)(1u << (index % 8));
	registry_unlock();
	return (void *)def.addr;
}
