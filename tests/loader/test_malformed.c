/*
 * malformed: every case of the malformed-ELF corpus (testlibs/gen_malformed.c)
 * is refused by sl_open with its expected message naming the file, without
 * a crash and without leaving a mapping or an fd behind, with SL_SHARE too
 * (which reads PT_DYNAMIC from the file, not the mapping); `soload info` on
 * each exits 1 with the same message.
 */
#include "load.h"
#include "soload.h"
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CORPUS    BUILD_DIR "/testlibs/malformed"
#define MAX_CASES 256

struct mal_case {
	char file[128];
	char expect[160];
};

/* Reads the manifest: "<file>\t<expected substring>" per line. */
static size_t read_manifest(struct mal_case *cases, size_t max)
{
	FILE *f = fopen(CORPUS "/manifest", "r");
	char line[512];
	size_t n = 0;

	cr_assert_not_null(f, "no corpus manifest: build it with make");
	while (n < max && fgets(line, sizeof(line), f)) {
		char *tab = strchr(line, '\t');
		cr_assert_not_null(tab, "bad manifest line: %s", line);
		*tab = '\0';
		tab[strcspn(tab + 1, "\n") + 1] = '\0';
		snprintf(cases[n].file, sizeof(cases[n].file), "%.127s", line);
		snprintf(cases[n].expect, sizeof(cases[n].expect), "%.159s", tab + 1);
		n++;
	}
	fclose(f);
	return n;
}

static void expect_refused(const struct mal_case *c, int flags)
{
	char path[256];
	const char *err;
	sl_lib *lib;

	snprintf(path, sizeof(path), CORPUS "/%.127s", c->file);
	lib = sl_open(path, flags);
	err = sl_error();
	cr_expect_null(lib, "%s: loaded, but must fail with '%s'", c->file, c->expect);
	if (lib) {
		sl_close(lib);
		return;
	}
	cr_expect_not_null(err, "%s: refused without a message", c->file);
	if (!err)
		return;
	cr_expect(strstr(err, c->file) != NULL, "%s: message does not name the file: %s", c->file,
	          err);
	cr_expect(strstr(err, c->expect) != NULL, "%s: expected '%s', got: %s", c->file, c->expect,
	          err);
}

Test(malformed, corpus_has_every_kind_of_case)
{
	static struct mal_case cases[MAX_CASES];
	sl_lib *lib;

	cr_assert_geq(read_manifest(cases, MAX_CASES), 40);
	lib = sl_open(TESTLIB("libmalbase.so"), 0);
	cr_assert_not_null(lib, "the corpus base itself must load: %s", sl_error());
	sl_close(lib);
}

/* Every case twice with these flags: the first round sets up what stays
 * for good (libelf, allocator arenas, the host's libc handle); the second
 * must leave nothing behind. */
static void expect_all_refused(int flags)
{
	static struct mal_case cases[MAX_CASES];
	size_t n = read_manifest(cases, MAX_CASES);
	int fds, maps;

	for (size_t i = 0; i < n; i++)
		expect_refused(&cases[i], flags);
	fds = tu_count_fds();
	maps = tu_count_maps();
	for (size_t i = 0; i < n; i++)
		expect_refused(&cases[i], flags);
	cr_expect_eq(tu_count_fds(), fds, "fds leaked: %d before, %d after", fds, tu_count_fds());
	cr_expect_eq(tu_count_maps(), maps, "mappings leaked: %d before, %d after", maps,
	             tu_count_maps());
}

Test(malformed, every_case_refused_with_its_message_and_nothing_leaked)
{
	expect_all_refused(0);
}

/* SL_SHARE reads PT_DYNAMIC from the file (map.c's copy_dynamic), or from
 * the mapping where the file does not hold it all: the same refusals. */
Test(malformed, every_case_refused_alike_with_sl_share)
{
	char dir[] = "/tmp/mapscope-malshare-XXXXXX";

	cr_assert_not_null(tu_make_tmpdir(dir));
	setenv("SOLOAD_SHARE_DIR", dir, 1);
	expect_all_refused(SL_SHARE);
	unsetenv("SOLOAD_SHARE_DIR");
	tu_remove_tree(dir);
}

Test(malformed, soload_info_exits_1_with_the_message, .timeout = 60)
{
	static struct mal_case cases[MAX_CASES];
	size_t n = read_manifest(cases, MAX_CASES);
	char cmd[1024], out[4096];

	tu_run(BUILD_DIR "/soload info --help 2>&1", out, sizeof(out));
	if (strstr(out, "invalid command"))
		cr_skip_test("soload info is not built yet");
	for (size_t i = 0; i < n; i++) {
		snprintf(cmd, sizeof(cmd),
		         BUILD_DIR "/soload info " CORPUS "/%.127s 2>&1 >/dev/null",
		         cases[i].file);
		cr_expect_eq(tu_run(cmd, out, sizeof(out)), 1,
		             "%s: soload info did not exit 1: %s", cases[i].file, out);
		cr_expect(strstr(out, cases[i].file) && strstr(out, cases[i].expect),
		          "%s: expected '%s' on stderr, got: %s", cases[i].file, cases[i].expect,
		          out);
	}
}

/* The fuzz targets' entry (load_check_fd) reads exactly as sl_open does: it
 * refuses every case with the same message and accepts the base. */
Test(malformed, check_entry_agrees_with_sl_open)
{
	static struct mal_case cases[MAX_CASES];
	size_t n = read_manifest(cases, MAX_CASES);
	char path[256];
	int fd;

	fd = open(TESTLIB("libmalbase.so"), O_RDONLY | O_CLOEXEC);
	cr_assert_eq(load_check_fd("libmalbase.so", fd, LOAD_CHECK_SYMBOLS), 0, "%s", sl_error());
	close(fd);
	for (size_t i = 0; i < n; i++) {
		const char *err;
		snprintf(path, sizeof(path), CORPUS "/%.127s", cases[i].file);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		cr_assert_geq(fd, 0);
		cr_expect_eq(load_check_fd(cases[i].file, fd, LOAD_CHECK_SYMBOLS), -1,
		             "%s: accepted by the check entry", cases[i].file);
		err = sl_error();
		cr_expect(err && strstr(err, cases[i].expect), "%s: expected '%s', got: %s",
		          cases[i].file, cases[i].expect, err ? err : "(none)");
		close(fd);
	}
}

/* The generator's own errors: usage, a missing base, a base without the
 * tables it breaks (a library with SysV hash only has no DT_GNU_HASH). */
Test(malformed, generator_refuses_bad_arguments_and_bases)
{
	char out[1024];

	cr_expect_eq(tu_run(BUILD_DIR "/gen_malformed 2>&1", out, sizeof(out)), 2, "%s", out);
	cr_expect_eq(tu_run(BUILD_DIR "/gen_malformed /nonexistent /tmp 2>&1", out, sizeof(out)),
	             1, "%s", out);
	cr_expect(strstr(out, "cannot read the base library"), "%s", out);
	cr_expect_eq(tu_run(BUILD_DIR "/gen_malformed " BUILD_DIR "/testlibs/libsysvhash.so "
	                              "/tmp/mapscope-genmal-never 2>&1; s=$?; rm -rf "
	                              "/tmp/mapscope-genmal-never; exit $s",
	                    out, sizeof(out)),
	             1, "%s", out);
	cr_expect(strstr(out, "lacks"), "%s", out);
}
