/* librelropad: RELRO with pages no relocation writes (a pointer, then
 * 132 KiB of constants in the same relocated object: RELRO large enough to
 * be staged in a fresh process, loader/stage.c), and writable data past
 * RELRO that nothing relocates: a load copies the pages relocation
 * writes, and only them (tests/loader/test_map.c). */

struct padded {
	const char *name;
	int pad[33 * 1024];
};

const struct padded relropad_table = {"relropad", {1}};

int relropad_data[4 * 1024] = {1};

int relropad_first(void)
{
	return relropad_table.pad[0] + relropad_data[0];
}
