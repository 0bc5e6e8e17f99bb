/*
 * libs: what every shared library costs the machine. Each process's smaps
 * is read once; every mapping of a shared object (an ELF ET_DYN file other
 * than the process's own executable, keyed by device and inode) is summed
 * into its library: RSS, PSS, USS, private dirty, text, and the private
 * dirty pages inside its PT_GNU_RELRO range (found from its program
 * headers and each mapping's file offset). A mapping of a libsoload share
 * cache (".relro") counts with the library mapped just below it. Each
 * library's file is measured once with cachestat.
 *
 * A process's figures are kept apart until its smaps has been read to the
 * end with the process still there, then added to its libraries; one that
 * exits or cannot be read goes to the error list and adds nothing. Memory
 * grows with the number of distinct mapped files, not with processes or
 * mappings.
 */
#ifndef LIBS_H
#define LIBS_H

#include "kernel/procwalk.h"
#include "kernel/residency.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Processes named per library, those with the most PSS of it. */
#define LIBS_TOP_PIDS 8

/* What one library costs in one process, or summed over processes. */
struct libs_counts {
	uint64_t mappings, rss, pss, uss, private_dirty, shared, swap;
	uint64_t text_rss, text_pss;  /* executable mappings */
	uint64_t relro_private_dirty; /* private dirty pages in the RELRO range */
	uint64_t relro_cache_rss;     /* mappings of its libsoload share cache */
	uint64_t relro_cache_pss;
};

struct libs_pid {
	pid_t pid;
	uint64_t pss;
};

enum libs_file_kind { LIBS_OTHER, LIBS_LIBRARY, LIBS_RELRO_CACHE };

struct libs_lib {
	uint64_t inode;
	unsigned dev_major, dev_minor;
	enum libs_file_kind kind;
	bool deleted;
	char *path; /* libraries only: the path in the first process seen */
	/* Read from the file when first seen (cachestat before the headers). */
	uint64_t size;
	const char *file_unavailable;        /* why the file could not be opened, or NULL */
	struct residency res;                /* res.unavailable: why no page counts */
	uint64_t relro_start, relro_end;     /* page-aligned file offsets; equal: none */
	const char *relro_unavailable;       /* why the RELRO range is not known */
	const char *relro_dirty_unavailable; /* why its private dirty pages are not */
	struct libs_counts sum;
	uint64_t processes;
	uint64_t relro_largest; /* the most relro_private_dirty in one process */
	struct libs_pid top[LIBS_TOP_PIDS];
	unsigned ntop;
	/* The process being read. */
	pid_t cur_pid;
	struct libs_counts cur;
	bool cur_relro_unmeasured;
};

struct libs_query {
	const pid_t *pids; /* NULL: every process but this one */
	size_t npids;
	const char *glob; /* only libraries whose path matches (fnmatch), or NULL */
};

struct libs_report {
	struct libs_lib *files; /* every distinct mapped file, libraries and others */
	size_t nfiles, files_cap;
	uint32_t *slots; /* open-addressing table of indices + 1 into files */
	size_t slots_cap;
	size_t nlibs;
	size_t processes;   /* read to the end */
	size_t no_memory;   /* kernel threads and zombies */
	size_t stray_relro; /* share-cache mappings with no library below them */
	struct proc_errors errors;
	/* The process being read: the libraries it touched. */
	uint32_t *touched;
	size_t ntouched, touched_cap;
};

/* Scans the processes q names (or all). 0, or -errno if /proc cannot be
 * listed or memory runs out; release with libs_free either way. */
int libs_run(const struct libs_query *q, struct libs_report *r);

/* Scans one process whose /proc directory is open as procdir (the report
 * zeroed first, or from an earlier call). A process that cannot be read or
 * exits goes to r->errors. 0, or -ENOMEM. */
int libs_scan_process(struct libs_report *r, const struct libs_query *q, pid_t pid, int procdir);

enum libs_sort {
	LIBS_BY_PSS,
	LIBS_BY_RSS,
	LIBS_BY_USS,
	LIBS_BY_PRIVATE_DIRTY,
	LIBS_BY_RELRO,
	LIBS_BY_PROCESSES,
	LIBS_BY_RESIDENT,
};

/* "pss", "rss", ... as --sort takes them. 0, or -1 if unknown. */
int libs_parse_sort(const char *name, enum libs_sort *out);
const char *libs_sort_name(enum libs_sort key);

/* The libraries, most first by key (path on ties): an array of nlibs
 * pointers for the caller to free, or NULL. */
const struct libs_lib **libs_sorted(const struct libs_report *r, enum libs_sort key);

/* NULL when lib's relro_private_dirty was measured (in every process), else why not. */
const char *libs_relro_unavailable(const struct libs_lib *lib);

/* What sharing lib's RELRO would save: its relro_private_dirty less the
 * largest copy in one process. */
uint64_t libs_relro_saving(const struct libs_lib *lib);

struct libs_totals {
	uint64_t libraries;
	struct libs_counts sum;
	uint64_t relro_saving;
	uint64_t relro_unmeasured;    /* libraries left out of the two RELRO figures */
	uint64_t resident_pages;      /* of the libraries' files measured */
	uint64_t resident_unmeasured; /* libraries whose files were not */
};

void libs_totals(const struct libs_report *r, struct libs_totals *t);

void libs_free(struct libs_report *r);

#endif
