#include "buildid.h"
#include "lib.h"

#include <elf.h>
#include <string.h>

static size_t align_up(size_t n, size_t a)
{
	return (n + a - 1) & ~(a - 1);
}

int build_id_hex(const unsigned char *notes, size_t n, size_t align, char *hex, size_t cap)
{
	for (size_t off = 0; off + sizeof(Elf64_Nhdr) <= n;) {
		Elf64_Nhdr nh;
		memcpy(&nh, notes + off, sizeof(nh));
		size_t name = off + sizeof(nh);
		size_t desc = name + align_up(nh.n_namesz, align);
		size_t next = desc + align_up(nh.n_descsz, align);
		if (next > n || next <= off)
			break;
		if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
		    memcmp(notes + name, "GNU", 4) == 0 && nh.n_descsz > 0 &&
		    nh.n_descsz * 2 < cap) {
			for (size_t i = 0; i < nh.n_descsz; i++) {
				hex[2 * i] = "0123456789abcdef"[notes[desc + i] >> 4];
				hex[2 * i + 1] = "0123456789abcdef"[notes[desc + i] & 15];
			}
			hex[2 * nh.n_descsz] = '\0';
			return 0;
		}
		off = next;
	}
	return -1;
}

int lib_build_id(const struct sl_lib *lib, char *hex, size_t cap)
{
	const struct lib_extent *note = &lib->note;
	/* Notes are 4-byte aligned records; a misaligned PT_NOTE has none. */
	const unsigned char *p = note->vaddr % 4 ? NULL : lib_ptr(lib, note->vaddr, note->size);

	return p ? build_id_hex(p, note->size, 4, hex, cap) : -1;
}
