/*
 * fileid: a file's identity as stat gives it (device, inode, size and
 * modification time) in one word, for the share cache's context and the
 * reload hints (relro_share.c, reload.c): a file rewritten in place or
 * replaced under the same name is another file.
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

static inline uint64_t file_identity(const struct stat *st)
{
	return mix64(st->st_dev ^ mix64(st->st_ino ^ mix64((uint64_t)st->st_size ^
	                                                   (uint64_t)st->st_mtim.tv_sec << 20 ^
	                                                   (uint64_t)st->st_mtim.tv_nsec)));
}

#endif
