/*
 * share_place: where a library opened with SL_SHARE goes, packed.
 *
 * A base hashed from the library's identity puts each library of a tree
 * far from the others, and each then takes page-table pages of its own (a
 * warm load of libQt5Core's twelve libraries: 216 KiB of page tables
 * against dlopen's 84, and 1.3 ms of its 8.5). Instead the share directory
 * holds one layout file per salt, a list of records (identity, span, base)
 * that only grows: the first process to meet a library appends it after
 * the last one, under flock, and every later process reads the list and
 * puts the library where it says, so a tree lies packed the way the first
 * process met it, as glibc's would. A record that does not check out is
 * skipped: at worst a library is placed anew, and the caches are keyed by
 * base, so a wrong base costs sharing, never correctness.
 */
#ifndef SL_SHARE_PLACE_H
#define SL_SHARE_PLACE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

/* The base recorded for (identity, span) in dir's layout for this salt,
 * recording one in [lo, hi) if there is none (align: a power of two, at
 * least a page). 0 and *base, or -1 with the reason in why. Under the
 * registry lock. */
int share_place(const char *dir, uint64_t salt, const char *identity, size_t span, size_t align,
                uintptr_t lo, uintptr_t hi, uintptr_t *base, char *why, size_t whycap);

/* Whether a file of the share directory may be trusted: owned by us or
 * root, writable by no one else (whoever can write it could plant pages
 * we map). 0, or -1 with "<what>: <reason>" in why. */
int share_file_trusted(const char *what, const struct stat *st, char *why, size_t cap);

/* FNV-1a of n bytes: the share directory's names and records. */
uint64_t share_hash(const void *bytes, size_t n);

/* The layout file's name in dir for this salt, into name (cap bytes). */
void share_place_name(const char *dir, uint64_t salt, char *name, size_t cap);

#endif
