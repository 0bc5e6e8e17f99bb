#include "symbol.h"
#include "loadpath.h"
#include "arraygrow.h"
#include "dynamic.h"
#include "error.h"
#include "hostsym.h"
#include "registry.h"
#include "tls.h"
#include "unique.h"
#include "unwind.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>

static uint32_t gnu_hash(const char *name)
{
	uint32_t h = 5381;

	for (const unsigned char *s = (const unsigned char *)name; *s; s++)
		h = h * 33 + *s;
	return h;
}

static void symbol_key_hashed(struct symbol_key *key, const char *name, uint32_t hash,
                              const struct sl_version *version)
{
	key->name = name;
	key->gnu_hash = hash;
	key->have_sysv_hash = 0;
	key->version = version;
	key->unversioned_below = 3;
}

LOAD_PATH void symbol_key(struct symbol_key *key, const char *name,
                          const struct sl_version *version)
{
	symbol_key_hashed(key, name, gnu_hash(name), version);
}

/* Keeps a definition found at symidx: 1 if it is the answer at once, 0 if
 * the search goes on. An unversioned search takes at once a definition of
 * version index below key->unversioned_below, hidden or not (as glibc);
 * a later, versioned one counts only if visible. */
static int settles(const struct sl_symtab *t, uint32_t symidx, const struct symbol_key *key,
                   const Elf64_Sym **first, unsigned *nversioned)
{
	uint16_t v;

	if (key->version || !t->versym)
		return 1;
	v = t->versym[symidx];
	if ((v & 0x7fff) < key->unversioned_below)
		return 1;
	if (!(v & 0x8000) && (*nversioned)++ == 0)
		*first = &t->symtab[symidx];
	return 0;
}

/* Whether the definition at symidx has the version the key asks for, as
 * glibc's dynamic linker checks it: the exact version, or, for a reference
 * not marked hidden, a visible definition without a version of its own
 * (the base version, index 1: an interposer's unversioned malloc serves a
 * reference to malloc@GLIBC_2.2.5). An object without a version table
 * serves any; without a version asked, settles() chooses. */
static int version_matches(const struct sl_symtab *t, uint32_t symidx,
                           const struct sl_version *want)
{
	uint16_t raw, v;
	const struct sl_version_entry *have;

	if (!t->versym || !want)
		return 1;
	raw = t->versym[symidx];
	v = raw & 0x7fff;
	have = v < t->nversions && t->versions[v].name ? &t->versions[v] : NULL;
	if (have)
		return have->hash == want->hash &&
		       !strcmp(version_entry_name(t, have), want->name);
	return !want->hidden && !(raw & 0x8000);
}

LOAD_PATH static int defines(const struct sl_symtab *t, uint32_t symidx,
                             const struct symbol_key *key)
{
	const Elf64_Sym *s = &t->symtab[symidx];
	int type = ELF64_ST_TYPE(s->st_info);

	if (s->st_shndx == SHN_UNDEF || s->st_name >= t->strsz)
		return 0;
	/* As the system linker: a symbol of value 0 defines nothing (a version
	 * name such as ZLIB_1.2.9 is an absolute symbol of value 0), unless it
	 * is thread-local, where 0 is the first offset of the block. */
	if (s->st_value == 0 && type != STT_TLS)
		return 0;
	if (ELF64_ST_BIND(s->st_info) == STB_LOCAL)
		return 0;
	if (type != STT_FUNC && type != STT_OBJECT && type != STT_NOTYPE &&
	    type != STT_GNU_IFUNC && type != STT_TLS && type != STT_COMMON)
		return 0;
	if (strcmp(t->strtab + s->st_name, key->name) != 0)
		return 0;
	return version_matches(t, symidx, key->version);
}

static const Elf64_Sym *find_gnu(const struct sl_symtab *t, const struct symbol_key *key)
{
	const uint32_t *h = t->gnu_hash;
	uint32_t hash = key->gnu_hash;
	const Elf64_Sym *first = NULL;
	unsigned nversioned = 0;
	uint32_t i;

	if (!symtab_may_hold(t, hash))
		return NULL;
	i = t->gnu_buckets[hash % h[0]];
	if (!i)
		return NULL;
	for (;; i++) {
		uint32_t chain = t->gnu_chains[i];
		if (((chain ^ hash) >> 1) == 0 && defines(t, i, key) &&
		    settles(t, i, key, &first, &nversioned))
			return &t->symtab[i];
		if (chain & 1)
			return nversioned == 1 ? first : NULL;
	}
}

