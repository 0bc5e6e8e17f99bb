/*
 * lib: struct sl_lib, one loaded library, shared by the loader's steps.
 * Each step fills its own part: plan/map the mapping, dynamic the decoded
 * tables, deps the dependencies and lookup scope, the registry the count.
 */
#ifndef SL_LIB_H
#define SL_LIB_H

#include "soload.h"
#include "unwind.h"

#include <elf.h>
#include <stdint.h>
#include <sys/types.h>

#define LIB_MAX_SEGMENTS 16

/* Index of a tag in struct sl_lib's dyn[]: standard tags by number, the few
 * GNU tags we use after them. */
enum {
	DYN_STD = DT_RELRENT + 1,
	DYN_GNU_HASH = DYN_STD,
	DYN_VERSYM,
	DYN_VERDEF,
	DYN_VERDEFNUM,
	DYN_VERNEED,
	DYN_VERNEEDNUM,
	DYN_FLAGS_1,
	DYN_COUNT,
};

/* A symbol version a lookup asks for. */
struct sl_version {
	const char *name;
	uint32_t hash; /* ELF hash of name, as stored in the tables */
	int hidden;    /* a needed version marked hidden (vna_other bit 15) */
};

/* An entry of an object's versions by index, those it defines and those
 * it needs: 8 bytes, against 24 with the name's and its file's pointers
 * (a tree of sixty libraries has six hundred; the file a needed version
 * names is not asked by lookups). */
#define VERSION_HIDDEN 0x80000000u /* in name: a needed version marked hidden */
struct sl_version_entry {
	uint32_t name; /* offset in the string table, 0: index unused */
	uint32_t hash;
};

/* An object's dynamic symbol table and the hash tables over it: all that a
 * lookup by name reads (symbol_find_in), the same for one of libsoload's
 * libraries (dynamic.c fills it) and for one of glibc's (hostsym.c), which
 * then costs no struct sl_lib. */
struct sl_symtab {
	const Elf64_Sym *symtab;
	size_t nsyms; /* 0 when unknown (glibc's objects) */
	const char *strtab;
	size_t strsz;
	const uint32_t *sysv_hash; /* nbucket, nchain, buckets, chains */
	const uint32_t *gnu_hash;  /* nbuckets, symoffset, bloom_size, shift */
	const uint64_t *gnu_bloom;
	const uint32_t *gnu_buckets;
	const uint32_t *gnu_chains; /* by symbol index: set symoffset words back */
	const uint16_t *versym;
	struct sl_version_entry *versions; /* by version index, verdef and verneed */
	uint32_t nversions;
	uint32_t gnu_names; /* names the GNU hash table holds: chain words */
};

/* The name of t's version entry e (one in use: e->name not 0). */
static inline const char *version_entry_name(const struct sl_symtab *t,
                                             const struct sl_version_entry *e)
{
	return t->strtab + (e->name & ~VERSION_HIDDEN);
}

/* A GNU hash table's bloom filter test: 0 when no name of GNU hash hash is
 * in the table. words: the filter; mask: its number of words less one;
 * shift: the second hash's (the table's fourth word). */
static inline int gnu_bloom_may_hold(const uint64_t *words, uint32_t mask, uint32_t shift,
                                     uint32_t hash)
{
	uint64_t word = words[(hash / 64) & mask];

	return ((word >> (hash % 64)) & 1) && ((word >> ((hash >> shift) % 64)) & 1);
}

/* The same for t's GNU hash table; 1 when t has none. The scope walks test
 * it before calling symbol_find_in: most libraries of a scope fail it, and
 * the call around the same test cost three times as much (a first load of
 * libgtk-3 made 260,000 such calls, a third of its instructions). */
static inline int symtab_may_hold(const struct sl_symtab *t, uint32_t hash)
{
	const uint32_t *h = t->gnu_hash;

	return !h || gnu_bloom_may_hold(t->gnu_bloom, h[2] - 1, h[3], hash);
}

