#include "elfcheck.h"
#include "error.h"

#include <gelf.h>
#include <libelf.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>

static pthread_once_t libelf_once = PTHREAD_ONCE_INIT;

static void init_libelf(void)
{
	elf_version(EV_CURRENT);
}

/* The identification and the fields libelf does not judge for us. */
static int check_ehdr(const char *name, const Elf64_Ehdr *eh)
{
	if (eh->e_ident[EI_CLASS] != ELFCLASS64)
		return sl_seterr(name, "not a 64-bit ELF file");
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return sl_seterr(name, "not little-endian");
	if (eh->e_machine != EM_X86_64)
		return sl_seterr(name, "not an x86-64 file (machine %u)", eh->e_machine);
	if (eh->e_type != ET_DYN)
		return sl_seterr(name, "not a shared object (ELF type %u)", eh->e_type);
	if (eh->e_phentsize != sizeof(Elf64_Phdr))
		return sl_seterr(name, "bad program header size %u", eh->e_phentsize);
	if (eh->e_ident[EI_VERSION] != EV_CURRENT || eh->e_version != EV_CURRENT)
		return sl_seterr(name, "unsupported ELF version");
	if (eh->e_phnum == 0)
		return sl_seterr(name, "no PT_LOAD segment (no program headers)");
	if (eh->e_phnum == PN_XNUM)
		return sl_seterr(name, "program headers outside the file (extended count)");
	return 0;
}

/* The identification bytes first, so a file libelf would call "not ELF"
 * gets the precise reason. */
static int check_ident(const char *name, const unsigned char *ident)
{
	if (memcmp(ident, ELFMAG, SELFMAG) != 0)
		return sl_seterr(name, "not an ELF file (bad magic)");
	if (ident[EI_CLASS] != ELFCLASS64)
		return sl_seterr(name, "not a 64-bit ELF file (class %u)", ident[EI_CLASS]);
	if (ident[EI_DATA] != ELFDATA2LSB)
		return sl_seterr(name, "not little-endian");
	if (ident[EI_VERSION] != EV_CURRENT)
		return sl_seterr(name, "unsupported ELF version %u", ident[EI_VERSION]);
	return 0;
}

/* libelf validates the identification and that the program headers lie
 * inside the file; we then read them in place. */
static int check_with_libelf(const char *name, struct elf_file *ef)
{
	Elf *elf;
	int rc = -1;

	if (check_ident(name, ef->image) != 0)
		return -1;
	if (!(elf = elf_memory(ef->image, ef->size)))
		return sl_seterr(name, "libelf: %s", elf_errmsg(-1));
	if (elf_kind(elf) != ELF_K_ELF) {
		sl_seterr(name, "not an ELF file");
		goto out;
	}
	if (!elf64_getehdr(elf)) {
		sl_seterr(name, "not a 64-bit ELF file");
		goto out;
	}
	/* The header in the image itself: libelf's copy dies with elf_end. */
	ef->ehdr = ef->image;
	if (check_ehdr(name, ef->ehdr) != 0)
		goto out;
	if (ef->ehdr->e_phoff > ef->size ||
	    ef->size - ef->ehdr->e_phoff < (size_t)ef->ehdr->e_phnum * sizeof(Elf64_Phdr) ||
	    ef->ehdr->e_phoff % 8 != 0) {
		sl_seterr(name, "program headers outside the file");
		goto out;
	}
	ef->phdr = (const Elf64_Phdr *)((const char *)ef->image + ef->ehdr->e_phoff);
	ef->phnum = ef->ehdr->e_phnum;
	rc = 0;
out:
	elf_end(elf);
	return rc;
}

int elfcheck_read(const char *name, int fd, size_t size, struct elf_file *out)
{
	memset(out, 0, sizeof(*out));
	pthread_once(&libelf_once, init_libelf);
	if (size < sizeof(Elf64_Ehdr))
		return sl_seterr(name, "truncated: %zu bytes, shorter than an ELF header", size);
	/* Private and writable only because elf_memory wants a char *; nothing
	 * writes, so no page is ever copied. */
	out->image = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (out->image == MAP_FAILED) {
		out->image = NULL;
		return sl_seterr(name, "cannot map the file: %m");
	}
	out->size = size;
	if (check_with_libelf(name, out) != 0) {
		elfcheck_release(out);
		return -1;
	}
	return 0;
}

void elfcheck_release(struct elf_file *ef)
{
	if (ef->image)
		munmap(ef->image, ef->size);
	memset(ef, 0, sizeof(*ef));
}
