/*
 * share_mem: what one process spends on the mappings of a set of files (a
 * library and the libraries it loaded), summed from its /proc/PID/smaps,
 * and, where privileged, how many mappers each of those pages has
 * (/proc/PID/pagemap PFNs looked up in /proc/kpagecount).
 */
#ifndef SHARE_MEM_H
#define SHARE_MEM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Which mappings count: those of these files (by device and inode, or by
 * path), and those whose path starts with one of the prefixes. */
struct share_mem_files {
	size_t n;
	struct share_mem_file {
		dev_t dev;
		ino_t ino;
		char *path; /* resolved */
	} * files;
	size_t nprefixes;
	char **prefixes;
};

/* Bytes, summed over the matching mappings. */
struct share_mem {
	size_t mappings;
	uint64_t rss, pss, shared_clean, shared_dirty, private_clean, private_dirty;
	uint64_t text_rss, text_pss; /* of the executable mappings */
	int have_mapcount;           /* 0: the two page counts are unknown, see mapcount_why */
	char mapcount_why[128];
	uint64_t sole_pages;   /* resident pages mapped only here */
	uint64_t shared_pages; /* resident pages mapped more than once */
};

/* Adds path's file to the set; 0 or -errno. Duplicates are ignored. */
int share_mem_add_file(struct share_mem_files *set, const char *path);
/* Adds a path prefix; 0 or -ENOMEM. */
int share_mem_add_prefix(struct share_mem_files *set, const char *prefix);
void share_mem_free(struct share_mem_files *set);

/* Measures pid's mappings of set into *out; 0 or -errno (-ENOENT when the
 * process is gone). A refused page count is not an error: have_mapcount
 * is 0 and mapcount_why says why. */
int share_mem_measure(pid_t pid, const struct share_mem_files *set, struct share_mem *out);

#endif
