#include "plan.h"
#include "loadpath.h"
#include "error.h"
#include "sys.h"

#include <string.h>
#include <sys/mman.h>

/* Larger addresses cannot be a user-space span on x86-64. */
#define SPAN_LIMIT (1ULL << 46)

static int prot_of(uint32_t flags)
{
	return (flags & PF_R ? PROT_READ : 0) | (flags & PF_W ? PROT_WRITE : 0) |
	       (flags & PF_X ? PROT_EXEC : 0);
}

static int is_pow2(uint64_t x)
{
	return x && !(x & (x - 1));
}

static int check_load(const char *name, const Elf64_Phdr *p, size_t file_size, uint64_t prev_end)
{
	uint64_t ps = SYS_PAGE_SIZE;

	if ((p->p_flags & PF_W) && (p->p_flags & PF_X))
		return error_set(name, "segment at 0x%lx is writable and executable", p->p_vaddr);
	if (p->p_filesz > p->p_memsz)
		return error_set(name, "segment at 0x%lx: file size larger than memory size",
		                 p->p_vaddr);
	if (p->p_align > 1 && !is_pow2(p->p_align))
		return error_set(name, "segment at 0x%lx has alignment 0x%lx, not a power of two",
		                 p->p_vaddr, p->p_align);
	if (p->p_vaddr >= SPAN_LIMIT || p->p_memsz >= SPAN_LIMIT - p->p_vaddr)
		return error_set(name, "segment at 0x%lx: address or size too large", p->p_vaddr);
	if (p->p_offset > file_size || file_size - p->p_offset < p->p_filesz)
		return error_set(name, "segment at 0x%lx: file range outside the file",
		                 p->p_vaddr);
	if (p->p_offset % ps != p->p_vaddr % ps)
		return error_set(name, "segment at 0x%lx: offset 0x%lx not congruent modulo page",
		                 p->p_vaddr, p->p_offset);
	if (p->p_vaddr < prev_end)
		return error_set(name, "PT_LOAD segments overlap or are out of order (at 0x%lx)",
		                 p->p_vaddr);
	return 0;
}

static int add_load(const char *name, const Elf64_Phdr *p, size_t file_size,
                    struct load_plan *plan)
{
	uint64_t prev_end = 0;
	struct plan_segment *s;

	if (plan->nseg == LIB_MAX_SEGMENTS)
		return error_set(name, "more than %d loadable segments", LIB_MAX_SEGMENTS);
	if (plan->nseg) {
		s = &plan->seg[plan->nseg - 1];
		prev_end = s->vaddr + s->memsz;
	}
	if (check_load(name, p, file_size, prev_end) != 0)
		return -1;
	if (p->p_memsz == 0)
		return 0;
	s = &plan->seg[plan->nseg++];
	s->vaddr = p->p_vaddr;
	s->memsz = p->p_memsz;
	s->offset = p->p_offset;
	s->filesz = p->p_filesz;
	s->prot = prot_of(p->p_flags);
	if (p->p_align > plan->align)
		plan->align = p->p_align;
	return 0;
}

LOAD_PATH int plan_build(const char *name, const Elf64_Phdr *ph, size_t phnum, size_t file_size,
                         struct load_plan *plan)
{
	uint64_t ps = SYS_PAGE_SIZE;

	memset(plan, 0, sizeof(*plan));
	plan->align = ps;
	for (size_t i = 0; i < phnum; i++) {
		const Elf64_Phdr *p = &ph[i];
		switch (p->p_type) {
		case PT_LOAD:
			if (add_load(name, p, file_size, plan) != 0)
				return -1;
			break;
		case PT_DYNAMIC:
			plan->dynamic = *p;
			break;
		case PT_TLS:
			plan->tls = *p;
			break;
		case PT_GNU_RELRO:
			plan->relro = *p;
			break;
		case PT_GNU_EH_FRAME:
			plan->eh_frame = *p;
			break;
		case PT_NOTE:
			/* The one with the build-id: GNU ld puts the 8-aligned
			 * .note.gnu.property in a PT_NOTE of its own, first
			 * (glibc's libraries), the build-id in a 4-aligned one. */
			if (plan->note.p_type == PT_NULL ||
			    (plan->note.p_align == 8 && p->p_align != 8))
				plan->note = *p;
			break;
		}
	}
	if (plan->nseg == 0)
		return error_set(name, "no PT_LOAD segment");
	if (plan->dynamic.p_type == PT_NULL)
		return error_set(name, "no PT_DYNAMIC: not a dynamic library");
	if (plan->dynamic.p_offset > file_size ||
	    file_size - plan->dynamic.p_offset < plan->dynamic.p_filesz)
		return error_set(name, "PT_DYNAMIC outside the file");
	plan->lo = plan->seg[0].vaddr & ~(ps - 1);
	plan->hi = (plan->seg[plan->nseg - 1].vaddr + plan->seg[plan->nseg - 1].memsz + ps - 1) &
	           ~(ps - 1);
	return 0;
}
