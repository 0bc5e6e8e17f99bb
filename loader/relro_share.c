#include "relro_share.h"
#include "sys.h"
#include "reloc_arch.h"
#include "hostsym.h"
#include "share_place.h"
#include "error.h"
#include "fileid.h"
#include "buildid.h"

#include <dirent.h>
#include <elf.h>
#include <link.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

/* Shared bases live in [SHARE_LO, SHARE_HI): far above brk and below where
 * the kernel puts PIE executables (0x55...) and top-down mmaps (0x7f...). */
#define SHARE_LO 0x100000000000ULL
#define SHARE_HI 0x500000000000ULL
/* All of a boot's shared bases lie in one window of this size, the salt
 * choosing which: the span one top-level page-table entry covers, so the
 * libraries of a process share their upper page tables, as glibc's packed
 * ones do (share_place.c packs them closer still). */
#define SHARE_WINDOW (512ULL << 30)

#define HUGE_ALIGN (2UL << 20)

#define CACHE_MAGIC   "SLRELRO1"
#define CACHE_VERSION 6

/*
 * A cache file: its metadata, then the RELRO pages from the first page
 * boundary after it (meta_size), so they can be mapped straight from the
 * file. The metadata is this header; the libraries the RELRO may point
 * into, with their bases (struct share_dep, scope order); one bit a RELRO
 * page, set for a page whose relocated content depends on more than that
 * placement (a binding into glibc, thread-local ids, IFUNC results, unique
 * symbols); the relocations a warm load must still apply (u32 indexes:
 * those whose target is outside the proven pages); the values a warm
 * load writes instead of applying a relocation (struct share_value: the
 * symbol bindings outside the proven pages that placement alone decides);
 * and the bindings into glibc's objects, as offsets into the object
 * (struct share_host_value), which the same host (host_fingerprint) has
 * at another bias in every process.
 */
struct cache_header {
	char magic[8];
	uint32_t version;
	uint32_t page_size;
	char identity[96];
	uint64_t base;
	uint64_t context;       /* hash of the dependencies, as in the name */
	uint64_t relro_offset;  /* first shared page minus base */
	uint64_t relro_size;    /* bytes of whole pages */
	uint64_t checksum;      /* of those pages */
	uint64_t meta_size;     /* bytes before the pages, a multiple of page_size */
	uint64_t meta_checksum; /* of the metadata after this header */
	uint32_t ndeps;         /* struct share_dep records after the header */
	uint32_t nbitmap;       /* bytes of the page bitmap after them; 0: none */
	uint32_t nrelocs;       /* DT_RELA and DT_JMPREL entries of the library */
	uint32_t napply;        /* u32 indexes after the bitmap (4-byte aligned) */
	uint32_t nvalues;       /* struct share_value after them (8-byte aligned) */
	uint32_t nhost;         /* struct share_host_value after them */
};

/* A word outside the proven pages and the value relocation gave it. */
struct share_value {
	uint64_t offset; /* from the load bias: the relocation's r_offset */
	uint64_t value;
};

/* A word bound into one of glibc's objects: that object's bias plus delta. */
struct share_host_value {
	uint64_t offset; /* from the load bias: the relocation's r_offset */
	uint64_t delta;  /* the value minus the object's bias */
	uint32_t object; /* its index in dl_iterate_phdr's order */
	uint32_t unused;
};

/* One library's RELRO pages as this process has them. */
struct relro_span {
	unsigned char *start;
	size_t len;
	size_t page;
};

void share_give_up(struct share_ctx *ctx, const char *reason)
{
	ctx->usable = 0;
	snprintf(ctx->status, sizeof(ctx->status), "private: %s", reason);
}

static uint64_t hash_string(const char *s)
{
	return share_hash(s, strlen(s));
}

/* Word-wise in four independent lanes, mixed at the end, so that checking
 * the 8 MiB RELRO of libLLVM costs about a millisecond. It can be fed in
 * pieces of a multiple of 32 bytes. */
struct checksum {
	uint64_t h[4];
	size_t i; /* words seen */
};

static void checksum_start(struct checksum *c)
{
	*c = (struct checksum){{0x9e3779b97f4a7c15ULL, 1, 2, 3}, 0};
}

static void checksum_add(struct checksum *c, const void *bytes, size_t len)
{
	const uint64_t *w = bytes;
	size_t n = len / 8, j;

	for (j = 0; j + 4 <= n; j += 4, c->i += 4)
		for (int k = 0; k < 4; k++)
			c->h[k] = (c->h[k] ^ w[j + k]) * 0xff51afd7ed558ccdULL + c->i;
	for (; j < n; j++, c->i++)
		c->h[0] = (c->h[0] ^ w[j]) * 0xff51afd7ed558ccdULL + c->i;
}

static uint64_t checksum_end(const struct checksum *c)
{
	return mix64(mix64(c->h[0] ^ mix64(c->h[1])) ^ mix64(c->h[2] ^ mix64(c->h[3])));
}

static uint64_t checksum_pages(const void *pages, size_t len)
{
	struct checksum c;

	checksum_start(&c);
	checksum_add(&c, pages, len);
	return checksum_end(&c);
}

/* ---- The share directory and the per-boot salt ---- */

static int pick_dir(char *path, size_t cap)
{
	const char *env = getenv("SOLOAD_SHARE_DIR");
	const char *run = getenv("XDG_RUNTIME_DIR");
	int n;

	if (env && *env)
		n = snprintf(path, cap, "%s", env);
	else if (run && *run)
		n = snprintf(path, cap, "%s/soload-share", run);
	else
		n = snprintf(path, cap, "/tmp/soload-share-%u", (unsigned)geteuid());
	return n > 0 && (size_t)n < cap ? 0 : -1;
}