static const Elf64_Sym *find_sysv(const struct sl_symtab *t, struct symbol_key *key)
{
	const uint32_t *h = t->sysv_hash;
	uint32_t nbucket = h[0], nchain = h[1];
	const uint32_t *chains = h + 2 + nbucket;

	if (!nbucket)
		return NULL;
	if (!key->have_sysv_hash) {
		key->sysv_hash = dynamic_elf_hash(key->name);
		key->have_sysv_hash = 1;
	}
	/* Counting steps keeps a looping chain in a malformed file finite. */
	uint32_t i = h[2 + key->sysv_hash % nbucket];
	const Elf64_Sym *first = NULL;
	unsigned nversioned = 0;
	for (uint32_t steps = 0; i && i < nchain && steps < nchain; steps++, i = chains[i])
		if (defines(t, i, key) && settles(t, i, key, &first, &nversioned))
			return &t->symtab[i];
	return nversioned == 1 ? first : NULL;
}

LOAD_PATH const Elf64_Sym *symbol_find_in(const struct sl_symtab *t, struct symbol_key *key)
{
	if (t->gnu_hash)
		return find_gnu(t, key);
	return find_sysv(t, key);
}

/* The runtime value of a definition in one of our libraries: IFUNCs are
 * resolved here by calling the resolver, as the system linker does. */
LOAD_PATH uintptr_t symbol_value(const struct sl_lib *lib, const Elf64_Sym *s)
{
	int type = ELF64_ST_TYPE(s->st_info);

	if (type == STT_TLS || s->st_shndx == SHN_ABS)
		return s->st_value; /* an offset in the block, or an absolute value */
	if (type == STT_GNU_IFUNC) {
		uintptr_t (*resolver)(unsigned long) = (void *)(lib->base + s->st_value);
		return resolver(getauxval(AT_HWCAP));
	}
	return lib->base + s->st_value;
}

static int found_in_host(void *p, struct symdef *def)
{
	def->lib = NULL;
	def->sym = NULL;
	def->addr = (uintptr_t)p;
	return 0;
}

/* glibc's own answer, for what only it can give (a thread-local or unique
 * definition): the first definition in the global scope wins (an
 * interposer's unversioned one too); only within the object that defines
 * the version does the exact version count. dlvsym alone cannot say this:
 * it never accepts an unversioned definition, so it skips the interposer. */
static void *ask_glibc(const struct symbol_key *key)
{
	void *first = hostsym_lookup(RTLD_DEFAULT, key->name, NULL), *exact;

	if (!key->version || !first)
		return first;
	exact = hostsym_lookup(RTLD_DEFAULT, key->name, key->version->name);
	if (exact && !hostsym_same_object(first, exact))
		return first;
	return exact;
}

/*
 * The libraries libsoload holds in the global scope (SL_GLOBAL), after
 * glibc's: each library opened SL_GLOBAL and its dependencies, each once,
 * in the order they became global, as glibc appends an RTLD_GLOBAL
 * library's search list to the executable's. Global because it is the
 * process's one global scope; behind the registry lock, which every open
 * and close holds.
 */
static struct sl_lib **globals;
static size_t nglobals, globals_cap;

static int is_global(const struct sl_lib *lib)
{
	for (size_t i = 0; i < nglobals; i++)
		if (globals[i] == lib)
			return 1;
	return 0;
}

static int add_global(struct sl_lib *lib)
{
	if (is_global(lib))
		return 0;
	if (array_grow(&globals, &globals_cap, nglobals, sizeof(*globals), 16) != 0)
		return error_set(lib->name, "out of memory");
	globals[nglobals++] = lib;
	return 0;
}

int symbol_make_global(struct sl_lib *lib)
{
	for (size_t i = 0; i < lib->nscope; i++)
		if (lib->scope[i] && add_global(lib->scope[i]) != 0)
			return -1;
	return 0;
}

void symbol_forget(struct sl_lib *lib)
{
	for (size_t i = 0; i < lib->nscope; i++)
		if (lib->scope[i] && lib->scope[i]->scope_root == lib)
			lib->scope[i]->scope_root = NULL;
	for (size_t i = 0; i < nglobals; i++) {
		if (globals[i] == lib) {
			memmove(&globals[i], &globals[i + 1], (--nglobals - i) * sizeof(*globals));
			return;
		}
	}
}

static int found_in(struct sl_lib *lib, const Elf64_Sym *s, struct symdef *def)
{
	def->lib = lib;
	def->sym = s;
	def->addr = symbol_value(lib, s);
	return 0;
}