/* Where a program header's bytes are: [vaddr, vaddr + size) of link-time
 * addresses, p_memsz bytes; all 0 when the library has no such header. */
struct lib_extent {
	uint64_t vaddr, size;
};

/* One entry of the lookup scope: a library we loaded, or one of the host's
 * own libraries (glibc) held through dlopen. */
struct sl_scope {
	struct sl_lib *lib;
	void *host;
	const char *name; /* the DT_NEEDED name it was loaded by */
	int owned;        /* we hold a reference (not for a library still loading) */
};

/* A library is mapped with all its dependencies first (LOADING until its
 * own dependencies are in, then MAPPED), and only then is the group
 * relocated, dependencies first (RELOCATING, RELOCATED), and once every
 * member is, initialised (INITIALISING, READY), as the system linker does:
 * a library may use a symbol that only a sibling in the group defines, and
 * a group that fails to relocate has run no initialiser to undo. */
enum lib_state {
	LIB_LOADING,
	LIB_MAPPED,
	LIB_RELOCATING,
	LIB_RELOCATED,
	LIB_INITIALISING,
	LIB_READY
};

struct sl_lib {
	struct sl_lib *next; /* registry list, in the order loads began */
	char *path;
	const char *name; /* path as given, for messages */
	dev_t dev;
	ino_t ino;
	uint64_t file_identity; /* with size and time (fileid.h): for reload.h */
	/* References, as sl_info shows them: direct opens, pins, and those
	 * held by libraries that depend on it or are bound to it. Only the
	 * reachability walk (reach.c) unloads: from the roots, the libraries
	 * with opens or pins, or NODELETE, through deps and holds. */
	unsigned refcount;
	unsigned opens;           /* sl_open handles not yet closed */
	unsigned pins;            /* thread_local destructors still to run in it (tls.c) */
	int nodelete;             /* another library bound a unique definition of it */
	int reach_mark;           /* reach.c's walk */
	int dying;                /* in a set being unloaded: found by no lookup */
	unsigned long init_order; /* initfini: when its initialisers ran */
	int flags;
	enum lib_state state;
	struct sl_lib *group; /* while relocating: the library sl_open was asked for */
	/* The library whose sl_open brought it in: its local scope, for
	 * lookups after that open (lazy binding), as glibc keeps the opener's
	 * search list in each object's scope. NULL once that library is
	 * unloaded (symbol_forget). */
	struct sl_lib *scope_root;
	/* While its dependencies load: the library that needed it (NULL for
	 * sl_open's), whose DT_RPATH it inherits. Cleared after: a loader may
	 * be unloaded before the libraries it loaded. */
	struct sl_lib *loader;
	int initialised;

	/* Mapping (map.c). base + p_vaddr is the runtime address. Its
	 * relative relocations are to be staged (stage.c), and those staged:
	 * DT_RELA entries [staged_begin, staged_end); stage_pending here, by
	 * initialised, so that neither is followed by padding. */
	int stage_pending;
	void *map_start;
	size_t span;
	uintptr_t base;
	/* As many as the plan has, not LIB_MAX_SEGMENTS: a tree of sixty
	 * libraries (libgtk-3's) took 36 KiB more heap for unused ones. */
	struct sl_segment *segments;
	size_t nsegments;
	uint64_t rw_vaddr, rw_end; /* first writable segment, [vaddr, end) */
	size_t staged_begin, staged_end;
	uintptr_t relro_start; /* runtime addresses, page-aligned; 0 if none */
	size_t relro_size;
	/* The program headers read after mapping: all of PT_TLS's, where the
	 * others are (a tree of sixty libraries kept 7 KiB more heap with
	 * each whole). */
	Elf64_Phdr tls_ph; /* p_type PT_NULL when absent */
	struct lib_extent dynamic;
	struct lib_extent eh_frame; /* PT_GNU_EH_FRAME */
	struct lib_extent note;     /* the first PT_NOTE, for the build-id */