int share_dir(char *path, size_t cap, char *why, size_t whycap)
{
	struct stat st;

	if (pick_dir(path, cap) != 0)
		return error_why(why, whycap, "share directory path too long");
	if (lstat(path, &st) != 0 &&
	    (errno != ENOENT || (mkdir(path, 0700) != 0 && errno != EEXIST) ||
	     lstat(path, &st) != 0))
		return error_why(why, whycap, "share directory %s: %s", path, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return error_why(why, whycap, "share directory %s: not a directory", path);
	if (st.st_uid != geteuid())
		return error_why(why, whycap, "share directory %s: owned by uid %u", path,
		                 (unsigned)st.st_uid);
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return error_why(why, whycap, "share directory %s: writable by group or others",
		                 path);
	return 0;
}

/* Writes iov to a fresh file and links it as final, so nobody ever sees a
 * torn file. 0 if ours was linked, 1 if final already existed, -errno. */
static int publish(const char *final, const struct iovec *iov, int niov)
{
	static unsigned counter;
	char tmp[PATH_MAX + 64];
	ssize_t want = 0, got;
	int fd, err = 0;

	for (int i = 0; i < niov; i++)
		want += (ssize_t)iov[i].iov_len;
	snprintf(tmp, sizeof(tmp), "%s.tmp-%d-%u", final, gettid(),
	         __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED));
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0444);
	if (fd < 0)
		return -errno;
	got = writev(fd, iov, niov);
	if (got != want)
		err = got < 0 ? -errno : -ENOSPC;
	close(fd);
	if (!err && link(tmp, final) != 0)
		err = errno == EEXIST ? 1 : -errno;
	unlink(tmp);
	return err;
}

/* 0 and the salt, -ENOENT if there is none yet, -1 with why. */
static int read_salt(const char *name, uint64_t *salt, char *why, size_t cap)
{
	char text[32] = "";
	struct stat st;
	ssize_t n;
	int fd = open(name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0 && errno == ENOENT)
		return -ENOENT;
	if (fd < 0)
		return error_why(why, cap, "salt %s: %s", name, strerror(errno));
	n = fstat(fd, &st) == 0 ? read(fd, text, sizeof(text) - 1) : -1;
	close(fd);
	if (n != 16)
		return error_why(why, cap, "salt %s: unreadable or malformed", name);
	if (share_file_trusted(name, &st, why, cap) != 0)
		return -1;
	*salt = 0;
	for (int i = 0; i < 16; i++) {
		const char *d = strchr("0123456789abcdef", text[i]);
		if (!d || !*d)
			return error_why(why, cap, "salt %s: unreadable or malformed", name);
		*salt = *salt << 4 | (uint64_t)(d - "0123456789abcdef");
	}
	return 0;
}

static int create_salt(const char *name)
{
	uint64_t salt;
	char text[17];
	struct iovec iov = {text, 16};

	if (getrandom(&salt, sizeof(salt), 0) != sizeof(salt))
		return -errno;
	snprintf(text, sizeof(text), "%016llx", (unsigned long long)salt);
	return publish(name, &iov, 1);
}

static int ends_with(const char *s, const char *end)
{
	size_t n = strlen(s), m = strlen(end);

	return n >= m && strcmp(s + n - m, end) == 0;
}

/* True if a's modification time is before b's. */
static int older(const struct stat *a, const struct stat *b)
{
	return a->st_mtim.tv_sec < b->st_mtim.tv_sec ||
	       (a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec < b->st_mtim.tv_nsec);
}

/* The first process of a boot removes the salts and caches of earlier
 * boots, which no base of this boot can match. Only caches older than this
 * boot's salt go: another process may already have read the salt and
 * written a cache of this boot. Temporary files are left: they may be
 * another process's work in progress. */
static void remove_old_boots(const char *dir, const char *salt)
{
	DIR *d = opendir(dir);
	struct stat salt_st, st;
	struct dirent *e;

	if (d && fstatat(dirfd(d), salt, &salt_st, AT_SYMLINK_NOFOLLOW) != 0) {
		closedir(d);
		return;
	}
	while (d && (e = readdir(d))) {
		if (strstr(e->d_name, ".tmp-"))
			continue;
		if (strncmp(e->d_name, "salt-", 5) == 0 && strcmp(e->d_name, salt) != 0)
			unlinkat(dirfd(d), e->d_name, 0);
		else if ((ends_with(e->d_name, ".relro") ||
		          strncmp(e->d_name, "layout-", 7) == 0) &&
		         fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		         older(&st, &salt_st))
			unlinkat(dirfd(d), e->d_name, 0);
	}
	if (d)
		closedir(d);
}

/* With open and read, not stdio: a process's first fopen costs more than
 * the read. */
static int read_boot_id(char *out, size_t cap)
{
	int fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, out, cap - 1);
	close(fd);
	if (n <= 0)
		return -1;
	out[n] = '\0';
	out[strcspn(out, "\n")] = '\0';
	return strlen(out) > 0 && !strchr(out, '/') ? 0 : -1;
}

/* The salt file is named after the boot, so a new boot gets a new salt and
 * racing first processes agree on whichever file was linked first. */
int share_salt(const char *dir, uint64_t *salt, char *why, size_t whycap)
{
	char boot[64], name[PATH_MAX];
	int err;

	if (read_boot_id(boot, sizeof(boot)) != 0)
		return error_why(why, whycap, "cannot read /proc/sys/kernel/random/boot_id");
	snprintf(name, sizeof(name), "%s/salt-%s", dir, boot);
	err = read_salt(name, salt, why, whycap);
	if (err != -ENOENT)
		return err;
	err = create_salt(name);
	if (err < 0)
		return error_why(why, whycap, "salt %s: cannot create: %s", name, strerror(errno));
	if (err == 0)
		remove_old_boots(dir, name + strlen(dir) + 1);
	err = read_salt(name, salt, why, whycap);
	return err == -ENOENT ? error_why(why, whycap, "salt %s: vanished", name) : err;
}

/* ---- Who the library is, and where it goes ---- */

static size_t align_up(size_t n, size_t a)
{
	return (n + a - 1) & ~(a - 1);
}

/* One PT_NOTE: from head (the file's first bytes, got bytes of them) when
 * it lies there, as the notes of a library do, else read. */
static int note_build_id(int fd, const unsigned char *head, size_t got, const Elf64_Phdr *ph,
                         char *hex, size_t cap)
{
	unsigned char buf[4096];
	size_t n = ph->p_filesz < sizeof(buf) ? ph->p_filesz : sizeof(buf);
	size_t align = ph->p_align == 8 ? 8 : 4;

	if (ph->p_offset <= got && n <= got - ph->p_offset)
		return build_id_hex(head + ph->p_offset, n, align, hex, cap);
	if (pread(fd, buf, n, (off_t)ph->p_offset) != (ssize_t)n)
		return -1;
	return build_id_hex(buf, n, align, hex, cap);
}

