/*
 * gen_malformed: writes the malformed-ELF corpus. It takes a real built
 * sample library (libmalbase.so, which has every table the loader reads) and
 * writes one broken copy per case into DIR, plus DIR/manifest: one line per
 * case, "<file>\t<substring sl_error() must contain>".
 *
 *   gen_malformed BASE.so DIR
 *
 * Each case breaks exactly one thing, so the expected error is the loader's
 * answer to that one thing.
 */
#include <elf.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct image {
	unsigned char *bytes;
	size_t size;
};

struct mal_case {
	const char *name;
	const char *expect;
	void (*mutate)(struct image *img, uint64_t arg);
	uint64_t arg;
};

static void die(const char *what)
{
	fprintf(stderr, "gen_malformed: %s\n", what);
	exit(1);
}

static Elf64_Ehdr *ehdr(struct image *img)
{
	return (Elf64_Ehdr *)img->bytes;
}

static Elf64_Phdr *phdrs(struct image *img)
{
	return (Elf64_Phdr *)(img->bytes + ehdr(img)->e_phoff);
}

/* The nth program header of a type (0-based), or die: the base must have it. */
static Elf64_Phdr *find_phdr(struct image *img, uint32_t type, int nth)
{
	Elf64_Phdr *ph = phdrs(img);

	for (int i = 0; i < ehdr(img)->e_phnum; i++)
		if (ph[i].p_type == type && nth-- == 0)
			return &ph[i];
	die("base library lacks a needed program header");
	return NULL;
}

/* The PT_LOAD with these flags, e.g. the text (R+X) or data (R+W) one. */
static Elf64_Phdr *find_load(struct image *img, uint32_t flags)
{
	Elf64_Phdr *ph = phdrs(img);

	for (int i = 0; i < ehdr(img)->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_flags == flags)
			return &ph[i];
	die("base library lacks a PT_LOAD with the needed flags");
	return NULL;
}

static uint64_t vaddr_to_offset(struct image *img, uint64_t vaddr)
{
	Elf64_Phdr *ph = phdrs(img);

	for (int i = 0; i < ehdr(img)->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && vaddr >= ph[i].p_vaddr &&
		    vaddr < ph[i].p_vaddr + ph[i].p_filesz)
			return vaddr - ph[i].p_vaddr + ph[i].p_offset;
	die("address not in the file");
	return 0;
}

static Elf64_Dyn *find_dyn(struct image *img, int64_t tag)
{
	Elf64_Dyn *d = (Elf64_Dyn *)(img->bytes + find_phdr(img, PT_DYNAMIC, 0)->p_offset);

	for (; d->d_tag != DT_NULL; d++)
		if (d->d_tag == tag)
			return d;
	die("base library lacks a needed dynamic tag");
	return NULL;
}

static void *at_dyn(struct image *img, int64_t tag)
{
	return img->bytes + vaddr_to_offset(img, find_dyn(img, tag)->d_un.d_ptr);
}

/* The last address of the span, past every PT_LOAD. */
static uint64_t span_end(struct image *img)
{
	Elf64_Phdr *ph = phdrs(img);
	uint64_t end = 0;

	for (int i = 0; i < ehdr(img)->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_vaddr + ph[i].p_memsz > end)
			end = ph[i].p_vaddr + ph[i].p_memsz;
	return end;
}

/* ---- mutations: each breaks one thing, arg says what or how much ---- */

static void truncate_to(struct image *img, uint64_t size)
{
	img->size = size;
}

static void truncate_in_dynamic(struct image *img, uint64_t unused)
{
	(void)unused;
	img->size = find_phdr(img, PT_DYNAMIC, 0)->p_offset + 3 * sizeof(Elf64_Dyn) + 4;
}

static void truncate_in_data(struct image *img, uint64_t unused)
{
	Elf64_Phdr *data = find_load(img, PF_R | PF_W);

	(void)unused;
	img->size = data->p_offset + data->p_filesz - 1;
}

static void truncate_in_text(struct image *img, uint64_t unused)
{
	(void)unused;
	img->size = find_load(img, PF_R | PF_X)->p_offset + 16;
}

static void set_ident(struct image *img, uint64_t index_and_value)
{
	img->bytes[index_and_value >> 8] = (unsigned char)index_and_value;
}

static void set_machine(struct image *img, uint64_t machine)
{
	ehdr(img)->e_machine = (Elf64_Half)machine;
}

static void set_type(struct image *img, uint64_t type)
{
	ehdr(img)->e_type = (Elf64_Half)type;
}

static void set_version(struct image *img, uint64_t version)
{
	ehdr(img)->e_version = (Elf64_Word)version;
}

static void set_phoff(struct image *img, uint64_t phoff)
{
	ehdr(img)->e_phoff = phoff ? phoff : img->size - sizeof(Elf64_Phdr);
}

