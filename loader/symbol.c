#include "symbol.h"
#include "dynamic.h"
#include "error.h"
#include "hostsym.h"
#include "registry.h"
#include "tls.h"
#include "unique.h"

#include <dlfcn.h>
#include <string.h>
#include <sys/auxv.h>

static uint32_t gnu_hash(const char *name)
{
	uint32_t h = 5381;

	for (const unsigned char *s = (const unsigned char *)name; *s; s++)
		h = h * 33 + *s;
	return h;
}

void symbol_key(struct symbol_key *key, const char *name, const struct sl_version *version)
{
	key->name = name;
	key->gnu_hash = gnu_hash(name);
	key->have_sysv_hash = 0;
	key->version = version;
	key->unversioned_below = 3;
}

/* Keeps a definition found at symidx: 1 if it is the answer at once, 0 if
 * the search goes on. An unversioned search takes at once a definition of
 * version index below key->unversioned_below, hidden or not (as glibc);
 * a later, versioned one counts only if visible. */
static int settles(const struct sl_lib *lib, uint32_t symidx, const struct symbol_key *key,
                   const Elf64_Sym **first, unsigned *nversioned)
{
	uint16_t v;

	if (key->version || !lib->versym)
		return 1;
	v = lib->versym[symidx];
	if ((v & 0x7fff) < key->unversioned_below)
		return 1;
	if (!(v & 0x8000) && (*nversioned)++ == 0)
		*first = &lib->symtab[symidx];
	return 0;
}

/* Whether the definition at symidx has the version the key asks for.
 * Without one, every definition does here; settles() then chooses. */
static int version_matches(const struct sl_lib *lib, uint32_t symidx,
                           const struct sl_version *want)
{
	uint16_t v;
	const struct sl_version *have;

	if (!lib->versym)
		return 1;
	v = lib->versym[symidx];
	if (!want)
		return 1;
	v &= 0x7fff;
	if (v < 2)
		return !(lib->versym[symidx] & 0x8000);
	have = v < lib->nversions ? &lib->versions[v] : NULL;
	return have && have->name && have->hash == want->hash && !strcmp(have->name, want->name);
}

static int defines(const struct sl_lib *lib, uint32_t symidx, const struct symbol_key *key)
{
	const Elf64_Sym *s = &lib->symtab[symidx];
	int type = ELF64_ST_TYPE(s->st_info);

	if (s->st_shndx == SHN_UNDEF || s->st_name >= lib->strsz)
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
	if (strcmp(lib->strtab + s->st_name, key->name) != 0)
		return 0;
	return version_matches(lib, symidx, key->version);
}

static const Elf64_Sym *find_gnu(const struct sl_lib *lib, const struct symbol_key *key)
{
	const uint32_t *h = lib->gnu_hash;
	uint32_t hash = key->gnu_hash;
	uint64_t word = lib->gnu_bloom[(hash / 64) & (h[2] - 1)];
	uint64_t mask = (1ULL << (hash % 64)) | (1ULL << ((hash >> h[3]) % 64));
	const Elf64_Sym *first = NULL;
	unsigned nversioned = 0;
	uint32_t i;

	if ((word & mask) != mask)
		return NULL;
	i = lib->gnu_buckets[hash % h[0]];
	if (!i)
		return NULL;
	for (;; i++) {
		uint32_t chain = lib->gnu_chains[i];
		if (((chain ^ hash) >> 1) == 0 && defines(lib, i, key) &&
		    settles(lib, i, key, &first, &nversioned))
			return &lib->symtab[i];
		if (chain & 1)
			return nversioned == 1 ? first : NULL;
	}
}

static const Elf64_Sym *find_sysv(const struct sl_lib *lib, struct symbol_key *key)
{
	const uint32_t *h = lib->sysv_hash;
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
		if (defines(lib, i, key) && settles(lib, i, key, &first, &nversioned))
			return &lib->symtab[i];
	return nversioned == 1 ? first : NULL;
}

const Elf64_Sym *symbol_find_in(const struct sl_lib *lib, struct symbol_key *key)
{
	if (lib->gnu_hash)
		return find_gnu(lib, key);
	return find_sysv(lib, key);
}

/* The runtime value of a definition in one of our libraries: IFUNCs are
 * resolved here by calling the resolver, as the system linker does. */
static uintptr_t value_of(const struct sl_lib *lib, const Elf64_Sym *s)
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

static void *host_lookup(void *handle, const struct symbol_key *key)
{
	return hostsym_lookup(handle, key->name, key->version ? key->version->name : NULL);
}

static int found_in_host(void *p, struct symdef *def)
{
	def->lib = NULL;
	def->sym = NULL;
	def->addr = (uintptr_t)p;
	return 0;
}

/* A symbol of a host library, bound as the system linker binds that
 * library's own calls: the first definition in the global scope wins (an
 * interposed malloc or dlopen from a preload or a sanitizer, which carry no
 * version, serve both it and us); only within the object that defines the
 * version does the exact version count. dlvsym alone cannot say this: it
 * never accepts an unversioned definition, so it skips the interposer. */
static void *ask_host(const struct symbol_key *key)
{
	void *first = hostsym_lookup(RTLD_DEFAULT, key->name, NULL), *exact;

	if (!key->version || !first)
		return first;
	exact = hostsym_lookup(RTLD_DEFAULT, key->name, key->version->name);
	if (exact && !hostsym_same_object(first, exact))
		return first;
	return exact;
}

