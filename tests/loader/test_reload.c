/* reload: a reload of a library maps only the text its initialisers and
 * finalisers ran the time before (not the 64 KiB the kernel's fault-around
 * maps around each), skips a DT_FINI that is the empty frame, and trusts
 * none of it for a file that has changed. Each test is its own process,
 * so each starts with no hint. */
#include "soload.h"
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <elf.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define PAGE 4096UL

/* The executable segment of lib. */
static struct sl_segment text_of(sl_lib *lib)
{
	struct sl_info info;

	cr_assert_eq(sl_info(lib, &info), 0);
	for (size_t i = 0; i < info.nsegments; i++)
		if (info.segments[i].prot & PROT_EXEC)
			return info.segments[i];
	cr_assert_fail("no executable segment");
	return info.segments[0];
}

/* How many pages of s this process has mapped (present in its page
 * table), from /proc/self/pagemap: bit 63 of each page's entry. */
static size_t mapped_pages(struct sl_segment s)
{
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	size_t n = 0;

	cr_assert_geq(fd, 0, "/proc/self/pagemap: %m");
	for (uintptr_t a = s.start; a < s.start + s.size; a += PAGE) {
		uint64_t e = 0;
		cr_assert_eq(pread(fd, &e, sizeof(e), (off_t)(a / PAGE * sizeof(e))),
		             (ssize_t)sizeof(e));
		n += e >> 63;
	}
	close(fd);
	return n;
}

/* The trace file's text is want. */
static void assert_trace(const char *trace, const char *want)
{
	char *text = tu_read_file(trace);

	cr_assert_str_eq(text ? text : "(no trace)", want);
	free(text);
}

static void trace_to(char *dir, char *trace, size_t cap)
{
	cr_assert_not_null(tu_make_tmpdir(dir));
	snprintf(trace, cap, "%s/trace", dir);
	cr_assert_eq(setenv("SOLOAD_TRACE", trace, 1), 0);
}

/* libinitpages' text is 19 pages; its initialisers and finalisers run 3
 * of them, at its start. The first load maps the 64 KiB window around
 * them; the reload only those, and every initialiser and finaliser still
 * runs, and the rest of the text still works when called. */
Test(reload, a_reload_maps_only_the_text_its_initialisers_ran)
{
	char dir[] = "/tmp/reload-XXXXXX", trace[64];
	sl_lib *lib;
	struct sl_segment text;

	trace_to(dir, trace, sizeof(trace));
	lib = sl_open(TESTLIB("libinitpages.so"), 0);
	cr_assert_not_null(lib, "%s", sl_error());
	cr_assert_eq(sl_close(lib), 0);
	lib = sl_open(TESTLIB("libinitpages.so"), 0);
	cr_assert_not_null(lib, "%s", sl_error());
	text = text_of(lib);
	cr_assert_geq(text.size / PAGE, 19);
	cr_assert_leq(mapped_pages(text), 3, "%zu of %zu text pages mapped", mapped_pages(text),
	              text.size / PAGE);
	cr_assert_eq(((int (*)(void))sl_sym(lib, "initpages_value"))(), 7);
	cr_assert_eq(sl_close(lib), 0);
	assert_trace(trace, "initpages:init\ninitpages:dtor\ninitpages:init\ninitpages:dtor\n");
	tu_remove_tree(dir);
}

/* A DT_FINI with work in it runs at every unload, the hint or not. */
Test(reload, a_dt_fini_with_work_in_it_runs_at_every_unload)
{
	char dir[] = "/tmp/reload-XXXXXX", trace[64];

	trace_to(dir, trace, sizeof(trace));
	for (int i = 0; i < 3; i++) {
		sl_lib *lib = sl_open(TESTLIB("libownfini.so"), 0);
		cr_assert_not_null(lib, "%s", sl_error());
		cr_assert_eq(((int (*)(void))sl_sym(lib, "ownfini_value"))(), 5);
		cr_assert_eq(sl_close(lib), 0);
	}
	assert_trace(trace, "ownfini:fini\nownfini:fini\nownfini:fini\n");
	tu_remove_tree(dir);
}

/* The offset in the file at path of its DT_FINI's code, read from its
 * program headers and dynamic table. */
static off_t dt_fini_offset(const char *path)
{
	char *elf = tu_read_file(path);
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)elf;
	const Elf64_Phdr *ph;
	uint64_t fini = 0;

	cr_assert_not_null(elf);
	ph = (const Elf64_Phdr *)(elf + eh->e_phoff);
	for (int i = 0; i < eh->e_phnum; i++)
		for (const Elf64_Dyn *d = (const Elf64_Dyn *)(elf + ph[i].p_offset);
		     ph[i].p_type == PT_DYNAMIC && d->d_tag != DT_NULL; d++)
			if (d->d_tag == DT_FINI)
				fini = d->d_un.d_ptr;
	for (int i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && fini >= ph[i].p_vaddr &&
		    fini - ph[i].p_vaddr < ph[i].p_filesz) {
			off_t at = (off_t)(ph[i].p_offset + fini - ph[i].p_vaddr);
			free(elf);
			return at;
		}
	cr_assert_fail("no DT_FINI in %s", path);
	return -1;
}

