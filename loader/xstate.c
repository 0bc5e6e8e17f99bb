#include "xstate.h"

#include <cpuid.h>
#include <pthread.h>

/* x87, SSE, AVX, AVX-512 mask registers, ZMM0-15 upper halves, ZMM16-31:
 * what C code may change. Not MPX (gone), PKRU or AMX tiles (no C code of
 * ours touches them). */
#define WANTED 0xe7u
/* The legacy area and the XSAVE header, which every form has. */
#define LEGACY 576u

static struct xstate_layout layout = {0, 0, 0, LEGACY, LEGACY};
static pthread_once_t once = PTHREAD_ONCE_INIT;

static uint64_t align64(uint64_t n)
{
	return (n + 63) & ~(uint64_t)63;
}

static void read_layout(void)
{
	unsigned a, b, c, d;
	uint64_t want = WANTED, standard = LEGACY, compact = LEGACY;

	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_OSXSAVE))
		return;
	__asm__ volatile("xgetbv" : "=a"(a), "=d"(d) : "c"(0));
	want &= (uint64_t)d << 32 | a;
	for (unsigned i = 2; i < 8; i++) {
		if (!(want >> i & 1))
			continue;
		/* component i: a bytes at offset b; c bit 1: 64-byte aligned
		 * when compacted */
		__cpuid_count(0xd, i, a, b, c, d);
		if (b + a > standard)
			standard = b + a;
		if (c & 2)
			compact = align64(compact);
		compact += a;
	}
	__cpuid_count(0xd, 1, a, b, c, d);
	layout.has_xsave = 1;
	layout.has_xsavec = (a & 2) != 0;
	layout.mask = want;
	layout.standard = align64(standard);
	layout.compact = align64(compact);
}

const struct xstate_layout *xstate_layout(void)
{
	pthread_once(&once, read_layout);
	return &layout;
}
