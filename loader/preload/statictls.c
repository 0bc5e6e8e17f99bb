#include "statictls.h"
#include "error.h"
#include "glibctls.h"
#include "realdl.h"
#include "tls.h"

#include <dirent.h>
#include <elf.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* The first bytes are never handed out: their non-zero value keeps the
 * reserve in .tdata, whose image glibc copies into every new thread. */
#define HEAD      64
#define MAX_ALIGN 64

static __thread unsigned char reserve[STATICTLS_RESERVE]
        __attribute__((tls_model("initial-exec"), aligned(MAX_ALIGN))) = {1};

extern const char __ehdr_start[];

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static size_t used = HEAD;
static unsigned char *template; /* the reserve in the preload's TLS image */
static uintptr_t relro_lo, relro_hi;

/* Finds the reserve in the preload's own TLS image, and its RELRO range. */
static int find_self(struct dl_phdr_info *info, size_t size, void *arg)
{
	(void)size;
	(void)arg;
	if (info->dlpi_addr != (uintptr_t)__ehdr_start)
		return 0; /* not the preload (its ELF header is at its load bias) */
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t at = info->dlpi_addr + ph->p_vaddr;
		size_t off = (size_t)(reserve - (unsigned char *)info->dlpi_tls_data);
		if (ph->p_type == PT_TLS && info->dlpi_tls_data &&
		    off + STATICTLS_RESERVE <= ph->p_filesz)
			template = (unsigned char *)at + off;
		if (ph->p_type == PT_GNU_RELRO) {
			relro_lo = at;
			relro_hi = at + ph->p_memsz;
		}
	}
	return 1;
}

/* Threads of this process other than the caller. */
static int other_threads(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1;
}

static int all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

/* Writes the image into the template, which may lie in RELRO. */
static int write_template(size_t off, const struct tls_image *img)
{
	long page = sysconf(_SC_PAGESIZE);
	uintptr_t lo = (uintptr_t)(template + off) & ~(uintptr_t)(page - 1);
	uintptr_t hi =
	        ((uintptr_t)(template + off + img->filesz) + page - 1) & ~(uintptr_t)(page - 1);
	int ro = lo < relro_hi && hi > relro_lo;

	if (!img->filesz)
		return 0;
	if (ro && mprotect((void *)lo, hi - lo, PROT_READ | PROT_WRITE) != 0)
		return -1;
	memcpy(template + off, img->init, img->filesz);
	if (ro && mprotect((void *)lo, hi - lo, PROT_READ) != 0)
		return -1;
	return 0;
}

/* Existing threads hold zeros where a library's block goes: refused if
 * its image is not all zeros. */
static int refuse_initial_values(const char *name, const struct tls_image *img)
{
	int others;

	if (img->filesz && !all_zero(img->init, img->filesz) && (others = other_threads()) != 0)
		return error_set(
		        name,
		        "initial-exec TLS with initial values, and %d other threads whose "
		        "copies cannot be set up exist already (SOLOAD_PRELOAD_FALLBACK=1 "
		        "hands such a library to glibc)",
		        others);
	return 0;
}

static int place(const char *name, const struct tls_image *img, ptrdiff_t *tpoff, size_t *at)
{
	size_t align = img->align > 16 ? img->align : 16;
	size_t off = (used + align - 1) & ~(align - 1);

	if (!template)
		return error_set(name, "initial-exec TLS: the preload's static TLS was not found");
	if (align > MAX_ALIGN)
		return error_set(name,
		                 "initial-exec TLS aligned to %zu bytes: static TLS gives %d",
		                 img->align, MAX_ALIGN);
	if (off + img->memsz > STATICTLS_RESERVE)
		return error_set(
		        name,
		        "initial-exec TLS of %zu bytes does not fit in static TLS: %zu of "
		        "%d bytes left",
		        img->memsz, STATICTLS_RESERVE - (used < off ? off : used),
		        STATICTLS_RESERVE - HEAD);
	if (refuse_initial_values(name, img) != 0)
		return -1;
	*tpoff = (char *)reserve + off - thread_pointer();
	*at = off + img->memsz;
	return 0;
}

/* An image with initial values, known before relocation, while other
 * threads exist: glibc sets their copies up (glibctls.c); else the
 * reserve, which only threads to come start from. */
static int assign(const char *name, const struct tls_image *img, ptrdiff_t *tpoff)
{
	size_t end = 0;
	int rc;

	pthread_mutex_lock(&lock);
	if (img->final && img->filesz && !all_zero(img->init, img->filesz) && other_threads() != 0)
		rc = glibctls_assign(name, img, tpoff);
	else if ((rc = place(name, img, tpoff, &end)) == 0)
		used = end;
	pthread_mutex_unlock(&lock);
	return rc;
}

/* A block glibc set up: relocation must have left the image as it was
 * worked out before. */
static int check_glibcs(const char *name, const struct tls_image *img, ptrdiff_t tpoff)
{
	if (img->filesz && memcmp(thread_pointer() + tpoff, img->init, img->filesz) != 0)
		return error_set(name, "initial-exec TLS: relocation left its image other than "
		                       "the one set up in every thread");
	return 0;
}

/* The image is final (relocated): into the template, for threads to come,
 * and into this thread's copy. */
static int publish(const char *name, const struct tls_image *img, ptrdiff_t tpoff)
{
	size_t off = (size_t)(thread_pointer() + tpoff - (char *)reserve);
	int rc;

	pthread_mutex_lock(&lock);
	if (off >= STATICTLS_RESERVE) { /* not the reserve's: glibc's (assign) */
		rc = check_glibcs(name, img, tpoff);
		pthread_mutex_unlock(&lock);
		return rc;
	}
	rc = refuse_initial_values(name, img);
	if (rc == 0 && write_template(off, img) != 0)
		rc = error_set(name, "initial-exec TLS: cannot write the TLS template: %m");
	if (rc == 0) {
		if (img->filesz) /* init is NULL for a block of zeros */
			memcpy(reserve + off, img->init, img->filesz);
		memset(reserve + off + img->filesz, 0, img->memsz - img->filesz);
	}
	pthread_mutex_unlock(&lock);
	return rc;
}

static const struct tls_static_provider provider = {assign, publish};

void statictls_init(void)
{
	real.dl_iterate_phdr(find_self, NULL);
	tls_set_static_provider(&provider);
}
