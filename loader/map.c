#include "map.h"
#include "stage.h"
#include "loadpath.h"
#include "sys.h"
#include "error.h"
#include "relro_share.h"
#include "reload.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static uintptr_t page_down(uintptr_t x)
{
	return x & ~(SYS_PAGE_SIZE - 1);
}

static uintptr_t page_up(uintptr_t x)
{
	return page_down(x + SYS_PAGE_SIZE - 1);
}

static void place_span(struct sl_lib *lib, const struct load_plan *plan, char *start)
{
	lib->map_start = start;
	lib->span = plan->hi - plan->lo;
	lib->base = (uintptr_t)start - plan->lo;
}

/* An mmap at addr exactly. MAP_FIXED_NOREPLACE on a kernel before 4.17 is
 * a mere hint: a mapping elsewhere is undone and counts as taken. */
static int map_at(uintptr_t addr, size_t len, int prot, int flags, int fd, off_t offset)
{
	void *p = sys_mmap((void *)addr, len, prot, MAP_PRIVATE | flags, fd, offset);

	if (p == MAP_FAILED)
		return -1;
	if ((uintptr_t)p != addr) {
		sys_munmap(p, len);
		errno = EEXIST;
		return -1;
	}
	return 0;
}

/* With SL_SHARE, every process tries the same address for this library so
 * that its relocated RELRO comes out the same; if taken, it stays private. */
static int reserve_shared(struct sl_lib *lib, int fd, const struct load_plan *plan)
{
	char *start;

	lib->share = malloc(sizeof(*lib->share));
	if (!lib->share)
		return -1;
	share_prepare(lib->share, fd, plan->hi - plan->lo, plan->align);
	start = share_reserve(lib->share, plan->hi - plan->lo);
	if (!start)
		return -1;
	place_span(lib, plan, start);
	return 0;
}

/* A span this large starts on a huge-page boundary, as the kernel places a
 * file mapping this large (and so glibc's libraries): every process then
 * has the same page offsets in the same fault-around windows (measured: 8
 * holders of libcrypto mapped 355 KiB of distinct text between them, 256
 * once aligned, as with dlopen), and text can be mapped by huge pages. */
#define HUGE_ALIGN (2UL << 20)

static size_t span_alignment(const struct load_plan *plan)
{
	if (plan->hi - plan->lo >= HUGE_ALIGN && plan->align < HUGE_ALIGN)
		return HUGE_ALIGN;
	return plan->align > SYS_PAGE_SIZE ? plan->align : 0;
}

/* At want, this file's last address (reload.h), if it is free; else we map
 * too much and trim, to get a start aligned to the largest p_align
 * without guessing a free address. */
static int reserve_span(struct sl_lib *lib, int fd, const struct load_plan *plan, uintptr_t want)
{
	size_t span = plan->hi - plan->lo;
	size_t extra = span_alignment(plan);
	char *raw, *start;

	if ((lib->flags & SL_SHARE) && reserve_shared(lib, fd, plan) == 0)
		return 0;
	if (want && !(extra && want % extra) &&
	    map_at(want, span, PROT_NONE, MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1,
	           0) == 0) {
		place_span(lib, plan, (char *)want);
		return 0;
	}
	raw = sys_mmap(NULL, span + extra, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
	               -1, 0);
	if (raw == MAP_FAILED)
		return error_set(lib->name, "cannot reserve %zu bytes: %m", span);
	start = raw;
	if (extra) {
		start = (char *)(((uintptr_t)raw + extra - 1) & ~(extra - 1));
		if (start > raw)
			sys_munmap(raw, start - raw);
		if (raw + extra > start)
			sys_munmap(start + span, raw + extra - start);
	}
	place_span(lib, plan, start);
	return 0;
}

/* Small segments that loading is sure to touch, the first (headers, symbol
 * and hash tables) and the writable ones (relocation targets), are
 * prefaulted in one go: one populate costs less than the two or three
 * faults they would take (measured: 6 faults per sl_open of libz became 2,
 * 7% faster). The first segment up to 256 KiB: its pages are the file's,
 * shared and never copied, and loading reads nearly all of them (libsqlite3's
 * 150 KiB took two faults a load: 0.95x the time of a load and unload).
 * With SL_SHARE only the first: the RELRO pages of the writable ones come
 * from the cache. */
