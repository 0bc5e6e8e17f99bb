/* map and plan: protections as mapped, never W+X, RELRO read-only after
 * load, text from the file, bss zeroed, p_align honoured, failed loads
 * leave nothing behind. */
#include "soload.h"
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <elf.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/uio.h>
#include <linux/perf_event.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The permissions and path of the mapping holding addr, from
 * /proc/self/maps; 0 if found. */
static int mapping_of(uintptr_t addr, char perms[5], char *path, size_t cap)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	int found = -1;

	while (f && fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;
		char p[5], file[256] = "";
		if (sscanf(line, "%lx-%lx %4s %*s %*s %*s %255s", &lo, &hi, p, file) < 3)
			continue;
		if (addr >= lo && addr < hi) {
			memcpy(perms, p, 5);
			snprintf(path, cap, "%s", file);
			found = 0;
			break;
		}
	}
	if (f)
		fclose(f);
	return found;
}

Test(map, segments_have_their_own_protection_from_the_file)
{
	sl_lib *lib = sl_open(TESTLIB("libcounter.so"), 0);
	struct sl_info info;
	char perms[5], path[256];

	cr_assert_not_null(lib, "%s", sl_error());
	sl_info(lib, &info);
	for (size_t i = 0; i < info.nsegments; i++) {
		const struct sl_segment *s = &info.segments[i];
		int want_r = !!(s->prot & PROT_READ), want_x = !!(s->prot & PROT_EXEC);
		cr_assert_eq(mapping_of(s->start + s->size - 1, perms, path, sizeof(path)), 0);
		cr_assert_eq(perms[0] == 'r', want_r);
		cr_assert_eq(perms[2] == 'x', want_x);
		if (s->prot & PROT_EXEC) {
			cr_assert(strstr(path, "libcounter.so"), "text comes from the file: %s",
			          path);
			cr_assert_eq(perms[3], 'p');
		}
	}
	cr_assert_not(tu_any_wx_mapping());
	sl_close(lib);
}

/* Every page of the span either lies in a segment, with its protection,
 * or is inaccessible, however the span was reserved: libtables has a first
 * segment too large to prefault (its span is reserved by mapping that
 * segment over all of it, as glibc does), and libepoxy, where installed,
 * also a page between segments. */
static void check_span(const char *path)
{
	sl_lib *lib = sl_open(path, 0);
	struct sl_info info;
	char perms[5], file[256];

	cr_assert_not_null(lib, "%s", sl_error());
	sl_info(lib, &info);
	for (uintptr_t a = (uintptr_t)info.base; a < (uintptr_t)info.base + info.span; a += 4096) {
		const struct sl_segment *in = NULL;
		for (size_t i = 0; i < info.nsegments; i++)
			if (a >= info.segments[i].start &&
			    a < info.segments[i].start + info.segments[i].size)
				in = &info.segments[i];
		cr_assert_eq(mapping_of(a, perms, file, sizeof(file)), 0, "%s: page %#lx unmapped",
		             path, a - (uintptr_t)info.base);
		if (!in) {
			cr_assert_str_eq(perms, "---p", "%s: gap page %#lx is %s", path,
			                 a - (uintptr_t)info.base, perms);
			continue;
		}
		cr_assert_eq(perms[2] == 'x', !!(in->prot & PROT_EXEC), "%s", path);
		cr_assert(perms[1] != 'w' || !(in->prot & PROT_EXEC), "%s: W+X", path);
	}
	cr_assert_not(tu_any_wx_mapping());
	sl_close(lib);
}

Test(map, pages_between_segments_are_inaccessible)
{
	static const char epoxy[] = "/usr/lib/x86_64-linux-gnu/libepoxy.so.0";

	/* Twice each: the second load may map into the span the first gave
	 * back. */
	for (int round = 0; round < 2; round++) {
		check_span(TESTLIB("libtables.so"));
		check_span(TESTLIB("libcounter.so"));
		if (access(epoxy, R_OK) == 0)
			check_span(epoxy);
	}
}

