/*
 * elfcheck: the header check. Reads the start of an open file (one pread,
 * a second only if the program headers lie further in) and accepts only
 * what we can load: ELF64, little-endian, x86-64, ET_DYN, program headers
 * inside the file. Every field is checked here by hand: libelf's own check
 * of these bytes (elf_memory, elf64_getphdr) found nothing these checks do
 * not, and its set-up and cold code cost a first load in a fresh process
 * 55 us, a third of dlopen's whole load of liblzma. soload info still reads
 * files with libelf (describe.c).
 */
#ifndef SL_ELFCHECK_H
#define SL_ELFCHECK_H

#include <elf.h>
#include <stddef.h>

struct elf_file {
	unsigned char *image; /* head, or a larger copy when the headers need it */
	size_t size;          /* bytes read into image */
	size_t file_size;
	const Elf64_Ehdr *ehdr;
	const Elf64_Phdr *phdr;
	size_t phnum;
	unsigned char head[1024] __attribute__((aligned(8))); /* the file's first bytes */
};

/* Checks the file open on fd (size bytes). 0, or -1 with sl_error() naming
 * name. On success release with elfcheck_release. */
int elfcheck_read(const char *name, int fd, size_t size, struct elf_file *out);
void elfcheck_release(struct elf_file *ef);

#endif
