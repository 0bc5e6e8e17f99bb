#include "elfcheck.h"
#include "loadpath.h"
#include "sys.h"
#include "error.h"

#include <string.h>
#include <stddef.h>
#include <stdlib.h>
#include <unistd.h>

/* The header fields: what we can load. */
static int check_ehdr(const char *name, const Elf64_Ehdr *eh)
{
	if (eh->e_machine != EM_X86_64)
		return error_set(name, "not an x86-64 file (machine %u)", eh->e_machine);
	if (eh->e_type != ET_DYN)
		return error_set(name, "not a shared object (ELF type %u)", eh->e_type);
	if (eh->e_phentsize != sizeof(Elf64_Phdr))
		return error_set(name, "bad program header size %u", eh->e_phentsize);
	if (eh->e_ident[EI_VERSION] != EV_CURRENT || eh->e_version != EV_CURRENT)
		return error_set(name, "unsupported ELF version");
	if (eh->e_phnum == 0)
		return error_set(name, "no PT_LOAD segment (no program headers)");
	if (eh->e_phnum == PN_XNUM)
		return error_set(name, "program headers outside the file (extended count)");
	return 0;
}

/* The identification bytes first, so a file that is not ELF at all gets
 * the precise reason. */
static int check_ident(const char *name, const unsigned char *ident)
{
	if (memcmp(ident, ELFMAG, SELFMAG) != 0)
		return error_set(name, "not an ELF file (bad magic)");
	if (ident[EI_CLASS] != ELFCLASS64)
		return error_set(name, "not a 64-bit ELF file (class %u)", ident[EI_CLASS]);
	if (ident[EI_DATA] != ELFDATA2LSB)
		return error_set(name, "not little-endian");
	if (ident[EI_VERSION] != EV_CURRENT)
		return error_set(name, "unsupported ELF version %u", ident[EI_VERSION]);
	return 0;
}

/* The program headers must lie inside the file; read them if the first
 * read did not reach that far. */
static int read_phdrs(const char *name, int fd, struct elf_file *ef)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)ef->image;
	size_t need, phsize = (size_t)eh->e_phnum * sizeof(Elf64_Phdr);

	if (eh->e_phoff > ef->file_size || ef->file_size - eh->e_phoff < phsize ||
	    eh->e_phoff % 8 != 0)
		return error_set(name, "program headers outside the file");
	need = eh->e_phoff + phsize;
	if (need > ef->size) {
		unsigned char *all = malloc(need);
		if (!all)
			return error_set(name, "out of memory");
		if (sys_pread(fd, all, need, 0) != (ssize_t)need) {
			free(all);
			return error_set(name, "cannot read the program headers: %m");
		}
		ef->image = all;
		ef->size = need;
	}
	ef->ehdr = (const Elf64_Ehdr *)ef->image;
	ef->phdr = (const Elf64_Phdr *)(ef->image + eh->e_phoff);
	ef->phnum = eh->e_phnum;
	return 0;
}

LOAD_PATH int elfcheck_read(const char *name, int fd, size_t size, struct elf_file *out)
{
	size_t want = size < sizeof(out->head) ? size : sizeof(out->head);
	ssize_t got;

	memset(out, 0, offsetof(struct elf_file, head));
	out->file_size = size;
	if (size < sizeof(Elf64_Ehdr))
		return error_set(name, "truncated: %zu bytes, shorter than an ELF header", size);
	got = sys_pread(fd, out->head, want, 0);
	if (got != (ssize_t)want)
		return error_set(name, "cannot read the header: %m");
	out->image = out->head;
	out->size = want;
	if (check_ident(name, out->image) != 0 ||
	    check_ehdr(name, (const Elf64_Ehdr *)out->image) != 0 ||
	    read_phdrs(name, fd, out) != 0) {
		elfcheck_release(out);
		return -1;
	}
	return 0;
}

LOAD_PATH void elfcheck_release(struct elf_file *ef)
{
	if (ef->image && ef->image != ef->head)
		free(ef->image);
	ef->image = NULL;
}