static void set_phnum(struct image *img, uint64_t phnum)
{
	ehdr(img)->e_phnum = (Elf64_Half)phnum;
}

static void set_phentsize(struct image *img, uint64_t size)
{
	ehdr(img)->e_phentsize = (Elf64_Half)size;
}

static void drop_loads(struct image *img, uint64_t unused)
{
	Elf64_Phdr *ph = phdrs(img);

	(void)unused;
	for (int i = 0; i < ehdr(img)->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD)
			ph[i].p_type = PT_NULL;
}

/* The text PT_LOAD moved down onto the first one's pages. */
static void overlap_loads(struct image *img, uint64_t unused)
{
	Elf64_Phdr *text = find_load(img, PF_R | PF_X);

	(void)unused;
	text->p_vaddr -= 0x1000;
	text->p_paddr -= 0x1000;
	text->p_offset -= 0x1000;
}

static void swap_loads(struct image *img, uint64_t unused)
{
	Elf64_Phdr *first = find_phdr(img, PT_LOAD, 0), *second = find_phdr(img, PT_LOAD, 1);
	Elf64_Phdr tmp = *first;

	(void)unused;
	*first = *second;
	*second = tmp;
}

static void shift_offset(struct image *img, uint64_t delta)
{
	find_load(img, PF_R | PF_X)->p_offset += delta;
}

static void set_text_field(struct image *img, uint64_t which)
{
	Elf64_Phdr *text = find_load(img, PF_R | PF_X);

	switch (which) {
	case 0: /* p_filesz > p_memsz */
		text->p_filesz = text->p_memsz + 0x100;
		break;
	case 1: /* not a power of two */
		text->p_align = 0x3000;
		break;
	case 2: /* writable and executable */
		text->p_flags = PF_R | PF_W | PF_X;
		break;
	case 3: /* file range past the end of the file */
		text->p_filesz = text->p_memsz = img->size;
		break;
	case 4: /* a memory size that wraps the address space */
		text->p_memsz = UINT64_MAX - 0x800;
		break;
	case 5: /* an address near the top that overflows with the size */
		text->p_vaddr = text->p_paddr = UINT64_MAX & ~0xfffULL;
		text->p_offset = 0;
		break;
	case 6: /* a file offset that overflows with the size */
		text->p_offset = UINT64_MAX & ~0xfffULL;
		break;
	}
}

static void move_dynamic(struct image *img, uint64_t where)
{
	Elf64_Phdr *dyn = find_phdr(img, PT_DYNAMIC, 0);

	if (where == 0) {
		dyn->p_offset = img->size + 0x1000;
	} else {
		dyn->p_vaddr = dyn->p_paddr = span_end(img) + 0x10000;
	}
}

static void set_dyn(struct image *img, uint64_t tag_and_what)
{
	Elf64_Dyn *d = find_dyn(img, (int64_t)(tag_and_what >> 8));

	switch (tag_and_what & 0xff) {
	case 0: /* an address past the span */
		d->d_un.d_ptr = span_end(img) + 0x100000;
		break;
	case 1: /* a size that runs out of the span */
		d->d_un.d_val = 0x7fffffffffff0000ULL;
		break;
	case 2: /* an address that wraps */
		d->d_un.d_ptr = UINT64_MAX - 7;
		break;
	case 3: /* an entry size we do not know */
		d->d_un.d_val = 13;
		break;
	}
}

#define DYN(tag, what) (((uint64_t)(tag) << 8) | (what))

static void break_needed_name(struct image *img, uint64_t unused)
{
	(void)unused;
	find_dyn(img, DT_NEEDED)->d_un.d_val = find_dyn(img, DT_STRSZ)->d_un.d_val + 0x40;
}

static void break_sysv_hash(struct image *img, uint64_t which)
{
	uint32_t *h = at_dyn(img, DT_HASH);

	h[which] = 0x7fffffff; /* nbucket, or nchain */
}

static void break_gnu_hash(struct image *img, uint64_t which)
{
	uint32_t *h = at_dyn(img, DT_GNU_HASH);

	if (which == 2)
		h[2] = 3; /* bloom size not a power of two */
	else
		h[which] = 0x7fffffff; /* nbuckets, or symoffset */
}

/* The first RELA entry (a GLOB_DAT into .got) changed in one field. */
static void break_rela(struct image *img, uint64_t which)
{
	Elf64_Rela *r = at_dyn(img, DT_RELA);
	uint32_t sym = (uint32_t)ELF64_R_SYM(r->r_info);

	switch (which) {
	case 0:
		r->r_info = ELF64_R_INFO(sym, 200);
		break;
	case 1:
		r->r_info = ELF64_R_INFO(sym, R_X86_64_COPY);
		break;
	case 2:
		r->r_offset = find_load(img, PF_R | PF_X)->p_vaddr + 0x10;
		break;
	case 3:
		r->r_offset = span_end(img) + 0x10000;
		break;
	case 4:
		r->r_info = ELF64_R_INFO(0x7fffff, R_X86_64_GLOB_DAT);
		break;
	case 5: /* straddles the end of the span */
		r->r_offset = span_end(img) - 4;
		break;
	}
}