#define PREFAULT_MAX       (8 * 4096UL)
#define PREFAULT_FIRST_MAX (64 * 4096UL)
/* Entries of a PT_DYNAMIC read from the file (copy_dynamic); libraries
 * have 30 to 50. */
#define DYNAMIC_COPY_MAX 1024

LOAD_PATH static int populate_flag(const struct sl_lib *lib, const struct plan_segment *s,
                                   size_t len)
{
	if (lib->flags & SL_POPULATE)
		return MAP_POPULATE;
	if ((s->prot & PROT_WRITE) && lib->stage_pending)
		return 0; /* stage.c copies in what relocation writes */
	if (s->offset == 0)
		return len <= PREFAULT_FIRST_MAX ? MAP_POPULATE : 0;
	if (len > PREFAULT_MAX)
		return 0;
	return (s->prot & PROT_WRITE) && !(lib->flags & SL_SHARE) ? MAP_POPULATE : 0;
}

/* Undoes the pieces [from, to) of a segment whose next piece failed, and
 * returns -1. Only where they were mapped MAP_FIXED_NOREPLACE, with
 * nothing reserved around them: inside a reserved span (MAP_FIXED) they
 * are left to map_release, which unmaps the whole span. */
static int drop_part(uintptr_t from, uintptr_t to, int flags)
{
	if (flags & MAP_FIXED_NOREPLACE)
		sys_munmap((void *)from, to - from);
	return -1;
}

int map_text_splits(uint64_t file_offset, uint64_t file_size, uint64_t mem_size, int prot)
{
	return (prot & PROT_EXEC) && !(prot & PROT_WRITE) && file_offset != 0 &&
	       mem_size == file_size;
}

/*
 * The file part of a segment, [start, end). In text, the pages the hint
 * says the initialisers and finalisers run are mapped first, on their own
 * and populated: with no file mapping beside them, the kernel's
 * fault-around maps nothing more (reload.h). The rest of the segment,
 * mapped next to them, merges with them into one mapping.
 */
LOAD_PATH static int map_file_part(struct sl_lib *lib, int fd, const struct plan_segment *s,
                                   const struct reload_hint *hint, uintptr_t start, uintptr_t end,
                                   int prot, int flags)
{
	off_t offset = (off_t)page_down(s->offset);
	uintptr_t lo = lib->base + hint->lo, hi = lib->base + hint->hi;

	if (!map_text_splits(s->offset, s->filesz, s->memsz, s->prot) || (flags & MAP_POPULATE) ||
	    lo >= hi || lo < start || hi > end)
		return map_at(start, end - start, prot, flags, fd, offset);
	if (map_at(lo, hi - lo, prot, flags | MAP_POPULATE, fd, offset + (off_t)(lo - start)) != 0)
		return -1;
	if (lo > start && map_at(start, lo - start, prot, flags, fd, offset) != 0)
		return drop_part(lo, hi, flags);
	if (end > hi && map_at(hi, end - hi, prot, flags, fd, offset + (off_t)(hi - start)) != 0)
		return drop_part(start, hi, flags);
	return 0;
}

/* The part of a segment backed by the file, then bss: the tail of the last
 * file page is zeroed by hand, whole pages past it are anonymous. fixed is
 * MAP_FIXED, or MAP_FIXED_NOREPLACE to fail quietly where another mapping
 * lies; *done is advanced past what was mapped. */
