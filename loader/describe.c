#include "describe.h"
#include "buildid.h"
#include "dynamic.h"
#include "error.h"
#include "load.h"
#include "map.h"

#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void count_rela(struct description *d, const Elf64_Rela *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t type = ELF64_R_TYPE(r[i].r_info);
		if (type < DESCRIBE_RELOC_TYPES)
			d->reloc_count[type]++;
		else
			d->reloc_other++;
	}
}

static void count_relr(struct description *d, const struct sl_lib *lib)
{
	for (size_t i = 0; i < lib->nrelr; i++)
		d->relr_count +=
		        lib->relr[i] & 1 ? (size_t)__builtin_popcountll(lib->relr[i]) - 1 : 1;
}

static int summarise(struct description *d)
{
	struct sl_lib *lib = d->lib;

	d->soname = lib->soname;
	d->runpath = lib->runpath;
	d->nsyms = lib->tab.nsyms;
	d->gnu_hash = lib->tab.gnu_hash != NULL;
	d->sysv_hash = lib->tab.sysv_hash != NULL;
	d->versioned = lib->tab.versym != NULL;
	d->flags = lib->dt_flags;
	d->flags_1 = lib->dt_flags_1;
	d->needed = calloc(lib->nneeded_names + 1, sizeof(*d->needed));
	if (!d->needed)
		return error_set(lib->name, "out of memory");
	for (size_t i = 0; i < lib->nneeded_names; i++)
		d->needed[i] = lib->tab.strtab + lib->needed_names[i];
	d->nneeded = lib->nneeded_names;
	count_rela(d, lib->rela, lib->nrela);
	count_rela(d, lib->jmprel, lib->njmprel);
	count_relr(d, lib);
	if (lib_build_id(lib, d->build_id, sizeof(d->build_id)) != 0)
		d->build_id[0] = '\0';
	return 0;
}

int describe_library(const char *path, struct description *d)
{
	struct stat st;
	int fd, rc = -1;

	memset(d, 0, sizeof(*d));
	d->path = path;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return error_set(path, "%m");
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return error_set(path, "not a regular file");
	}
	/* The steps of sl_open up to the relocation check, on a private copy. */
	if ((d->lib = load_inspect_fd(path, fd, LOAD_CHECK_RELOCS, &d->plan)))
		rc = summarise(d);
	close(fd);
	if (rc != 0)
		describe_release(d);
	return rc;
}

void describe_release(struct description *d)
{
	if (d->lib)
		load_discard(d->lib);
	free(d->needed);
	d->lib = NULL;
	d->needed = NULL;
}

static int collect_sections(Elf *elf, const char *path, struct section **out, size_t *n)
{
	size_t shstrndx, cap = 0;
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	if (elf_getshdrstrndx(elf, &shstrndx) != 0)
		return error_set(path, "no section names: %s", elf_errmsg(-1));
	while ((scn = elf_nextscn(elf, scn))) {
		const char *name;
		if (!gelf_getshdr(scn, &sh) || !(sh.sh_flags & SHF_ALLOC) || !sh.sh_size)
			continue;
		if (!(name = elf_strptr(elf, shstrndx, sh.sh_name)))
			continue;
		if (*n == cap) {
			struct section *grown =
			        realloc(*out, (cap = cap ? 2 * cap : 16) * sizeof(*grown));
			if (!grown)
				return error_set(path, "out of memory");
			*out = grown;
		}
		snprintf((*out)[*n].name, sizeof((*out)[*n].name), "%s", name);
		(*out)[(*n)++].addr = sh.sh_addr;
	}
	return 0;
}

int describe_sections(const char *path, struct section **out, size_t *n)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;
	Elf *elf;

	*out = NULL;
	*n = 0;
	if (fd < 0)
		return error_set(path, "%m");
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf) {
		close(fd);
		return error_set(path, "libelf: %s", elf_errmsg(-1));
	}
	rc = collect_sections(elf, path, out, n);
	elf_end(elf);
	close(fd);
	if (rc != 0) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return rc;
}
