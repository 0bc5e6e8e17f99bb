#include "reloc.h"
#include "loadpath.h"
#include "error.h"
#include "hostsym.h"
#include "lazy.h"
#include "map.h"
#include "reloc_arch.h"
#include "relro_share.h"
#include "symbol.h"
#include "sys.h"
#include "tls.h"

#include <sys/mman.h>

/* A relocated word: nothing requires it aligned (a packed struct may hold a
 * pointer), so it is read and written as the unaligned type it may be. */
typedef uint64_t __attribute__((aligned(1))) reloc_word;

/* The writable segment holding [off, off + 8), or NULL. RELRO lies inside
 * a writable segment until relocation is done. */
LOAD_PATH static reloc_word *target(struct sl_lib *lib, uint64_t off)
{
	const struct sl_segment *s;

	/* Nearly every target lies in the one writable segment. */
	if (lib->rw_end && off >= lib->rw_vaddr &&
	    off - lib->rw_vaddr <= lib->rw_end - lib->rw_vaddr - 8)
		return (uint64_t *)(lib->base + off);
	s = lib_segment(lib, off);
	if (!s || s->vaddr + s->mem_size - off < 8) {
		error_set(lib->name, "relocation outside the loaded segments at offset 0x%lx",
		          off);
		return NULL;
	}
	if (!(s->prot & PROT_WRITE)) {
		error_set(lib->name, "relocation at offset 0x%lx into a read-only segment", off);
		return NULL;
	}
	return (reloc_word *)(lib->base + off);
}

/* With SL_SHARE after a warm start: the word lies in a page mapped from the
 * cache, whose content is already what relocation would write. */
static int from_cache(const struct sl_lib *lib, const reloc_word *p)
{
	return lib->share && share_mapped(lib->share, (uintptr_t)p);
}

/* Calls fn(lib, offset, arg) for each address DT_RELR relocates: an even
 * word is an address, an odd word a bitmap of the 63 words that follow the
 * last one. -1 as soon as fn fails. */
LOAD_PATH static int each_relr(struct sl_lib *lib, int (*fn)(struct sl_lib *, uint64_t, void *),
                               void *arg)
{
	uint64_t where = 0;

	for (size_t i = 0; i < lib->nrelr; i++) {
		uint64_t w = lib->relr[i];
		if (!(w & 1)) {
			if (fn(lib, w, arg) != 0)
				return -1;
			where = w + 8;
			continue;
		}
		for (unsigned bit = 1; bit < 64; bit++)
			if (((w >> bit) & 1) && fn(lib, where + (bit - 1) * 8, arg) != 0)
				return -1;
		where += 63 * 8;
	}
	return 0;
}

/* One DT_RELR address, checked, and relocated if *(int *)write. */
static int relr_one(struct sl_lib *lib, uint64_t off, void *write)
{
	reloc_word *p = target(lib, off);

	if (!p)
		return -1;
	if (!*(int *)write)
		return 0;
	if (from_cache(lib, p))
		lib->share_stats.relocs_skipped++;
	else
		*p += lib->base;
	return 0;
}

/* Without write, only checks. */
static int walk_relr(struct sl_lib *lib, int write)
{
	return each_relr(lib, relr_one, &write);
}

static int unsupported(struct sl_lib *lib, const Elf64_Rela *r)
{
	return error_set(lib->name, "unsupported relocation type %lu at offset 0x%lx",
	                 ELF64_R_TYPE(r->r_info), r->r_offset);
}

/* A static offset from the thread pointer exists only for libraries in the
 * initial TLS block, laid out at start-up. */
static int refuse_initial_exec(struct sl_lib *lib, const Elf64_Rela *r)
{
	return error_set(lib->name,
	                 "initial-exec TLS (%s) is not supported for libraries loaded after "
	                 "start-up",
	                 reloc_type_name(ELF64_R_TYPE(r->r_info)));
}

/* Whether a symbol's value depends only on where the libraries of the
 * scope are placed (the share cache's key): not a binding into glibc, nor
 * an IFUNC's answer, nor a unique symbol, which depends on who came first. */
static int placement_only(const struct sl_lib *lib, const struct symdef *def)
{
	if (!def->lib || !def->sym || ELF64_ST_TYPE(def->sym->st_info) == STT_GNU_IFUNC ||
	    ELF64_ST_BIND(def->sym->st_info) == STB_GNU_UNIQUE)
		return 0;
	for (size_t i = 0; i < lib->nscope; i++)
		if (lib->scope[i] == def->lib)
			return 1;
	return 0;
}

/* With SL_SHARE, relocation notes the pages whose content the cache
 * cannot prove (relro_share.h). */