/* The file's first page holds its header, its program headers and, in
 * every library seen, its notes: one read, not one a program header. */
static int read_build_id(int fd, char *hex, size_t cap)
{
	unsigned char head[4096];
	ssize_t got = pread(fd, head, sizeof(head), 0);
	Elf64_Ehdr eh;

	if (got < (ssize_t)sizeof(eh))
		return -1;
	memcpy(&eh, head, sizeof(eh));
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum > 256)
		return -1;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		uint64_t at = eh.e_phoff + i * sizeof(ph);
		if (at <= (uint64_t)got && sizeof(ph) <= (uint64_t)got - at)
			memcpy(&ph, head + at, sizeof(ph));
		else if (pread(fd, &ph, sizeof(ph), (off_t)at) != sizeof(ph))
			return -1;
		if (ph.p_type == PT_NOTE &&
		    note_build_id(fd, head, (size_t)got, &ph, hex, cap) == 0)
			return 0;
	}
	return -1;
}

int share_identify(int fd, struct share_id *id)
{
	char hex[sizeof(id->text) - 1];
	struct stat st;

	if (read_build_id(fd, hex, sizeof(hex)) == 0) {
		id->text[0] = 'b';
		memcpy(id->text + 1, hex, strlen(hex) + 1);
	} else if (fstat(fd, &st) != 0)
		return -errno;
	else
		snprintf(id->text, sizeof(id->text), "f%llx-%llx-%llx-%llx.%09ld",
		         (unsigned long long)st.st_dev, (unsigned long long)st.st_ino,
		         (unsigned long long)st.st_size, (unsigned long long)st.st_mtim.tv_sec,
		         st.st_mtim.tv_nsec);
	id->hash = hash_string(id->text);
	return 0;
}

/* The start of the salt's window. */
static uintptr_t window(uint64_t salt)
{
	return SHARE_LO + mix64(salt) % ((SHARE_HI - SHARE_LO) / SHARE_WINDOW) * SHARE_WINDOW;
}

static size_t base_align(size_t span, size_t align)
{
	if (align < SYS_PAGE_SIZE)
		align = SYS_PAGE_SIZE;
	/* The kernel puts file mappings of 2 MiB or more on a 2 MiB boundary,
	 * as glibc's dlopen gets them; fault-around then maps the same text
	 * pages in every process, so we do the same. */
	if (span >= HUGE_ALIGN && align < HUGE_ALIGN)
		align = HUGE_ALIGN;
	return align;
}

uintptr_t share_base(const struct share_id *id, uint64_t salt, size_t span, size_t align)
{
	uint64_t slots;

	align = base_align(span, align);
	if (span + align > SHARE_WINDOW) {
		slots = (SHARE_HI - SHARE_LO - span) / align;
		return (uintptr_t)(SHARE_LO + (mix64(id->hash ^ salt) % slots) * align);
	}
	slots = (SHARE_WINDOW - span) / align;
	return (uintptr_t)(window(salt) + (mix64(id->hash ^ salt) % slots) * align);
}

/* The directory and salt the last library found, kept for the next: a
 * library tree of ten asked the same ten times (a mkdir, a stat, the boot
 * id and the salt file each). Kept per directory path: a new
 * SOLOAD_SHARE_DIR is looked at afresh. Under the registry lock. */
static struct {
	char *dir; /* on the heap (share_place.c's layout says why); NULL: none */
	uint64_t salt;
} last_dir;

static int dir_and_salt(struct share_ctx *ctx, char *why, size_t cap)
{
	char path[PATH_MAX];

	if (last_dir.dir && pick_dir(path, sizeof(path)) == 0 && strcmp(path, last_dir.dir) == 0) {
		memcpy(ctx->dir, last_dir.dir, strlen(last_dir.dir) + 1);
		ctx->salt = last_dir.salt;
		return 0;
	}
	if (share_dir(ctx->dir, sizeof(ctx->dir), why, cap) != 0 ||
	    share_salt(ctx->dir, &ctx->salt, why, cap) != 0)
		return -1;
	free(last_dir.dir);
	last_dir.dir = strdup(ctx->dir); /* none kept if out of memory: asked again next time */
	last_dir.salt = ctx->salt;
	return 0;
}

/* Where the layout file puts the library, packed with the others; where
 * its identity hashes to when the layout cannot be used. */
static uintptr_t place(const struct share_ctx *ctx, size_t span, size_t align)
{
	char why[128];
	uintptr_t lo = window(ctx->salt), base;

	align = base_align(span, align);
	if (span + align <= SHARE_WINDOW &&
	    share_place(ctx->dir, ctx->salt, ctx->id.text, span, align, lo, lo + SHARE_WINDOW,
	                &base, why, sizeof(why)) == 0)
		return base;
	return share_base(&ctx->id, ctx->salt, span, align);
}

void share_prepare(struct share_ctx *ctx, int fd, size_t span, size_t align)
{
	char why[sizeof(ctx->status) - 16];
	int err;

	/* All but the path, of which only what is written gets touched: the
	 * whole 4.5 KiB cleared cost each library of a tree two fresh heap
	 * pages (26 of libQt5Core's warm load). */
	memset((char *)ctx + sizeof(ctx->dir), 0, sizeof(*ctx) - sizeof(ctx->dir));
	ctx->dir[0] = '\0';
	if (dir_and_salt(ctx, why, sizeof(why)) != 0) {
		share_give_up(ctx, why);
		return;
	}
	err = share_identify(fd, &ctx->id);
	if (err) {
		snprintf(why, sizeof(why), "cannot identify library: %s", strerror(-err));
		share_give_up(ctx, why);
		return;
	}
	ctx->base = place(ctx, span, align);
	ctx->usable = 1;
}

