#include "glibctls.h"
#include "error.h"
#include "realdl.h"

#include <elf.h>
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* The object's layout: everything but the image in its first 512 bytes,
 * one writable segment (glibc writes the relocated word), no code. */
enum {
	NPHDR = 4, /* PT_LOAD, PT_DYNAMIC, PT_TLS, PT_GNU_STACK */
	NDYN = 9,
	PHDR_OFF = sizeof(Elf64_Ehdr),
	DYN_OFF = PHDR_OFF + NPHDR * sizeof(Elf64_Phdr),
	SYM_OFF = DYN_OFF + NDYN * sizeof(Elf64_Dyn),
	STR_OFF = SYM_OFF + sizeof(Elf64_Sym),
	RELA_OFF = STR_OFF + 8,
	WORD_OFF = RELA_OFF + sizeof(Elf64_Rela),
	HEAD_SIZE = 512,
};
_Static_assert(WORD_OFF + 8 <= HEAD_SIZE, "the object's head fits");

static size_t align_up(size_t n, size_t align)
{
	return (n + align - 1) & ~(align - 1);
}

static void write_header(unsigned char *obj)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)obj;

	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_ident[EI_OSABI] = ELFOSABI_SYSV;
	eh->e_type = ET_DYN;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_phoff = PHDR_OFF;
	eh->e_ehsize = sizeof(Elf64_Ehdr);
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = NPHDR;
}

static void write_phdrs(unsigned char *obj, size_t size, size_t image_off,
                        const struct tls_image *img)
{
	Elf64_Phdr *ph = (Elf64_Phdr *)(obj + PHDR_OFF);

	ph[0] = (Elf64_Phdr){.p_type = PT_LOAD,
	                     .p_flags = PF_R | PF_W,
	                     .p_filesz = size,
	                     .p_memsz = size,
	                     .p_align = 4096};
	ph[1] = (Elf64_Phdr){.p_type = PT_DYNAMIC,
	                     .p_flags = PF_R | PF_W,
	                     .p_offset = DYN_OFF,
	                     .p_vaddr = DYN_OFF,
	                     .p_filesz = NDYN * sizeof(Elf64_Dyn),
	                     .p_memsz = NDYN * sizeof(Elf64_Dyn),
	                     .p_align = 8};
	ph[2] = (Elf64_Phdr){.p_type = PT_TLS,
	                     .p_flags = PF_R,
	                     .p_offset = image_off,
	                     .p_vaddr = image_off,
	                     .p_filesz = img->filesz,
	                     .p_memsz = img->memsz,
	                     .p_align = img->align};
	/* Without it glibc would make every thread's stack executable. */
	ph[3] = (Elf64_Phdr){.p_type = PT_GNU_STACK, .p_flags = PF_R | PF_W, .p_align = 16};
}

/* The dynamic section, an empty symbol and string table, and the one
 * relocation: R_X86_64_TPOFF64 against symbol 0 is against the module
 * itself, and makes glibc put its block in static TLS. */
static void write_dynamic(unsigned char *obj)
{
	const Elf64_Dyn dyn[NDYN] = {
	        {DT_SYMTAB, {SYM_OFF}},
	        {DT_STRTAB, {STR_OFF}},
	        {DT_STRSZ, {1}},
	        {DT_SYMENT, {sizeof(Elf64_Sym)}},
	        {DT_RELA, {RELA_OFF}},
	        {DT_RELASZ, {sizeof(Elf64_Rela)}},
	        {DT_RELAENT, {sizeof(Elf64_Rela)}},
	        {DT_FLAGS, {DF_STATIC_TLS}},
	        {DT_NULL, {0}},
	};
	const Elf64_Rela rela = {WORD_OFF, ELF64_R_INFO(0, R_X86_64_TPOFF64), 0};

	memcpy(obj + DYN_OFF, dyn, sizeof(dyn));
	memcpy(obj + RELA_OFF, &rela, sizeof(rela));
}

/* The object for img in a memfd: its head, then the image at image_off
 * (what lies between reads as zeros). Its descriptor, or -1. */
static int make_object(const char *lib_name, const struct tls_image *img)
{
	unsigned char head[HEAD_SIZE] = {0};
	size_t align = img->align > 16 ? img->align : 16;
	size_t image_off = align_up(HEAD_SIZE, align), size = image_off + img->filesz;
	int fd;

	write_header(head);
	write_phdrs(head, size, image_off, img);
	write_dynamic(head);
	if ((fd = memfd_create("soload-tls", MFD_CLOEXEC)) < 0)
		return error_set(lib_name, "initial-exec TLS: memfd_create: %m");
	if (ftruncate(fd, (off_t)size) != 0 ||
	    pwrite(fd, head, sizeof(head), 0) != (ssize_t)sizeof(head) ||
	    pwrite(fd, img->init, img->filesz, (off_t)image_off) != (ssize_t)img->filesz) {
		close(fd);
		return error_set(lib_name,
		                 "initial-exec TLS: cannot write its block's object: %m");
	}
	return fd;
}

/* glibc's block: where the relocated word says, below the thread
 * pointer, and holding the image in this thread. (RTLD_DI_TLS_DATA is no
 * help: glibc answers it from the thread's DTV, which it brings up to
 * date only at the thread's first dynamic access.) */
static int read_offset(const char *lib_name, void *h, const struct tls_image *img,
                       ptrdiff_t *tpoff)
{
	struct link_map *map;

	if (real.dlinfo(h, RTLD_DI_LINKMAP, &map) != 0)
		return error_set(lib_name, "initial-exec TLS: dlinfo: %s", real.dlerror());
	memcpy(tpoff, (const char *)map->l_addr + WORD_OFF, sizeof(*tpoff));
	if (*tpoff >= 0 || (size_t) - *tpoff < img->memsz ||
	    memcmp(thread_pointer() + *tpoff, img->init, img->filesz) != 0)
		return error_set(lib_name, "initial-exec TLS: glibc's block is not as expected");
	return 0;
}

int glibctls_assign(const char *lib_name, const struct tls_image *img, ptrdiff_t *tpoff)
{
	char path[64];
	void *h;
	int fd;

	if ((fd = make_object(lib_name, img)) < 0)
		return -1;
	/* The double slash: glibc matches a later dlopen by the name it was
	 * given, and a program that dlopens a memfd of its own by
	 * /proc/self/fd/N, once N is free again, must not be handed this. */
	snprintf(path, sizeof(path), "/proc/self/fd//%d", fd);
	h = real.dlopen(path, RTLD_NOW | RTLD_LOCAL);
	close(fd);
	if (!h)
		return error_set(lib_name,
		                 "initial-exec TLS with initial values, and other threads: "
		                 "glibc could not set its block up: %s",
		                 real.dlerror());
	if (read_offset(lib_name, h, img, tpoff) != 0)
		return -1; /* the handle stays: glibc's static TLS is never given back */
	return 0;
}