	/* Entries of the STB_GNU_UNIQUE table it defines (unique.c). */
	unsigned unique_defs;

	/* Thread-local storage (tls.c) and unwinder registration (unwind.c). */
	size_t tls_modid;          /* 0: no PT_TLS */
	struct tls_index *tlsdesc; /* its TLS descriptors' arguments */
	size_t ntlsdesc, tlsdesc_cap;
	struct sl_unwind unwind;
	/* As the root of an open: the library of its scope whose libgcc_s
	 * its tree's frames are registered with (unwind.c), once looked for. */
	struct sl_lib *unwinder;
	int unwinder_known;
	int unwinder_asks_us; /* it calls _dl_find_object: ours finds the tree's frames */

	/* Lazy PLT binding (lazy.c): NULL when every JUMP_SLOT is bound at
	 * load; else one bit per DT_JMPREL entry, set once it is bound. */
	unsigned char *lazy_bound;

	/* RELRO sharing (share.c), only with SL_SHARE. */
	struct share_ctx *share;
	struct sl_share_stats share_stats;

	/* PT_DYNAMIC read from the file (map.c, with SL_SHARE), until
	 * dynamic_decode has read it; NULL: read the mapping. */
	Elf64_Dyn *dynamic_copy;
	size_t ndynamic_copy;

	/* Decoded dynamic table (dynamic.c): all of it, indexed by tag, only
	 * while dynamic_decode runs (on its stack: 360 bytes a library that
	 * nothing reads after); then the values later steps read. */
	uint64_t *dyn;
	uint64_t dyn_present; /* bit i set when tag index i was given (i < 64) */
	uint64_t dt_flags, dt_flags_1, dt_init, dt_fini, dt_pltgot;
	struct sl_symtab tab;
	const Elf64_Rela *rela;
	size_t nrela;
	const Elf64_Rela *jmprel;
	size_t njmprel;
	const uint64_t *relr;
	size_t nrelr;
	void (**init_array)(int, char **, char **);
	size_t ninit_array;
	void (**fini_array)(void);
	size_t nfini_array;
	const char *soname;
	const char *runpath;    /* DT_RUNPATH, else DT_RPATH, else NULL */
	uint32_t *needed_names; /* DT_NEEDED string offsets */
	size_t nneeded_names;

	/* Dependencies (deps.c): DT_NEEDED in order, those of them we loaded
	 * (for sl_info), and the lookup scope. */
	struct sl_scope *deps;
	size_t ndeps;
	struct sl_lib **needed;
	size_t nneeded;
	/* The lookup scope: this library first, then its tree breadth-first,
	 * each once; NULL where the first of glibc's libraries stands, whose
	 * lookups ask glibc's global scope, once (the others would add
	 * nothing: every library has a scope of its whole tree below it,
	 * libgtk-3's sixty took 32 KiB of heap with two words an entry). */
	struct sl_lib **scope;
	size_t nscope;
	unsigned long scope_mark; /* deps.c's build_scope: in the scope it builds */
};

/* True when dyn[tag index] was present in the dynamic table. */
static inline int lib_has(const struct sl_lib *lib, int idx)
{
	return (lib->dyn_present >> idx) & 1;
}

/* Whether other is in lib's own scope (lib and its dependencies). */
static inline int lib_scope_holds(const struct sl_lib *lib, const struct sl_lib *other)
{
	for (size_t i = 0; i < lib->nscope; i++)
		if (lib->scope[i] == other)
			return 1;
	return 0;
}

/* The runtime address of [vaddr, vaddr + size) if it lies inside one loaded
 * segment, else NULL: every table is reached through this check. */
void *lib_ptr(const struct sl_lib *lib, uint64_t vaddr, uint64_t size);

/* The segment holding vaddr, or NULL. */
const struct sl_segment *lib_segment(const struct sl_lib *lib, uint64_t vaddr);

#endif