void *share_reserve(struct share_ctx *ctx, size_t span)
{
	void *want = (void *)ctx->base, *got;

	if (!ctx->usable)
		return NULL;
	got = mmap(want, span, PROT_NONE,
	           MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
	if (got == want) {
		ctx->placed = 1;
		return got;
	}
	/* Kernels before 4.17 take the flag as a mere hint. */
	if (got != MAP_FAILED)
		munmap(got, span);
	share_give_up(ctx, "base address taken");
	return NULL;
}

void share_add_context(struct share_ctx *ctx, const struct share_id *id, uintptr_t base)
{
	struct share_dep *d;

	ctx->context = mix64(ctx->context ^ id->hash) ^ mix64(base);
	if (ctx->ndeps == ctx->deps_cap) {
		size_t cap = ctx->deps_cap ? 2 * ctx->deps_cap : 16;
		if (!(d = realloc(ctx->deps, cap * sizeof(*d)))) {
			share_give_up(ctx, "out of memory");
			return;
		}
		ctx->deps = d;
		ctx->deps_cap = cap;
	}
	d = &ctx->deps[ctx->ndeps++];
	memset(d, 0, sizeof(*d));
	memcpy(d->id, id->text, strnlen(id->text, sizeof(d->id) - 1));
	d->base = base;
}

void share_relocs(struct share_ctx *ctx, uintptr_t bias, const Elf64_Rela *rela, size_t nrela,
                  const Elf64_Rela *jmprel, size_t njmprel, uintptr_t rw_lo, uintptr_t rw_hi)
{
	ctx->rw_lo = rw_lo;
	ctx->rw_hi = rw_hi > rw_lo ? rw_hi : rw_lo;
	ctx->bias = bias;
	ctx->rela = rela;
	ctx->nrela = nrela;
	ctx->jmprel = jmprel;
	ctx->njmprel = njmprel;
}

/* ---- The cache file ---- */

/* The format's version is in the name: a loader of another version,
 * sharing the directory, keeps its own caches instead of finding ours
 * "not matching" (and we theirs) until the next boot clears them. The
 * name holds the identity, the base and a hash of the dependencies'
 * placement, so a library replaced or a dependency moved finds no cache
 * (and writes its own) rather than a stale one. */
static void cache_name(const struct share_ctx *ctx, char *name, size_t cap)
{
	snprintf(name, cap, "%s/%s-%llx-%016llx-v%d.relro", ctx->dir, ctx->id.text,
	         (unsigned long long)ctx->base, (unsigned long long)ctx->context, CACHE_VERSION);
}

static int bit(const unsigned char *map, size_t i)
{
	return (map[i / 8] >> (i % 8)) & 1;
}

static size_t bitmap_len(const struct relro_span *s)
{
	return (s->len / s->page + 7) / 8;
}

static size_t nrelocs(const struct share_ctx *ctx)
{
	return ctx->nrela + ctx->njmprel;
}

/* Where the parts of the metadata start, and its size in whole pages. */
struct meta_layout {
	size_t deps, bitmap, apply, values, host, size;
};

/* How many of each part a cache's metadata holds. */
struct meta_counts {
	size_t napply, nvalues, nhost;
};

static struct meta_layout layout(size_t ndeps, size_t nbitmap, const struct meta_counts *c,
                                 size_t page)
{
	struct meta_layout m = {0};

	m.deps = sizeof(struct cache_header);
	m.bitmap = m.deps + ndeps * sizeof(struct share_dep);
	m.apply = align_up(m.bitmap + nbitmap, 4);
	m.values = align_up(m.apply + c->napply * sizeof(uint32_t), 8);
	m.host = m.values + c->nvalues * sizeof(struct share_value);
	m.size = align_up(m.host + c->nhost * sizeof(struct share_host_value), page);
	return m;
}

/* The header a cache for our span must have, the sizes of its parts and
 * its checksums aside. */
static void fill_header(const struct share_ctx *ctx, const struct relro_span *s,
                        struct cache_header *h)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->magic, CACHE_MAGIC, sizeof(h->magic));
	h->version = CACHE_VERSION;
	h->page_size = (uint32_t)s->page;
	snprintf(h->identity, sizeof(h->identity), "%s", ctx->id.text);
	h->base = ctx->base;
	h->context = ctx->context;
	h->relro_offset = (uint64_t)((uintptr_t)s->start - ctx->base);
	h->relro_size = s->len;
	h->ndeps = (uint32_t)ctx->ndeps;
	h->nrelocs = (uint32_t)nrelocs(ctx);
}

/* Whether [addr, addr + len) lies in RELRO pages the bitmap proves. */
static int in_proven(const struct share_ctx *ctx, const unsigned char *map, uintptr_t addr,
                     size_t len)
{
	size_t page = SYS_PAGE_SIZE;

	if (addr < ctx->relro_lo || addr > ctx->relro_hi || ctx->relro_hi - addr < len)
		return 0;
	return !bit(map, (addr - ctx->relro_lo) / page) &&
	       !bit(map, (addr + len - 1 - ctx->relro_lo) / page);
}

/* What bound the word at addr (two bits a word, or-ed as relocations
 * write it): WORD_PLACED, WORD_HOST, WORD_OTHER for anything else or a
 * mix, 0 for nothing recorded. */
enum { WORD_PLACED = 1, WORD_HOST = 2, WORD_OTHER = 3 };

static unsigned word_state(const struct share_ctx *ctx, uintptr_t addr)
{
	size_t w;

	if (!ctx->words || addr % 8 || addr < ctx->rw_lo || addr >= ctx->rw_hi)
		return 0;
	w = (addr - ctx->rw_lo) / 8;
	return (ctx->words[w / 4] >> (w % 4 * 2)) & 3;
}

static void mark_word(struct share_ctx *ctx, uintptr_t addr, unsigned bits)
{
	size_t w;

	if (!ctx->words || addr < ctx->rw_lo || addr >= ctx->rw_hi)
		return;
	w = (addr - ctx->rw_lo) / 8;
	ctx->words[w / 4] |= (unsigned char)(bits << (w % 4 * 2));
}

/* Where the parts of a new cache's list go; NULL to count them only. */
struct meta_out {
	uint32_t *apply;
	struct share_value *values;
	struct share_host_value *host;
};

/* A word bound into one of glibc's objects as an offset into it: 0, or
 * -1 if the value lies in none (a thread's own copy of a variable). */
static int host_value(const struct share_ctx *ctx, const Elf64_Rela *r,
                      struct share_host_value *out)
{
	uint64_t value = *(const uint64_t *)(ctx->bias + r->r_offset);
	uintptr_t bias;
	uint32_t object;

