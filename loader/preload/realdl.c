#include "realdl.h"

#include <elf.h>

struct realdl real;

/* A d_ptr of an object glibc loaded: glibc adds the load bias in place
 * where the dynamic section is writable, so a value below the bias is
 * still a virtual address. */
static uintptr_t dyn_addr(const struct link_map *lm, uintptr_t v)
{
	return v < lm->l_addr ? v + lm->l_addr : v;
}

/* No libc string function here or in lookup_default: this may run while
 * a sanitizer runtime sets up its interceptors of them (a dlsym of its own
 * reaches us before they work). */
static int same(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static uint32_t gnu_hash(const char *s)
{
	uint32_t h = 5381;

	for (; *s; s++)
		h = h * 33 + (unsigned char)*s;
	return h;
}

/* The default (non-hidden) definition of name in lm, through DT_GNU_HASH. */
static void *lookup_default(const struct link_map *lm, const char *name)
{
	const uint32_t *gh = NULL;
	const Elf64_Sym *symtab = NULL;
	const char *strtab = NULL;
	const uint16_t *versym = NULL;
	uint32_t h = gnu_hash(name);

	for (const Elf64_Dyn *d = lm->l_ld; d->d_tag != DT_NULL; d++) {
		if (d->d_tag == DT_GNU_HASH)
			gh = (const void *)dyn_addr(lm, d->d_un.d_ptr);
		else if (d->d_tag == DT_SYMTAB)
			symtab = (const void *)dyn_addr(lm, d->d_un.d_ptr);
		else if (d->d_tag == DT_STRTAB)
			strtab = (const void *)dyn_addr(lm, d->d_un.d_ptr);
		else if (d->d_tag == DT_VERSYM)
			versym = (const void *)dyn_addr(lm, d->d_un.d_ptr);
	}
	if (!gh || !symtab || !strtab || !gh[0])
		return NULL;
	const uint64_t *bloom = (const void *)(gh + 4);
	const uint32_t *buckets = (const void *)(bloom + gh[2]);
	const uint32_t *chains = buckets + gh[0] - gh[1];
	for (uint32_t i = buckets[h % gh[0]]; i; i++) {
		const Elf64_Sym *s = &symtab[i];
		if ((chains[i] | 1) == (h | 1) && s->st_shndx != SHN_UNDEF &&
		    same(strtab + s->st_name, name) && !(versym && (versym[i] & 0x8000)))
			return (void *)(lm->l_addr + s->st_value);
		if (chains[i] & 1)
			break;
	}
	return NULL;
}

static const struct link_map *find_libc(void)
{
	for (const struct link_map *lm = _r_debug.r_map; lm; lm = lm->l_next) {
		const char *base = lm->l_name;
		for (const char *p = lm->l_name; *p; p++)
			if (*p == '/')
				base = p + 1;
		if (same(base, "libc.so.6"))
			return lm;
	}
	return NULL;
}

#define NEXT(f) (real.f = (__typeof__(real.f))boot(RTLD_NEXT, #f))

int realdl_init(void)
{
	const struct link_map *libc = find_libc();
	void *(*boot)(void *, const char *);

	if (!libc || !(boot = lookup_default(libc, "dlsym")))
		return -1;
	NEXT(dlsym);
	NEXT(dlopen);
	NEXT(dlvsym);
	NEXT(dlclose);
	NEXT(dlerror);
	NEXT(dladdr);
	NEXT(dladdr1);
	NEXT(dlinfo);
	NEXT(dl_iterate_phdr);
	real.dl_find_object = (__typeof__(real.dl_find_object))boot(RTLD_NEXT, "_dl_find_object");
	if (!real.dlsym || !real.dlopen || !real.dlvsym || !real.dlclose || !real.dlerror ||
	    !real.dladdr || !real.dladdr1 || !real.dlinfo || !real.dl_iterate_phdr)
		return -1;
	return 0;
}
