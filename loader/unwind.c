#include "unwind.h"
#include "frametable.h"
#include "loadpath.h"
#include "hostsym.h"
#include "lib.h"
#include "registry.h"
#include "symbol.h"
#include "unique.h"

#include <dlfcn.h>
#include <string.h>
#include <sys/mman.h>

/* DWARF pointer encodings (LSB, "Exception Frames"): low nibble = format,
 * high nibble = what the value is relative to. */
enum {
	PE_ABSPTR = 0x00,
	PE_UDATA2 = 0x02,
	PE_UDATA4 = 0x03,
	PE_UDATA8 = 0x04,
	PE_SDATA2 = 0x0a,
	PE_SDATA4 = 0x0b,
	PE_SDATA8 = 0x0c,
	PE_PCREL = 0x10,
	PE_DATAREL = 0x30,
	PE_INDIRECT = 0x80,
};

/* A readable range of the mapped library. */
struct span {
	uintptr_t lo;
	uintptr_t hi;
};

static int inside(const struct span *s, uintptr_t p, size_t n)
{
	return p >= s->lo && p <= s->hi && n <= s->hi - p;
}

/* The readable PT_LOAD holding [vaddr, vaddr + n), as mapped file bytes. */
static int find_segment(uintptr_t base, const Elf64_Phdr *ph, size_t phnum, uint64_t vaddr,
                        size_t n, struct span *out)
{
	size_t i;

	for (i = 0; i < phnum; i++) {
		if (ph[i].p_type != PT_LOAD || !(ph[i].p_flags & PF_R))
			continue;
		out->lo = base + ph[i].p_vaddr;
		out->hi = out->lo + ph[i].p_filesz;
		if (out->hi >= out->lo && inside(out, base + vaddr, n))
			return 0;
	}
	return -1;
}

static int width_of(int format)
{
	switch (format) {
	case PE_UDATA2:
	case PE_SDATA2:
		return 2;
	case PE_UDATA4:
	case PE_SDATA4:
		return 4;
	case PE_ABSPTR:
	case PE_UDATA8:
	case PE_SDATA8:
		return 8;
	}
	return -1;
}

/* A fixed-size encoded value at p, sign- or zero-extended. */
static int64_t read_fixed(const unsigned char *p, int format)
{
	uint16_t u2;
	uint32_t u4;
	int16_t s2;
	int32_t s4;
	int64_t s8;

	switch (format) {
	case PE_UDATA2:
		memcpy(&u2, p, 2);
		return u2;
	case PE_UDATA4:
		memcpy(&u4, p, 4);
		return u4;
	case PE_SDATA2:
		memcpy(&s2, p, 2);
		return s2;
	case PE_SDATA4:
		memcpy(&s4, p, 4);
		return s4;
	}
	memcpy(&s8, p, 8);
	return s8;
}

/* eh_frame_ptr as an address, 0 if unusable. Indirect and LEB128 encodings
 * never appear in this field in practice and are refused. */
static uintptr_t decode_eh_frame_ptr(const struct span *seg, uintptr_t base, uintptr_t hdr)
{
	const unsigned char *h = (const unsigned char *)hdr;
	int width = width_of(h[1] & 0x0f);
	uintptr_t value;

	if (h[0] != 1 || (h[1] & PE_INDIRECT) || width < 0 || !inside(seg, hdr + 4, (size_t)width))
		return 0;
	value = (uintptr_t)read_fixed(h + 4, h[1] & 0x0f);
	switch (h[1] & 0x70) {
	case 0:
		/* .eh_frame_hdr is never relocated: an absolute value is a vaddr. */
		return base + value;
	case PE_PCREL:
		return hdr + 4 + value;
	case PE_DATAREL:
		return hdr + value;
	}
	return 0;
}

/* libgcc walks records until a zero length; make sure it will find one
 * before leaving the segment. */
static int check_records(const struct span *seg, uintptr_t p)
{
	uint32_t len;

	for (;;) {
		if (!inside(seg, p, 4))
			return -1;
		memcpy(&len, (const void *)p, 4);
		if (len == 0)
			return 0;
		if (len == 0xffffffff) /* 64-bit DWARF: never emitted for .eh_frame */
			return -1;
		if (!inside(seg, p + 4, len))
			return -1;
		p += 4 + (uintptr_t)len;
	}
}

