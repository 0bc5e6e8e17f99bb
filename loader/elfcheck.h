/*
 * elfcheck: the header check. Reads an open file's bytes through one
 * read-only mapping with libelf and accepts only what we can load: ELF64,
 * little-endian, x86-64, ET_DYN, program headers inside the file.
 */
#ifndef SL_ELFCHECK_H
#define SL_ELFCHECK_H

#include <elf.h>
#include <stddef.h>

struct elf_file {
	void *image; /* the whole file, mapped read-only */
	size_t size;
	const Elf64_Ehdr *ehdr;
	const Elf64_Phdr *phdr;
	size_t phnum;
};

/* Checks the file open on fd (size bytes). 0, or -1 with sl_error() naming
 * name. On success release with elfcheck_release. */
int elfcheck_read(const char *name, int fd, size_t size, struct elf_file *out);
void elfcheck_release(struct elf_file *ef);

#endif