/* libsoload's global libraries, skip's definitions left out (RTLD_NEXT). */
LOAD_PATH static int in_our_globals(struct symbol_key *key, const struct sl_lib *skip,
                                    struct symdef *def)
{
	for (size_t i = 0; i < nglobals; i++) {
		const Elf64_Sym *s;
		if (globals[i] != skip && globals[i]->state >= LIB_RELOCATING &&
		    symtab_may_hold(&globals[i]->tab, key->gnu_hash) &&
		    (s = symbol_find_in(&globals[i]->tab, key)))
			return found_in(globals[i], s, def);
	}
	return -1;
}

static struct sl_lib *ours(struct symbol_key *key, struct symdef *def);

/* glibc's part of the global scope. Only glibc's own answer (ask_glibc)
 * may be a library of ours, through the preload's RTLD_DEFAULT. */
LOAD_PATH static int in_host_global(struct symbol_key *key, struct symdef *def)
{
	void *p = NULL;

	if (hostsym_global(key, &p) != HOSTSYM_ASK)
		return p ? found_in_host(p, def) : -1;
	if (!(p = ask_glibc(key)))
		return -1;
	found_in_host(p, def);
	ours(key, def);
	return 0;
}

/* Whether the chain of bucket b of lib's GNU hash table holds symidx. */
static int chain_holds(const struct sl_lib *lib, uint32_t b, uint32_t symidx)
{
	uint32_t i = lib->tab.gnu_buckets[b];

	if (i == 0 || i > symidx)
		return 0;
	for (; i < symidx; i++)
		if (lib->tab.gnu_chains[i] & 1)
			return 0;
	return 1;
}

/* The GNU hash of the name of lib's symbol symidx, without reading the
 * name: its chain entry keeps the hash but for the lowest bit, and of the
 * two hashes that leaves only one puts symidx in the bucket whose chain
 * holds it. 0 if lib's GNU hash table does not hold symidx. */
static int own_hash(const struct sl_lib *lib, uint32_t symidx, uint32_t *hash)
{
	const uint32_t *h = lib->tab.gnu_hash;
	uint32_t even;

	if (!h || symidx < h[1] || symidx >= lib->tab.nsyms)
		return 0;
	even = lib->tab.gnu_chains[symidx] & ~1u;
	for (uint32_t c = even; c <= (even | 1); c++) {
		if (chain_holds(lib, c % h[0], symidx)) {
			*hash = c;
			return 1;
		}
	}
	return 0;
}

/* 1 when the global scope surely lacks lib's name of GNU hash hash: the
 * bloom filters of its objects say so, without the name. */
static int global_surely_lacks(const struct sl_lib *lib, uint32_t hash)
{
	for (size_t i = 0; i < nglobals; i++)
		if (symtab_may_hold(&globals[i]->tab, hash))
			return 0;
	return !hostsym_global_may_define(&lib->tab, hash);
}

/* The global scope: glibc's, then libsoload's global libraries. */
static int in_global(struct symbol_key *key, struct symdef *def)
{
	if (in_host_global(key, def) == 0)
		return 0;
	return in_our_globals(key, NULL, def);
}

/* A local scope: root, then its dependencies breadth-first. The host's
 * libraries among them were opened RTLD_GLOBAL (deps.c): for a reference
 * the global scope has already answered for them (ask_host 0); for sl_sym
 * the first of them asks it, bound as the system linker binds that
 * library's own calls (an interposer first). */
LOAD_PATH static int in_local(struct sl_lib *root, struct symbol_key *key, int ask_host,
                              struct symdef *def)
{
	for (size_t i = 0; i < root->nscope; i++) {
		struct sl_lib *in = root->scope[i];
		const Elf64_Sym *s;
		if (in && symtab_may_hold(&in->tab, key->gnu_hash) &&
		    (s = symbol_find_in(&in->tab, key)))
			return found_in(in, s, def);
		if (!in && ask_host) {
			ask_host = 0;
			if (in_host_global(key, def) == 0)
				return 0;
		}
	}
	return -1;
}

/* The library whose local scope lib's references search: that of the open
 * being relocated, else of the open that brought lib in, else lib's own. */
static struct sl_lib *scope_root_of(struct sl_lib *lib)
{
	if (lib->group)
		return lib->group;
	return lib->scope_root ? lib->scope_root : lib;
}

/* A reference of lib in glibc's order: the global scope, then the local
 * scope of the library whose open brought lib in (lib's own once that
 * open is over); with SL_DEEPBIND on that open, the local scope first. */
