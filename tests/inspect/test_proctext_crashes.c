/*
 * proctext crashes: every input the proctext fuzz target ever crashed on
 * (tests/inspect/proctext-crashes/, kept when fixed) goes again through the
 * three readings of tests/fuzz/fuzz_proctext.c: each line as a maps line,
 * the whole file as smaps, and the text up to the first NUL as
 * /proc/PID/stat with the rest as status. No crash, no sanitizer report in
 * the ASan/UBSan pass, only 0 or -EINVAL as answers, nothing leaked.
 */
#include "kernel/procmaps.h"
#include "kernel/procstat.h"
#include "kernel/smaps.h"
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PROC_CRASHES "tests/inspect/proctext-crashes"

/* The whole file and its size (it may hold NUL bytes). */
static char *read_input(const char *path, size_t *size)
{
	struct stat st;
	char *data;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	cr_assert_geq(fd, 0, "%s: cannot open", path);
	cr_assert_eq(fstat(fd, &st), 0);
	data = malloc((size_t)st.st_size + 1);
	cr_assert_not_null(data);
	cr_assert_eq(read(fd, data, (size_t)st.st_size), st.st_size, "%s: short read", path);
	close(fd);
	*size = (size_t)st.st_size;
	return data;
}

/* Each line from a buffer of exactly its size, so a read past it is caught. */
static void parse_maps_lines(const char *name, const char *data, size_t size)
{
	struct procmaps_region r;

	while (size > 0) {
		const char *nl = memchr(data, '\n', size);
		size_t len = nl ? (size_t)(nl - data) : size;
		char *line = strndup(data, len);
		size_t got = strlen(line);

		cr_assert_not_null(line);
		if (procmaps_parse(line, &r) == 0)
			cr_expect(r.path >= line && r.path + strlen(r.path) <= line + got,
			          "%s: path outside its line", name);
		free(line);
		data += len + (nl != NULL);
		size -= len + (nl != NULL);
	}
}

static void parse_smaps(const char *name, const char *path)
{
	struct smaps *s = malloc(sizeof(*s));
	struct procmaps_region r;
	struct smaps_counters c;
	int rc;

	cr_assert_not_null(s);
	cr_assert_eq(smaps_open(s, AT_FDCWD, path), 0, "%s: cannot open", name);
	while ((rc = smaps_next(s, &r, &c)) == 1)
		cr_expect_leq(strlen(r.path), LINES_BUF, "%s: path longer than a line", name);
	cr_expect(rc == 0 || rc == -EINVAL, "%s: smaps_next gave %d", name, rc);
	smaps_close(s);
	free(s);
}

static void parse_procstat(const char *name, const char *data, size_t size)
{
	const char *nul = memchr(data, '\0', size);
	char *stat = strndup(data, nul ? (size_t)(nul - data) : size);
	char *status = nul ? strndup(nul + 1, size - (size_t)(nul - data) - 1) : strdup("");
	struct procstat ps;
	int rc;

	cr_assert(stat && status);
	rc = procstat_parse(stat, status, &ps);
	cr_expect(rc == 0 || rc == -EINVAL, "%s: procstat_parse gave %d", name, rc);
	if (rc == 0)
		cr_expect(ps.rss_anon_pages >= -1 && ps.rss_file_pages >= -1 &&
		                  ps.rss_shmem_pages >= -1,
		          "%s: a negative page count other than -1 (absent)", name);
	free(stat);
	free(status);
}

static int check_all(void)
{
	DIR *d = opendir(PROC_CRASHES);
	struct dirent *e;
	int n = 0;

	cr_assert_not_null(d, "no " PROC_CRASHES " directory");
	while ((e = readdir(d))) {
		char path[512];
		size_t size;
		char *data;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), PROC_CRASHES "/%s", e->d_name);
		data = read_input(path, &size);
		parse_maps_lines(e->d_name, data, size);
		parse_smaps(e->d_name, path);
		parse_procstat(e->d_name, data, size);
		free(data);
		n++;
	}
	closedir(d);
	return n;
}

Test(proctext_crashes, kept_crash_inputs_are_handled_and_leave_nothing_behind, .timeout = 60)
{
	int fds = tu_count_fds(), maps = tu_count_maps();

	cr_expect_gt(check_all(), 0, "no crash input kept");
	cr_expect_eq(tu_count_fds(), fds, "fds leaked");
	cr_expect_eq(tu_count_maps(), maps, "mappings leaked");
}