static int recording(const struct sl_lib *lib)
{
	return lib->share && lib->share->unproven && !lib->share->warm;
}

static void note_unproven(struct sl_lib *lib, enum reloc_kind kind, const reloc_word *where)
{
	if (!recording(lib) || kind == RK_RELATIVE)
		return;
	share_unproven(lib->share, (uintptr_t)where);
	if (kind == RK_TLSDESC)
		share_unproven(lib->share, (uintptr_t)where + 8);
}

/* A symbol's binding: where placement decides, into one of glibc's
 * objects (the definition's own address, no addend added), or else. */
static void note_binding(struct sl_lib *lib, const Elf64_Rela *r, enum reloc_kind kind,
                         const reloc_word *where, const struct symdef *def)
{
	if (!recording(lib))
		return;
	if (placement_only(lib, def))
		share_placed(lib->share, (uintptr_t)where);
	else if (!def->lib && (kind != RK_SYMBOLIC || r->r_addend == 0))
		share_host_bound(lib->share, (uintptr_t)where);
	else
		note_unproven(lib, kind, where);
}

/*
 * The last symbol a pass resolved: the linker sorts a library's symbol
 * relocations by symbol, so one symbol's GOT entry and data pointers come
 * in a row (1,600 of libstdc++'s 4,300, 800 of libcrypto's 4,200), and
 * glibc keeps the same one-entry cache. A unique symbol is resolved each
 * time: each binding of one is a reference unique.c counts.
 */
struct last_symbol {
	uint32_t symidx;
	int valid;
	struct symdef def;
};

static int resolve(struct sl_lib *lib, uint32_t symidx, struct last_symbol *last,
                   struct symdef *def)
{
	if (last->valid && last->symidx == symidx) {
		*def = last->def;
		return 0;
	}
	if (symbol_resolve(lib, symidx, def) != 0)
		return -1;
	last->valid = !def->sym || ELF64_ST_BIND(def->sym->st_info) != STB_GNU_UNIQUE;
	last->symidx = symidx;
	last->def = *def;
	return 0;
}

LOAD_PATH static int apply_one(struct sl_lib *lib, const Elf64_Rela *r, struct last_symbol *last)
{
	enum reloc_kind kind = reloc_kind_of(ELF64_R_TYPE(r->r_info));
	reloc_word *where;
	struct symdef def;

	if (kind == RK_NONE)
		return 0;
	if (!(where = target(lib, r->r_offset)))
		return -1;
	if (from_cache(lib, where) && (kind != RK_TLSDESC || from_cache(lib, where + 1)))
		return 0;
	if (kind == RK_PLT && lazy_defer(lib, r, (uint64_t *)where))
		return 0;
	switch (kind) {
	case RK_RELATIVE:
		*where = lib->base + r->r_addend;
		return 0;
	case RK_IRELATIVE:
		note_unproven(lib, kind, where);
		*where = ((uint64_t(*)(void))(lib->base + r->r_addend))();
		return 0;
	case RK_SYMBOLIC:
	case RK_GOT:
	case RK_PLT:
		if (resolve(lib, ELF64_R_SYM(r->r_info), last, &def) != 0)
			return -1;
		note_binding(lib, r, kind, where, &def);
		*where = def.addr + (kind == RK_SYMBOLIC ? r->r_addend : 0);
		return 0;
	case RK_DTPMOD:
	case RK_DTPOFF: {
		uint64_t value;
		note_unproven(lib, kind, where);
		if (tls_relocate(lib, r, kind == RK_DTPMOD, &value) != 0)
			return -1;
		*where = value + (kind == RK_DTPOFF ? r->r_addend : 0);
		return 0;
	}
	case RK_TPOFF: {
		uint64_t value;
		/* The static TLS layout of this process, not the placement. */
		note_unproven(lib, kind, where);
		int rc = ELF64_R_TYPE(r->r_info) == R_X86_64_TPOFF64
		                 ? tls_tpoff_relocate(lib, r, &value)
		                 : -2;
		if (rc == -2)
			return refuse_initial_exec(lib, r);
		if (rc != 0)
			return -1;
		*where = value + r->r_addend;
		return 0;
	}
	case RK_TLSDESC:
		note_unproven(lib, kind, where);
		return target(lib, r->r_offset + 8) ? tls_desc_relocate(lib, r, where) : -1;
	case RK_COPY:
	case RK_UNKNOWN:
	case RK_NONE:
		break;
	}
	return unsupported(lib, r);
}

static int apply_rela(struct sl_lib *lib, const Elf64_Rela *r, size_t n, struct last_symbol *last)
{
	for (size_t i = 0; i < n; i++)
		if (apply_one(lib, &r[i], last) != 0)
			return -1;
	return 0;
}

