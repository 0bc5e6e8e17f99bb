#include "support/testutil.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define NOBODY "setpriv --reuid=65534 --regid=65534 --clear-groups "

static char dir[] = "/tmp/mapscope-cliwho-XXXXXX";
static char path[sizeof(dir) + 16];

static void make_file(void)
{
	char page[4096] = {1};
	int fd;

	cr_assert_not_null(tu_make_tmpdir(dir));
	chmod(dir, 0755);
	snprintf(path, sizeof(path), "%s/f", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	cr_assert_eq(write(fd, page, sizeof(page)), (ssize_t)sizeof(page));
	close(fd);
}

static void remove_file(void)
{
	tu_remove_tree(dir);
}

TestSuite(cli_who, .init = make_file, .fini = remove_file);

static int map_and_close(void *arg)
{
	int fd = open(arg, O_RDONLY);
	void *p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);

	close(fd);
	return p == MAP_FAILED;
}

/* The entry of pid in doc's processes, or NULL. */
static json_t *process(json_t *doc, int pid)
{
	size_t i;
	json_t *p;

	json_array_foreach(json_object_get(doc, "processes"), i, p)
	{
		if (tu_json_int(p, "pid") == pid)
			return p;
	}
	return NULL;
}

Test(cli_who, shows_a_mapped_and_closed_file_with_no_fd)
{
	char cmd[256];
	json_t *doc, *p;
	int status, pid = tu_spawn(map_and_close, path);

	snprintf(cmd, sizeof(cmd), BUILD_DIR "/mapscope who %s", path);
	doc = tu_run_json(cmd, &status);
	cr_assert_eq(status, 0);
	cr_assert_str_eq(json_string_value(json_object_get(doc, "kind")), "who");
	p = process(doc, pid);
	cr_assert_not_null(p);
	cr_assert_geq(tu_json_int(p, "mappings"), 1);
	cr_assert_eq(tu_json_int(p, "fds"), 0);
	cr_assert_geq(tu_json_int(json_object_get(doc, "totals"), "mappings"), 1);
	json_decref(doc);
	tu_reap(pid);
}

Test(cli_who, a_missing_file_is_a_clear_error)
{
	char cmd[256], out[4096];

	snprintf(cmd, sizeof(cmd), BUILD_DIR "/mapscope who %s/missing 2>&1 >/dev/null", dir);
	cr_assert_eq(tu_run(cmd, out, sizeof(out)), 1);
	cr_assert_not_null(strstr(out, "missing: No such file or directory"), "%s", out);
	cr_assert_eq(tu_run(BUILD_DIR "/mapscope who 2>/dev/null", out, sizeof(out)), 2);
	cr_assert_eq(tu_run(BUILD_DIR "/mapscope who --bogus a 2>/dev/null", out, sizeof(out)), 2);
}

/* Other tests' processes come and go, so errors hold "exited" entries too. */
static int any_error_says(json_t *errors, const char *what)
{
	for (size_t i = 0; i < json_array_size(errors); i++) {
		const char *e =
		        json_string_value(json_object_get(json_array_get(errors, i), "error"));
		if (e && strstr(e, what))
			return 1;
	}
	return 0;
}

Test(cli_who, unreadable_processes_are_listed_and_the_scan_goes_on)
{
	char cmd[512];
	json_t *doc, *errors;
	int status;

	if (geteuid() != 0)
		cr_skip_test("needs root to drop privileges");
	/* nobody's own sleep holds the file open (once its fd 3 exists: the
	 * shell opens it after forking); root's processes are refused. */
	snprintf(cmd, sizeof(cmd),
	         NOBODY "sh -c 'sleep 30 3<%s & until [ -e /proc/$!/fd/3 ]; do :; done; " BUILD_DIR
	                "/mapscope who %s; kill $!'",
	         path, path);
	doc = tu_run_json(cmd, &status);
	cr_assert_not_null(doc);
	cr_assert_eq(status, 0);
	errors = json_object_get(doc, "errors");
	cr_assert(any_error_says(errors, "Permission denied"), "no refused process listed");
	cr_assert_eq(tu_json_int(json_object_get(doc, "totals"), "fds"), 1);
	json_decref(doc);
}

Test(cli_who, text_lists_the_users)
{
	char cmd[256], out[1 << 16], line[32];
	int pid = tu_spawn(map_and_close, path);

	snprintf(cmd, sizeof(cmd), BUILD_DIR "/mapscope who --format text %s", path);
	cr_assert_eq(tu_run(cmd, out, sizeof(out)), 0);
	snprintf(line, sizeof(line), "%d run ", pid);
	cr_assert_not_null(strstr(out, line), "%s", out);
	cr_assert_not_null(strstr(out, " PID COMM "), "%s", out);
	cr_assert_not_null(strstr(out, " MAPPINGS FDS "), "%s", out);
	cr_assert_not_null(strstr(out, "1 process uses it;"), "%s", out);
	cr_assert_leq(tu_widest_line(out), 100, "%s", out);
	tu_reap(pid);
}

Test(cli_who, several_paths_give_one_document_and_a_table_each)
{
	char cmd[512], out[1 << 16];
	int pid = tu_spawn(map_and_close, path), status;
	json_t *doc;

	snprintf(cmd, sizeof(cmd),
	         BUILD_DIR "/mapscope who %s /proc/%d/exe %s/missing 2>/dev/null", path, pid, dir);
	doc = tu_run_json(cmd, &status);
	cr_assert_not_null(doc);
	cr_assert_eq(status, 1, "a missing path fails the run");
	cr_assert_str_eq(json_string_value(json_object_get(doc, "kind")), "who_files");
	cr_assert_eq(json_array_size(json_object_get(doc, "files")), 2);
	cr_assert_eq(json_array_size(json_object_get(doc, "path_errors")), 1);
	json_decref(doc);
	snprintf(cmd, sizeof(cmd),
	         BUILD_DIR "/mapscope who --format text -o file,pid --no-headings --raw %s %s",
	         path, path);
	cr_assert_eq(tu_run(cmd, out, sizeof(out)), 0);
	snprintf(cmd, sizeof(cmd), "%s %d\n%s %d\n", path, pid, path, pid);
	cr_assert_str_eq(out, cmd);
	tu_reap(pid);
}
