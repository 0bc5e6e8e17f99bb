#include "soload.h"
#include "support/testutil.h"
#include "unwind.h"

#include <criterion/criterion.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <gelf.h>
#include <link.h>
#include <malloc.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

/*
 * A fake mapped library in a buffer: one readable PT_LOAD over all of it,
 * an .eh_frame_hdr at HDR and .eh_frame records at FRAME (one 12-byte
 * record, then the zero terminator).
 */
#define HDR   64
#define FRAME 128

static _Alignas(8) unsigned char image[256];
static Elf64_Phdr phdrs[2];

static void build_image(unsigned char encoding, int64_t ptr, int width)
{
	uint32_t len = 12, zero = 0;

	memset(image, 0, sizeof(image));
	image[HDR] = 1;
	image[HDR + 1] = encoding;
	image[HDR + 2] = 0x03;
	image[HDR + 3] = 0x3b;
	memcpy(image + HDR + 4, &ptr, (size_t)width);
	memcpy(image + FRAME, &len, 4);
	memcpy(image + FRAME + 16, &zero, 4);
	phdrs[0] = (Elf64_Phdr){.p_type = PT_LOAD,
	                        .p_flags = PF_R,
	                        .p_filesz = sizeof(image),
	                        .p_memsz = sizeof(image)};
	phdrs[1] = (Elf64_Phdr){
	        .p_type = PT_GNU_EH_FRAME, .p_vaddr = HDR, .p_filesz = 12, .p_memsz = 12};
}

static void *find(void)
{
	return unwind_find_eh_frame((uintptr_t)image, phdrs, 2);
}

Test(unwind, decodes_pcrel_datarel_and_absolute_pointers)
{
	build_image(0x1b, FRAME - (HDR + 4), 4); /* pcrel | sdata4, as GNU ld writes */
	cr_assert_eq(find(), image + FRAME);
	build_image(0x33, FRAME - HDR, 4); /* datarel | udata4 */
	cr_assert_eq(find(), image + FRAME);
	build_image(0x00, FRAME, 8); /* absptr: a vaddr, the header is not relocated */
	cr_assert_eq(find(), image + FRAME);
	build_image(0x1a, FRAME - (HDR + 4), 2); /* pcrel | sdata2 */
	cr_assert_eq(find(), image + FRAME);
}

Test(unwind, refuses_malformed_headers)
{
	build_image(0x1b, FRAME - (HDR + 4), 4);
	image[HDR] = 2;
	cr_assert_null(find(), "unknown version");
	build_image(0x9b, FRAME - (HDR + 4), 4);
	cr_assert_null(find(), "indirect encoding");
	build_image(0x01, FRAME, 4);
	cr_assert_null(find(), "uleb128 encoding");
	build_image(0x1b, 4096, 4);
	cr_assert_null(find(), "pointer past the segment");
	build_image(0x1b, -(HDR + 4) - 64, 4);
	cr_assert_null(find(), "pointer before the library");
	build_image(0x1b, FRAME - (HDR + 4), 4);
	phdrs[1].p_vaddr = sizeof(image) - 2;
	cr_assert_null(find(), "header runs off the segment");
}

Test(unwind, refuses_records_without_a_terminator)
{
	uint32_t len = 200;

	build_image(0x1b, FRAME - (HDR + 4), 4);
	memcpy(image + FRAME, &len, 4);
	cr_assert_null(find());
	len = 0xffffffff;
	memcpy(image + FRAME, &len, 4);
	cr_assert_null(find(), "64-bit DWARF length");
}

/* Two 12-byte records at FRAME and FRAME + 16 and the header's search
 * table listing the second (at offset fde from HDR) as the last FDE, with
 * the terminator at FRAME + 32 unless it is overwritten. */
static void build_table_image(int32_t fde)
{
	uint32_t len = 12, count = 1;
	int32_t loc = 0;

	build_image(0x1b, FRAME - (HDR + 4), 4);
	memcpy(image + FRAME + 16, &len, 4);
	memcpy(image + HDR + 8, &count, 4);
	memcpy(image + HDR + 12, &loc, 4);
	memcpy(image + HDR + 16, &fde, 4);
}