static void *host_symbol(const struct sl_scope *sc, const struct symbol_key *key)
{
	const char *version = key->version ? key->version->name : NULL;
	void *p = hostsym_bound(key->name, key->gnu_hash, version, sc->name);

	if (!p && (p = ask_host(key)))
		hostsym_remember(key->name, key->gnu_hash, version, sc->name, p);
	return p;
}

/* Through the scope in order; the global scope last when asked. */
static int lookup_scope(struct sl_lib *lib, struct symbol_key *key, int global, struct symdef *def)
{
	int asked_host = 0;
	void *p;

	for (size_t i = 0; i < lib->nscope; i++) {
		const struct sl_scope *sc = &lib->scope[i];
		if (sc->lib) {
			const Elf64_Sym *s = symbol_find_in(sc->lib, key);
			if (!s)
				continue;
			def->lib = sc->lib;
			def->sym = s;
			def->addr = value_of(sc->lib, s);
			return 0;
		}
		/* A version needed from a named file waits for that file: a failed
		 * dlvsym costs glibc a formatted error. */
		if (asked_host || (key->version && key->version->file && sc->name &&
		                   strcmp(key->version->file, sc->name) != 0))
			continue;
		asked_host = 1;
		if ((p = host_symbol(sc, key)))
			return found_in_host(p, def);
	}
	if (global && (p = host_lookup(RTLD_DEFAULT, key)))
		return found_in_host(p, def);
	return -1;
}

const char *symbol_name(const struct sl_lib *lib, uint32_t symidx)
{
	if (symidx >= lib->nsyms || lib->symtab[symidx].st_name >= lib->strsz)
		return "?";
	return lib->strtab + lib->symtab[symidx].st_name;
}

/* The version a reference from lib asks for, or NULL. */
static const struct sl_version *wanted_version(const struct sl_lib *lib, uint32_t symidx)
{
	uint16_t v;

	if (!lib->versym)
		return NULL;
	v = lib->versym[symidx] & 0x7fff;
	if (v < 2 || v >= lib->nversions || !lib->versions[v].name)
		return NULL;
	return &lib->versions[v];
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
	if (user && user->group && lookup_scope(user->group, key, 0, &first) == 0 &&
	    is_unique(&first))
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
	if (definer && (s = symbol_find_in(definer, key)) &&
	    ELF64_ST_TYPE(s->st_info) != STT_TLS && ELF64_ST_TYPE(s->st_info) != STT_GNU_IFUNC &&
	    definer->base + s->st_value == def->addr) {
		def->lib = definer;
		def->sym = s;
	}
	return definer;
}

/* A reference of lib answered outside its own dependencies: by the global
 * scope with a definition in a library libsoload holds, or by another
 * library of the group being opened. As glibc's relocation dependencies,
 * lib keeps the definer loaded, so closing the definer's handle cannot
 * unmap what lib still uses (glibc's elf/reldep, reldep5, unload5); a
 * cycle this makes is unloaded whole once no root reaches it (reach.h). */
static int bound(struct sl_lib *lib, struct symbol_key *key, struct symdef *def)
{
	struct sl_lib *definer = def->lib;

	if (!definer && def->addr)
		definer = ours(key, def);
	if (definer && definer != lib && unique_hold(lib, definer) != 0)
		return error_set(lib->name, "out of memory");
	return found(lib, key, def);
}

int symbol_resolve(struct sl_lib *lib, uint32_t symidx, struct symdef *def)
{
	const Elf64_Sym *s;
	struct symbol_key key;

	if (symidx >= lib->nsyms)
		return error_set(lib->name, "relocation with bad symbol index %u (of %zu)", symidx,
		                 lib->nsyms);
	s = &lib->symtab[symidx];
	if (s->st_name >= lib->strsz)
		return error_set(lib->name, "symbol %u name outside the string table", symidx);
	/* The library comes first in its own scope, so a symbol it defines
	 * binds to that very definition: no hash lookup needed. */
	if (ELF64_ST_BIND(s->st_info) == STB_LOCAL || s->st_shndx != SHN_UNDEF) {
		def->lib = lib;
		def->sym = s;
		def->addr = value_of(lib, s);
		if (!is_unique(def))
			return 0;
		symbol_key(&key, lib->strtab + s->st_name, wanted_version(lib, symidx));
		return found(lib, &key, def);
	}
	symbol_key(&key, lib->strtab + s->st_name, wanted_version(lib, symidx));
	if ((def->addr = (uintptr_t)tls_override(key.name))) {
		def->lib = NULL;
		def->sym = NULL;
		return 0;
	}
	if (lookup_scope(lib, &key, 1, def) == 0)
		return def->lib ? found(lib, &key, def) : bound(lib, &key, def);
	/* As the system linker does, a library may use what only another
	 * library of the group being opened defines. */
	if (lib->group && lib->group != lib && lookup_scope(lib->group, &key, 0, def) == 0)
		return bound(lib, &key, def);
	if (ELF64_ST_BIND(s->st_info) == STB_WEAK) {
		memset(def, 0, sizeof(*def));
		return 0;
	}
	if (key.version)
		return error_set(lib->name, "undefined symbol %s, version %s", key.name,
		                 key.version->name);
	return error_set(lib->name, "undefined symbol %s", key.name);
}

int symbol_lookup(struct sl_lib *lib, const char *name, struct symdef *def)
{
	struct symbol_key key;

	symbol_key(&key, name, NULL);
	key.unversioned_below = 2; /* as dlsym: the newest, unless unversioned */
	if (lookup_scope(lib, &key, 0, def) != 0)
		return -1;
	return found(NULL, &key, def);
}