Test(map, relro_is_read_only_after_load)
{
	sl_lib *lib = sl_open(TESTLIB("libcounter.so"), 0);
	struct sl_info info;
	char perms[5], path[256];

	sl_info(lib, &info);
	cr_assert_gt(info.relro_size, 0);
	cr_assert_eq(info.relro_start % 4096, 0);
	cr_assert_eq(mapping_of(info.relro_start, perms, path, sizeof(path)), 0);
	cr_assert_str_eq(perms, "r--p");
	sl_close(lib);
}

/* /proc/self/pagemap's entry for addr: bit 63 present, bit 61 a page of
 * the file (or shared), clear for this process's own copy. */
static uint64_t pagemap_of(uintptr_t addr)
{
	FILE *f = fopen("/proc/self/pagemap", "r");
	uint64_t e = 0;

	cr_assert_not_null(f);
	cr_assert_eq(fseek(f, (long)(addr / 4096 * 8), SEEK_SET), 0);
	cr_assert_eq(fread(&e, sizeof(e), 1, f), 1);
	fclose(f);
	return e;
}

/* A load copies the RELRO pages relocation writes, and only them, as
 * glibc's write faults do (stage.c writes them in): librelropad's table
 * holds a relocated pointer in its first page, then 132 KiB of constants
 * no relocation writes, and its GOT (the last RELRO page) is bound. Its
 * data past RELRO, which nothing writes, stays the file's too. */
static void expect_relropad_copied_where_written(void)
{
	sl_lib *lib = sl_open(TESTLIB("librelropad.so"), 0);
	struct sl_info info;
	const int *data;
	uintptr_t table, last = 0;

	cr_assert_not_null(lib, "%s", sl_error());
	sl_info(lib, &info);
	cr_assert_geq(info.relro_size, 5 * 4096);
	table = (uintptr_t)sl_sym(lib, "relropad_table");
	cr_assert(table >= info.relro_start && table < info.relro_start + info.relro_size);
	last = info.relro_start + info.relro_size - 4096;
	for (uintptr_t a = info.relro_start; a <= last; a += 4096) {
		uint64_t e = pagemap_of(a);
		int written = a == (table & ~4095UL) || a == last;
		if (written) {
			cr_assert(e >> 63 & 1, "RELRO page at +0x%lx not present", a - info.base);
			cr_assert_not(e >> 61 & 1, "RELRO page at +0x%lx not copied",
			              a - info.base);
		} else {
			cr_assert(!(e >> 63 & 1) || (e >> 61 & 1),
			          "RELRO page at +0x%lx copied, and no relocation writes it",
			          a - info.base);
		}
	}
	cr_assert_str_eq(*(const char *const *)table, "relropad", "the staged pointer");
	data = sl_sym(lib, "relropad_data");
	cr_assert_not_null(data);
	for (uintptr_t a = ((uintptr_t)data + 4096 + 4095) & ~4095UL;
	     a + 4096 <= (uintptr_t)(data + 4 * 1024); a += 4096) {
		uint64_t e = pagemap_of(a);
		cr_assert(!(e >> 63 & 1) || (e >> 61 & 1), "data page at +0x%lx copied",
		          a - info.base);
	}
	sl_close(lib);
}

Test(map, relro_pages_relocation_writes_are_copied_and_only_they)
{
	expect_relropad_copied_where_written();
}

/* A sandbox may refuse process_vm_writev (seccomp): the staged pages are
 * then stored by hand, with the same result. */
