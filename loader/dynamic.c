#include "dynamic.h"
#include "loadpath.h"
#include "error.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* Slot in dyn[] for a tag, or -1 for tags we do not use. */
static int slot_of(int64_t tag)
{
	if (tag >= 0 && tag < DYN_STD)
		return (int)tag;
	switch (tag) {
	case DT_GNU_HASH:
		return DYN_GNU_HASH;
	case DT_VERSYM:
		return DYN_VERSYM;
	case DT_VERDEF:
		return DYN_VERDEF;
	case DT_VERDEFNUM:
		return DYN_VERDEFNUM;
	case DT_VERNEED:
		return DYN_VERNEED;
	case DT_VERNEEDNUM:
		return DYN_VERNEEDNUM;
	case DT_FLAGS_1:
		return DYN_FLAGS_1;
	}
	return -1;
}

static int add_needed(struct sl_lib *lib, uint64_t name)
{
	if ((lib->nneeded_names & (lib->nneeded_names - 1)) == 0) {
		size_t cap = lib->nneeded_names ? lib->nneeded_names * 2 : 4;
		uint32_t *grown = realloc(lib->needed_names, cap * sizeof(*grown));
		if (!grown)
			return error_set(lib->name, "out of memory");
		lib->needed_names = grown;
	}
	lib->needed_names[lib->nneeded_names++] = (uint32_t)name;
	return 0;
}

/* The one walk over PT_DYNAMIC: map.c's copy of it when there is one. */
static int read_tags(struct sl_lib *lib)
{
	const Elf64_Dyn *d = lib_ptr(lib, lib->dynamic.vaddr, lib->dynamic.size);
	size_t n = lib->dynamic.size / sizeof(*d);

	if (!d || lib->dynamic.vaddr % 8)
		return error_set(lib->name, "PT_DYNAMIC outside the loaded segments");
	if (lib->dynamic_copy) {
		d = lib->dynamic_copy;
		n = lib->ndynamic_copy;
	}
	for (size_t i = 0; i < n && d[i].d_tag != DT_NULL; i++) {
		int slot = slot_of(d[i].d_tag);
		if (d[i].d_tag == DT_NEEDED && add_needed(lib, d[i].d_un.d_val) != 0)
			return -1;
		if (slot < 0)
			continue;
		lib->dyn[slot] = d[i].d_un.d_val;
		lib->dyn_present |= 1ULL << slot;
	}
	free(lib->dynamic_copy);
	lib->dynamic_copy = NULL;
	return 0;
}

/* lib_ptr for a table whose entries need align-byte alignment: a
 * misaligned one is as unusable as one outside the segments. */
static const void *aligned_ptr(const struct sl_lib *lib, uint64_t vaddr, uint64_t size,
                               uint64_t align)
{
	return vaddr % align ? NULL : lib_ptr(lib, vaddr, size);
}

/* A string of the string table, or NULL if the offset is outside it. */
static const char *dyn_string(const struct sl_lib *lib, uint64_t off)
{
	return off < lib->tab.strsz ? lib->tab.strtab + off : NULL;
}

static int decode_strings(struct sl_lib *lib)
{
	if (!lib_has(lib, DT_STRTAB) || !lib_has(lib, DT_SYMTAB))
		return error_set(lib->name, "no dynamic string or symbol table");
	lib->tab.strsz = lib->dyn[DT_STRSZ];
	lib->tab.strtab = lib_ptr(lib, lib->dyn[DT_STRTAB], lib->tab.strsz);
	if (!lib->tab.strtab || lib->tab.strsz == 0 || lib->tab.strtab[lib->tab.strsz - 1] != '\0')
		return error_set(lib->name, "DT_STRTAB outside the loaded segments");
	for (size_t i = 0; i < lib->nneeded_names; i++)
		if (!dyn_string(lib, lib->needed_names[i]))
			return error_set(lib->name, "DT_NEEDED name outside DT_STRTAB");
	if (lib_has(lib, DT_SONAME) && !(lib->soname = dyn_string(lib, lib->dyn[DT_SONAME])))
		return error_set(lib->name, "DT_SONAME outside DT_STRTAB");
	if (lib_has(lib, DT_RUNPATH))
		lib->runpath = dyn_string(lib, lib->dyn[DT_RUNPATH]);
	else if (lib_has(lib, DT_RPATH))
		lib->runpath = dyn_string(lib, lib->dyn[DT_RPATH]);
	if ((lib_has(lib, DT_RUNPATH) || lib_has(lib, DT_RPATH)) && !lib->runpath)
		return error_set(lib->name, "run path outside DT_STRTAB");
	return 0;
}