	if (hostsym_object_at((const void *)(uintptr_t)value, &object, &bias) != 0)
		return -1;
	*out = (struct share_host_value){r->r_offset, value - bias, object, 0};
	return 0;
}

/* The relocations a warm load still applies: every one whose target is
 * not inside proven pages, but those whose value it writes as recorded,
 * placed or bound into glibc's objects. */
static void list_apply(const struct share_ctx *ctx, struct meta_out *out, struct meta_counts *c)
{
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < nrelocs(ctx); i++) {
		const Elf64_Rela *r =
		        i < ctx->nrela ? &ctx->rela[i] : &ctx->jmprel[i - ctx->nrela];
		enum reloc_kind kind = reloc_kind_of(ELF64_R_TYPE(r->r_info));
		uintptr_t at = ctx->bias + r->r_offset;
		int bound = kind == RK_SYMBOLIC || kind == RK_GOT || kind == RK_PLT;
		struct share_host_value hv;
		if (kind == RK_NONE ||
		    in_proven(ctx, ctx->unproven, at, kind == RK_TLSDESC ? 16 : 8))
			continue;
		if (bound && word_state(ctx, at) == WORD_PLACED) {
			if (out)
				out->values[c->nvalues] =
				        (struct share_value){r->r_offset, *(const uint64_t *)at};
			c->nvalues++;
		} else if (bound && word_state(ctx, at) == WORD_HOST &&
		           host_value(ctx, r, &hv) == 0) {
			if (out)
				out->host[c->nhost] = hv;
			c->nhost++;
		} else {
			if (out)
				out->apply[c->napply] = (uint32_t)i;
			c->napply++;
		}
	}
}

/* 0 if we wrote the cache, 1 if another process was first, -errno. The
 * bitmap and the list of relocations to apply go with it only if this
 * relocation recorded a bitmap. */
static int write_cache(const struct share_ctx *ctx, const struct relro_span *s, const char *name)
{
	int warm = ctx->unproven && nrelocs(ctx) < UINT32_MAX;
	size_t nbitmap = warm ? bitmap_len(s) : 0;
	struct meta_counts c = {0, 0, 0};
	struct meta_layout m;

	if (warm)
		list_apply(ctx, NULL, &c);
	m = layout(ctx->ndeps, nbitmap, &c, s->page);
	unsigned char *meta = calloc(1, m.size);
	struct iovec iov[2] = {{meta, m.size}, {s->start, s->len}};
	struct cache_header *h = (struct cache_header *)meta;
	int err;

	if (!meta)
		return -ENOMEM;
	fill_header(ctx, s, h);
	h->checksum = checksum_pages(s->start, s->len);
	h->meta_size = m.size;
	h->nbitmap = (uint32_t)nbitmap;
	h->napply = (uint32_t)c.napply;
	h->nvalues = (uint32_t)c.nvalues;
	h->nhost = (uint32_t)c.nhost;
	if (ctx->ndeps) /* memcpy from NULL is undefined even for 0 bytes */
		memcpy(meta + m.deps, ctx->deps, ctx->ndeps * sizeof(*ctx->deps));
	if (nbitmap)
		memcpy(meta + m.bitmap, ctx->unproven, nbitmap);
	if (warm) {
		struct meta_out out = {(uint32_t *)(meta + m.apply),
		                       (struct share_value *)(meta + m.values),
		                       (struct share_host_value *)(meta + m.host)};
		list_apply(ctx, &out, &c);
	}
	h->meta_checksum = checksum_pages(meta + sizeof(*h), m.size - sizeof(*h));
	err = publish(name, iov, 2);
	free(meta);
	return err;
}

/* Whoever wrote the cache: a file of another user is never used. */
static int check_trusted(int fd, struct stat *st, char *why, size_t cap)
{
	if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode))
		return error_why(why, cap, "not a regular file");
	return share_file_trusted("cache", st, why, cap);
}

/* The header against our library, base and dependencies; m gets the
 * layout it gives. */
static int check_header(const struct share_ctx *ctx, const struct relro_span *s,
                        const struct cache_header *got, off_t file_size, struct meta_layout *m,
                        char *why, size_t cap)
{
	struct cache_header want;

	fill_header(ctx, s, &want);
	want.checksum = got->checksum;
	want.meta_size = got->meta_size;
	want.meta_checksum = got->meta_checksum;
	want.nbitmap = got->nbitmap;
	want.napply = got->napply;
	want.nvalues = got->nvalues;
	want.nhost = got->nhost;
	if (memcmp(got, &want, sizeof(want)) != 0 ||
	    (got->nbitmap && got->nbitmap != bitmap_len(s)))
		return error_why(why, cap, "cache header does not match this library and base");
	*m = layout(got->ndeps, got->nbitmap,
	            &(struct meta_counts){got->napply, got->nvalues, got->nhost}, s->page);
	if (got->meta_size != m->size || (uint64_t)file_size != m->size + s->len)
		return error_why(why, cap, "cache has %lld bytes, expected %zu",
		                 (long long)file_size, m->size + s->len);
	return 0;
}

/* A value is written only to a word of the writable segment that no
 * proven page (mapped read-only) holds. */
static int value_in_place(const struct share_ctx *ctx, const unsigned char *bitmap,
                          uint64_t offset, char *why, size_t cap)
{
	uintptr_t at = ctx->bias + offset;

	if (offset % 8 || at < ctx->rw_lo || at >= ctx->rw_hi || ctx->rw_hi - at < 8 ||
	    (bitmap && in_proven(ctx, bitmap, at, 8)))
		return error_why(why, cap,
		                 "cache has a value for 0x%llx, outside its writable pages",
		                 (unsigned long long)offset);
	return 0;
}

/* The rest of the metadata: its checksum, the dependencies' placement
 * (the name holds only a hash of it), the list's indexes, and where each
 * value goes. */