Test(map, staging_refused_by_a_sandbox_still_relocates)
{
	struct sock_filter filter[] = {
	        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_process_vm_writev, 0, 1),
	        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
	        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {sizeof(filter) / sizeof(filter[0]), filter};
	struct iovec none = {NULL, 0};

	cr_assert_eq(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), 0);
	cr_assert_eq(prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog), 0);
	errno = 0;
	cr_assert_eq(process_vm_writev(getpid(), &none, 1, &none, 1, 0), -1);
	cr_assert_eq(errno, EPERM, "the filter refuses it");
	expect_relropad_copied_where_written();
}

/* Relocation's writes past RELRO are copied before it writes them, but
 * only the pages it writes: libdatapages's 32 pointers lie in the first
 * and last of 17 pages, and the 15 between stay the file's (a range from
 * the first target to the last copied them all). */
Test(map, only_the_data_pages_relocation_writes_are_copied)
{
	sl_lib *lib = sl_open(TESTLIB("libdatapages.so"), 0);
	const char *pages;

	cr_assert_not_null(lib, "%s", sl_error());
	pages = sl_sym(lib, "datapages");
	cr_assert_not_null(pages);
	for (int i = 0; i < 17; i++) {
		uint64_t e = pagemap_of((uintptr_t)pages + (uintptr_t)i * 4096);
		int copied = (e >> 63 & 1) && !(e >> 61 & 1);
		cr_expect_eq(copied, i == 0 || i == 16, "page %d of the data %s copied", i,
		             copied ? "was" : "was not");
	}
	cr_assert_eq(((int (*)(void))sl_sym(lib, "datapages_sum"))(), 14);
	sl_close(lib);
}

Test(map, bss_spans_pages_and_reads_zero)
{
	sl_lib *lib = sl_open(TESTLIB("libcounter.so"), 0);
	int *zeroes = sl_sym(lib, "counter_zeroes");

	cr_assert_not_null(zeroes);
	for (int i = 0; i < 4096; i++)
		cr_assert_eq(zeroes[i], 0);
	zeroes[4095] = 1; /* writable to the end */
	cr_assert_eq(((long (*)(void))sl_sym(lib, "counter_bss_sum"))(), 1);
	sl_close(lib);
}

Test(map, large_p_align_is_honoured)
{
	sl_lib *lib = sl_open(TESTLIB("libaligned.so"), 0);
	struct sl_info info;

	cr_assert_not_null(lib, "%s", sl_error());
	sl_info(lib, &info);
	cr_assert_eq(info.base % 0x200000, 0, "base 0x%lx", info.base);
	cr_assert_eq(((int (*)(void))sl_sym(lib, "aligned_get"))(), 5);
	sl_close(lib);
}

/* A span of a huge page or more starts on a huge-page boundary, as the
 * kernel places glibc's file mapping of a library from an ext4 or xfs file
 * system: every process's fault-around windows then cover the same pages. */
Test(map, a_span_of_two_mib_or_more_starts_on_a_huge_page_boundary)
{
	sl_lib *lib = sl_open(TESTLIB("libbigspan.so"), 0);
	struct sl_info info;

	cr_assert_not_null(lib, "%s", sl_error());
	sl_info(lib, &info);
	cr_expect_geq(info.span, 3 << 20);
	cr_expect_eq(info.base % 0x200000, 0, "base 0x%lx", info.base);
	cr_expect_eq(((long (*)(long))sl_sym(lib, "bigspan_touch"))(100), 1 + (3 << 20));
	sl_close(lib);
}

Test(map, close_unmaps_everything)
{
	int maps = tu_count_maps(), fds = tu_count_fds();
	sl_lib *lib = sl_open(TESTLIB("libchain_a.so"), 0);
	struct sl_info info;
	char perms[5], path[256];
	uintptr_t text;

	cr_assert_not_null(lib, "%s", sl_error());
	cr_assert_eq(tu_count_fds(), fds, "the fd is closed once mapped");
	sl_info(lib, &info);
	text = info.segments[1].start;
	cr_assert_gt(tu_count_maps(), maps);
	sl_close(lib);
	cr_assert_eq(tu_count_maps(), maps);
	cr_assert_neq(
	        mapping_of(text, perms, path, sizeof(path)) == 0 && strstr(path, "libchain_a"), 1);
}