static int decode_sysv_hash(struct sl_lib *lib)
{
	const uint32_t *h = aligned_ptr(lib, lib->dyn[DT_HASH], 8, 4);

	if (!h || !lib_ptr(lib, lib->dyn[DT_HASH], 8 + 4 * ((uint64_t)h[0] + h[1])))
		return error_set(lib->name, "DT_HASH outside the loaded segments");
	lib->tab.sysv_hash = h;
	lib->tab.nsyms = h[1];
	return 0;
}

/* Bytes of file content from address at to the end of its segment's file
 * part: a table walked entry by entry must lie there, not in bss, which is
 * zeros and may be terabytes long. 0 if at is in no readable segment. */
static uint64_t file_bytes_after(const struct sl_lib *lib, uint64_t at)
{
	const struct sl_segment *s = lib_segment(lib, at);

	if (!s || !(s->prot & PROT_READ) || at >= s->vaddr + s->file_size)
		return 0;
	return s->vaddr + s->file_size - at;
}

/* The chain that starts at the highest bucket, max, ends at the last
 * symbol; chains_at is where the chains start in the file's addresses. */
static int count_gnu_symbols(struct sl_lib *lib, uint64_t chains_at, uint64_t max)
{
	uint64_t first = lib->tab.gnu_hash[1];

	if (!max) {
		/* Nothing hashed: nothing exported. ld then writes symoffset 1
		 * however many undefined symbols precede it, so the table is
		 * taken to run up to the string table that follows it. */
		uint64_t to_strtab =
		        lib->dyn[DT_STRTAB] > lib->dyn[DT_SYMTAB]
		                ? (lib->dyn[DT_STRTAB] - lib->dyn[DT_SYMTAB]) / sizeof(Elf64_Sym)
		                : 0;
		lib->tab.nsyms = to_strtab > first ? to_strtab : first;
		lib->tab.gnu_names = 0;
		return 0;
	}
	for (uint64_t n = file_bytes_after(lib, chains_at + 4 * (max - first)) / 4; n;
	     n--, max++) {
		if (lib->tab.gnu_chains[max] & 1) {
			lib->tab.nsyms = max + 1;
			lib->tab.gnu_names = (uint32_t)(max + 1 - first);
			return 0;
		}
	}
	return error_set(lib->name, "DT_GNU_HASH chain outside the loaded segments");
}

/* The GNU hash table does not store the symbol count: it is one past the
 * end of the chain that starts at the highest bucket. */
static int decode_gnu_hash(struct sl_lib *lib)
{
	uint64_t at = lib->dyn[DYN_GNU_HASH];
	const uint32_t *h = lib_ptr(lib, at, 16);
	uint64_t nb, bloom, head, max = 0;

	if (!h || at % 8)
		return error_set(lib->name, "DT_GNU_HASH outside the loaded segments");
	nb = h[0];
	bloom = h[2];
	head = 16 + 8 * bloom + 4 * nb;
	if (!bloom || (bloom & (bloom - 1)))
		return error_set(lib->name, "DT_GNU_HASH bloom size %lu not a power of two",
		                 bloom);
	/* In the file's bytes, not bss: the bucket loop below reads every one. */
	if (!nb || !lib_ptr(lib, at, head) || file_bytes_after(lib, at) < head)
		return error_set(lib->name, "DT_GNU_HASH outside the loaded segments");
	lib->tab.gnu_hash = h;
	lib->tab.gnu_bloom = (const uint64_t *)(h + 4);
	lib->tab.gnu_buckets = (const uint32_t *)(lib->tab.gnu_bloom + bloom);
	/* A lookup starts its chain walk at any bucket and shifts by h[3]. */
	for (uint64_t i = 0; i < nb; i++) {
		uint32_t b = lib->tab.gnu_buckets[i];
		if (b && b < h[1])
			return error_set(lib->name,
			                 "DT_GNU_HASH bucket below the first hashed symbol");
		if (b > max)
			max = b;
	}
	if (h[3] >= 32)
		return error_set(lib->name, "DT_GNU_HASH bloom shift %u too large", h[3]);
	lib->tab.gnu_chains = lib->tab.gnu_buckets + nb - h[1];
	return count_gnu_symbols(lib, at + head, max);
}