LOAD_PATH static int map_segment(struct sl_lib *lib, int fd, const struct plan_segment *s,
                                 const struct reload_hint *hint, int fixed, uintptr_t *done)
{
	uintptr_t start = page_down(lib->base + s->vaddr);
	uintptr_t file_end = lib->base + s->vaddr + s->filesz;
	uintptr_t mem_end = page_up(lib->base + s->vaddr + s->memsz);
	int populate = lib->flags & SL_POPULATE ? MAP_POPULATE : 0;
	int quiet = fixed != MAP_FIXED;
	/* Only a segment with file bytes has a last file page to zero. */
	int tail = s->filesz && s->memsz > s->filesz && file_end != page_up(file_end);
	int prot = s->prot | (tail ? PROT_WRITE : 0);

	if (s->filesz) {
		if (map_file_part(lib, fd, s, hint, start, page_up(file_end), prot,
		                  fixed | populate_flag(lib, s, page_up(file_end) - start)) != 0)
			return quiet ? -1
			             : error_set(lib->name, "cannot map segment at 0x%lx: %m",
			                         s->vaddr);
		*done = page_up(file_end);
	}
	if (tail) {
		/* The zeroing writes the last file page: copied without a fault. */
		if (!populate_flag(lib, s, page_up(file_end) - start))
			sys_madvise((void *)page_down(file_end), SYS_PAGE_SIZE,
			            MADV_POPULATE_WRITE);
		memset((void *)file_end, 0, page_up(file_end) - file_end);
		if (!(s->prot & PROT_WRITE) &&
		    sys_mprotect((void *)start, page_up(file_end) - start, s->prot) != 0)
			return error_set(lib->name, "cannot protect segment at 0x%lx: %m",
			                 s->vaddr);
	}
	start = s->filesz ? page_up(file_end) : start;
	if (mem_end > start) {
		if (map_at(start, mem_end - start, s->prot, fixed | MAP_ANONYMOUS | populate, -1,
		           0) != 0)
			return quiet ? -1
			             : error_set(lib->name, "cannot map bss at 0x%lx: %m",
			                         s->vaddr);
		*done = mem_end;
	}
	return 0;
}

/*
 * The span the last unload gave back (map_release), or the one this
 * file's last unload did (reload.h: a reload lands where glibc's would, in
 * the hole its unload left). A load maps its segments straight into it,
 * each MAP_FIXED_NOREPLACE, without reserving the span first: one mmap
 * fewer, and no PROT_NONE mapping to split and replace. Only for a plan
 * whose segments leave no page between them (no gap to keep
 * inaccessible), and only if every segment lands there: the kernel
 * refuses to map over anything another mapping took since, and the load
 * then reserves a span as usual. Any thread may take it; a stale one only
 * costs that fallback.
 */
static uintptr_t freed_span;

static int contiguous(const struct load_plan *plan)
{
	for (size_t i = 0; i + 1 < plan->nseg; i++)
		if (page_up(plan->seg[i].vaddr + plan->seg[i].memsz) !=
		    page_down(plan->seg[i + 1].vaddr))
			return 0;
	return 1;
}

/* This file's own span if its last unload gave one back (reload.h), taken
 * from freed_span if it is that one; else freed_span. */
