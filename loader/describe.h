/*
 * describe: what `soload info` shows, read from the library without running
 * any of its code: the header check, load plan, mapping and dynamic table
 * steps run, nothing after them. Also the section addresses gdb needs.
 */
#ifndef SL_DESCRIBE_H
#define SL_DESCRIBE_H

#include "plan.h"

#include <stddef.h>
#include <stdint.h>

#define DESCRIBE_RELOC_TYPES 64

struct description {
	const char *path;
	const char *soname; /* NULL if none */
	const char *runpath;
	struct load_plan plan;
	const char **needed;
	size_t nneeded;
	size_t nsyms;
	int gnu_hash, sysv_hash;
	int versioned;                            /* DT_VERSYM present */
	size_t reloc_count[DESCRIBE_RELOC_TYPES]; /* by x86-64 type number */
	size_t reloc_other;                       /* types >= DESCRIBE_RELOC_TYPES */
	size_t relr_count;                        /* addresses the RELR table relocates */
	uint64_t flags, flags_1;                  /* DT_FLAGS, DT_FLAGS_1 */
	char build_id[81];                        /* hex, "" if none */
	struct sl_lib *lib;                       /* the mapping behind the pointers */
};

/* 0, or -1 with sl_error(). Release with describe_release. */
int describe_library(const char *path, struct description *d);
void describe_release(struct description *d);

/* One allocated section of the file: name and link-time address. */
struct section {
	char name[32];
	uint64_t addr;
};

/* The allocated sections of the file at path, in file order; *out is
 * malloc'ed. 0, or -1 with sl_error(). */
int describe_sections(const char *path, struct section **out, size_t *n);

#endif