static int lookup(struct sl_lib *lib, struct symbol_key *key, struct symdef *def)
{
	struct sl_lib *root = scope_root_of(lib);

	if (root->flags & SL_DEEPBIND)
		return in_local(root, key, 0, def) == 0 ? 0 : in_global(key, def);
	return in_global(key, def) == 0 ? 0 : in_local(root, key, 0, def);
}

/*
 * The same for a symbol lib defines (symidx), the most common reference
 * of a first load, kept from reading the name where it can be: the hash
 * comes from lib's own GNU hash table, the global scope is passed over
 * when its bloom filters say no, and the local scope's walk stops at lib
 * itself with this very definition. 1 if it could not be told so: the
 * plain lookup then decides.
 */
static int lookup_own(struct sl_lib *lib, uint32_t symidx, struct symbol_key *key,
                      struct symdef *def)
{
	struct sl_lib *root = scope_root_of(lib);
	int deep = (root->flags & SL_DEEPBIND) != 0;

	if (!own_hash(lib, symidx, &key->gnu_hash))
		return 1;
	if (!deep && !global_surely_lacks(lib, key->gnu_hash))
		return 1;
	for (size_t i = 0; i < root->nscope; i++) {
		struct sl_lib *in = root->scope[i];
		const Elf64_Sym *s;
		if (in == lib)
			return found_in(lib, &lib->tab.symtab[symidx], def);
		if (in && symtab_may_hold(&in->tab, key->gnu_hash) &&
		    (s = symbol_find_in(&in->tab, key)))
			return found_in(in, s, def);
	}
	return 1;
}

const char *symbol_name(const struct sl_lib *lib, uint32_t symidx)
{
	if (symidx >= lib->tab.nsyms || lib->tab.symtab[symidx].st_name >= lib->tab.strsz)
		return "?";
	return lib->tab.strtab + lib->tab.symtab[symidx].st_name;
}

/* symbol_wanted_version, inlined where every relocation asks it. */
static inline const struct sl_version *wanted_version(const struct sl_lib *lib, uint32_t symidx,
                                                      struct sl_version *out)
{
	const struct sl_version_entry *e;
	uint16_t v;

	if (!lib->tab.versym)
		return NULL;
	v = lib->tab.versym[symidx] & 0x7fff;
	if (v < 2 || v >= lib->tab.nversions || !lib->tab.versions[v].name)
		return NULL;
	e = &lib->tab.versions[v];
	*out = (struct sl_version){version_entry_name(&lib->tab, e), e->hash,
	                           (e->name & VERSION_HIDDEN) != 0};
	return out;
}

const struct sl_version *symbol_wanted_version(const struct sl_lib *lib, uint32_t symidx,
                                               struct sl_version *out)
{
	return wanted_version(lib, symidx, out);
}

static int is_unique(const struct symdef *def)
{
	return def->sym && ELF64_ST_BIND(def->sym->st_info) == STB_GNU_UNIQUE;
}

/* A definition found for user's reference (user NULL: for sl_sym). One
 * that is STB_GNU_UNIQUE gives way to the process's one of that name. The
 * system linker looks every reference of the libraries one dlopen brings
 * in up in the scope of the library opened (itself, then its dependencies
 * breadth-first), so the first reference to a unique name, wherever it
 * is, enters the definition that scope finds first for its version: the
 * candidate is taken from the group's scope in the same way. */
static int found(struct sl_lib *user, struct symbol_key *key, struct symdef *def)
{
	struct symdef first;

	if (!is_unique(def))
		return 0;
	if (user && user->group && in_local(user->group, key, 0, &first) == 0 && is_unique(&first))
		*def = first;
	return unique_bind(user, key, def);
}

/* The global scope's answer is a library of ours (an RTLD_GLOBAL one,
 * through the preload): the definition as found in it, so that a unique
 * one gives way to the process's one of that name. */
static struct sl_lib *ours(struct symbol_key *key, struct symdef *def)
{
	struct sl_lib *definer;
	const Elf64_Sym *s;

	registry_lock();
	definer = registry_find_addr((const void *)def->addr);
	registry_unlock();
	if (definer && (s = symbol_find_in(&definer->tab, key)) &&
	    ELF64_ST_TYPE(s->st_info) != STT_TLS && ELF64_ST_TYPE(s->st_info) != STT_GNU_IFUNC &&
	    definer->base + s->st_value == def->addr) {
		def->lib = definer;
		def->sym = s;
	}
	return definer;
}