static int check_meta(const struct share_ctx *ctx, const unsigned char *meta,
                      const struct meta_layout *m, char *why, size_t cap)
{
	const struct cache_header *h = (const struct cache_header *)meta;
	const uint32_t *apply = (const uint32_t *)(meta + m->apply);
	const struct share_value *values = (const struct share_value *)(meta + m->values);
	const struct share_host_value *host = (const struct share_host_value *)(meta + m->host);
	const unsigned char *bitmap = h->nbitmap ? meta + m->bitmap : NULL;

	if (checksum_pages(meta + sizeof(*h), m->size - sizeof(*h)) != h->meta_checksum)
		return error_why(why, cap, "cache checksum mismatch (corrupt metadata)");
	if (h->ndeps && memcmp(meta + m->deps, ctx->deps, h->ndeps * sizeof(*ctx->deps)) != 0)
		return error_why(why, cap, "cache made with its dependencies placed elsewhere");
	for (size_t i = 0; i < h->napply; i++)
		if (apply[i] >= nrelocs(ctx))
			return error_why(why, cap, "cache lists relocation %u of %zu", apply[i],
			                 nrelocs(ctx));
	for (size_t i = 0; i < h->nvalues; i++)
		if (value_in_place(ctx, bitmap, values[i].offset, why, cap) != 0)
			return -1;
	for (size_t i = 0; i < h->nhost; i++)
		if (value_in_place(ctx, bitmap, host[i].offset, why, cap) != 0)
			return -1;
	return 0;
}

/* Everything a cache file must be before one of its pages is compared
 * with ours (file: the whole file mapped). */
static int check_cache(const struct share_ctx *ctx, const struct relro_span *s, int fd,
                       const unsigned char *file, struct meta_layout *m, char *why, size_t cap)
{
	const struct cache_header *h = (const struct cache_header *)file;
	struct stat st;

	if (check_trusted(fd, &st, why, cap) != 0)
		return -1;
	if ((size_t)st.st_size < s->page + s->len)
		return error_why(why, cap, "cache has %lld bytes, expected at least %zu",
		                 (long long)st.st_size, s->page + s->len);
	if (check_header(ctx, s, h, st.st_size, m, why, cap) != 0 ||
	    check_meta(ctx, file, m, why, cap) != 0)
		return -1;
	if (checksum_pages(file + m->size, s->len) != h->checksum)
		return error_why(why, cap, "cache checksum mismatch (corrupt)");
	return 0;
}

/* Replaces our pages [from, to) with the file's pages, which start at
 * offset pages. If the kernel refuses, an anonymous copy of the file's
 * bytes takes their place: as right, only not shared. */
static int map_run(const struct relro_span *s, int fd, off_t pages, size_t from, size_t to)
{
	unsigned char *at = s->start + from * s->page;
	size_t len = (to - from) * s->page;
	off_t off = pages + (off_t)(from * s->page);

	if (mmap(at, len, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, off) != MAP_FAILED)
		return 0;
	if (mmap(at, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1,
	         0) != MAP_FAILED &&
	    pread(fd, at, len, off) != (ssize_t)len)
		memset(at, 0, len);
	return -1;
}

/* Maps every page of ours identical to the cache's from the cache file;
 * returns how many were. */
static size_t map_identical(const struct relro_span *s, int fd, const unsigned char *cached,
                            off_t pages)
{
	size_t npages = s->len / s->page, shared = 0, i = 0;

	while (i < npages) {
		size_t j = i;
		while (j < npages &&
		       memcmp(cached + j * s->page, s->start + j * s->page, s->page) == 0)
			j++;
		if (j > i && map_run(s, fd, pages, i, j) == 0)
			shared += j - i;
		i = j + 1;
	}
	return shared;
}

/* Opens the cache for our span, writing it first if there is none and
 * write is set. */