static int decode_symbols(struct sl_lib *lib)
{
	if (lib_has(lib, DT_SYMENT) && lib->dyn[DT_SYMENT] != sizeof(Elf64_Sym))
		return error_set(lib->name, "DT_SYMENT %lu is not the symbol size",
		                 lib->dyn[DT_SYMENT]);
	if (lib_has(lib, DYN_GNU_HASH) && decode_gnu_hash(lib) != 0)
		return -1;
	if (lib_has(lib, DT_HASH) && decode_sysv_hash(lib) != 0)
		return -1;
	if (!lib->tab.gnu_hash && !lib->tab.sysv_hash)
		return error_set(lib->name, "no symbol hash table (DT_HASH or DT_GNU_HASH)");
	lib->tab.symtab = lib_ptr(lib, lib->dyn[DT_SYMTAB], lib->tab.nsyms * sizeof(Elf64_Sym));
	if (!lib->tab.symtab || lib->dyn[DT_SYMTAB] % 8)
		return error_set(lib->name, "DT_SYMTAB outside the loaded segments");
	if (lib_has(lib, DYN_VERSYM)) {
		lib->tab.versym = aligned_ptr(lib, lib->dyn[DYN_VERSYM], lib->tab.nsyms * 2, 2);
		if (!lib->tab.versym)
			return error_set(lib->name, "DT_VERSYM outside the loaded segments");
	}
	return 0;
}

/* One version a library defines or needs: its index (bit 15: hidden), the
 * ELF hash of its name, the name's offset in DT_STRTAB and, for a needed
 * one, the library that defines it (NULL for a definition). */
typedef int (*version_fn)(struct sl_lib *lib, uint32_t ndx, uint32_t hash, uint64_t name_off,
                          const char *file);

/* Version definitions; index 1 is the library itself (the base version)
 * and stands for "unversioned", so it is not passed to fn. */
LOAD_PATH static int walk_verdef(struct sl_lib *lib, version_fn fn)
{
	uint64_t at = lib->dyn[DYN_VERDEF];

	for (uint64_t i = 0; lib_has(lib, DYN_VERDEF) && i < lib->dyn[DYN_VERDEFNUM]; i++) {
		const Elf64_Verdef *vd = aligned_ptr(lib, at, sizeof(*vd), 4);
		const Elf64_Verdaux *aux;
		if (!vd || !(aux = aligned_ptr(lib, at + vd->vd_aux, sizeof(*aux), 4)))
			return error_set(lib->name, "DT_VERDEF outside the loaded segments");
		if (!(vd->vd_flags & VER_FLG_BASE) &&
		    fn(lib, vd->vd_ndx, vd->vd_hash, aux->vda_name, NULL) != 0)
			return -1;
		if (!vd->vd_next)
			break;
		at += vd->vd_next;
	}
	return 0;
}

