#include "stage.h"
#include "loadpath.h"
#include "map.h"
#include "reloc.h"
#include "sys.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

/* The copy is made a window at a time, in a buffer on the heap, given
 * back after the stage: the rest of the load and the library's
 * initialisers then allocate from its pages rather than new ones (libcurl's
 * first load faulted 13 heap pages more than glibc's with the buffer kept
 * for the process's life). Below malloc's trim threshold (64 KiB) a free
 * never returns pages to the kernel, so a second stage finds them warm.
 * They are new memory the first time, as costly to touch as the pages a
 * stage saves, and they stay the process's: so the window is a quarter of
 * the library's RELRO, up to 6 pages, but no larger than a stage has
 * warmed already, or 2 pages, unless the RELRO is LARGE_RELRO pages or
 * more (libcrypto's 97 pages staged 8 at a time left 7 heap pages more
 * than glibc's load, 2 at a time none of those, for 2-8% of its first
 * load's time; libLLVM-15's 2,078 would take three times the system
 * calls). libLLVM-15's 8-page window with its 2-page batch, freed, lay
 * under an allocation its initialisers never write whole, 2 pages more
 * than glibc's load touched; 6 and 1 do not (224 anonymous pages both
 * ways), for 2-5% of its first load's time. A library is staged if its
 * RELRO is large enough to pay for that first touch (libgtk-3's 16 pages
 * did not: its tree's first load 0.79x-0.83x of glibc's staged, 0.79x
 * not, four alternating runs), or once a stage has warmed the heap, if it
 * saves more than the system calls cost (libsqlite3's five pages staged
 * alone cost its first load 0.93x -> 1.03x of glibc's; libcurl's tree,
 * warm after libcrypto's 97 pages, gains from staging its libraries of 9
 * to 16). A large RELRO's relocations are read from the file too
 * (batch_from_file). */
#define WINDOW_PAGES   6
#define BATCH_DIV      4 /* batch pages: a quarter of the window's, at least one */
#define COLD_MIN_PAGES 32
#define WARM_MIN_PAGES 4
#define NEW_WINDOW     2 /* window pages not yet warm: at most this many */
#define LARGE_RELRO    128

typedef uint64_t __attribute__((aligned(1))) staged_word;

static size_t warm_window; /* pages of the largest window a stage has had */

LOAD_PATH int stage_wanted(const struct sl_lib *lib, size_t relro_size)
{
	size_t min = warm_window ? WARM_MIN_PAGES : COLD_MIN_PAGES;

	return !(lib->flags & (SL_SHARE | SL_POPULATE)) && relro_size >= min * SYS_PAGE_SIZE;
}

static size_t batch_pages(size_t window_pages)
{
	return window_pages / BATCH_DIV ? window_pages / BATCH_DIV : 1;
}

/* The pages being copied: [lo, lo + size) of link-time addresses, read
 * from the file at lo - delta, with a bit for each page written. */
struct window {
	unsigned char *buf;
	size_t size; /* bytes, at most WINDOW_PAGES pages */
	uint64_t lo;
	uint64_t delta; /* link-time address less file offset */
	unsigned dirty; /* one bit a page */
	int fd;
	int pid; /* this process, asked once a stage (a fork may come between) */
};

/* DT_RELA's entries [first, first + n) as read from the file at rela_off
 * (-1: not in the file, read the mapping). */
struct batch {
	Elf64_Rela *r;
	size_t first, n, cap;
	off_t rela_off;
	const Elf64_Rela *mapped;
	int fd;
};

/* Entry i, or NULL if it cannot be read. */
static const Elf64_Rela *entry(struct batch *b, size_t i)
{
	ssize_t got;

	if (b->rela_off < 0)
		return &b->mapped[i];
	if (i - b->first < b->n)
		return &b->r[i - b->first];
	got = sys_pread(b->fd, b->r, b->cap * sizeof(Elf64_Rela),
	                b->rela_off + (off_t)(i * sizeof(Elf64_Rela)));
	if (got < (ssize_t)sizeof(Elf64_Rela))
		return NULL;
	b->first = i;
	b->n = (size_t)got / sizeof(Elf64_Rela);
	return b->r;
}

/* The writable segment's pages that hold file bytes and no bss: the last
 * file page, zeroed past the file at mapping, is left to reloc.c. */
static int staged_range(const struct sl_lib *lib, uint64_t *lo, uint64_t *hi, uint64_t *delta)
{
	for (size_t i = 0; i < lib->nsegments; i++) {
		const struct sl_segment *s = &lib->segments[i];
		if (s->vaddr != lib->rw_vaddr || !(s->prot & PROT_WRITE))
			continue;
		*lo = s->vaddr & ~(SYS_PAGE_SIZE - 1);
		*hi = (s->vaddr + s->file_size) & ~(SYS_PAGE_SIZE - 1);
		*delta = s->vaddr - s->file_offset;
		return *hi > *lo;
	}
	return 0;
}

static int read_window(struct window *w, uint64_t lo, uint64_t hi)
{
	size_t len = hi - lo < w->size ? hi - lo : w->size;

	w->lo = lo;
	w->dirty = 0;
	return sys_pread(w->fd, w->buf, len, (off_t)(lo - w->delta)) == (ssize_t)len ? 0 : -1;
}

/* Copies the window's written pages into the mapping: by the kernel, which
 * copies each page as a write fault would, or (a kernel or sandbox that
 * refuses process_vm_writev, a short write) by plain stores. */