/* A load maps into the span the last unload gave back (map.c, freed_span)
 * without reserving it first, so without the kernel's word that it is
 * still free: a mapping made there since must survive, the load going
 * elsewhere. */
Test(map, a_load_never_maps_over_what_took_a_freed_span)
{
	sl_lib *lib = sl_open(TESTLIB("libcounter.so"), 0);
	struct sl_info info;
	uintptr_t start, end;
	char *taken;

	cr_assert_not_null(lib, "%s", sl_error());
	sl_info(lib, &info);
	start = info.segments[0].start;
	end = info.segments[info.nsegments - 1].start + info.segments[info.nsegments - 1].size;
	sl_close(lib);
	taken = mmap((void *)(end - 4096), 4096, PROT_READ | PROT_WRITE,
	             MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	cr_assert_neq(taken, MAP_FAILED, "%m");
	memset(taken, 0x5a, 4096);
	lib = sl_open(TESTLIB("libcounter.so"), 0);
	cr_assert_not_null(lib, "%s", sl_error());
	sl_info(lib, &info);
	cr_assert(info.segments[0].start >= end ||
	                  info.segments[0].start + info.span <= end - 4096,
	          "the library was mapped over the page taken at +0x%lx", end - 4096 - start);
	for (int i = 0; i < 4096; i++)
		cr_assert_eq(taken[i], 0x5a);
	cr_assert_eq(((int (*)(void))sl_sym(lib, "counter_next"))(), 43);
	sl_close(lib);
	munmap(taken, 4096);
	/* Free again: a load there is whole, bss zeroed, nothing W+X. */
	lib = sl_open(TESTLIB("libcounter.so"), 0);
	cr_assert_not_null(lib, "%s", sl_error());
	sl_close(lib);
	lib = sl_open(TESTLIB("libcounter.so"), 0);
	cr_assert_not_null(lib, "%s", sl_error());
	cr_assert_eq(((int (*)(void))sl_sym(lib, "counter_next"))(), 43);
	cr_assert_eq(((int *)sl_sym(lib, "counter_zeroes"))[4095], 0);
	cr_assert_not(tu_any_wx_mapping());
	sl_close(lib);
}

Test(map, failed_loads_leave_no_mapping_or_fd)
{
	static const char *const bad[] = {
	        TESTLIB("libundef.so"),
	        BUILD_DIR "/testlibs/malformed/write-exec.so",
	        BUILD_DIR "/testlibs/malformed/reloc-into-text.so",
	        BUILD_DIR "/testlibs/malformed/trunc-in-data.so",
	        "tests/support/testutil.c",
	};
	int maps = tu_count_maps(), fds = tu_count_fds();

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_null(sl_open(bad[i], 0), "%s", bad[i]);
		cr_assert_not_null(sl_error());
		cr_assert_eq(tu_count_maps(), maps, "%s", bad[i]);
		cr_assert_eq(tu_count_fds(), fds, "%s", bad[i]);
	}
}

Test(map, populate_flag_still_loads)
{
	sl_lib *lib = sl_open(TESTLIB("libhello.so"), SL_POPULATE);

	cr_assert_not_null(lib, "%s", sl_error());
	cr_assert_eq(((int (*)(int, int))sl_sym(lib, "hello_add"))(1, 1), 2);
	sl_close(lib);
}

/* The page faults this thread takes in user space while fn runs n times,
 * or -1 where perf events are not available. */