LOAD_PATH static int walk_verneed(struct sl_lib *lib, version_fn fn)
{
	uint64_t at = lib->dyn[DYN_VERNEED];

	for (uint64_t i = 0; lib_has(lib, DYN_VERNEED) && i < lib->dyn[DYN_VERNEEDNUM]; i++) {
		const Elf64_Verneed *vn = aligned_ptr(lib, at, sizeof(*vn), 4);
		const char *file;
		uint64_t aux_at;
		if (!vn)
			return error_set(lib->name, "DT_VERNEED outside the loaded segments");
		if (!(file = dyn_string(lib, vn->vn_file)))
			return error_set(lib->name, "DT_VERNEED file name outside DT_STRTAB");
		aux_at = at + vn->vn_aux;
		for (unsigned j = 0; j < vn->vn_cnt; j++) {
			const Elf64_Vernaux *aux = aligned_ptr(lib, aux_at, sizeof(*aux), 4);
			if (!aux)
				return error_set(lib->name,
				                 "DT_VERNEED outside the loaded segments");
			if (fn(lib, aux->vna_other, aux->vna_hash, aux->vna_name, file) != 0)
				return -1;
			if (!aux->vna_next)
				break;
			aux_at += aux->vna_next;
		}
		if (!vn->vn_next)
			break;
		at += vn->vn_next;
	}
	return 0;
}

/* The first walk: every name checked, and the highest index counted. */
LOAD_PATH static int count_version(struct sl_lib *lib, uint32_t ndx, uint32_t hash,
                                   uint64_t name_off, const char *file)
{
	(void)hash;
	(void)file;
	if (!dyn_string(lib, name_off) || name_off >= VERSION_HIDDEN)
		return error_set(lib->name, "version name outside DT_STRTAB");
	if ((ndx & 0x7fff) >= lib->tab.nversions)
		lib->tab.nversions = (ndx & 0x7fff) + 1;
	return 0;
}

LOAD_PATH static int set_version(struct sl_lib *lib, uint32_t ndx, uint32_t hash,
                                 uint64_t name_off, const char *file)
{
	struct sl_version_entry *v = &lib->tab.versions[ndx & 0x7fff];

	v->name = (uint32_t)name_off | (file && (ndx & 0x8000) ? VERSION_HIDDEN : 0);
	v->hash = hash;
	return 0;
}

/* The versions by index, in one array sized by a first walk (grown as
 * they came, libgtk-3's tree took 39 KiB of reallocations): unused
 * indexes stay 0. */
static int decode_versions(struct sl_lib *lib)
{
	lib->tab.nversions = 0;
	if (walk_verdef(lib, count_version) != 0 || walk_verneed(lib, count_version) != 0)
		return -1;
	if (!lib->tab.nversions)
		return 0;
	if (!(lib->tab.versions = calloc(lib->tab.nversions, sizeof(*lib->tab.versions)))) {
		lib->tab.nversions = 0;
		return error_set(lib->name, "out of memory");
	}
	walk_verdef(lib, set_version);
	walk_verneed(lib, set_version);
	return 0;
}

/* A table of n entries of size entsize at the address in dyn[addr_slot],
 * n taken from the byte size in dyn[size_slot]. */
LOAD_PATH static const void *table(struct sl_lib *lib, int addr_slot, int size_slot,
                                   size_t entsize, const char *tag, size_t *n)
{
	const void *p;

	*n = 0;
	if (!lib_has(lib, addr_slot) || lib->dyn[size_slot] == 0)
		return NULL;
	p = lib_ptr(lib, lib->dyn[addr_slot], lib->dyn[size_slot]);
	if (!p || lib->dyn[size_slot] % entsize || lib->dyn[addr_slot] % 8) {
		error_set(lib->name, "%s outside the loaded segments", tag);
		return NULL;
	}
	*n = lib->dyn[size_slot] / entsize;
	return p;
}