static int open_cache(const struct share_ctx *ctx, const struct relro_span *s, int write,
                      int *created, char *why, size_t cap)
{
	char name[PATH_MAX + 128];
	int fd, err;

	cache_name(ctx, name, sizeof(name));
	*created = 0;
	fd = open(name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && write) {
		err = write_cache(ctx, s, name);
		if (err < 0)
			return error_why(why, cap, "cannot write cache %s: %s", name,
			                 strerror(-err));
		*created = err == 0;
		fd = open(name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0)
		return error_why(why, cap, "cache %s: %s", name, strerror(errno));
	return fd;
}

/* The cold path: relocated pages compared with the cache's, the identical
 * ones mapped from it. */
static void share_span(struct share_ctx *ctx, const struct relro_span *s,
                       struct sl_share_stats *st)
{
	char why[sizeof(ctx->status) - 16];
	struct meta_layout m = {0};
	unsigned char *file;
	struct stat sb;
	size_t len = 0;
	int created, fd = open_cache(ctx, s, 1, &created, why, sizeof(why));

	if (fd < 0) {
		share_give_up(ctx, why);
		return;
	}
	file = fstat(fd, &sb) == 0 && sb.st_size > 0
	               ? mmap(NULL, len = (size_t)sb.st_size, PROT_READ, MAP_SHARED, fd, 0)
	               : MAP_FAILED;
	if (file == MAP_FAILED) {
		snprintf(why, sizeof(why), "cannot map cache: %s", strerror(errno));
		share_give_up(ctx, why);
	} else if (check_cache(ctx, s, fd, file, &m, why, sizeof(why)) != 0) {
		share_give_up(ctx, why);
	} else {
		st->shared_pages = map_identical(s, fd, file + m.size, (off_t)m.size);
		st->private_pages = st->relro_pages - st->shared_pages;
		snprintf(ctx->status, sizeof(ctx->status), "%s", created ? "created" : "shared");
	}
	if (file != MAP_FAILED)
		munmap(file, len);
	close(fd);
}

static struct relro_span whole_pages(void *relro, size_t size)
{
	size_t page = SYS_PAGE_SIZE;
	uintptr_t lo = (uintptr_t)relro & ~(page - 1);
	uintptr_t hi = ((uintptr_t)relro + size) & ~(page - 1);

	return (struct relro_span){(unsigned char *)lo, hi > lo ? hi - lo : 0, page};
}

static void start_stats(const struct share_ctx *ctx, const struct relro_span *s,
                        struct sl_share_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->requested = 1;
	st->status = ctx->status;
	st->relro_pages = s->len / s->page;
	st->private_pages = st->relro_pages;
}

void share_relro(struct share_ctx *ctx, void *relro, size_t size, struct sl_share_stats *st)
{
	struct relro_span s = whole_pages(relro, size);

	if (ctx->warm) {
		/* share_warm mapped the proven pages and set *st; relocation,
		 * the list's one user, is done. */
		free(ctx->meta);
		ctx->meta = NULL;
		ctx->apply = NULL;
		return;
	}
	start_stats(ctx, &s, st);
	if (!ctx->usable)
		return;
	if (s.len == 0) {
		share_give_up(ctx, "no whole RELRO page");
		return;
	}
	share_span(ctx, &s, st);
	free(ctx->words); /* recorded in the cache, or not to be */
	ctx->words = NULL;
}

/* Maps the proven pages of a checked cache file, in runs. How many. */
static size_t map_proven(struct share_ctx *ctx, const struct relro_span *s, int fd, off_t pages)
{
	size_t npages = s->len / s->page, shared = 0, i = 0;

	while (i < npages) {
		size_t j = i;
		while (j < npages && !bit(ctx->unproven, j))
			j++;
		if (j > i && map_run(s, fd, pages, i, j) == 0)
			shared += j - i;
		i = j + 1;
	}
	return shared;
}

/* Whether the cache's pages, from offset pages, have the checksum the
 * header gives: a page damaged after the cache was written would be
 * mapped as it is, never compared. */
static int check_pages(const struct relro_span *s, int fd, off_t pages, uint64_t checksum,
                       char *why, size_t cap)
{
	/* Read through one small buffer on the stack: a mapping of the pages
	 * (populated, then unmapped) or a heap buffer as large as they are,
	 * each of whose pages faulted in fresh, cost a warm load of
	 * libQt5Core's tree 1.4 ms for its 60 pages, this 0.1 ms. */
	unsigned char buf[16384] __attribute__((aligned(64)));
	struct checksum c;
	size_t done, n;
	ssize_t got;

	checksum_start(&c);
	for (done = 0; done < s->len; done += n) {
		n = s->len - done < sizeof(buf) ? s->len - done : sizeof(buf);
		if ((got = pread(fd, buf, n, pages + (off_t)done)) != (ssize_t)n)
			return error_why(why, cap, "cannot read cache: %s",
			                 got < 0 ? strerror(errno) : "short read");
		checksum_add(&c, buf, n);
	}
	return checksum_end(&c) == checksum
	               ? 0
	               : error_why(why, cap, "cache checksum mismatch (corrupt)");
}

/* Whether the bitmap at map proves any of the span's pages. */
static int proves_any(const struct relro_span *s, const unsigned char *map)
{
	for (size_t i = 0; i < s->len / s->page; i++)
		if (!bit(map, i))
			return 1;
	return 0;
}

/* The metadata of the cache at fd, read and checked, and its pages'
 * checksum: a malloc'd copy, or NULL. The header proves the file was made
 * for this library at this base, the dependencies recorded that every
 * library the RELRO points into is where it was. */
static unsigned char *read_meta(const struct share_ctx *ctx, const struct relro_span *s, int fd,
                                struct meta_layout *m, char *why, size_t cap)
{
	unsigned char *meta = malloc(s->page), *more;
	const struct cache_header *h;
	struct stat st;

	if (!meta || check_trusted(fd, &st, why, cap) != 0 ||
	    (size_t)st.st_size < s->page + s->len ||
	    pread(fd, meta, s->page, 0) != (ssize_t)s->page ||
	    check_header(ctx, s, (const struct cache_header *)meta, st.st_size, m, why, cap) != 0)
		goto fail;
	if (m->size > s->page) {
		if (!(more = realloc(meta, m->size)))
			goto fail;
		meta = more;
		if (pread(fd, meta + s->page, m->size - s->page, (off_t)s->page) !=
		    (ssize_t)(m->size - s->page))
			goto fail;
	}
	/* Pages a warm load does not map need no check: if the bitmap proves
	 * none, none is used (the cold path, which compares, checks them). */
	h = (const struct cache_header *)meta;
	if (check_meta(ctx, meta, m, why, cap) == 0 &&
	    (!h->nbitmap || !proves_any(s, meta + m->bitmap) ||
	     check_pages(s, fd, (off_t)m->size, h->checksum, why, cap) == 0))
		return meta;
fail:
	free(meta);
	return NULL;
}

/* The biases of glibc's objects each host value of the cache at meta
 * names, read once: a malloc'd array, or NULL if this host lacks one (or
 * memory ran out), with the reason in why. */
static uintptr_t *host_biases(const unsigned char *meta, const struct meta_layout *m, char *why,
                              size_t cap)
{
	const struct cache_header *h = (const struct cache_header *)meta;
	const struct share_host_value *host = (const struct share_host_value *)(meta + m->host);
	size_t n = 0;
	uintptr_t *bias = hostsym_object_biases(&n);

	if (!bias)
		error_why(why, cap, "cannot read glibc's objects");
	for (size_t i = 0; bias && i < h->nhost; i++) {
		if (host[i].object >= n) {
			error_why(why, cap, "cache binds into object %u, which this host lacks",
			          host[i].object);
			free(bias);
			bias = NULL;
		}
	}
	return bias;
}

/* The words a warm load writes instead of relocating, each checked to lie
 * in the writable pages left private (check_meta). */
static void write_values(const struct share_ctx *ctx, const unsigned char *meta,
                         const struct meta_layout *m, const uintptr_t *bias)
{
	const struct cache_header *h = (const struct cache_header *)meta;
	const struct share_value *values = (const struct share_value *)(meta + m->values);
	const struct share_host_value *host = (const struct share_host_value *)(meta + m->host);

	for (size_t i = 0; i < h->nvalues; i++)
		*(uint64_t *)(ctx->bias + values[i].offset) = values[i].value;
	for (size_t i = 0; i < h->nhost; i++)
		*(uint64_t *)(ctx->bias + host[i].offset) = bias[host[i].object] + host[i].delta;
}

/* The warm path: a checked cache with a bitmap, whose proven pages are
 * mapped. 0, or -1 if there is none (the cold path then runs). */
static int warm_from(struct share_ctx *ctx, const struct relro_span *s, struct sl_share_stats *st)
{
	char why[sizeof(ctx->status) - 16];
	struct meta_layout m = {0};
	unsigned char *meta;
	uintptr_t *bias = NULL;
	size_t shared;
	int created, fd = open_cache(ctx, s, 0, &created, why, sizeof(why));

	if (fd < 0)
		return -1;
	meta = read_meta(ctx, s, fd, &m, why, sizeof(why));
	if (!meta || !((struct cache_header *)meta)->nbitmap ||
	    !(bias = host_biases(meta, &m, why, sizeof(why)))) {
		free(meta);
		close(fd);
		return -1;
	}
	memcpy(ctx->unproven, meta + m.bitmap, bitmap_len(s));
	ctx->warm = 1;
	ctx->meta = meta;
	ctx->apply = (const uint32_t *)(meta + m.apply);
	ctx->napply = ((struct cache_header *)meta)->napply;
	shared = map_proven(ctx, s, fd, (off_t)m.size);
	close(fd);
	write_values(ctx, meta, &m, bias);
	free(bias);
	st->shared_pages = shared;
	st->private_pages = st->relro_pages - shared;
	snprintf(ctx->status, sizeof(ctx->status), "shared");
	return 0;
}

/* An object's identity as it is mapped: its build-id, read from its
 * notes in memory, else its file's. */
static uint64_t object_identity(const struct dl_phdr_info *info)
{
	char hex[sizeof(((struct share_id *)0)->text)];
	struct stat st;

	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type == PT_NOTE &&
		    build_id_hex((const unsigned char *)(info->dlpi_addr + ph->p_vaddr),
		                 ph->p_memsz, ph->p_align == 8 ? 8 : 4, hex, sizeof(hex)) == 0)
			return hash_string(hex);
	}
	if (!info->dlpi_name[0] || stat(info->dlpi_name, &st) != 0)
		return 0;
	return file_identity(&st);
}