static uintptr_t span_to_reuse(const struct reload_hint *hint)
{
	uintptr_t own = hint->start;

	if (!own)
		return __atomic_exchange_n(&freed_span, 0, __ATOMIC_RELAXED);
	__atomic_compare_exchange_n(&freed_span, &own, 0, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
	return hint->start;
}

/* 1 if every segment is mapped into the freed span, else 0 with nothing
 * mapped. */
static int map_into_freed(struct sl_lib *lib, int fd, const struct load_plan *plan,
                          const struct reload_hint *hint)
{
	uintptr_t start = span_to_reuse(hint);
	size_t align = span_alignment(plan);
	uintptr_t done = start;

	if (!start || (lib->flags & SL_SHARE) || (align && start % align) || !contiguous(plan))
		return 0;
	place_span(lib, plan, (char *)start);
	for (size_t i = 0; i < plan->nseg; i++) {
		if (map_segment(lib, fd, &plan->seg[i], hint, MAP_FIXED_NOREPLACE, &done) == 0)
			continue;
		if (done > start)
			sys_munmap((void *)start, done - start);
		lib->map_start = NULL;
		return 0;
	}
	return 1;
}

static void record_segment(struct sl_lib *lib, const struct plan_segment *s)
{
	struct sl_segment *out = &lib->segments[lib->nsegments++];
	uintptr_t start = page_down(lib->base + s->vaddr);

	out->start = start;
	out->size = page_up(lib->base + s->vaddr + s->memsz) - start;
	out->vaddr = s->vaddr;
	out->file_offset = s->offset;
	out->file_size = s->filesz;
	out->mem_size = s->memsz;
	out->prot = s->prot;
	if ((s->prot & PROT_WRITE) && !lib->rw_end && s->memsz >= 8) {
		lib->rw_vaddr = s->vaddr;
		lib->rw_end = s->vaddr + s->memsz;
	}
}

/* Where ph is if it is a header of type type, else nothing. */
static struct lib_extent extent_of(const Elf64_Phdr *ph, uint32_t type)
{
	return ph->p_type == type ? (struct lib_extent){ph->p_vaddr, ph->p_memsz}
	                          : (struct lib_extent){0, 0};
}

/* RELRO must lie in a writable segment: it is written by relocation and
 * only then made read-only. */
static int record_relro(struct sl_lib *lib, const Elf64_Phdr *relro)
{
	const struct sl_segment *seg;
	uintptr_t start, end;

	if (relro->p_type == PT_NULL || relro->p_memsz == 0)
		return 0;
	seg = lib_segment(lib, relro->p_vaddr);
	if (!seg || !lib_ptr(lib, relro->p_vaddr, relro->p_memsz))
		return error_set(lib->name, "RELRO range 0x%lx outside the segments",
		                 relro->p_vaddr);
	if (!(seg->prot & PROT_WRITE))
		return 0; /* already read-only: nothing to protect later */
	start = page_down(lib->base + relro->p_vaddr);
	end = page_down(lib->base + relro->p_vaddr + relro->p_memsz);
	if (end > start) {
		lib->relro_start = start;
		lib->relro_size = end - start;
	}
	return 0;
}

/*
 * glibc's way, where it costs nothing extra: the first segment mapped over
 * the whole span reserves it, one mmap fewer a library (13 of 79 in a
 * fresh process's load of libQt5Core). Only for a span that needs no
 * alignment and a first segment without bss that is not to be prefaulted
 * (populating the whole span would fault in pages the next segments
 * replace). At want, this file's last address, if it is free. Returns 1
 * if done, 0 if the span is to be reserved apart.
 */
static int map_first_over_span(struct sl_lib *lib, int fd, const struct load_plan *plan,
                               uintptr_t want)
{
	const struct plan_segment *s = &plan->seg[0];
	size_t span = plan->hi - plan->lo;
	size_t len = page_up(s->vaddr + s->filesz) - page_down(s->vaddr);
	off_t offset = (off_t)page_down(s->offset);
	char *start;

	if ((lib->flags & (SL_SHARE | SL_POPULATE)) || span_alignment(plan) ||
	    s->filesz != s->memsz || populate_flag(lib, s, len))
		return 0;
	if (want && map_at(want, span, s->prot, MAP_FIXED_NOREPLACE, fd, offset) == 0)
		start = (char *)want;
	else
		start = sys_mmap(NULL, span, s->prot, MAP_PRIVATE, fd, offset);
	if (start == MAP_FAILED)
		return 0;
	place_span(lib, plan, start);
	return 1;
}

/* The pages between segments, which the first segment's mapping over the
 * span covered, become inaccessible, as a separate reservation leaves them. */
static int protect_gaps(struct sl_lib *lib, const struct load_plan *plan)
{
	for (size_t i = 0; i + 1 < plan->nseg; i++) {
		uintptr_t end = page_up(lib->base + plan->seg[i].vaddr + plan->seg[i].memsz);
		uintptr_t next = page_down(lib->base + plan->seg[i + 1].vaddr);
		if (next > end && sys_mprotect((void *)end, next - end, PROT_NONE) != 0)
			return error_set(lib->name, "cannot protect the gap at 0x%lx: %m",
			                 end - lib->base);
	}
	return 0;
}

/*
 * Relocation writes nearly every RELRO page (the GOT, vtables and other
 * pointer tables), and reading .dynamic first has the kernel map its
 * neighbours read-only (fault-around), so each write became a second fault
 * that copies the page and flushes the TLB. Copying them all in one
 * madvise before anything reads them measured 0.74x-0.92x the CPU time of
 * a first load of libcrypto, libssl, libQt5Core and libLLVM-15; private
 * dirty memory grew by 24 KiB of libLLVM-15's 9.9 MiB, none elsewhere
 * (bench/README.md). Not with SL_SHARE, whose RELRO may come from the
 * cache, nor where the whole segment was populated already. An old kernel
 * without MADV_POPULATE_WRITE (5.14) just faults as before.
 */
static void prefault_relro(const struct sl_lib *lib, const struct load_plan *plan)
{
	if (!lib->relro_size || (lib->flags & (SL_SHARE | SL_POPULATE)) || lib->stage_pending)
		return;
	for (size_t i = 0; i < plan->nseg; i++) {
		const struct plan_segment *s = &plan->seg[i];
		uintptr_t start = page_down(lib->base + s->vaddr);
		uintptr_t file_end = page_up(lib->base + s->vaddr + s->filesz);
		if (lib->relro_start >= start && lib->relro_start < file_end &&
		    populate_flag(lib, s, file_end - start))
			return;
	}
	map_prefault_relro(lib);
}

void map_prefault_relro(const struct sl_lib *lib)
{
	if (lib->relro_size)
		sys_madvise((void *)lib->relro_start, lib->relro_size, MADV_POPULATE_WRITE);
}

/*
 * Relocation writes past RELRO too (pointers in .data, the GOT of a library
 * not linked -z now): a fault each page, where one madvise copies a run of
 * them (libsqlite3's three pages of .data: 0.95x the time of its load and
 * unload). Exactly the pages relocation writes, as glibc's faults copy
 * them: a range from the first target to the last copied libLLVM-15's 57
 * pages nothing writes. Not where the whole segment was populated at
 * mapping.
 */
LOAD_PATH size_t map_prefault_span(const struct sl_lib *lib, uint64_t vaddr)
{
	const struct sl_segment *s = lib_segment(lib, vaddr);
	uintptr_t start = page_down(lib->base + vaddr);

	if (!s || !(s->prot & PROT_WRITE) || (lib->flags & (SL_SHARE | SL_POPULATE)) ||
	    page_up(lib->base + s->vaddr + s->file_size) - s->start <= PREFAULT_MAX)
		return 0;
	return (s->start + s->size - start) / SYS_PAGE_SIZE;
}

void map_prefault_pages(const struct sl_lib *lib, uint64_t vaddr, const unsigned char *written,
                        size_t npages)
{
	uintptr_t start = page_down(lib->base + vaddr);

	for (size_t p = 0, q; p < npages; p = q) {
		for (; p < npages && !(written[p / 8] >> (p % 8) & 1); p++)
			;
		for (q = p; q < npages && (written[q / 8] >> (q % 8) & 1); q++)
			;
		if (q > p)
			sys_madvise((void *)(start + p * SYS_PAGE_SIZE), (q - p) * SYS_PAGE_SIZE,
			            MADV_POPULATE_WRITE);
	}
}

/*
 * Reading PT_DYNAMIC through the mapping faults its page in, and the kernel
 * maps the 64 KiB around it read-only (fault-around): with SL_SHARE, whose
 * RELRO is not prefaulted, that is most of the writable segment. Every
 * page of it a warm load then writes (the recorded values, the listed
 * relocations) took a second fault that copies it and flushes the TLB, and
 * every proven page mapped from the cache had its entry torn down first.
 * Read from the file instead, the pages are first touched by the write or
 * the cache's mapping: a warm load of libQt5Core's tree 0.89x-0.93x the
 * CPU time (bench/README.md). Only the part held in the file; else, or if
 * the read fails, dynamic_decode reads the mapping as before.
 */
static void copy_dynamic(struct sl_lib *lib, int fd)
{
	size_t n = lib->dynamic.size / sizeof(Elf64_Dyn), len = n * sizeof(Elf64_Dyn);
	Elf64_Dyn *d;
	off_t at;

	if (!((lib->flags & SL_SHARE) || lib->stage_pending) || !n || n > DYNAMIC_COPY_MAX ||
	    (at = map_file_offset(lib, lib->dynamic.vaddr, len)) < 0 || !(d = malloc(len)))
		return;
	if (sys_pread(fd, d, len, at) != (ssize_t)len) {
		free(d);
		return;
	}
	lib->dynamic_copy = d;
	lib->ndynamic_copy = n;
}

LOAD_PATH int map_library(struct sl_lib *lib, int fd, const struct load_plan *plan)
{
	struct reload_hint hint;
	int placed, first_mapped;
	uintptr_t done;

	if (!(lib->segments = malloc(plan->nseg * sizeof(*lib->segments))))
		return error_set(lib->name, "out of memory");
	lib->stage_pending =
	        plan->relro.p_type == PT_GNU_RELRO && stage_wanted(lib, plan->relro.p_memsz);
	reload_hint_find(lib, &hint);
	placed = map_into_freed(lib, fd, plan, &hint);
	first_mapped = !placed && map_first_over_span(lib, fd, plan, hint.start);
	if (!placed && !first_mapped && reserve_span(lib, fd, plan, hint.start) != 0) {
		map_release(lib);
		return -1;
	}
	for (size_t i = 0; i < plan->nseg; i++) {
		if (!placed && (i > 0 || !first_mapped) &&
		    map_segment(lib, fd, &plan->seg[i], &hint, MAP_FIXED, &done) != 0)
			goto fail;
		record_segment(lib, &plan->seg[i]);
	}
	if (first_mapped && protect_gaps(lib, plan) != 0)
		goto fail;
	lib->tls_ph = plan->tls;
	lib->dynamic = extent_of(&plan->dynamic, PT_DYNAMIC);
	lib->eh_frame = extent_of(&plan->eh_frame, PT_GNU_EH_FRAME);
	lib->note = extent_of(&plan->note, PT_NOTE);
	if (record_relro(lib, &plan->relro) == 0) {
		prefault_relro(lib, plan);
		copy_dynamic(lib, fd);
		return 0;
	}
fail:
	map_release(lib);
	return -1;
}

void map_release(struct sl_lib *lib)
{
	free(lib->dynamic_copy); /* a load that failed before decoding it */
	lib->dynamic_copy = NULL;
	if (lib->map_start && sys_munmap(lib->map_start, lib->span) == 0 && !lib->share)
		__atomic_store_n(&freed_span, (uintptr_t)lib->map_start, __ATOMIC_RELAXED);
	lib->map_start = NULL;
	free(lib->segments);
	lib->segments = NULL;
	lib->nsegments = 0;
	lib->rw_vaddr = lib->rw_end = 0;
	if (lib->share)
		share_release(lib->share);
	free(lib->share);
	lib->share = NULL;
}

/* The RELRO points into the libraries of the lookup scope (and glibc, whose
 * pages differ anyway): their placement is part of the cache's key, and one
 * not at its shared address would make those pages differ in every process. */
static void share_scope(struct sl_lib *lib)
{
	char why[128];

	for (size_t i = 0; i < lib->nscope; i++) {
		const struct sl_lib *dep = lib->scope[i];
		if (!dep || dep == lib)
			continue;
		if (!dep->share || !dep->share->placed) {
			snprintf(why, sizeof(why), "dependency %s not at its shared address",
			         dep->name);
			share_give_up(lib->share, why);
			return;
		}
		share_add_context(lib->share, &dep->share->id, dep->base);
	}
}

LOAD_PATH void map_share_begin(struct sl_lib *lib)
{
	if (!lib->share)
		return;
	share_scope(lib);
	share_relocs(lib->share, lib->base, lib->rela, lib->nrela, lib->jmprel, lib->njmprel,
	             lib->base + lib->rw_vaddr, lib->base + lib->rw_end);
	share_warm(lib->share, (void *)lib->relro_start, lib->relro_size, &lib->share_stats);
}

LOAD_PATH int map_protect_relro(struct sl_lib *lib)
{
	/* Last chance: once read-only, the pages are what every process of the
	 * same placement has, so identical ones can come from the cache. */
	if (lib->share)
		share_relro(lib->share, (void *)lib->relro_start, lib->relro_size,
		            &lib->share_stats);
	if (lib->relro_size &&
	    sys_mprotect((void *)lib->relro_start, lib->relro_size, PROT_READ) != 0)
		return error_set(lib->name, "cannot make RELRO read-only: %m");
	return 0;
}

off_t map_file_offset(const struct sl_lib *lib, uint64_t vaddr, size_t len)
{
	const struct sl_segment *s = lib_segment(lib, vaddr);

	if (!s || vaddr < s->vaddr || len > s->file_size || vaddr - s->vaddr > s->file_size - len)
		return -1;
	return (off_t)(s->file_offset + (vaddr - s->vaddr));
}

LOAD_PATH void *lib_ptr(const struct sl_lib *lib, uint64_t vaddr, uint64_t size)
{
	const struct sl_segment *seg = lib_segment(lib, vaddr);

	/* A segment mapped without PROT_READ holds no table we could read. */
	if (!seg || !(seg->prot & PROT_READ) || size > seg->vaddr + seg->mem_size - vaddr)
		return NULL;
	return (void *)(lib->base + vaddr);
}

LOAD_PATH const struct sl_segment *lib_segment(const struct sl_lib *lib, uint64_t vaddr)
{
	for (size_t i = 0; i < lib->nsegments; i++) {
		const struct sl_segment *s = &lib->segments[i];
		if (vaddr >= s->vaddr && vaddr - s->vaddr < s->mem_size)
			return s;
	}
	return NULL;
}