Test(unwind, checks_the_terminator_from_the_last_fde_the_table_lists)
{
	uint32_t len = 200;

	build_table_image(FRAME + 16 - HDR);
	cr_assert_eq(find(), image + FRAME, "the terminator after the listed FDE");
	memcpy(image + FRAME + 16, &len, 4);
	cr_assert_null(find(), "the listed FDE runs off the segment");
	build_table_image(FRAME + 16 - HDR);
	memcpy(image + FRAME + 32, &len, 4);
	cr_assert_null(find(), "no terminator after the listed FDE");
	build_table_image(4096);
	cr_assert_eq(find(), image + FRAME, "an FDE outside the segment: walked from the first");
	build_table_image(FRAME + 16 - HDR);
	memcpy(image + FRAME, &len, 4);
	cr_assert_null(find(), "the first record runs off the segment");
}

Test(unwind, needs_a_readable_segment_and_the_header)
{
	build_image(0x1b, FRAME - (HDR + 4), 4);
	phdrs[0].p_flags = 0;
	cr_assert_null(find(), "segment not readable");
	build_image(0x1b, FRAME - (HDR + 4), 4);
	cr_assert_null(unwind_find_eh_frame((uintptr_t)image, phdrs, 1), "no PT_GNU_EH_FRAME");
}

/* The section header of the file at path named want (zeroed if none). */
static GElf_Shdr section_header(const char *path, const char *want)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	Elf *elf;
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	GElf_Shdr found = {0};

	cr_assert_geq(fd, 0, "%s", path);
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	cr_assert_not_null(elf);
	cr_assert_eq(elf_getshdrstrndx(elf, &shstrndx), 0);
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		gelf_getshdr(scn, &sh);
		if (!strcmp(elf_strptr(elf, shstrndx, sh.sh_name), want))
			found = sh;
	}
	elf_end(elf);
	close(fd);
	return found;
}

/* A section's runtime address, in a library mapped at base. */
static uintptr_t section_address(const char *path, uintptr_t base, const char *want)
{
	GElf_Shdr sh = section_header(path, want);

	return sh.sh_type != SHT_NULL ? base + sh.sh_addr : 0;
}

struct checked {
	int libraries;
};

static int check_library(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct checked *c = arg;
	void *frame;

	(void)size;
	if (!strstr(info->dlpi_name, "libz.so") && !strstr(info->dlpi_name, "libelf"))
		return 0;
	frame = unwind_find_eh_frame(info->dlpi_addr, info->dlpi_phdr, info->dlpi_phnum);
	cr_assert_eq((uintptr_t)frame,
	             section_address(info->dlpi_name, info->dlpi_addr, ".eh_frame"), "%s",
	             info->dlpi_name);
	c->libraries++;
	return 0;
}

Test(unwind, finds_the_eh_frame_section_of_real_libraries)
{
	struct checked c = {0};

	dl_iterate_phdr(check_library, &c);
	cr_assert_geq(c.libraries, 1, "neither libz nor libelf is loaded in the test process");
}

static void *registered, *deregistered;
static int calls;

static void fake_register(void *p)
{
	registered = p;
	calls++;
}

static void fake_deregister(void *p)
{
	deregistered = p;
	calls++;
}

Test(unwind, registers_once_and_deregisters_once)
{
	struct sl_unwind u;

	build_image(0x1b, FRAME - (HDR + 4), 4);
	unwind_register(&u, image + FRAME, (void *)fake_register, (void *)fake_deregister);
	cr_assert_eq(registered, image + FRAME);
	unwind_deregister(&u);
	unwind_deregister(&u);
	cr_assert_eq(deregistered, image + FRAME);
	cr_assert_eq(calls, 2);
}

