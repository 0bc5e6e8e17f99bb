/* libtlsdesc: thread-local variables reached through TLS descriptors
 * (-mtls-dialect=gnu2: R_X86_64_TLSDESC against a global, a static and an
 * undefined weak variable), and tlsdesc_check_regs, which calls a
 * descriptor by hand to see that the resolver keeps every register. */
#include <stddef.h>
#include <stdint.h>

__thread long desc_counter = 5;
__thread char desc_buf[4096];
static __thread int desc_local = 9;
extern __thread int desc_missing __attribute__((weak));

long tlsdesc_bump(void)
{
	desc_buf[sizeof(desc_buf) - 1]++;
	return ++desc_counter;
}

void *tlsdesc_addr(void)
{
	return &desc_counter;
}

int tlsdesc_local(void)
{
	return ++desc_local;
}

void *tlsdesc_missing_addr(void)
{
	return &desc_missing;
}

#define CHECK_REGS_VAR "desc_counter"
#include "tlsdesc_regs.h"