static void break_relr(struct image *img, uint64_t which)
{
	uint64_t *relr = at_dyn(img, DT_RELR);

	if (which == 0)
		relr[0] = span_end(img) + 0x10000; /* an address outside */
	else
		relr[0] = find_load(img, PF_R | PF_X)->p_vaddr; /* into text */
}

static void break_plt(struct image *img, uint64_t unused)
{
	Elf64_Rela *r = at_dyn(img, DT_JMPREL);

	(void)unused;
	r->r_info = ELF64_R_INFO(ELF64_R_SYM(r->r_info), 250);
}

#define IDENT(i, v) (((uint64_t)(i) << 8) | (v))

/* The cases and what the loader must say about each. */
static const struct mal_case cases[] = {
        {"trunc-empty", "truncated", truncate_to, 0},
        {"trunc-ident", "truncated", truncate_to, 10},
        {"trunc-ehdr", "truncated", truncate_to, 63},
        {"trunc-no-phdrs", "program headers outside the file", truncate_to, 64},
        {"trunc-mid-phdrs", "program headers outside the file", truncate_to, 64 + 56 + 20},
        {"trunc-in-text", "outside the file", truncate_in_text, 0},
        {"trunc-in-dynamic", "outside the file", truncate_in_dynamic, 0},
        {"trunc-in-data", "outside the file", truncate_in_data, 0},
        {"bad-magic", "not an ELF file", set_ident, IDENT(EI_MAG1, 'L')},
        {"class-32", "not a 64-bit ELF file", set_ident, IDENT(EI_CLASS, ELFCLASS32)},
        {"class-none", "not a 64-bit ELF file", set_ident, IDENT(EI_CLASS, ELFCLASSNONE)},
        {"big-endian", "not little-endian", set_ident, IDENT(EI_DATA, ELFDATA2MSB)},
        {"ident-version", "unsupported ELF version", set_ident, IDENT(EI_VERSION, 7)},
        {"header-version", "unsupported ELF version", set_version, 9},
        {"machine-aarch64", "not an x86-64 file", set_machine, EM_AARCH64},
        {"machine-386", "not an x86-64 file", set_machine, EM_386},
        {"type-exec", "not a shared object", set_type, ET_EXEC},
        {"type-rel", "not a shared object", set_type, ET_REL},
        {"phoff-past-end", "program headers outside the file", set_phoff, 0},
        {"phoff-wraps", "program headers outside the file", set_phoff, UINT64_MAX - 16},
        {"phnum-huge", "program headers outside the file", set_phnum, 0xfff0},
        {"phnum-zero", "no PT_LOAD", set_phnum, 0},
        {"phentsize-small", "program header size", set_phentsize, 32},
        {"no-load", "no PT_LOAD", drop_loads, 0},
        {"loads-overlap", "PT_LOAD segments overlap or are out of order", overlap_loads, 0},
        {"loads-misordered", "PT_LOAD segments overlap or are out of order", swap_loads, 0},
        {"offset-incongruent", "not congruent", shift_offset, 1},
        {"filesz-over-memsz", "file size larger than memory size", set_text_field, 0},
        {"align-not-pow2", "alignment", set_text_field, 1},
        {"write-exec", "writable and executable", set_text_field, 2},
        {"load-past-eof", "outside the file", set_text_field, 3},
        {"memsz-wraps", "too large", set_text_field, 4},
        {"vaddr-wraps", "too large", set_text_field, 5},
        {"offset-wraps", "outside the file", set_text_field, 6},
        {"dynamic-past-eof", "PT_DYNAMIC outside", move_dynamic, 0},
        {"dynamic-past-span", "PT_DYNAMIC outside", move_dynamic, 1},
        {"strtab-outside", "DT_STRTAB outside", set_dyn, DYN(DT_STRTAB, 0)},
        {"strsz-huge", "DT_STRTAB outside", set_dyn, DYN(DT_STRSZ, 1)},
        {"symtab-outside", "DT_SYMTAB outside", set_dyn, DYN(DT_SYMTAB, 0)},
        {"syment-odd", "DT_SYMENT", set_dyn, DYN(DT_SYMENT, 3)},
        {"hash-outside", "DT_HASH outside", set_dyn, DYN(DT_HASH, 0)},
        {"gnu-hash-outside", "DT_GNU_HASH outside", set_dyn, DYN(DT_GNU_HASH, 0)},
        {"gnu-hash-wraps", "DT_GNU_HASH outside", set_dyn, DYN(DT_GNU_HASH, 2)},
        {"rela-outside", "DT_RELA outside", set_dyn, DYN(DT_RELA, 0)},
        {"relasz-huge", "DT_RELA outside", set_dyn, DYN(DT_RELASZ, 1)},
        {"relaent-odd", "DT_RELAENT", set_dyn, DYN(DT_RELAENT, 3)},
        {"jmprel-outside", "DT_JMPREL outside", set_dyn, DYN(DT_JMPREL, 0)},
        {"pltrelsz-huge", "DT_JMPREL outside", set_dyn, DYN(DT_PLTRELSZ, 1)},
        {"relr-outside", "DT_RELR outside", set_dyn, DYN(DT_RELR, 0)},
        {"relrsz-huge", "DT_RELR outside", set_dyn, DYN(DT_RELRSZ, 1)},
        {"init-array-outside", "DT_INIT_ARRAY outside", set_dyn, DYN(DT_INIT_ARRAY, 0)},
        {"init-arraysz-huge", "DT_INIT_ARRAY outside", set_dyn, DYN(DT_INIT_ARRAYSZ, 1)},
        {"fini-array-outside", "DT_FINI_ARRAY outside", set_dyn, DYN(DT_FINI_ARRAY, 0)},
        {"init-outside", "DT_INIT outside", set_dyn, DYN(DT_INIT, 0)},
        {"needed-name-outside", "outside DT_STRTAB", break_needed_name, 0},
        {"hash-nbucket-huge", "DT_HASH outside", break_sysv_hash, 0},
        {"hash-nchain-huge", "DT_HASH outside", break_sysv_hash, 1},
        {"gnu-nbuckets-huge", "DT_GNU_HASH outside", break_gnu_hash, 0},
        {"gnu-symoffset-huge", "DT_GNU_HASH", break_gnu_hash, 1},
        {"gnu-bloom-not-pow2", "bloom", break_gnu_hash, 2},
        {"reloc-unknown-type", "unsupported relocation type 200", break_rela, 0},
        {"reloc-copy", "unsupported relocation type 5", break_rela, 1},
        {"reloc-into-text", "read-only", break_rela, 2},
        {"reloc-past-span", "relocation outside", break_rela, 3},
        {"reloc-bad-symbol", "symbol index", break_rela, 4},
        {"reloc-straddles-end", "relocation outside", break_rela, 5},
        {"relr-past-span", "relocation outside", break_relr, 0},
        {"relr-into-text", "read-only", break_relr, 1},
        {"plt-unknown-type", "unsupported relocation type 250", break_plt, 0},
};

