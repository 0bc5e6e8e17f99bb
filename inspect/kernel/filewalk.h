/*
 * filewalk: the files behind a list of paths, walking directories with
 * openat/fdopendir (one open directory per level of depth), never following
 * symlinks inside a tree unless asked, optionally staying on one
 * filesystem, and handing each hard-linked file over once. Every regular
 * file is opened read-only and non-blocking and handed to a callback; what
 * could not be opened or is not a regular file is handed over with the
 * reason. Probes only: nothing here prints or exits.
 */
#ifndef FILEWALK_H
#define FILEWALK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

struct filewalk_opts {
	bool recursive;    /* -r: descend into directories */
	bool follow;       /* -L: follow symlinks found inside directories */
	bool one_fs;       /* -x: do not enter directories on other filesystems */
	int (*stop)(void); /* non-zero: hand over nothing more (an interrupt); may be NULL */
};

enum filewalk_kind {
	FILEWALK_FILE,  /* a regular file, open in fd */
	FILEWALK_ERROR, /* could not be examined or opened: err */
	FILEWALK_SKIP,  /* not a regular file, or not to be entered: reason */
};

struct filewalk_entry {
	enum filewalk_kind kind;
	const char *path;
	bool operand;          /* named by the caller rather than found in a directory */
	int fd;                /* FILEWALK_FILE; closed by the walk after the callback */
	const struct stat *st; /* FILEWALK_FILE and FILEWALK_SKIP */
	int err;               /* FILEWALK_ERROR: errno value */
	const char *reason;    /* FILEWALK_ERROR and FILEWALK_SKIP: why, in words */
};

struct filewalk_stats {
	uint64_t duplicate_links; /* files already handed over under another name */
	uint64_t symlinks;        /* symlinks inside trees, not followed */
};

typedef void (*filewalk_fn)(const struct filewalk_entry *e, void *ctx);

/* Hands every file behind paths[0..n) to fn. 0, or -ENOMEM when the walk
 * itself could not go on. */
int filewalk_run(char *const *paths, int n, const struct filewalk_opts *opts, filewalk_fn fn,
                 void *ctx, struct filewalk_stats *stats);

#endif
