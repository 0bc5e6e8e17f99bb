#include "ldcache.h"
#include "loadpath.h"
#include "sys.h"

#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* The layout ldconfig writes ("glibc-ld.so.cache" "1.1"); string offsets
 * count from the start of the file. */
struct cache_header {
	char magic[17];
	char version[3];
	uint32_t nlibs;
	uint32_t len_strings;
	uint8_t flags;
	uint8_t pad[3];
	uint32_t extension_offset;
	uint32_t unused[3];
};

struct cache_entry {
	int32_t flags;
	uint32_t key, value;
	uint32_t osversion;
	uint64_t hwcap;
};

#define FLAGS_X86_64 0x0303 /* FLAG_ELF_LIBC6 | FLAG_X8664_LIB64 */

static const char SYSTEM_CACHE[] = "/etc/ld.so.cache";

/* The file, mapped by the first lookup and kept mapped for the next
 * loads: each load's first lookup checks that the file is still the one
 * mapped (ldconfig writes a new file and renames it over the old) and maps
 * the new one if not. glibc's dlopen maps it for each load and unmaps it
 * when done; here unmapping the pages a lookup touched cost 40 to 300 us
 * of a first load of 200 to 500 (bench/README.md), and a stat costs 2. The
 * pages are the page cache's, and a lookup touches only the dozen or so
 * entries its binary search visits. Reading the whole file into memory and
 * indexing every entry cost each fresh process 300 us (eleven anonymous
 * pages written, every entry hashed) on its first load with a dependency
 * to search. Global because the cache is the process's, like glibc's; the
 * registry lock guards it. */
static struct {
	const char *data; /* NULL: not mapped */
	size_t size;
	int broken;       /* mapped, but not a cache we can read */
	int checked;      /* checked against the file since the last ldcache_release */
	struct stat file; /* the file mapped, as it was when mapped */
	const char *path; /* a test's on the heap (ldcache_use) */
} cache = {.path = SYSTEM_CACHE};

/* The NUL-terminated string at off, or NULL if it runs off the file. */
static const char *string_at(uint32_t off)
{
	if (off >= cache.size || !memchr(cache.data + off, '\0', cache.size - off))
		return NULL;
	return cache.data + off;
}

static const struct cache_entry *entry(uint32_t i)
{
	return (const struct cache_entry *)(cache.data + sizeof(struct cache_header)) + i;
}

static int valid_header(const struct cache_header *h, size_t size)
{
	return size >= sizeof(*h) && memcmp(h->magic, "glibc-ld.so.cache", 17) == 0 &&
	       memcmp(h->version, "1.1", 3) == 0 &&
	       h->nlibs <= (size - sizeof(*h)) / sizeof(struct cache_entry);
}

LOAD_PATH void ldcache_release(void)
{
	cache.checked = 0;
}

static void unmap_cache(void)
{
	if (cache.data)
		sys_munmap((void *)cache.data, cache.size);
	cache.data = NULL;
	cache.size = 0;
	cache.broken = 0;
}

/* Whether st is the file that is mapped, unchanged. */
static int same_file(const struct stat *st)
{
	return st->st_dev == cache.file.st_dev && st->st_ino == cache.file.st_ino &&
	       st->st_size == cache.file.st_size &&
	       st->st_mtim.tv_sec == cache.file.st_mtim.tv_sec &&
	       st->st_mtim.tv_nsec == cache.file.st_mtim.tv_nsec;
}

/* Whether the mapping may be read for this load: checked already, or
 * still the file at the path. */
static int mapping_current(void)
{
	struct stat st;

	if (!cache.data)
		return 0;
	if (!cache.checked)
		cache.checked = sys_stat(cache.path, &st) == 0 && same_file(&st);
	return cache.checked;
}

/* Maps the cache, or the new one if the file changed. 0, or -1 if there is
 * none that can be read. */
static int map_cache(void)
{
	struct stat st;
	void *p = MAP_FAILED;
	int fd;

	if (mapping_current())
		return cache.broken ? -1 : 0;
	unmap_cache();
	fd = sys_open(cache.path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (sys_fstat(fd, &st) == 0 && st.st_size > 0 && st.st_size < (64 << 20))
		p = sys_mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	sys_close(fd);
	if (p == MAP_FAILED)
		return -1;
	cache.data = p;
	cache.size = (size_t)st.st_size;
	cache.file = st;
	cache.checked = 1;
	cache.broken = !valid_header(p, cache.size);
	return cache.broken ? -1 : 0;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * The order ldconfig sorts the entries in, descending: names compare byte
 * by byte, except that runs of digits compare as numbers and a digit sorts
 * after any other byte (libfoo.so.10 after libfoo.so.9).
 */
static int compare_names(const char *a, const char *b)
{
	while (*a) {
		if (is_digit(*a) && is_digit(*b)) {
			unsigned long x = 0, y = 0;
			while (is_digit(*a))
				x = x * 10 + (unsigned long)(*a++ - '0');
			while (is_digit(*b))
				y = y * 10 + (unsigned long)(*b++ - '0');
			if (x != y)
				return x < y ? -1 : 1;
		} else if (is_digit(*a) || is_digit(*b)) {
			return is_digit(*a) ? 1 : -1;
		} else if (*a != *b) {
			return *a < *b ? -1 : 1;
		} else {
			a++;
			b++;
		}
	}
	return *b ? -1 : 0;
}

/* The first usable entry of name from entry i on, among those of its
 * name; i is the first of them. */
static const char *first_usable(const char *name, uint32_t i, uint32_t n)
{
	for (; i < n; i++) {
		const struct cache_entry *e = entry(i);
		const char *key = string_at(e->key);
		if (!key || compare_names(name, key) != 0)
			return NULL;
		if (e->flags == FLAGS_X86_64 && !e->hwcap && strcmp(key, name) == 0 &&
		    string_at(e->value))
			return cache.data + e->value;
	}
	return NULL;
}

const char *ldcache_lookup(const char *name)
{
	uint32_t n, lo = 0, hi;

	if (map_cache() != 0)
		return NULL;
	n = ((const struct cache_header *)cache.data)->nlibs;
	/* Binary search for an entry of name, in [lo, hi). */
	for (hi = n; lo < hi;) {
		uint32_t mid = lo + (hi - lo) / 2;
		const char *key = string_at(entry(mid)->key);
		int c;
		if (!key)
			return NULL;
		c = compare_names(name, key);
		if (c < 0) {
			lo = mid + 1;
		} else if (c > 0) {
			hi = mid;
		} else {
			/* Back to the first entry of the name. */
			while (mid > 0 && (key = string_at(entry(mid - 1)->key)) &&
			       compare_names(name, key) == 0)
				mid--;
			return first_usable(name, mid, n);
		}
	}
	return NULL;
}

const char *ldcache_path(void)
{
	return cache.path;
}

int ldcache_use(const char *path)
{
	char *copy = strdup(path);
	int rc;

	if (!copy)
		return -1;
	unmap_cache();
	if (cache.path != SYSTEM_CACHE)
		free((char *)cache.path);
	cache.path = copy;
	rc = map_cache();
	ldcache_release();
	return rc;
}
