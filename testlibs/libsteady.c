/* libsteady: a library whose load and unload would each take page faults
 * of their own: a constructor and a finaliser 256 KiB apart in its text,
 * eight pages of writable data past RELRO that relocation writes, and a
 * bss tail in the last file page. A warm load and unload takes none
 * (tests/loader/test_map.c). */

static int steady_target;
int steady_counter; /* bss */

/* Two pointers a page, so that relocation writes every page. */
void *steady_ptrs[8][512] = {
#define ROW                                                                                       \
	{                                                                                         \
		[0] = &steady_target, [511] = &steady_target                                      \
	}
        ROW, ROW, ROW, ROW, ROW, ROW, ROW, ROW,
#undef ROW
};

__attribute__((constructor)) static void steady_init(void)
{
	steady_counter++;
}

/* Text the loader never touches, between the constructor and _fini. */
__asm__(".text\n.p2align 12\nsteady_padding:\n.skip 262144, 0xcc\n");

__attribute__((destructor)) static void steady_fini(void)
{
	steady_counter--;
}

int steady_value(void)
{
	return steady_counter + (steady_ptrs[7][511] == &steady_target);
}