static void write_window(const struct sl_lib *lib, struct window *w)
{
	struct iovec local[WINDOW_PAGES], remote[WINDOW_PAGES];
	size_t n = 0, total = 0;
	ssize_t done;

	for (unsigned p = 0, q; p < WINDOW_PAGES; p = q) {
		for (; p < WINDOW_PAGES && !(w->dirty >> p & 1); p++)
			;
		for (q = p; q < WINDOW_PAGES && (w->dirty >> q & 1); q++)
			;
		if (q == p)
			continue;
		local[n] = (struct iovec){w->buf + p * SYS_PAGE_SIZE, (q - p) * SYS_PAGE_SIZE};
		remote[n] = (struct iovec){(void *)(lib->base + w->lo + p * SYS_PAGE_SIZE),
		                           (q - p) * SYS_PAGE_SIZE};
		total += local[n++].iov_len;
	}
	done = n ? sys_process_vm_writev(w->pid, local, n, remote, n) : 0;
	for (size_t i = 0; done < (ssize_t)total && i < n; i++) {
		size_t skip = done > 0 ? (size_t)done : 0;
		if (skip >= local[i].iov_len) {
			done -= (ssize_t)local[i].iov_len;
			continue;
		}
		memcpy((char *)remote[i].iov_base + skip, (char *)local[i].iov_base + skip,
		       local[i].iov_len - skip);
		done = 0;
	}
}

/* Applies entries [begin..end) while they lie in [lo, hi) and in order,
 * a window at a time; the index of the first not applied. */
static size_t stage_run(const struct sl_lib *lib, struct window *w, struct batch *b, size_t begin,
                        size_t end, uint64_t hi)
{
	const Elf64_Rela *r = NULL;
	size_t i = begin;

	while (i < end && (r = entry(b, i))) {
		if (r->r_offset + sizeof(staged_word) > hi ||
		    read_window(w, r->r_offset & ~(SYS_PAGE_SIZE - 1), hi))
			break;
		for (; i < end && (r = entry(b, i)); i++) {
			uint64_t at = r->r_offset - w->lo;
			/* Out of order, or astride the window's end: left to reloc.c. */
			if (r->r_offset < w->lo || at + sizeof(staged_word) > w->size ||
			    r->r_offset + sizeof(staged_word) > hi)
				break;
			*(staged_word *)(w->buf + at) = lib->base + r->r_addend;
			w->dirty |= 1u << (at / SYS_PAGE_SIZE) |
			            1u << ((at + sizeof(staged_word) - 1) / SYS_PAGE_SIZE);
		}
		write_window(lib, w);
		/* Back into this window or an earlier one (a table not sorted),
		 * or astride this one's end: a next window would read those
		 * pages anew from the file. */
		if (i < end && r && r->r_offset < w->lo + w->size)
			break;
	}
	return i;
}

static size_t min_size(size_t a, size_t b)
{
	return a < b ? a : b;
}

/* A quarter of lib's RELRO, 1 to WINDOW_PAGES pages; of them, no more
 * than NEW_WINDOW that the heap has not had already, but for a large RELRO. */
static size_t window_pages_for(const struct sl_lib *lib)
{
	size_t relro_pages = lib->relro_size / SYS_PAGE_SIZE;
	size_t pages = relro_pages / 4 ? min_size(relro_pages / 4, WINDOW_PAGES) : 1;

	if (pages > warm_window && relro_pages < LARGE_RELRO)
		pages = warm_window > NEW_WINDOW ? warm_window : min_size(pages, NEW_WINDOW);
	return pages;
}

/* Whether the relocations are read from the file, a batch at a time after
 * the window in the same buffer: for a large RELRO. Read through the
 * mapping, libLLVM-15's 8.7 MiB of them were 2,100 pages more to fault in
 * and touch first; a smaller library's few hundred KiB fault in 16 pages
 * at a time (the kernel's fault-around), and the batch was one heap page
 * more than glibc's load touches (libcrypto's and libssl's first loads
 * took 7-10% longer with it, reading it a page at a time). */
static int batch_from_file(const struct sl_lib *lib)
{
	return lib->relro_size / SYS_PAGE_SIZE >= LARGE_RELRO;
}

/* Stages lib's sorted relative relocations [begin, end) that lie below hi. */
static void stage_from(struct sl_lib *lib, int fd, size_t begin, size_t end, uint64_t hi,
                       struct window *w)
{
	size_t pages = window_pages_for(lib);
	size_t batch = batch_from_file(lib) ? batch_pages(pages) : 0;
	unsigned char *buf = malloc((pages + batch) * SYS_PAGE_SIZE);
	struct batch b = {.rela_off =
	                          batch ? map_file_offset(lib, (uintptr_t)lib->rela - lib->base,
	                                                  lib->nrela * sizeof(Elf64_Rela))
	                                : -1,
	                  .mapped = lib->rela,
	                  .fd = fd};

	if (!buf)
		return;
	w->buf = buf;
	w->size = pages * SYS_PAGE_SIZE;
	w->pid = sys_getpid();
	b.r = (Elf64_Rela *)(buf + w->size);
	b.cap = batch * SYS_PAGE_SIZE / sizeof(Elf64_Rela);
	lib->staged_begin = begin;
	lib->staged_end = stage_run(lib, w, &b, begin, end, hi);
	free(buf);
	if (pages > warm_window)
		warm_window = pages;
}

LOAD_PATH void stage_relative(struct sl_lib *lib, int fd)
{
	size_t nrelative, begin = 0;
	uint64_t lo, hi;
	struct window w = {.fd = fd};

	if (!lib->stage_pending)
		return;
	lib->stage_pending = 0;
	nrelative = reloc_relative_count(lib);
	if (staged_range(lib, &lo, &hi, &w.delta)) {
		while (begin < nrelative && lib->rela[begin].r_offset < lo)
			begin++;
		if (begin < nrelative)
			stage_from(lib, fd, begin, nrelative, hi, &w);
	}
	if (lib->staged_end == lib->staged_begin)
		map_prefault_relro(lib);
}
