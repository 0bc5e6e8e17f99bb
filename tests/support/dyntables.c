#include "support/dyntables.h"

#include <string.h>

struct wanted {
	const char *suffix;
	struct tu_dyntables *out;
};

static int find_object(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct wanted *w = arg;
	const ElfW(Dyn) *d = NULL;

	(void)size;
	if (!strstr(info->dlpi_name, w->suffix))
		return 0;
	for (int i = 0; i < info->dlpi_phnum; i++)
		if (info->dlpi_phdr[i].p_type == PT_DYNAMIC)
			d = (const void *)(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr);
	for (; d && d->d_tag != DT_NULL; d++) {
		if (d->d_tag == DT_GNU_HASH)
			w->out->gnu_hash = (const uint32_t *)d->d_un.d_ptr;
		else if (d->d_tag == DT_SYMTAB)
			w->out->symtab = (const ElfW(Sym) *)d->d_un.d_ptr;
		else if (d->d_tag == DT_STRTAB)
			w->out->strtab = (const char *)d->d_un.d_ptr;
	}
	return 1;
}

struct tu_dyntables tu_dyntables_of(const char *suffix)
{
	struct tu_dyntables t = {NULL, NULL, NULL};
	struct wanted w = {suffix, &t};

	dl_iterate_phdr(find_object, &w);
	return t;
}