Test(unwind, skips_empty_frames_and_missing_functions)
{
	struct sl_unwind u;

	build_image(0x1b, FRAME - (HDR + 4), 4);
	unwind_register(&u, image + FRAME + 16, (void *)fake_register, (void *)fake_deregister);
	cr_assert_null(u.eh_frame, "an empty .eh_frame is not registered (libgcc would skip it)");
	unwind_register(&u, image + FRAME, NULL, (void *)fake_deregister);
	cr_assert_null(u.eh_frame, "no __register_frame in scope");
	unwind_register(&u, NULL, (void *)fake_register, (void *)fake_deregister);
	unwind_deregister(&u);
	cr_assert_eq(calls, 0);
}

/* ---- Through sl_open: a C++ library with libstdc++ and libgcc_s ---- */

static sl_lib *open_cxx(void)
{
	sl_lib *lib = sl_open(TESTLIB("libcxx.so"), 0);

	cr_assert_not_null(lib, "%s", sl_error());
	return lib;
}

Test(unwind, cxx_constructors_run_in_order)
{
	sl_lib *lib = open_cxx();
	const char *(*trace)(void) = (const char *(*)(void))sl_sym(lib, "cxx_trace");

	cr_assert_not_null(trace);
	cr_assert_str_eq(trace(), "ctor1;ctor2;");
	cr_assert_eq(sl_close(lib), 0);
}

Test(unwind, cxx_exception_is_thrown_and_caught_inside_the_library)
{
	sl_lib *lib = open_cxx();
	long (*checked)(long) = (long (*)(long))sl_sym(lib, "cxx_checked");

	cr_assert_eq(checked(5), 5);
	cr_assert_eq(checked(-123), -(long)strlen("negative: -123"));
	cr_assert_eq(checked(-7), -(long)strlen("negative: -7"), "a second throw");
	cr_assert_eq(sl_close(lib), 0);
}

/* Whether glibc's global scope has a libgcc_s (under ASan: libasan's),
 * which then interposes the one a C++ tree of ours loads. */
static int process_has_libgcc_s(void)
{
	return dlsym(RTLD_DEFAULT, "_Unwind_RaiseException") != NULL;
}

/* libcbcall, a C library, calls back into libthrowcb, which throws through
 * its frame: libcbcall's own scope has no libgcc_s, the tree's has. That
 * one finds libcbcall's frames through our _dl_find_object, nothing
 * registered with it: so libcbcall, opened on its own too, does not hold
 * it, and it goes with the tree. When the process has a libgcc_s of its
 * own, libcbcall's frames are registered through the tree's, which it
 * then keeps loaded until its close deregisters them. */
Test(unwind, a_c_librarys_frames_unwind_with_its_trees_libgcc_s)
{
	sl_lib *tree = sl_open(TESTLIB("libthrowcb.so"), 0);
	sl_lib *c = sl_open(TESTLIB("libcbcall.so"), 0);
	int (*throw_through_c)(void);
	sl_lib *gcc;

	cr_assert(tree && c, "%s", sl_error());
	throw_through_c = (int (*)(void))sl_sym(tree, "throw_through_c");
	cr_assert_eq(throw_through_c(), 42, "caught in libthrowcb");
	cr_assert_eq(throw_through_c(), 42, "a second throw");
	cr_assert_eq(sl_close(tree), 0);
	gcc = sl_open("libgcc_s.so.1", SL_NOLOAD);
	if (process_has_libgcc_s()) {
		cr_assert_not_null(gcc, "libcbcall let go of the libgcc_s it is registered with");
		cr_assert_eq(sl_close(gcc), 0);
	} else {
		cr_assert_null(gcc, "libcbcall held the tree's libgcc_s");
	}
	cr_assert_eq(sl_close(c), 0);
	cr_assert_null(sl_open("libgcc_s.so.1", SL_NOLOAD), "nothing holds libgcc_s now");
}