/*
 * Where to start looking for the terminator: the FDE the header's search
 * table lists last, if the table has the one layout linkers write (count
 * udata4, entries datarel sdata4 pairs) and that FDE lies in the frame's
 * segment; else the first record. Walking from there reads the last few
 * records instead of every page of .eh_frame (5 MiB in libLLVM-15, 190 KiB
 * in libxml2), which glibc never touches at load either: its unwinder
 * finds FDEs through this same table. Any record start of a well-formed
 * chain leads to the terminator libgcc's walk from the first stops at.
 */
static uintptr_t walk_start(const struct span *hdr_seg, const struct span *frame_seg,
                            uintptr_t hdr, uintptr_t frame)
{
	const unsigned char *h = (const unsigned char *)hdr;
	uintptr_t count_at = hdr + 4 + (uintptr_t)width_of(h[1] & 0x0f), table, fde;
	uint32_t count;
	int32_t offset;

	if (h[2] != PE_UDATA4 || h[3] != (PE_DATAREL | PE_SDATA4) || !inside(hdr_seg, count_at, 4))
		return frame;
	memcpy(&count, (const void *)count_at, 4);
	table = count_at + 4;
	if (count == 0 || !inside(hdr_seg, table, (size_t)count * 8))
		return frame;
	memcpy(&offset, (const void *)(table + ((size_t)count - 1) * 8 + 4), 4);
	fde = hdr + (uintptr_t)(intptr_t)offset;
	return fde > frame && inside(frame_seg, fde, 4) ? fde : frame;
}

void *unwind_find_eh_frame(uintptr_t base, const Elf64_Phdr *ph, size_t phnum)
{
	struct span hdr_seg, frame_seg;
	uintptr_t hdr, frame;
	uint32_t first;
	size_t i;

	for (i = 0; i < phnum && ph[i].p_type != PT_GNU_EH_FRAME; i++)
		;
	if (i == phnum || find_segment(base, ph, phnum, ph[i].p_vaddr, 4, &hdr_seg))
		return NULL;
	hdr = base + ph[i].p_vaddr;
	frame = decode_eh_frame_ptr(&hdr_seg, base, hdr);
	if (!frame || frame < base || find_segment(base, ph, phnum, frame - base, 4, &frame_seg))
		return NULL;
	/* The first record must fit too: libgcc reads it before any other. */
	memcpy(&first, (const void *)frame, 4);
	if (first == 0xffffffff || (first && !inside(&frame_seg, frame + 4, first)))
		return NULL;
	if (check_records(&frame_seg, walk_start(&hdr_seg, &frame_seg, hdr, frame)))
		return NULL;
	return (void *)frame;
}

void unwind_register(struct sl_unwind *u, void *eh_frame, void *register_fn, void *deregister_fn)
{
	void (*do_register)(void *) = (void (*)(void *))register_fn;
	uint32_t first;

	u->eh_frame = NULL;
	u->deregister = NULL;
	if (!eh_frame || !register_fn || !deregister_fn)
		return;
	memcpy(&first, eh_frame, 4);
	if (!first)
		return;
	do_register(eh_frame);
	u->eh_frame = eh_frame;
	u->deregister = (void (*)(void *))deregister_fn;
}

void unwind_deregister(struct sl_unwind *u)
{
	if (u->eh_frame && u->deregister)
		u->deregister(u->eh_frame);
	u->eh_frame = NULL;
	u->deregister = NULL;
}

/* Whether lib has a PT_GNU_EH_FRAME: a frame table to register. */
static int has_frame_table(const struct sl_lib *lib)
{
	return lib->eh_frame.size != 0;
}

/* The mapped segments and the frame table's header as program headers,
 * for unwind_find_eh_frame. */
static size_t lib_phdrs(const struct sl_lib *lib, Elf64_Phdr *out)
{
	size_t n;

	for (n = 0; n < lib->nsegments; n++) {
		const struct sl_segment *s = &lib->segments[n];
		out[n] = (Elf64_Phdr){.p_type = PT_LOAD,
		                      .p_flags = s->prot & PROT_READ ? PF_R : 0,
		                      .p_vaddr = s->vaddr,
		                      .p_filesz = s->file_size,
		                      .p_memsz = s->mem_size};
	}
	out[n++] = (Elf64_Phdr){.p_type = PT_GNU_EH_FRAME,
	                        .p_flags = PF_R,
	                        .p_vaddr = lib->eh_frame.vaddr,
	                        .p_filesz = lib->eh_frame.size,
	                        .p_memsz = lib->eh_frame.size};
	return n;
}