static int decode_relocations(struct sl_lib *lib)
{
	if (lib_has(lib, DT_REL) && lib->dyn[DT_RELSZ])
		return error_set(lib->name, "REL relocations (without addend) are not x86-64");
	if (lib_has(lib, DT_RELAENT) && lib->dyn[DT_RELAENT] != sizeof(Elf64_Rela))
		return error_set(lib->name, "DT_RELAENT %lu is not the RELA size",
		                 lib->dyn[DT_RELAENT]);
	if (lib_has(lib, DT_RELRENT) && lib->dyn[DT_RELRENT] != sizeof(uint64_t))
		return error_set(lib->name, "DT_RELRENT %lu is not the RELR size",
		                 lib->dyn[DT_RELRENT]);
	if (lib_has(lib, DT_PLTREL) && lib->dyn[DT_PLTREL] != DT_RELA)
		return error_set(lib->name, "PLT relocations are not RELA");
	lib->rela = table(lib, DT_RELA, DT_RELASZ, sizeof(Elf64_Rela), "DT_RELA", &lib->nrela);
	if (lib_has(lib, DT_RELA) && lib->dyn[DT_RELASZ] && !lib->rela)
		return -1;
	lib->jmprel =
	        table(lib, DT_JMPREL, DT_PLTRELSZ, sizeof(Elf64_Rela), "DT_JMPREL", &lib->njmprel);
	if (lib_has(lib, DT_JMPREL) && lib->dyn[DT_PLTRELSZ] && !lib->jmprel)
		return -1;
	lib->relr = table(lib, DT_RELR, DT_RELRSZ, sizeof(uint64_t), "DT_RELR", &lib->nrelr);
	if (lib_has(lib, DT_RELR) && lib->dyn[DT_RELRSZ] && !lib->relr)
		return -1;
	return 0;
}

static int in_exec_segment(const struct sl_lib *lib, uint64_t vaddr)
{
	const struct sl_segment *s = lib_segment(lib, vaddr);
	return s && (s->prot & PROT_EXEC);
}

static int decode_init_fini(struct sl_lib *lib)
{
	size_t n;

	lib->init_array =
	        (void *)table(lib, DT_INIT_ARRAY, DT_INIT_ARRAYSZ, 8, "DT_INIT_ARRAY", &n);
	lib->ninit_array = n;
	if (lib_has(lib, DT_INIT_ARRAY) && lib->dyn[DT_INIT_ARRAYSZ] && !lib->init_array)
		return -1;
	lib->fini_array =
	        (void *)table(lib, DT_FINI_ARRAY, DT_FINI_ARRAYSZ, 8, "DT_FINI_ARRAY", &n);
	lib->nfini_array = n;
	if (lib_has(lib, DT_FINI_ARRAY) && lib->dyn[DT_FINI_ARRAYSZ] && !lib->fini_array)
		return -1;
	if (lib_has(lib, DT_INIT) && !in_exec_segment(lib, lib->dyn[DT_INIT]))
		return error_set(lib->name, "DT_INIT outside the executable segments");
	if (lib_has(lib, DT_FINI) && !in_exec_segment(lib, lib->dyn[DT_FINI]))
		return error_set(lib->name, "DT_FINI outside the executable segments");
	return 0;
}

static int decode(struct sl_lib *lib)
{
	if (read_tags(lib) != 0 || decode_strings(lib) != 0 || decode_symbols(lib) != 0)
		return -1;
	if (decode_versions(lib) != 0)
		return -1;
	if (decode_relocations(lib) != 0 || decode_init_fini(lib) != 0)
		return -1;
	if (lib_has(lib, DYN_FLAGS_1) && (lib->dyn[DYN_FLAGS_1] & DF_1_PIE))
		return error_set(lib->name, "is a position-independent executable, not a library");
	return 0;
}

LOAD_PATH int dynamic_decode(struct sl_lib *lib)
{
	uint64_t all[DYN_COUNT] = {0};
	int rc;

	lib->dyn = all;
	rc = decode(lib);
	lib->dt_flags = all[DT_FLAGS];
	lib->dt_flags_1 = all[DYN_FLAGS_1];
	lib->dt_init = all[DT_INIT];
	lib->dt_fini = all[DT_FINI];
	lib->dt_pltgot = all[DT_PLTGOT];
	lib->dyn = NULL;
	return rc;
}

void dynamic_release(struct sl_lib *lib)
{
	free(lib->needed_names);
	free(lib->tab.versions);
	lib->needed_names = NULL;
	lib->tab.versions = NULL;
	lib->nneeded_names = lib->tab.nversions = 0;
}

uint32_t dynamic_elf_hash(const char *name)
{
	uint32_t h = 0, g;

	for (const unsigned char *s = (const unsigned char *)name; *s; s++) {
		h = (h << 4) + *s;
		g = h & 0xf0000000;
		h ^= g >> 24;
		h &= ~g;
	}
	return h;
}
