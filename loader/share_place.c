#include "share_place.h"
#include "sys.h"
#include "error.h"
#include "arraygrow.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define PLACE_MAGIC "SLPLACE1"

/* One record of the layout file, written with one append. */
struct place_rec {
	char magic[8];
	char identity[96];
	uint64_t base;
	uint64_t span;
	uint64_t check; /* of the fields above: a torn or damaged record is skipped */
};

/* The layout last read, kept for the next library (a tree of twelve would
 * read it twelve times), and how far into the file it was read. The name
 * on the heap: a PATH_MAX array here put the loader's other globals a page
 * apart, each page a fault in a fresh process's first load. */
static struct {
	char *name; /* NULL: none read */
	struct place_rec *recs;
	size_t n, cap;
	off_t read_to;
	uintptr_t end; /* the end of the highest record */
} layout;

uint64_t share_hash(const void *bytes, size_t n)
{
	const unsigned char *p = bytes;
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

static uint64_t record_check(const struct place_rec *r)
{
	return share_hash(r, offsetof(struct place_rec, check));
}

void share_place_name(const char *dir, uint64_t salt, char *name, size_t cap)
{
	snprintf(name, cap, "%s/layout-%016llx", dir, (unsigned long long)salt);
}

/* A record is used only if it is whole, lies in [lo, hi) and overlaps no
 * record before it. */
static int record_ok(const struct place_rec *r, uintptr_t lo, uintptr_t hi)
{
	size_t page = SYS_PAGE_SIZE;

	if (memcmp(r->magic, PLACE_MAGIC, sizeof(r->magic)) != 0 || r->check != record_check(r) ||
	    !memchr(r->identity, '\0', sizeof(r->identity)) || !r->span || r->base % page ||
	    r->base < lo || r->base > hi || hi - r->base < r->span)
		return 0;
	for (size_t i = 0; i < layout.n; i++)
		if (r->base < layout.recs[i].base + layout.recs[i].span &&
		    layout.recs[i].base < r->base + r->span)
			return 0;
	return 1;
}

/* The records appended since the last read, 32 a read. */
static void read_new(int fd, uintptr_t lo, uintptr_t hi)
{
	struct place_rec buf[32];
	ssize_t got;

	while ((got = pread(fd, buf, sizeof(buf), layout.read_to)) >= (ssize_t)sizeof(buf[0])) {
		for (size_t i = 0; i < (size_t)got / sizeof(buf[0]); i++) {
			const struct place_rec *r = &buf[i];
			layout.read_to += (off_t)sizeof(*r);
			if (!record_ok(r, lo, hi) ||
			    array_grow(&layout.recs, &layout.cap, layout.n, sizeof(*r), 16) != 0)
				continue;
			layout.recs[layout.n++] = *r;
			if (r->base + r->span > layout.end)
				layout.end = r->base + r->span;
		}
		if ((size_t)got < sizeof(buf))
			break;
	}
}

static const struct place_rec *find(const char *identity, size_t span)
{
	for (size_t i = 0; i < layout.n; i++)
		if (layout.recs[i].span == span && strcmp(layout.recs[i].identity, identity) == 0)
			return &layout.recs[i];
	return NULL;
}

int share_file_trusted(const char *what, const struct stat *st, char *why, size_t cap)
{
	if (st->st_uid != geteuid() && st->st_uid != 0)
		return error_why(why, cap, "%s: owned by uid %u", what, (unsigned)st->st_uid);
	if (st->st_mode & (S_IWGRP | S_IWOTH))
		return error_why(why, cap, "%s: writable by group or others", what);
	return 0;
}

/* Whoever can write the layout could move our libraries onto each other's
 * bases (which only costs sharing), but it is refused like a cache. */
static int check_file(int fd, const char *name, char *why, size_t cap)
{
	struct stat st;

	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		return error_why(why, cap, "layout %s: not a regular file", name);
	return share_file_trusted(name, &st, why, cap);
}

/* Appends a record for (identity, span) after the highest one, under the
 * file's lock, unless another process did first. */
static int add_record(const char *identity, size_t span, size_t align, uintptr_t lo, uintptr_t hi,
                      uint64_t salt, char *why, size_t cap)
{
	struct place_rec r;
	uintptr_t start;
	int fd = open(layout.name, O_RDWR | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
	int rc = -1;

	if (fd < 0)
		return error_why(why, cap, "layout %s: %s", layout.name, strerror(errno));
	if (check_file(fd, layout.name, why, cap) != 0)
		goto out;
	if (flock(fd, LOCK_EX) != 0) {
		error_why(why, cap, "layout %s: cannot lock: %s", layout.name, strerror(errno));
		goto out;
	}
	read_new(fd, lo, hi);
	if (find(identity, span)) {
		rc = 0;
		goto out;
	}
	/* The first library of a boot starts somewhere in the first half of
	 * the window, on a huge-page boundary; the rest follow it. */
	start = layout.end
	                ? layout.end
	                : lo + ((salt * 0x9e3779b97f4a7c15ULL) % ((hi - lo) / 2) & ~0x1fffffULL);
	start = (start + align - 1) & ~(uintptr_t)(align - 1);
	if (start < lo || start > hi || hi - start < span) {
		error_why(why, cap, "layout %s: no room for %zu bytes", layout.name, span);
		goto out;
	}
	memset(&r, 0, sizeof(r));
	memcpy(r.magic, PLACE_MAGIC, sizeof(r.magic));
	snprintf(r.identity, sizeof(r.identity), "%s", identity);
	r.base = start;
	r.span = span;
	r.check = record_check(&r);
	if (write(fd, &r, sizeof(r)) != (ssize_t)sizeof(r)) {
		error_why(why, cap, "layout %s: cannot write: %s", layout.name, strerror(errno));
		goto out;
	}
	read_new(fd, lo, hi);
	rc = find(identity, span) ? 0 : error_why(why, cap, "layout %s: record lost", layout.name);
out:
	close(fd); /* drops the lock */
	return rc;
}

int share_place(const char *dir, uint64_t salt, const char *identity, size_t span, size_t align,
                uintptr_t lo, uintptr_t hi, uintptr_t *base, char *why, size_t whycap)
{
	char name[PATH_MAX];
	const struct place_rec *r;
	int fd;

	share_place_name(dir, salt, name, sizeof(name));
	if (!layout.name || strcmp(name, layout.name) != 0) {
		free(layout.recs);
		free(layout.name);
		memset(&layout, 0, sizeof(layout));
		if (!(layout.name = strdup(name)))
			return error_why(why, whycap, "layout %s: out of memory", name);
	}
	if (!(r = find(identity, span)) &&
	    (fd = open(layout.name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) >= 0) {
		if (check_file(fd, layout.name, why, whycap) == 0)
			read_new(fd, lo, hi);
		close(fd);
		r = find(identity, span);
	}
	if (!r && add_record(identity, span, align, lo, hi, salt, why, whycap) == 0)
		r = find(identity, span);
	if (!r)
		return -1;
	*base = (uintptr_t)r->base;
	return 0;
}
