/* dynamic: what one walk over the dynamic table leaves behind, read through
 * describe (the same steps as sl_open up to relocation). */
#include "describe.h"
#include "dynamic.h"
#include "lib.h"
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

Test(dynamic, elf_hash_matches_the_tables)
{
	/* Values from the ELF specification's algorithm, as ld stores them. */
	cr_assert_eq(dynamic_elf_hash(""), 0);
	cr_assert_eq(dynamic_elf_hash("GLIBC_2.2.5"), 0x09691a75);
}

Test(dynamic, versions_are_decoded_by_index)
{
	struct description d;
	const struct sl_lib *lib;
	int v1 = 0, v2 = 0, glibc = 0;

	cr_assert_eq(describe_library(TESTLIB("libversioned.so"), &d), 0, "%s", sl_error());
	lib = d.lib;
	cr_assert_not_null(lib->tab.versym);
	for (size_t i = 0; i < lib->tab.nversions; i++) {
		const struct sl_version_entry *v = &lib->tab.versions[i];
		const char *name = version_entry_name(&lib->tab, v);
		if (!v->name)
			continue;
		cr_assert_eq(v->hash, dynamic_elf_hash(name), "%s", name);
		v1 += strcmp(name, "VERS_1") == 0;
		v2 += strcmp(name, "VERS_2") == 0;
		glibc += strncmp(name, "GLIBC_", 6) == 0;
	}
	cr_assert_eq(v1, 1, "defined");
	cr_assert_eq(v2, 1, "defined");
	cr_assert_eq(glibc, 0, "libversioned calls nothing in libc");
	describe_release(&d);
	cr_assert_eq(describe_library(TESTLIB("libhello.so"), &d), 0, "%s", sl_error());
	for (size_t i = 0; i < d.lib->tab.nversions; i++) {
		const struct sl_version_entry *v = &d.lib->tab.versions[i];
		glibc += v->name && strncmp(version_entry_name(&d.lib->tab, v), "GLIBC_", 6) == 0;
	}
	cr_assert_geq(glibc, 1, "needed from libc.so.6");
	describe_release(&d);
}

Test(dynamic, needed_runpath_and_tables_are_found_once)
{
	struct description d;

	cr_assert_eq(describe_library(TESTLIB("libchain_a.so"), &d), 0, "%s", sl_error());
	cr_assert_eq(d.nneeded, 2);
	cr_assert_str_eq(d.needed[0], "libchain_b.so");
	cr_assert_str_eq(d.needed[1], "libc.so.6");
	cr_assert_str_eq(d.runpath, "$ORIGIN");
	cr_assert(d.gnu_hash);
	cr_assert_not(d.sysv_hash);
	cr_assert_gt(d.lib->ninit_array, 0);
	cr_assert_gt(d.lib->nfini_array, 0);
	cr_assert_gt(d.lib->njmprel, 0);
	describe_release(&d);
}

Test(dynamic, symbol_count_agrees_between_hash_styles)
{
	struct description gnu, sysv;

	cr_assert_eq(describe_library(TESTLIB("libgnuhash.so"), &gnu), 0);
	cr_assert_eq(describe_library(TESTLIB("libsysvhash.so"), &sysv), 0);
	/* Same shape of library: the same number of dynamic symbols, one way
	 * counted from the GNU chains, the other read from nchain. */
	cr_assert_eq(gnu.nsyms, sysv.nsyms);
	cr_assert(gnu.gnu_hash && !gnu.sysv_hash);
	cr_assert(sysv.sysv_hash && !sysv.gnu_hash);
	describe_release(&gnu);
	describe_release(&sysv);
}

Test(dynamic, soname_and_flags_of_a_system_library)
{
	struct description d;

	cr_assert_eq(describe_library("/lib/x86_64-linux-gnu/libcrypto.so.3", &d), 0);
	cr_assert_str_eq(d.soname, "libcrypto.so.3");
	cr_assert(d.flags_1 & DF_1_NODELETE);
	cr_assert_gt(d.reloc_count[R_X86_64_RELATIVE], 10000);
	cr_assert_eq(strlen(d.build_id), 40);
	describe_release(&d);
}

/*X, the 8-aligned property note first
 * and the build-id in the second: soload info showed no build-id. */
Test(dynamic, build_id_in_the_second_note_segment)
{
	struct description d;

	cr_assert_eq(describe_library("/lib/x86_64-linux-gnu/libanl.so.1", &d), 0);
	cr_assert_eq(strlen(d.build_id), 40, "build-id '%s'", d.build_id);
	describe_release(&d);
}

/* Copies lib to dir/name with the dynamic entry tag's value set to value. */
static void patch_dynamic(const char *lib, const char *out, int64_t tag, uint64_t value)
{
	FILE *f = fopen(lib, "rb");
	static unsigned char buf[1 << 20];
	size_t n = fread(buf, 1, sizeof(buf), f);
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)buf;
	const Elf64_Phdr *ph = (const Elf64_Phdr *)(buf + eh->e_phoff);
	int patched = 0;

	fclose(f);
	for (int i = 0; i < eh->e_phnum; i++) {
		Elf64_Dyn *d = (Elf64_Dyn *)(buf + ph[i].p_offset);
		if (ph[i].p_type != PT_DYNAMIC)
			continue;
		for (; d->d_tag != DT_NULL; d++)
			if (d->d_tag == tag && (d->d_un.d_val = value, 1))
				patched = 1;
	}
	cr_assert(patched, "%s has no tag %ld", lib, (long)tag);
	f = fopen(out, "wb");
	cr_assert_eq(fwrite(buf, 1, n, f), n);
	fclose(f);
}

Test(dynamic, relr_entry_size_other_than_eight_is_refused)
{
	char dir[] = "/tmp/soload-dyn-XXXXXX", path[64], want[128];
	struct description d;

	cr_assert_not_null(tu_make_tmpdir(dir));
	snprintf(path, sizeof(path), "%s/librelr.so", dir);
	patch_dynamic(TESTLIB("librelr.so"), path, DT_RELRENT, 16);
	cr_assert_eq(describe_library(path, &d), -1);
	snprintf(want, sizeof(want), "%s: DT_RELRENT 16 is not the RELR size", path);
	cr_assert_str_eq(sl_error(), want);
	cr_assert_null(sl_open(path, 0));
	unlink(path);
	rmdir(dir);
}
