/*
 * file_restore: brings the resident ranges a "mapscope file --save" list
 * recorded back into the page cache (POSIX_FADV_WILLNEED for every range,
 * then a read of the ranges through one fixed buffer to wait for them), for
 * warming a service's hot set after a restart. A file that vanished,
 * changed size or has a corrupt entry is reported and the rest restored.
 */
#ifndef FILE_RESTORE_H
#define FILE_RESTORE_H

#include <stdbool.h>
#include <stdint.h>

/* Bytes read at a time while waiting for a range. */
#define FILE_RESTORE_CHUNK (1 << 20)

struct file_restore_result {
	const char *path;
	bool attempted; /* the file was opened and its ranges asked for */
	uint64_t size;
	uint64_t ranges, pages; /* saved ranges and the pages they cover */
	/* Pages of the file in the page cache before and after; the kernel's
	 * readahead may bring in more than the ranges. */
	uint64_t resident_before, resident_after;
	const char *resident_unavailable; /* why the two were not measured, or NULL */
	const char *error;                /* why the file was not (wholly) restored, or NULL */
	const char *skipped; /* the save recorded no ranges for it, and why; or NULL */
};

typedef void (*file_restore_fn)(const struct file_restore_result *f, void *ctx);

/* Restores every file of the list at path, calling fn for each. 0; -1 when
 * the list itself cannot be used, with the reason in why. */
int file_restore_run(const char *path, file_restore_fn fn, void *ctx, char *why, unsigned len);

#endif