/* lib's function name, or NULL. */
static void *function_of(struct sl_lib *lib, const char *name)
{
	struct symbol_key key;
	const Elf64_Sym *s;

	symbol_key(&key, name, NULL);
	s = symbol_find_in(&lib->tab, &key);
	return s && ELF64_ST_TYPE(s->st_info) == STT_FUNC ? (void *)(lib->base + s->st_value)
	                                                  : NULL;
}

/* lib's frame table header, checked the first time an unwinder asks for
 * it, not at load, where the check touched pages that glibc's loader never
 * reads (a warm libQt5Core load was 7% slower for it): NULL if malformed.
 * Two threads asking at once both check, and agree. */
static void *checked_frame_header(struct sl_lib *lib)
{
	int verdict = __atomic_load_n(&lib->unwind.checked, __ATOMIC_RELAXED);
	Elf64_Phdr ph[LIB_MAX_SEGMENTS + 1];

	if (!verdict) {
		size_t n = lib_phdrs(lib, ph);
		verdict = unwind_find_eh_frame(lib->base, ph, n) ? 1 : -1;
		__atomic_store_n(&lib->unwind.checked, verdict, __ATOMIC_RELAXED);
	}
	return verdict > 0 ? (void *)(lib->base + lib->eh_frame.vaddr) : NULL;
}

/* A library of ours described as glibc describes one of its own objects
 * (with no link_map: we keep none; libgcc does not read it). */
int unwind_find_object(void *pc, struct dl_find_object *result,
                       int (*glibcs)(void *, struct dl_find_object *))
{
	struct sl_lib *lib = (struct sl_lib *)frametable_find((uintptr_t)pc);

	if (!lib)
		return glibcs(pc, result);
	memset(result, 0, sizeof(*result));
	result->dlfo_map_start = lib->map_start;
	result->dlfo_map_end = (char *)lib->map_start + lib->span;
	result->dlfo_eh_frame = checked_frame_header(lib);
	return 0;
}

/* Our _dl_find_object, for a libgcc_s we load. In the preload, which
 * exports one of ours in glibc's place, _dl_find_object is that one: it
 * searches the table again before asking glibc. */
static int find_object(void *pc, struct dl_find_object *result)
{
	return unwind_find_object(pc, result, _dl_find_object);
}

/* Whether our libraries are in the frame table: from the first time code
 * of ours may call our _dl_find_object, and not before, so that a process
 * with no C++ keeps no table (libsqlite3's first load had its heap one
 * page above glibc's with one). host_asks_us: every unwinder of the
 * process asks us (unwind_host_asks_us). Under the registry lock. Two
 * bytes where one int was: 12 bytes more of .bss here moved initfini's
 * counters, which every load writes, onto the next page of
 * build/bench/firstload's .bss, and liblzma's first load there took
 * 10-17% longer. */
static unsigned char listing, host_asks_us;

static void list_frames(struct sl_lib *lib, void *arg)
{
	(void)arg;
	if (lib->unwind.attached && !lib->unwind.listed && has_frame_table(lib))
		lib->unwind.listed =
		        frametable_add((uintptr_t)lib->map_start,
		                       (uintptr_t)lib->map_start + lib->span, lib) == 0;
}

static void start_listing(void)
{
	registry_lock();
	if (!listing) {
		listing = 1;
		registry_foreach_all(list_frames, NULL);
	}
	registry_unlock();
}

void unwind_host_asks_us(void)
{
	registry_lock();
	host_asks_us = 1;
	registry_unlock();
	start_listing();
}

#define FIND_OBJECT "_dl_find_object"

LOAD_PATH void *unwind_override(const char *name)
{
	if (name[0] != '_' || strcmp(name, FIND_OBJECT))
		return NULL;
	start_listing();
	return (void *)find_object;
}

/* Whether lib's code calls _dl_find_object, which then binds to ours
 * (unwind_override) whichever way it is bound, now or lazily: read from
 * its symbols, not from its binding, which a warm share cache writes
 * without a lookup. */
static int asks_us_for_frames(const struct sl_lib *lib)
{
	for (size_t i = 1; i < lib->tab.nsyms; i++) {
		const Elf64_Sym *s = &lib->tab.symtab[i];
		if (s->st_shndx == SHN_UNDEF && s->st_name < lib->tab.strsz &&
		    !strcmp(lib->tab.strtab + s->st_name, FIND_OBJECT))
			return 1;
	}
	return 0;
}