/*
 * The library's file is rewritten in place after an unload found its
 * DT_FINI empty: the new one traps (ud2), and the file keeps its size and
 * gets its modification time back, as cp -p or rsync -t leave it. The
 * next load must not take the old file's word for it, so its unload runs
 * the new DT_FINI and the process dies of SIGILL, as under glibc.
 */
Test(reload, a_changed_file_is_not_taken_for_the_one_unloaded, .signal = SIGILL)
{
	static const unsigned char empty[] = {0x48, 0x83, 0xec, 0x08, 0x48,
	                                      0x83, 0xc4, 0x08, 0xc3};
	static const unsigned char endbr64[] = {0xf3, 0x0f, 0x1e, 0xfa};
	static const unsigned char ud2[] = {0x0f, 0x0b};
	char dir[] = "/tmp/reload-XXXXXX", path[64], cmd[160];
	unsigned char code[16];
	struct timespec times[2] = {{0, UTIME_OMIT}, {0, 0}};
	struct stat st;
	sl_lib *lib;
	size_t skip = 0;
	off_t at;
	int fd;

	cr_assert_not_null(tu_make_tmpdir(dir));
	snprintf(path, sizeof(path), "%s/libinitpages.so", dir);
	snprintf(cmd, sizeof(cmd), "cp %s %s", TESTLIB("libinitpages.so"), path);
	cr_assert_eq(system(cmd), 0);
	at = dt_fini_offset(path);
	lib = sl_open(path, 0);
	cr_assert_not_null(lib, "%s", sl_error());
	cr_assert_eq(sl_close(lib), 0);

	fd = open(path, O_RDWR);
	cr_assert_geq(fd, 0);
	cr_assert_eq(fstat(fd, &st), 0);
	times[1] = st.st_mtim;
	cr_assert_eq(pread(fd, code, sizeof(code), at), (ssize_t)sizeof(code));
	if (memcmp(code, endbr64, sizeof(endbr64)) == 0)
		skip = sizeof(endbr64);
	cr_assert_eq(memcmp(code + skip, empty, sizeof(empty)), 0,
	             "libinitpages' _fini is not the empty frame here");
	at += (off_t)skip;
	cr_assert_eq(pwrite(fd, ud2, sizeof(ud2), at), (ssize_t)sizeof(ud2));
	cr_assert_eq(futimens(fd, times), 0);
	close(fd);

	lib = sl_open(path, 0);
	cr_assert_not_null(lib, "%s", sl_error());
	tu_remove_tree(dir);
	sl_close(lib); /* runs the new DT_FINI: SIGILL */
	cr_assert_fail("the rewritten DT_FINI did not run");
}

/* The load bias of the library lib needed first. */
static uintptr_t first_needed_base(sl_lib *lib)
{
	struct sl_info info, dep;

	cr_assert_eq(sl_info(lib, &info), 0);
	cr_assert_geq(info.nneeded, 1);
	cr_assert_eq(sl_info(info.needed[0], &dep), 0);
	return dep.base;
}

static uintptr_t base_of(sl_lib *lib)
{
	struct sl_info info;

	cr_assert_eq(sl_info(lib, &info), 0);
	return info.base;
}

/*
 * libquark_keeper stays loaded (-z nodelete) and keeps a pointer to a name
 * in libquark_user's read-only data, as GLib keeps the strings of
 * g_quark_from_static_string. After libquark_top and libquark_user are
 * unloaded, a reload's constructor has the keeper compare its name with
 * that pointer: valid again only if libquark_user is back where it was,
 * as glibc's reload puts it (libbabeltrace's plugins crashed here).
 */
Test(reload, a_reload_lands_where_the_last_load_was)
{
	sl_lib *top = sl_open(TESTLIB("libquark_top.so"), 0);
	uintptr_t top_base, user_base;
	int id;

	cr_assert_not_null(top, "%s", sl_error());
	top_base = base_of(top);
	user_base = first_needed_base(top);
	id = ((int (*)(void))sl_sym(top, "quark_top_id"))();
	cr_assert_geq(id, 0);
	cr_assert_eq(sl_close(top), 0);
	for (int i = 0; i < 3; i++) {
		top = sl_open(TESTLIB("libquark_top.so"), 0);
		cr_assert_not_null(top, "%s", sl_error());
		cr_assert_eq(base_of(top), top_base, "libquark_top moved on reload %d", i);
		cr_assert_eq(first_needed_base(top), user_base, "libquark_user moved on reload %d",
		             i);
		cr_assert_eq(((int (*)(void))sl_sym(top, "quark_top_id"))(), id,
		             "the keeper did not find the name it kept");
		cr_assert_eq(sl_close(top), 0);
	}
}