static long long user_faults(void (*fn)(void), int n)
{
	struct perf_event_attr a = {
	        .size = sizeof(a),
	        .type = PERF_TYPE_SOFTWARE,
	        .config = PERF_COUNT_SW_PAGE_FAULTS,
	        .disabled = 1,
	        .exclude_kernel = 1,
	        .exclude_hv = 1,
	};
	int fd = (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	long long count = -1;

	if (fd < 0)
		return -1;
	ioctl(fd, PERF_EVENT_IOC_ENABLE, 0);
	for (int i = 0; i < n; i++)
		fn();
	ioctl(fd, PERF_EVENT_IOC_DISABLE, 0);
	if (read(fd, &count, sizeof(count)) != sizeof(count))
		count = -1;
	close(fd);
	return count;
}

static void load_steady_once(void)
{
	sl_lib *lib = sl_open(TESTLIB("libsteady.so"), 0);

	cr_assert_not_null(lib, "%s", sl_error());
	cr_assert_eq(((int (*)(void))sl_sym(lib, "steady_value"))(), 2);
	cr_assert_eq(sl_close(lib), 0);
}

/* A load and unload of a library the process held before takes no page
 * fault: the pages it is sure to touch (its tables, the relocated data
 * past RELRO, the bss tail, the initialisers' and finalisers' code) are
 * populated by the system calls that map them, where a fault each would
 * cost more (bench/README.md, steady state). libsteady took 11 faults a
 * cycle before. */
Test(map, a_warm_load_and_unload_takes_no_page_fault)
{
	long long faults;

#ifdef __SANITIZE_ADDRESS__
	/* Its allocator keeps freed memory in quarantine: each cycle's
	 * allocations land on fresh pages, the loader's mappings or not. */
	cr_skip_test("AddressSanitizer's allocator touches fresh heap pages every cycle");
#endif
	load_steady_once();
	load_steady_once();
	faults = user_faults(load_steady_once, 20);
	if (faults < 0)
		cr_skip_test("no software perf events here");
	cr_assert_lt(faults, 20, "%lld page faults in 20 loads and unloads", faults);
}

/* A staged library (librelropad's RELRO is large enough) whose first
 * relative relocation points outside it: the stage leaves it, and the load
 * fails naming it, with nothing left mapped or open. */
Test(map, a_staged_library_with_a_relocation_outside_it_is_refused)
{
	char dir[] = "/tmp/mapscope-XXXXXX", path[64], cmd[256];
	const Elf64_Ehdr *eh;
	unsigned char *elf;
	int fd, maps, fds;
	struct stat st;

	cr_assert_not_null(tu_make_tmpdir(dir));
	snprintf(path, sizeof(path), "%s/librelropad.so", dir);
	snprintf(cmd, sizeof(cmd), "cp %s %s", TESTLIB("librelropad.so"), path);
	cr_assert_eq(system(cmd), 0);
	fd = open(path, O_RDWR);
	cr_assert_geq(fd, 0);
	cr_assert_eq(fstat(fd, &st), 0);
	elf = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	cr_assert_neq(elf, MAP_FAILED);
	eh = (const Elf64_Ehdr *)elf;
	for (int i = 0; i < eh->e_shnum; i++) {
		const Elf64_Shdr *sh = (const Elf64_Shdr *)(elf + eh->e_shoff) + i;
		Elf64_Rela *r = (Elf64_Rela *)(elf + sh->sh_offset);
		if (sh->sh_type == SHT_RELA && ELF64_R_TYPE(r->r_info) == R_X86_64_RELATIVE) {
			r->r_offset = 0x7fffffff0;
			break;
		}
	}
	munmap(elf, (size_t)st.st_size);
	close(fd);
	maps = tu_count_maps();
	fds = tu_count_fds();
	cr_assert_null(sl_open(path, 0));
	cr_assert(
	        strstr(sl_error(), "relocation outside the loaded segments at offset 0x7fffffff0"),
	        "%s", sl_error());
	cr_assert(strstr(sl_error(), path), "%s", sl_error());
	cr_assert_eq(tu_count_maps(), maps);
	cr_assert_eq(tu_count_fds(), fds);
	tu_remove_tree(dir);
}