Test(unwind, cxx_virtual_calls_and_libstdcxx_tls)
{
	sl_lib *lib = open_cxx();
	long (*area)(long, long) = (long (*)(long, long))sl_sym(lib, "cxx_area");
	int (*once)(void) = (int (*)(void))sl_sym(lib, "cxx_once");

	cr_assert_eq(area(3, 4), 12);
	cr_assert_eq(area(5, 5), 25);
	cr_assert_eq(once(), 1, "std::call_once ran its callable other than once");
	cr_assert_eq(sl_close(lib), 0);
}

struct name_count {
	const char *part;
	int n;
};

static void count_name(sl_lib *lib, void *arg)
{
	struct name_count *c = arg;
	struct sl_info info;

	if (sl_info(lib, &info) == 0 && strstr(info.path, c->part))
		c->n++;
}

static int count_loaded(const char *part)
{
	struct name_count c = {part, 0};

	sl_foreach(count_name, &c);
	return c.n;
}

Test(unwind, cxx_runtime_is_loaded_by_libsoload_and_unloaded_after)
{
	int maps = 0, found = 0, round;

	for (round = 0; round < 3; round++) {
		sl_lib *lib = open_cxx();
		long (*checked)(long) = (long (*)(long))sl_sym(lib, "cxx_checked");

		cr_assert_eq(checked(-1), -(long)strlen("negative: -1"));
		found = count_loaded("libstdc++") + count_loaded("libgcc_s");
		cr_assert_eq(found, 2, "libstdc++ and libgcc_s should both be libsoload's");
		cr_assert_eq(sl_close(lib), 0);
		/* From the second round on: host libraries (libm) stay open. */
		if (round == 0)
			maps = tu_count_maps();
	}
	found = count_loaded("libstdc++") + count_loaded("libgcc_s");
	cr_assert_eq(found, 0, "the C++ runtime outlived its last user");
	cr_assert_eq(tu_count_maps(), maps);
}

/* libstdc++ mallocs a 72 KiB emergency exception pool when it starts; an
 * unload that did not give it back would leak that much every round. */
Test(unwind, cxx_runtime_unload_gives_its_memory_back)
{
	size_t in_use = 0;
	int round;

	for (round = 0; round < 6; round++) {
		sl_lib *lib = open_cxx();
		long (*checked)(long) = (long (*)(long))sl_sym(lib, "cxx_checked");

		cr_assert_eq(checked(-1), -(long)strlen("negative: -1"));
		cr_assert_eq(sl_close(lib), 0);
		if (round == 0)
			in_use = mallinfo2().uordblks;
	}
	cr_assert_lt(mallinfo2().uordblks, in_use + 72704, "%zu bytes more after 5 reloads",
	             mallinfo2().uordblks - in_use);
}

static void *use_thread_local(void *arg)
{
	int (*uses)(void) = (int (*)(void))arg;

	uses();
	return (void *)(intptr_t)uses();
}

Test(unwind, cxx_thread_local_objects_are_per_thread_and_destroyed)
{
	sl_lib *lib = open_cxx();
	int (*uses)(void) = (int (*)(void))sl_sym(lib, "cxx_thread_uses");
	int (*counts)(int *) = (int (*)(int *))sl_sym(lib, "cxx_thread_counts");
	int made = 0;
	void *seen;
	pthread_t t;

	cr_assert_eq(uses(), 1);
	pthread_create(&t, NULL, use_thread_local, (void *)uses);
	pthread_join(t, &seen);
	cr_assert_eq((intptr_t)seen, 2, "the thread counted its own calls");
	cr_assert_eq(uses(), 2, "this thread's count is its own");
	cr_assert_eq(counts(&made), 1, "the exited thread's object was destroyed");
	cr_assert_eq(made, 2);
	cr_assert_eq(sl_close(lib), 0);
	/* This thread's object is destroyed at exit: its code must stay. */
	cr_assert_eq(count_loaded("libcxx.so"), 1, "unloaded under a pending destructor");
}