static struct image read_base(const char *path)
{
	struct image img = {0};
	FILE *f = fopen(path, "rb");
	long size;

	if (!f || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) <= 0)
		die("cannot read the base library");
	rewind(f);
	img.size = (size_t)size;
	img.bytes = malloc(img.size);
	if (!img.bytes || fread(img.bytes, 1, img.size, f) != img.size)
		die("cannot read the base library");
	fclose(f);
	return img;
}

static void write_case(const char *dir, const struct mal_case *c, const struct image *base,
                       FILE *manifest)
{
	struct image img = {malloc(base->size), base->size};
	char path[4096];
	FILE *f;

	if (!img.bytes)
		die("out of memory");
	memcpy(img.bytes, base->bytes, base->size);
	c->mutate(&img, c->arg);
	snprintf(path, sizeof(path), "%s/%s.so", dir, c->name);
	f = fopen(path, "wb");
	if (!f || fwrite(img.bytes, 1, img.size, f) != img.size || fclose(f) != 0)
		die("cannot write a case");
	fprintf(manifest, "%s.so\t%s\n", c->name, c->expect);
	free(img.bytes);
}

int main(int argc, char **argv)
{
	struct image base;
	char path[4096], done[4096];
	FILE *manifest;

	if (argc != 3) {
		fprintf(stderr, "usage: gen_malformed BASE.so DIR\n");
		return 2;
	}
	base = read_base(argv[1]);
	if (mkdir(argv[2], 0755) != 0 && errno != EEXIST)
		die("cannot create the output directory");
	/* Written aside and renamed at the end: a run that dies half way
	 * leaves no manifest for make to take as done. */
	snprintf(path, sizeof(path), "%s/manifest.tmp", argv[2]);
	manifest = fopen(path, "w");
	if (!manifest)
		die("cannot write the manifest");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		write_case(argv[2], &cases[i], &base, manifest);
	if (fclose(manifest) != 0)
		die("cannot write the manifest");
	snprintf(done, sizeof(done), "%s/manifest", argv[2]);
	if (rename(path, done) != 0)
		die("cannot write the manifest");
	free(base.bytes);
	return 0;
}
