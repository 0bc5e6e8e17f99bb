/*
 * buildid: a library's NT_GNU_BUILD_ID note, which names the build it
 * comes from, as hex: for sl_describe, the share cache's identity and the
 * reload hints (describe.c, relro_share.c, reload.c).
 */
#ifndef SL_BUILDID_H
#define SL_BUILDID_H

#include <stddef.h>

struct sl_lib;

/* Finds NT_GNU_BUILD_ID in the notes notes[0, n), records aligned to align
 * (4, or 8), and writes it into hex (cap bytes) as lowercase hex ending in
 * a NUL. 0, or -1 if there is none or it does not fit. */
int build_id_hex(const unsigned char *notes, size_t n, size_t align, char *hex, size_t cap);
/* lib's, from its first PT_NOTE as mapped. 0, or -1. */
int lib_build_id(const struct sl_lib *lib, char *hex, size_t cap);

#endif
