#include "rdebug.h"

#include <elf.h>
#include <stddef.h>
#include <sys/auxv.h>

static struct r_debug_extended ours;
static int linked;

/* glibc's r_debug, where a debugger finds it: the executable's DT_DEBUG,
 * which the dynamic linker fills in. The symbol _r_debug can name a copy
 * instead (a copy relocation in an executable that refers to it). */
static struct r_debug_extended *host_debug(void)
{
	const ElfW(Phdr) *ph = (const void *)getauxval(AT_PHDR);
	size_t n = getauxval(AT_PHNUM);
	uintptr_t bias = 0;
	const ElfW(Dyn) *d = NULL;

	for (size_t i = 0; ph && i < n; i++)
		if (ph[i].p_type == PT_PHDR)
			bias = (uintptr_t)ph - ph[i].p_vaddr;
	for (size_t i = 0; ph && i < n; i++)
		if (ph[i].p_type == PT_DYNAMIC)
			d = (const void *)(bias + ph[i].p_vaddr);
	for (; d && d->d_tag != DT_NULL; d++)
		if (d->d_tag == DT_DEBUG && d->d_un.d_ptr)
			return (struct r_debug_extended *)d->d_un.d_ptr;
	return (struct r_debug_extended *)&_r_debug;
}

void rdebug_init(void)
{
	struct r_debug_extended *base = host_debug(), **pp;

	if (linked || !base->base.r_brk)
		return;
	ours.base.r_version = 2;
	ours.base.r_ldbase = base->base.r_ldbase;
	ours.base.r_brk = base->base.r_brk;
	ours.base.r_state = RT_CONSISTENT;
	/* glibc appends a dlmopen namespace at the end too, under its own
	 * lock; this runs in the preload's constructor, before the program
	 * proper. */
	for (pp = &base->r_next; *pp; pp = &(*pp)->r_next)
		if (*pp == &ours)
			return;
	__atomic_store_n(pp, &ours, __ATOMIC_RELEASE);
	/* r_next is read from version 2 on (glibc bumps it for dlmopen). */
	if (base->base.r_version < 2)
		__atomic_store_n(&base->base.r_version, 2, __ATOMIC_RELEASE);
	linked = 1;
}

static void signal_debugger(void)
{
	((void (*)(void))ours.base.r_brk)();
}

void rdebug_begin(int state)
{
	if (!linked)
		return;
	__atomic_store_n(&ours.base.r_state, state, __ATOMIC_RELEASE);
	signal_debugger();
}

void rdebug_end(struct link_map *head)
{
	if (!linked)
		return;
	__atomic_store_n(&ours.base.r_map, head, __ATOMIC_RELEASE);
	__atomic_store_n(&ours.base.r_state, RT_CONSISTENT, __ATOMIC_RELEASE);
	signal_debugger();
}
