/*
 * fileid: a file's identity as stat gives it (device, inode, size, and the
 * times of its last modification and last change) in one word, for the
 * share cache's context and the reload hints (relro_share.c, reload.c): a
 * file rewritten in place or replaced under the same name is another file.
 * The change time too, since a program that rewrites a file can set its
 * modification time back (cp -p, rsync -t) but not that.
 */
#ifndef SL_FILEID_H
#define SL_FILEID_H

#include <stdint.h>
#include <sys/stat.h>

/* splitmix64's finaliser: every input bit reaches every output bit. */
static inline uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static inline uint64_t file_time(const struct timespec *t)
{
	return mix64((uint64_t)t->tv_sec << 30 ^ (uint64_t)t->tv_nsec);
}

static inline uint64_t file_identity(const struct stat *st)
{
	uint64_t times = file_time(&st->st_mtim) ^ mix64(file_time(&st->st_ctim));

	return mix64(st->st_dev ^ mix64(st->st_ino ^ mix64((uint64_t)st->st_size ^ times)));
}

#endif