/* What apply_one would refuse, found without writing anything. */
static int check_one(struct sl_lib *lib, const Elf64_Rela *r)
{
	enum reloc_kind kind = reloc_kind_of(ELF64_R_TYPE(r->r_info));

	if (kind == RK_NONE)
		return 0;
	if (kind == RK_UNKNOWN || kind == RK_COPY)
		return unsupported(lib, r);
	if (kind == RK_TPOFF)
		return refuse_initial_exec(lib, r);
	if (!target(lib, r->r_offset))
		return -1;
	if (kind == RK_TLSDESC && !target(lib, r->r_offset + 8))
		return -1;
	if (ELF64_R_SYM(r->r_info) >= lib->tab.nsyms)
		return error_set(lib->name, "relocation with bad symbol index %lu (of %zu)",
		                 ELF64_R_SYM(r->r_info), lib->tab.nsyms);
	return 0;
}

int reloc_check(struct sl_lib *lib)
{
	if (walk_relr(lib, 0) != 0)
		return -1;
	for (size_t i = 0; i < lib->nrela; i++)
		if (check_one(lib, &lib->rela[i]) != 0)
			return -1;
	for (size_t i = 0; i < lib->njmprel; i++)
		if (check_one(lib, &lib->jmprel[i]) != 0)
			return -1;
	return 0;
}

/* After a warm start with SL_SHARE: only the relocations the cache lists,
 * those outside the pages it proved; the others are not even read. */
static int apply_listed(struct sl_lib *lib, const uint32_t *list, size_t n,
                        struct last_symbol *last)
{
	for (size_t i = 0; i < n; i++) {
		size_t k = list[i];
		if (k >= lib->nrela + lib->njmprel)
			return error_set(lib->name, "share cache lists relocation %zu of %zu", k,
			                 lib->nrela + lib->njmprel);
		if (apply_one(lib, k < lib->nrela ? &lib->rela[k] : &lib->jmprel[k - lib->nrela],
		              last))
			return -1;
	}
	lib->share_stats.relocs_skipped += lib->nrela + lib->njmprel - n;
	return 0;
}

/* The pages past RELRO that relocation writes, a bit each from the page
 * of lo (link-time); WRITTEN_MAX pages at most (16 MiB). */
#define WRITTEN_MAX 4096
struct written {
	uint64_t lo;
	size_t npages;
	unsigned char bits[WRITTEN_MAX / 8];
};

/* The page of a word at off, and of its last byte (a word astride two
 * pages writes both). */
static void mark(struct written *w, uint64_t off)
{
	uint64_t ends[2] = {off, off + sizeof(reloc_word) - 1};

	for (int i = 0; i < 2; i++) {
		size_t p = (size_t)(((ends[i] & ~(SYS_PAGE_SIZE - 1)) - w->lo) / SYS_PAGE_SIZE);
		if (ends[i] >= w->lo && p < w->npages)
			w->bits[p / 8] |= (unsigned char)(1u << (p % 8));
	}
}

/* The end of the prefix of r[0..n) for which in(r, arg) holds, by a
 * binary search: r is ordered so that it holds for a prefix only. */
static size_t prefix_end(const Elf64_Rela *r, size_t n, int (*in)(const Elf64_Rela *, uint64_t),
                         uint64_t arg)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (in(&r[mid], arg))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int offset_below(const Elf64_Rela *r, uint64_t lo)
{
	return r->r_offset < lo;
}

static int is_relative(const Elf64_Rela *r, uint64_t unused)
{
	(void)unused;
	return reloc_kind_of(ELF64_R_TYPE(r->r_info)) == RK_RELATIVE;
}

/* A run sorted by address: from its first entry at or past w->lo, a mark
 * and a search for the first entry of the next page, so that a page of
 * 500 relative relocations costs one mark, not 500. */
static void mark_sorted(struct written *w, const Elf64_Rela *r, size_t n)
{
	for (size_t i = prefix_end(r, n, offset_below, w->lo); i < n;) {
		uint64_t next = (r[i].r_offset & ~(SYS_PAGE_SIZE - 1)) + SYS_PAGE_SIZE;
		mark(w, r[i].r_offset);
		i += prefix_end(r + i, n - i, offset_below, next);
	}
}

/*
 * The linker writes the relative relocations first, sorted by address, and
 * DT_JMPREL in the order of the GOT: both are searched, not walked (a walk
 * of libcrypto's 21,000 was 4% of its load). The rest are walked. A table
 * not so ordered only marks fewer pages, which then fault.
 */
static void mark_rela(struct written *w, const Elf64_Rela *r, size_t n, size_t nrelative)
{
	mark_sorted(w, r, nrelative);
	for (size_t i = nrelative; i < n; i++)
		mark(w, r[i].r_offset);
}