/* Whether a throw in a tree whose unwinder is ours runs that unwinder's
 * own code, which asks our _dl_find_object. Not when the process has a
 * libgcc_s of its own in glibc's global scope (one the program links, or
 * libasan's, libtsan's): that one interposes ours, so libstdc++'s throws
 * run its code, which asks glibc's, and our libraries' frames must be
 * registered with it (as they are through ours, whose __register_frame
 * calls __register_frame_info through its PLT, bound to the process's). */
static int unwinds_itself(const struct sl_lib *unwinder)
{
	return !hostsym_lookup(RTLD_DEFAULT, "_Unwind_RaiseException", NULL) &&
	       asks_us_for_frames(unwinder);
}

/*
 * libgcc_s is never one of glibc's libraries, so the unwinder that walks a
 * library's frames is a libgcc_s we loaded, or else the host's. Ours is
 * looked for in the scope of the open that brought the library in, as the
 * library's references are: a C library of a C++ tree (libz or libglib
 * under libQt5Core) has no libgcc_s in its own scope, yet a C++ exception
 * thrown from a callback it calls unwinds through its frames with the
 * libgcc_s the tree loaded for libstdc++. Looked for once per open: the
 * scope of a tree of sixty libraries, walked for each, would cost more
 * than the registrations.
 */
LOAD_PATH static struct sl_lib *tree_unwinder(struct sl_lib *root)
{
	if (!root->unwinder_known) {
		root->unwinder_known = 1;
		for (size_t i = 0; i < root->nscope && !root->unwinder; i++)
			if (root->scope[i] && function_of(root->scope[i], "__register_frame"))
				root->unwinder = root->scope[i];
		root->unwinder_asks_us =
		        root->unwinder && (host_asks_us || unwinds_itself(root->unwinder));
		if (root->unwinder_asks_us)
			start_listing();
	}
	return root->unwinder;
}

/* lib's frames made findable by the unwinder of root's open (its libgcc_s,
 * else the process's, if any): nothing to do when that one asks our
 * _dl_find_object and lib is listed, else registered. Registered with a
 * libgcc_s of ours outside its own scope, the library keeps it loaded
 * until its frames are deregistered, as a binding to it would
 * (unique_hold). */
LOAD_PATH static void attach_to(struct sl_lib *lib, struct sl_lib *root)
{
	Elf64_Phdr ph[LIB_MAX_SEGMENTS + 1];
	struct sl_lib *owner = tree_unwinder(root);
	int asks = owner ? root->unwinder_asks_us : host_asks_us;
	void *frame, *reg, *dereg;

	if (asks && lib->unwind.listed) {
		lib->unwind.settled = 1;
		return;
	}
	reg = owner ? function_of(owner, "__register_frame")
	            : hostsym_lookup(RTLD_DEFAULT, "__register_frame", NULL);
	dereg = owner ? function_of(owner, "__deregister_frame")
	              : hostsym_lookup(RTLD_DEFAULT, "__deregister_frame", NULL);
	/* No unwinder, no need to touch (and fault in) the frame tables; no
	 * memory to keep ours loaded: better unregistered than dangling. */
	if (!reg || (owner && !lib_scope_holds(lib, owner) && unique_hold(lib, owner) != 0))
		return;
	frame = unwind_find_eh_frame(lib->base, ph, lib_phdrs(lib, ph));
	unwind_register(&lib->unwind, frame, reg, dereg);
	lib->unwind.settled = 1;
}

LOAD_PATH void unwind_attach(struct sl_lib *lib)
{
	lib->unwind.attached = 1;
	/* No frame table, no need to look for an unwinder. */
	if (!has_frame_table(lib))
		return;
	if (listing)
		list_frames(lib, NULL);
	attach_to(lib, lib->scope_root ? lib->scope_root : lib);
}

LOAD_PATH void unwind_adopt(struct sl_lib *root)
{
	struct sl_lib *owner = tree_unwinder(root);

	for (size_t i = 0; owner && i < root->nscope; i++) {
		struct sl_lib *lib = root->scope[i];
		if (lib && lib->state == LIB_READY && !lib->unwind.settled && has_frame_table(lib))
			attach_to(lib, root);
	}
}

void unwind_detach(struct sl_lib *lib)
{
	if (lib->unwind.listed)
		frametable_remove(lib);
	lib->unwind.listed = 0;
	lib->unwind.attached = 0; /* never listed again on its way out */
	unwind_deregister(&lib->unwind);
}