Test(unwind, cxx_thread_local_of_an_exited_thread_does_not_pin_the_library)
{
	sl_lib *lib = open_cxx();
	void *seen;
	pthread_t t;

	pthread_create(&t, NULL, use_thread_local, sl_sym(lib, "cxx_thread_uses"));
	pthread_join(t, &seen);
	cr_assert_eq((intptr_t)seen, 2);
	cr_assert_eq(sl_close(lib), 0);
	cr_assert_eq(count_loaded("libcxx.so"), 0);
	cr_assert_eq(count_loaded("libstdc++"), 0);
}

/* The other order: libcbcall opened on its own first, in a process with
 * no libgcc_s (this test's), so that no unwinder was in reach; libthrowcb's
 * tree, opened next, brings one, which must find libcbcall's frames
 * before that tree's code throws through them (a C++ exception through
 * them ended in std::terminate). Under ASan the process has glibc's
 * libgcc_s (libasan needs it), and libcbcall was registered with that one
 * at its own open. */
Test(unwind, a_c_library_loaded_before_the_tree_unwinds_with_its_libgcc_s)
{
	sl_lib *c = sl_open(TESTLIB("libcbcall.so"), 0);
	sl_lib *tree;
	int (*throw_through_c)(void);

	cr_assert_not_null(c, "%s", sl_error());
	cr_assert_null(sl_open("libgcc_s.so.1", SL_NOLOAD), "no libgcc_s yet");
	tree = sl_open(TESTLIB("libthrowcb.so"), 0);
	cr_assert_not_null(tree, "%s", sl_error());
	throw_through_c = (int (*)(void))sl_sym(tree, "throw_through_c");
	cr_assert_eq(throw_through_c(), 42, "caught in libthrowcb");
	cr_assert_eq(sl_close(tree), 0);
	cr_assert_null(sl_open("libgcc_s.so.1", SL_NOLOAD), "libcbcall held the tree's libgcc_s");
	cr_assert_eq(sl_close(c), 0);
}

/* ---- Our _dl_find_object, as libgcc's unwinder asks it ---- */

typedef int (*findobj_fn)(void *, struct dl_find_object *);

static findobj_fn findobj_at(sl_lib *lib)
{
	findobj_fn f = (findobj_fn)sl_sym(lib, "findobj_at");

	cr_assert_not_null(f, "%s", sl_error());
	return f;
}

/* A library's own code is found in its mapping with its frame table's
 * header, which nothing read at load; any other address gets glibc's
 * answer, the same as glibc gives the caller directly. */
Test(unwind, a_librarys_dl_find_object_finds_our_libraries_and_glibcs)
{
	sl_lib *lib = sl_open(TESTLIB("libfindobj.so"), 0);
	struct dl_find_object ours, theirs, direct;
	void *own;
	char *heap = malloc(64);

	cr_assert_not_null(lib, "%s", sl_error());
	own = sl_sym(lib, "findobj_own");
	cr_assert_eq(findobj_at(lib)(own, &ours), 0);
	cr_assert((char *)ours.dlfo_map_start <= (char *)own &&
	          (char *)own < (char *)ours.dlfo_map_end);
	cr_assert_eq((uintptr_t)ours.dlfo_eh_frame,
	             section_address(TESTLIB("libfindobj.so"), (uintptr_t)ours.dlfo_map_start,
	                             ".eh_frame_hdr"));
	cr_assert_eq(((int (*)(struct dl_find_object *))own)(&theirs), 0);
	cr_assert_eq(theirs.dlfo_eh_frame, ours.dlfo_eh_frame, "the library asking about itself");

	cr_assert_eq(findobj_at(lib)((void *)printf, &theirs), 0);
	cr_assert_eq(_dl_find_object((void *)printf, &direct), 0);
	cr_assert(theirs.dlfo_map_start == direct.dlfo_map_start &&
	                  theirs.dlfo_eh_frame == direct.dlfo_eh_frame &&
	                  theirs.dlfo_link_map == direct.dlfo_link_map,
	          "libc's printf: glibc's answer");
	cr_assert_eq(findobj_at(lib)(heap, &theirs), -1, "the heap is in no object");
	free(heap);
	cr_assert_eq(sl_close(lib), 0);
}