/* A reference of lib answered outside its own dependencies: by the global
 * scope with a definition in a library libsoload holds (SL_GLOBAL), or by
 * another library of the group being opened. As glibc's relocation dependencies,
 * lib keeps the definer loaded, so closing the definer's handle cannot
 * unmap what lib still uses (glibc's elf/reldep, reldep5, unload5); a
 * cycle this makes is unloaded whole once no root reaches it (reach.h). */
LOAD_PATH static int bound(struct sl_lib *lib, struct symbol_key *key, struct symdef *def)
{
	struct sl_lib *definer = def->lib;

	if (definer && definer != lib && !lib_scope_holds(lib, definer) &&
	    unique_hold(lib, definer) != 0)
		return error_set(lib->name, "out of memory");
	return found(lib, key, def);
}

/* A symbol lib defines binds to that very definition, without a lookup,
 * when nothing else can take its place: it is local, or its visibility
 * says so (protected). */
static int binds_locally(const Elf64_Sym *s)
{
	return ELF64_ST_BIND(s->st_info) == STB_LOCAL ||
	       (s->st_shndx != SHN_UNDEF && ELF64_ST_VISIBILITY(s->st_other) != STV_DEFAULT);
}

/* Names libsoload answers in glibc's place for the libraries it maps: the
 * thread-local storage's (tls.c) and the unwinder's (unwind.c). */
LOAD_PATH static void *loader_answers(const char *name)
{
	void *ours = tls_override(name);

	return ours ? ours : unwind_override(name);
}

/* "lib: undefined symbol NAME", with the version asked for if any: -1. */
static int undefined(const struct sl_lib *lib, const struct symbol_key *key)
{
	if (key->version)
		return error_set(lib->name, "undefined symbol %s, version %s", key->name,
		                 key->version->name);
	return error_set(lib->name, "undefined symbol %s", key->name);
}

LOAD_PATH int symbol_resolve(struct sl_lib *lib, uint32_t symidx, struct symdef *def)
{
	const Elf64_Sym *s;
	struct symbol_key key;
	struct sl_version want;

	if (symidx >= lib->tab.nsyms)
		return error_set(lib->name, "relocation with bad symbol index %u (of %zu)", symidx,
		                 lib->tab.nsyms);
	s = &lib->tab.symtab[symidx];
	if (s->st_name >= lib->tab.strsz)
		return error_set(lib->name, "symbol %u name outside the string table", symidx);
	if (binds_locally(s))
		return found_in(lib, s, def);
	symbol_key_hashed(&key, lib->tab.strtab + s->st_name, 0,
	                  wanted_version(lib, symidx, &want));
	if (s->st_shndx != SHN_UNDEF && lookup_own(lib, symidx, &key, def) == 0)
		return bound(lib, &key, def);
	key.gnu_hash = gnu_hash(key.name);
	if ((def->addr = (uintptr_t)loader_answers(key.name))) {
		def->lib = NULL;
		def->sym = NULL;
		return 0;
	}
	/* As glibc, a symbol lib defines is looked up too: the executable or
	 * a preload may define it first (interposition). */
	if (lookup(lib, &key, def) == 0)
		return bound(lib, &key, def);
	if (ELF64_ST_BIND(s->st_info) == STB_WEAK) {
		memset(def, 0, sizeof(*def));
		return 0;
	}
	return undefined(lib, &key);
}

/* The version dlvsym asks for, or NULL without one. As glibc's, it is
 * marked hidden: only a definition of exactly that version answers, never
 * an unversioned one in its place. */
LOAD_PATH static const struct sl_version *asked_version(struct sl_version *v, const char *name)
{
	if (!name)
		return NULL;
	*v = (struct sl_version){.name = name, .hash = dynamic_elf_hash(name), .hidden = 1};
	return v;
}

LOAD_PATH int symbol_lookup(struct sl_lib *lib, const char *name, const char *version,
                            struct symdef *def)
{
	struct sl_version v;
	struct symbol_key key;

	symbol_key(&key, name, asked_version(&v, version));
	key.unversioned_below = 2; /* as dlsym: the newest, unless unversioned */
	if (in_local(lib, &key, 1, def) != 0)
		return undefined(lib, &key);
	return found(NULL, &key, def);
}

int symbol_lookup_global(const char *name, const char *version, const struct sl_lib *skip,
                         struct symdef *def)
{
	struct sl_version v;
	struct symbol_key key;
	int rc;

	symbol_key(&key, name, asked_version(&v, version));
	key.unversioned_below = 2;
	registry_lock();
	rc = in_our_globals(&key, skip, def);
	registry_unlock();
	return rc;
}
