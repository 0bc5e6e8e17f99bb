/*
 * file_top: the N files of a scan with the most pages in the page cache
 * (or evicted from it), kept in a heap of N as the files stream by, so a
 * tree of any size costs the memory of N entries. Every file that is not
 * kept, or is pushed out later, goes to a callback (for the totals).
 */
#ifndef FILE_TOP_H
#define FILE_TOP_H

#include "kernel/residency.h"

#include <stddef.h>

enum file_top_key { FILE_TOP_RESIDENT, FILE_TOP_EVICTED };

struct file_top_item {
	char *path;
	struct residency r;
};

typedef void (*file_top_drop_fn)(const char *path, const struct residency *r, void *ctx);

struct file_top {
	struct file_top_item *items; /* a min-heap until file_top_finish */
	size_t n, cap;
	enum file_top_key key;
	file_top_drop_fn drop;
	void *ctx;
};

/* "resident" or "evicted". 0, or -1 if unknown. */
int file_top_parse_key(const char *name, enum file_top_key *out);

/* Room for cap files. 0 or -ENOMEM. */
int file_top_init(struct file_top *t, size_t cap, enum file_top_key key, file_top_drop_fn drop,
                  void *ctx);

/* Offers a measured file: kept if it is among the first cap so far, else
 * (or a file it pushes out) handed to drop. A file whose pages could not
 * be counted is never kept. 0, or -ENOMEM (the file is dropped). */
int file_top_offer(struct file_top *t, const char *path, const struct residency *r);

/* Orders the kept files, most first (path on ties): items[0..n). */
void file_top_finish(struct file_top *t);

void file_top_free(struct file_top *t);

#endif
