/*
 * xstate: what the assembly trampolines (lazyplt.S, tlsdesc.S) must keep
 * of the vector, mask and x87 state around a call into C, and how much
 * room XSAVE or XSAVEC needs for it: read once from XCR0 and CPUID leaf
 * 0xD.
 */
#ifndef SL_XSTATE_H
#define SL_XSTATE_H

#include <stdint.h>

struct xstate_layout {
	int has_xsave;     /* 0: the CPU or its kernel offers no XSAVE */
	int has_xsavec;    /* XSAVEC, the compacted form, is there too */
	uint64_t mask;     /* the components to keep (XCR0's share of ours) */
	uint64_t standard; /* bytes XSAVE needs for them, a multiple of 64 */
	uint64_t compact;  /* bytes XSAVEC needs, a multiple of 64 */
};

/* The layout, read on the first call (thread-safe). */
const struct xstate_layout *xstate_layout(void);

#endif
