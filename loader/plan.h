/*
 * plan: the load plan, read from the program headers. What span to reserve,
 * which segments to map with which protection, where bss and RELRO are.
 * Every PT_LOAD is checked: ascending, non-overlapping, inside the file,
 * offset congruent to address modulo the page size, never writable and
 * executable at once.
 */
#ifndef SL_PLAN_H
#define SL_PLAN_H

#include "lib.h"

#include <elf.h>
#include <stddef.h>

struct plan_segment {
	uint64_t vaddr, memsz, offset, filesz;
	int prot; /* PROT_* */
};

struct load_plan {
	struct plan_segment seg[LIB_MAX_SEGMENTS];
	size_t nseg;
	uint64_t lo, hi; /* page-aligned lowest and highest address */
	uint64_t align;  /* alignment of the span's start, >= page size */
	Elf64_Phdr dynamic, tls, relro, eh_frame, note; /* PT_NULL when absent */
};

/* 0, or -1 with sl_error() naming name. */
int plan_build(const char *name, const Elf64_Phdr *ph, size_t phnum, size_t file_size,
               struct load_plan *plan);

#endif