/* Unloaded, a library is no longer found: its range may be mapped again. */
Test(unwind, dl_find_object_forgets_an_unloaded_library)
{
	sl_lib *lib = sl_open(TESTLIB("libfindobj.so"), 0);
	sl_lib *other = sl_open(TESTLIB("libcbcall.so"), 0);
	struct dl_find_object out;
	void *code;

	cr_assert(lib && other, "%s", sl_error());
	code = sl_sym(other, "cb_call");
	cr_assert_eq(findobj_at(lib)(code, &out), 0, "libcbcall while loaded");
	cr_assert_eq(sl_close(other), 0);
	cr_assert_eq(findobj_at(lib)(code, &out), -1, "libcbcall after its close");
	cr_assert_eq(sl_close(lib), 0);
}

/* A frame table header libgcc cannot read (version 2) is checked when
 * first asked for, not at load, and then withheld: libgcc finds no frame
 * there (an exception ends in std::terminate) rather than reading wild. */
Test(unwind, a_malformed_frame_table_is_withheld_when_first_asked_for)
{
	char dir[] = "/tmp/mapscope-XXXXXX", path[64];
	struct dl_find_object out;
	int fd, in = open(TESTLIB("libfindobj.so"), O_RDONLY | O_CLOEXEC);
	uintptr_t hdr;
	unsigned char v2 = 2, buf[65536];
	ssize_t n;
	sl_lib *lib;

	cr_assert_not_null(tu_make_tmpdir(dir));
	snprintf(path, sizeof(path), "%s/libfindobj.so", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	cr_assert(in >= 0 && fd >= 0);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		cr_assert_eq(write(fd, buf, (size_t)n), n);
	hdr = section_header(path, ".eh_frame_hdr").sh_offset;
	cr_assert_gt(hdr, 0);
	cr_assert_eq(pwrite(fd, &v2, 1, (off_t)hdr), 1);
	close(fd);
	close(in);

	lib = sl_open(path, 0);
	cr_assert_not_null(lib, "%s", sl_error());
	cr_assert_eq(findobj_at(lib)(sl_sym(lib, "findobj_own"), &out), 0);
	cr_assert_not_null(out.dlfo_map_start);
	cr_assert_null(out.dlfo_eh_frame, "a version 2 header handed to the unwinder");
	cr_assert_eq(sl_close(lib), 0);
	tu_remove_tree(dir);
}

/* A process with a libgcc_s of its own in glibc's global scope (as a
 * program linked with it has, or libasan's): it interposes the one a C++
 * tree of ours loads, libstdc++'s throws run its code, which asks glibc's
 * _dl_find_object, so the tree's frames must be registered with it. */
Test(unwind, a_process_libgcc_s_that_interposes_ours_finds_our_frames)
{
	const char *loads[] = {TESTLIB("libthrowcb.so") " throw_through_c",
	                       "--ret long " TESTLIB("libcxx.so") " cxx_checked -7"};
	const long want[] = {42, -12};

	for (int i = 0; i < 2; i++) {
		char cmd[512];
		int status;
		json_t *doc;

		/* Under ASan the soload command has libasan's libgcc_s already
		 * (and libasan must come first in the list). */
		snprintf(cmd, sizeof(cmd), "%s" BUILD_DIR "/soload call %s",
		         process_has_libgcc_s() ? "" : "LD_PRELOAD=libgcc_s.so.1 ", loads[i]);
		doc = tu_run_json(cmd, &status);
		cr_assert_not_null(doc, "%s: no JSON (std::terminate?)", cmd);
		cr_assert_eq(status, 0, "%s", cmd);
		cr_assert_eq(json_integer_value(json_object_get(doc, "return")), want[i], "%s",
		             cmd);
		json_decref(doc);
	}
}