static int mark_relr(struct sl_lib *lib, uint64_t off, void *w)
{
	(void)lib;
	mark(w, off);
	return 0;
}

/* The pages relocation will write past RELRO, copied before it writes
 * (map_prefault_pages) rather than faulted one by one. nrelative: how many
 * of DT_RELA's first entries are relative. */
LOAD_PATH static void prefault_targets(struct sl_lib *lib, size_t nrelative)
{
	uint64_t lo =
	        lib->relro_size ? lib->relro_start + lib->relro_size - lib->base : lib->rw_vaddr;
	struct written w = {.lo = lo & ~(SYS_PAGE_SIZE - 1)};

	if (!lib->rw_end || !(w.npages = map_prefault_span(lib, lo)) || w.npages > WRITTEN_MAX)
		return;
	each_relr(lib, mark_relr, &w);
	mark_rela(&w, lib->rela, lib->nrela, nrelative);
	mark_sorted(&w, lib->jmprel, lib->njmprel);
	map_prefault_pages(lib, w.lo, w.bits, w.npages);
}

size_t reloc_relative_count(const struct sl_lib *lib)
{
	return prefix_end(lib->rela, lib->nrela, is_relative, 0);
}

/*
 * Relative relocations r[0..n) written in one tight loop, as long as each
 * lands in the writable segment: no look at the type (the caller knows),
 * nor at the share cache (not with SL_SHARE). Libraries have thousands of
 * them (libQt5Core's tree 20,000), and through apply_one and target() they
 * were a fifth of the instructions of a first load that stages none. How
 * many were written: the rest go through apply_one, which reports a
 * target outside the segment.
 */
LOAD_PATH static size_t apply_relative(struct sl_lib *lib, const Elf64_Rela *r, size_t n)
{
	uint64_t lo = lib->rw_vaddr, room = lib->rw_end - lib->rw_vaddr;
	size_t i;

	if (lib->share || room < sizeof(reloc_word))
		return 0;
	for (i = 0; i < n && r[i].r_offset - lo <= room - sizeof(reloc_word); i++)
		*(reloc_word *)(lib->base + r[i].r_offset) = lib->base + r[i].r_addend;
	return i;
}

/* DT_RELA from first to end, its relative prefix (up to nrelative) in the
 * tight loop. */
LOAD_PATH static int apply_range(struct sl_lib *lib, size_t first, size_t end, size_t nrelative,
                                 struct last_symbol *last)
{
	if (first < nrelative)
		first += apply_relative(lib, lib->rela + first,
		                        (nrelative < end ? nrelative : end) - first);
	return first < end ? apply_rela(lib, lib->rela + first, end - first, last) : 0;
}

/* DT_RELA less what stage.c applied already. */
static int apply_unstaged(struct sl_lib *lib, size_t nrelative, struct last_symbol *last)
{
	return apply_range(lib, 0, lib->staged_begin, nrelative, last) ||
	       apply_range(lib, lib->staged_end, lib->nrela, nrelative, last);
}

/* lib's relocations that name a symbol: DT_RELA's past its relative ones
 * (nrelative, or counted here if the caller skipped that), and the PLT's. */
LOAD_PATH static size_t symbolic_count(const struct sl_lib *lib, size_t nrelative)
{
	if (lib->share)
		nrelative = reloc_relative_count(lib);
	return lib->nrela - nrelative + lib->njmprel;
}

LOAD_PATH int reloc_library(struct sl_lib *lib)
{
	struct last_symbol last = {.valid = 0};
	const uint32_t *list;
	/* Searched for once (binary search: a warm share load reads only the
	 * relocations its cache lists, and skips it). */
	size_t n, nrelative = lib->share ? 0 : reloc_relative_count(lib);
	int rc, listed;

	prefault_targets(lib, nrelative);
	if (walk_relr(lib, 1) != 0 || lazy_prepare(lib) != 0)
		return -1;
	listed = lib->share && share_apply_list(lib->share, &list, &n) == 0;
	/* The lookups the pass may make: a warm share load applies only the
	 * relocations its cache lists (announcing all of libQt5Core's tree's
	 * made it sweep and merge filters for a few hundred). */
	hostsym_begin_pass(&lib->tab, listed ? n : symbolic_count(lib, nrelative));
	if (listed)
		rc = apply_listed(lib, list, n, &last);
	else
		rc = apply_unstaged(lib, nrelative, &last) ||
		     apply_rela(lib, lib->jmprel, lib->njmprel, &last);
	hostsym_end_pass();
	if (!rc)
		rc = tls_publish(lib); /* its TLS image is final now */
	return rc ? -1 : 0;
}
