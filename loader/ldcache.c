#include "ldcache.h"

#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* The mapped file and a hash index of its usable entries (entry + 1, 0:
 * empty), built once: the file is sorted in an order only glibc's own
 * comparison knows. Global because the cache is the process's, like
 * glibc's; the registry lock guards it. */
static struct {
	int read;
	char path[PATH_MAX];
	const char *data;
	size_t size;
	uint32_t *index;
	size_t slots; /* a power of two */
} cache = {.path = "/etc/ld.so.cache"};

static uint32_t hash_name(const char *s)
{
	uint32_t h = 5381;

	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h;
}

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

static const char *key_of(uint32_t slot_value)
{
	return cache.data + entry(slot_value - 1)->key;
}

static void index_entry(uint32_t i)
{
	const struct cache_entry *e = entry(i);
	const char *key = string_at(e->key);
	size_t s;

	if (e->flags != FLAGS_X86_64 || e->hwcap || !key || !string_at(e->value))
		return;
	for (s = hash_name(key) & (cache.slots - 1); cache.index[s];
	     s = (s + 1) & (cache.slots - 1))
		if (strcmp(key_of(cache.index[s]), key) == 0)
			return; /* the first entry of a name is the one */
	cache.index[s] = i + 1;
}

static int valid_header(const struct cache_header *h, size_t size)
{
	return size >= sizeof(*h) && memcmp(h->magic, "glibc-ld.so.cache", 17) == 0 &&
	       memcmp(h->version, "1.1", 3) == 0 &&
	       h->nlibs <= (size - sizeof(*h)) / sizeof(struct cache_entry);
}

static void forget(void)
{
	free((void *)cache.data);
	free(cache.index);
	cache.data = NULL;
	cache.index = NULL;
	cache.size = cache.slots = 0;
}

/* Read into memory rather than mapped: a mapping kept for the life of the
 * process would look like a leak to whoever counts them. */
static int load_cache(void)
{
	int fd = open(cache.path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *buf = NULL;
	ssize_t n = -1;

	if (fd >= 0 && fstat(fd, &st) == 0 && st.st_size > 0 && st.st_size < (64 << 20) &&
	    (buf = malloc((size_t)st.st_size)))
		n = read(fd, buf, (size_t)st.st_size);
	if (fd >= 0)
		close(fd);
	if (!buf || n != st.st_size) {
		free(buf);
		return -1;
	}
	cache.data = buf;
	cache.size = (size_t)n;
	return 0;
}

static int read_cache(void)
{
	const struct cache_header *h;

	cache.read = 1;
	if (load_cache() != 0)
		return -1;
	h = (const struct cache_header *)cache.data;
	if (!valid_header(h, cache.size))
		goto bad;
	for (cache.slots = 16; cache.slots < 2 * (size_t)h->nlibs; cache.slots *= 2)
		;
	if (!(cache.index = calloc(cache.slots, sizeof(*cache.index))))
		goto bad;
	for (uint32_t i = 0; i < h->nlibs; i++)
		index_entry(i);
	return 0;
bad:
	forget();
	return -1;
}

const char *ldcache_lookup(const char *name)
{
	if (!cache.read)
		read_cache();
	if (!cache.index)
		return NULL;
	for (size_t s = hash_name(name) & (cache.slots - 1); cache.index[s];
	     s = (s + 1) & (cache.slots - 1))
		if (strcmp(key_of(cache.index[s]), name) == 0)
			return cache.data + entry(cache.index[s] - 1)->value;
	return NULL;
}

const char *ldcache_path(void)
{
	return cache.path;
}

int ldcache_use(const char *path)
{
	forget();
	snprintf(cache.path, sizeof(cache.path), "%s", path);
	return read_cache();
}
