/*
 * crashes: every input a fuzz target ever crashed on (testlibs/crashes/,
 * kept when fixed) goes through the loader's reading steps again
 * (load_check_fd) and through what soload info reads (describe), neither
 * of which runs anything of the library: no crash, no
 * sanitizer report in the ASan/UBSan pass, a message naming the file when
 * refused, nothing leaked.
 */
#include "describe.h"
#include "load.h"
#include "soload.h"
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CRASHES "testlibs/crashes"

/* What soload info and hold --gdb read (the describe fuzz target). */
static void describe_again(const char *path)
{
	struct description d;
	struct section *sections;
	size_t n;

	if (describe_library(path, &d) == 0)
		describe_release(&d);
	if (describe_sections(path, &sections, &n) == 0)
		free(sections);
}

/* 0 when accepted; -1 and a message naming the file when refused. */
static int check_one(const char *name)
{
	char path[512];
	const char *err;
	int fd, rc;

	snprintf(path, sizeof(path), CRASHES "/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	cr_assert_geq(fd, 0, "%s: cannot open", path);
	rc = load_check_fd(name, fd, LOAD_CHECK_SYMBOLS);
	close(fd);
	err = sl_error();
	if (rc != 0)
		cr_expect(err && strstr(err, name), "%s: refused without naming it: %s", name,
		          err ? err : "(no message)");
	describe_again(path);
	return rc;
}

static int check_all(void)
{
	DIR *d = opendir(CRASHES);
	struct dirent *e;
	int n = 0;

	cr_assert_not_null(d, "no " CRASHES " directory");
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		check_one(e->d_name);
		n++;
	}
	closedir(d);
	return n;
}

/* Some inputs made a step spin (a timeout): the limit turns a hang into a failure. */
Test(crashes, kept_crash_inputs_are_handled_and_leave_nothing_behind, .timeout = 60)
{
	int fds, maps, n;

	check_all();
	fds = tu_count_fds();
	maps = tu_count_maps();
	n = check_all();
	cr_expect_gt(n, 0, "no crash input kept");
	cr_expect_eq(tu_count_fds(), fds, "fds leaked");
	cr_expect_eq(tu_count_maps(), maps, "mappings leaked");
}