static int hash_object(struct dl_phdr_info *info, size_t size, void *data)
{
	uint64_t *h = data;

	(void)size;
	*h = mix64(*h ^ hash_string(info->dlpi_name));
	*h = mix64(*h ^ object_identity(info));
	return 0;
}

/*
 * Which objects glibc has loaded, the program's file first, and what each
 * is: a binding that went to a library of the scope in one process goes to
 * the program or a preload in another that defines the same name (an
 * interposer's operator new), and a binding into glibc's objects is
 * recorded as an offset into the object (share_host_bound), which holds
 * only for the same files. IFUNC resolvers choose by the CPU's features
 * as the kernel reports them and as GLIBC_TUNABLES masks them: both are
 * part of it too. So the proven pages and the recorded values hold only
 * for the same host. Part of every cache's context; taken again when
 * glibc's set of objects changed. Under the registry lock.
 */
static uint64_t host_fingerprint(void)
{
	static uint64_t fp;
	static unsigned long long generation;
	static int have;
	unsigned long long now = hostsym_generation();
	const char *tunables = getenv("GLIBC_TUNABLES");
	struct stat st;
	uint64_t h = 0x6a09e667f3bcc909ULL;

	if (have && generation == now)
		return fp;
	if (stat("/proc/self/exe", &st) == 0)
		h = mix64(h ^ file_identity(&st));
	h = mix64(h ^ getauxval(AT_HWCAP)) ^ mix64(getauxval(AT_HWCAP2));
	h = mix64(h ^ hash_string(tunables ? tunables : ""));
	dl_iterate_phdr(hash_object, &h);
	fp = h;
	generation = now;
	have = 1;
	return fp;
}

void share_warm(struct share_ctx *ctx, void *relro, size_t size, struct sl_share_stats *st)
{
	struct relro_span s = whole_pages(relro, size);
	size_t nmap = bitmap_len(&s);

	start_stats(ctx, &s, st);
	if (!ctx->usable || !s.len || !(ctx->unproven = calloc(1, nmap)))
		return;
	ctx->context = mix64(ctx->context ^ host_fingerprint());
	ctx->relro_lo = (uintptr_t)s.start;
	ctx->relro_hi = (uintptr_t)s.start + s.len;
	if (warm_from(ctx, &s, st) == 0)
		return;
	memset(ctx->unproven, 0, nmap); /* recorded afresh by this relocation */
	/* Two bits a word of the writable segment, for the values to record;
	 * without them, every relocation outside proven pages is listed. */
	ctx->words = calloc(1, ((ctx->rw_hi - ctx->rw_lo) / 8 + 3) / 4 + 1);
}

int share_apply_list(const struct share_ctx *ctx, const uint32_t **list, size_t *n)
{
	if (!ctx->warm || !ctx->apply)
		return -1;
	*list = ctx->apply;
	*n = ctx->napply;
	return 0;
}

/* The RELRO page index of addr, or -1 if outside. */
static long page_of(const struct share_ctx *ctx, uintptr_t addr)
{
	if (addr < ctx->relro_lo || addr >= ctx->relro_hi)
		return -1;
	return (long)((addr - ctx->relro_lo) / SYS_PAGE_SIZE);
}

int share_mapped(const struct share_ctx *ctx, uintptr_t addr)
{
	return ctx->warm && in_proven(ctx, ctx->unproven, addr, 8);
}

void share_placed(struct share_ctx *ctx, uintptr_t addr)
{
	if (!ctx->warm)
		mark_word(ctx, addr, WORD_PLACED);
}

/* The word's page depends on more than the placement; the word itself
 * was bound as state says. */
static void mark_unproven(struct share_ctx *ctx, uintptr_t addr, unsigned state)
{
	long a, b;

	if (ctx->warm || !ctx->unproven)
		return;
	mark_word(ctx, addr, state);
	a = page_of(ctx, addr);
	b = page_of(ctx, addr + 7);
	if (a >= 0)
		ctx->unproven[a / 8] |= (unsigned char)(1u << (a % 8));
	if (b >= 0)
		ctx->unproven[b / 8] |= (unsigned char)(1u << (b % 8));
}

void share_unproven(struct share_ctx *ctx, uintptr_t addr)
{
	mark_unproven(ctx, addr, WORD_OTHER);
}

void share_host_bound(struct share_ctx *ctx, uintptr_t addr)
{
	mark_unproven(ctx, addr, WORD_HOST);
}

void share_release(struct share_ctx *ctx)
{
	free(ctx->unproven);
	ctx->unproven = NULL;
	free(ctx->words);
	ctx->words = NULL;
	free(ctx->meta);
	ctx->meta = NULL;
	ctx->apply = NULL;
	free(ctx->deps);
	ctx->deps = NULL;
	ctx->ndeps = ctx->deps_cap = 0;
}
