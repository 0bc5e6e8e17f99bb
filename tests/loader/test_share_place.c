#include "share_place.h"
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define LO   0x3f0000000000UL
#define HI   (LO + (512UL << 30))
#define SALT 0x1234abcdULL

static char dir[64];

static void make_dir(void)
{
	strcpy(dir, "/tmp/place-test-XXXXXX");
	cr_assert_not_null(tu_make_tmpdir(dir));
}

static void remove_dir(void)
{
	tu_remove_tree(dir);
}

TestSuite(place, .init = make_dir, .fini = remove_dir);

static uintptr_t place_in(const char *in, const char *id, size_t span, size_t align)
{
	char why[256] = "";
	uintptr_t base = 0;

	cr_assert_eq(share_place(in, SALT, id, span, align, LO, HI, &base, why, sizeof(why)), 0,
	             "%s", why);
	return base;
}

static uintptr_t place(const char *id, size_t span, size_t align)
{
	return place_in(dir, id, span, align);
}

/* In a child, which has no layout in memory yet: what a later process gets. */
static uintptr_t place_afresh(const char *id, size_t span, size_t align)
{
	int pipefd[2], status;
	uintptr_t base = 0;
	pid_t pid;

	cr_assert_eq(pipe(pipefd), 0);
	pid = fork();
	if (pid == 0) {
		/* Another directory first, so the one in memory is dropped. */
		char other[64] = "/tmp/place-other-XXXXXX";
		char why[256];
		uintptr_t b = 0, ignored;
		if (!mkdtemp(other))
			_exit(1);
		share_place(other, SALT, "bother", 4096, 4096, LO, HI, &ignored, why, sizeof(why));
		char name[PATH_MAX];
		share_place_name(other, SALT, name, sizeof(name));
		unlink(name);
		rmdir(other);
		if (share_place(dir, SALT, id, span, align, LO, HI, &b, why, sizeof(why)) != 0)
			_exit(2);
		_exit(write(pipefd[1], &b, sizeof(b)) == sizeof(b) ? 0 : 3);
	}
	close(pipefd[1]);
	cr_assert_eq(read(pipefd[0], &base, sizeof(base)), (ssize_t)sizeof(base));
	close(pipefd[0]);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	return base;
}

Test(place, libraries_are_packed_in_the_order_met)
{
	uintptr_t a = place("baaaa", 3 * 4096, 4096);
	uintptr_t b = place("bbbbb", 5 * 4096, 4096);
	uintptr_t c = place("bcccc", 3 << 20, 2 << 20);

	cr_assert_geq(a, LO);
	cr_assert_lt(a, HI);
	cr_assert_eq(a % (2 << 20), 0, "the first starts on a huge-page boundary");
	cr_assert_eq(b, a + 3 * 4096);
	cr_assert_eq(c % (2 << 20), 0);
	cr_assert_geq(c, b + 5 * 4096);
	cr_assert_lt(c, b + 5 * 4096 + (2 << 20));
	cr_assert_eq(place("baaaa", 3 * 4096, 4096), a);
}

Test(place, a_later_process_gets_the_same_bases)
{
	uintptr_t a = place("baaaa", 3 * 4096, 4096);
	uintptr_t b = place("bbbbb", 5 * 4096, 4096);

	cr_assert_eq(place_afresh("bbbbb", 5 * 4096, 4096), b);
	cr_assert_eq(place_afresh("baaaa", 3 * 4096, 4096), a);
	/* One a child added is found by this process too. */
	uintptr_t c = place_afresh("bcccc", 4096, 4096);
	cr_assert_eq(place("bcccc", 4096, 4096), c);
	cr_assert_eq(c, b + 5 * 4096);
}

Test(place, the_same_identity_with_another_span_is_another_library)
{
	uintptr_t a = place("baaaa", 3 * 4096, 4096);
	uintptr_t b = place("baaaa", 4 * 4096, 4096);

	cr_assert_eq(b, a + 3 * 4096);
}

/* Racing first processes, each meeting the same libraries in another
 * order: all agree on every base, and no two overlap. */
Test(place, racing_processes_agree)
{
	const char *ids[4] = {"b0", "b1", "b2", "b3"};
	uintptr_t got[4][4];
	int pipes[4][2];
	pid_t kids[4];

	for (int k = 0; k < 4; k++) {
		cr_assert_eq(pipe(pipes[k]), 0);
		kids[k] = fork();
		if (kids[k] == 0) {
			uintptr_t mine[4];
			char why[256];
			for (int i = 0; i < 4; i++) {
				int j = (i + k) % 4;
				if (share_place(dir, SALT, ids[j], (size_t)(j + 1) * 4096, 4096,
				                LO, HI, &mine[j], why, sizeof(why)) != 0)
					_exit(1);
			}
			_exit(write(pipes[k][1], mine, sizeof(mine)) == sizeof(mine) ? 0 : 2);
		}
		close(pipes[k][1]);
	}
	for (int k = 0; k < 4; k++) {
		int status;
		cr_assert_eq(read(pipes[k][0], got[k], sizeof(got[k])), (ssize_t)sizeof(got[k]));
		close(pipes[k][0]);
		cr_assert_eq(waitpid(kids[k], &status, 0), kids[k]);
		cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	for (int j = 0; j < 4; j++) {
		for (int k = 1; k < 4; k++)
			cr_assert_eq(got[k][j], got[0][j], "library %d", j);
		for (int i = 0; i < j; i++)
			cr_assert(got[0][i] + (size_t)(i + 1) * 4096 <= got[0][j] ||
			                  got[0][j] + (size_t)(j + 1) * 4096 <= got[0][i],
			          "libraries %d and %d overlap", i, j);
	}
}

/* A damaged record is skipped; the library gets a new one after it. */
Test(place, a_damaged_record_is_skipped)
{
	char name[PATH_MAX];
	struct stat st;
	uintptr_t b;
	int fd;

	place("baaaa", 4096, 4096);
	share_place_name(dir, SALT, name, sizeof(name));
	fd = open(name, O_RDWR);
	cr_assert_geq(fd, 0);
	cr_assert_eq(pwrite(fd, "X", 1, 12), 1); /* inside the identity */
	close(fd);
	b = place_afresh("baaaa", 4096, 4096);
	cr_assert_eq(stat(name, &st), 0);
	cr_assert_eq(st.st_size, 2 * 128, "no new record: the damaged one was used");
	cr_assert_eq(place_afresh("baaaa", 4096, 4096), b, "the new record is used");
	cr_assert_geq(b, LO);
	cr_assert_lt(b, HI);
	/* A partly written record at the end is not read either. */
	fd = open(name, O_WRONLY | O_APPEND);
	cr_assert_eq(write(fd, "SLPLACE1", 8), 8);
	close(fd);
	cr_assert_eq(place_afresh("baaaa", 4096, 4096), b);
}

Test(place, a_layout_writable_by_others_is_refused)
{
	char name[PATH_MAX], why[256] = "";
	uintptr_t base;

	place("baaaa", 4096, 4096);
	share_place_name(dir, SALT, name, sizeof(name));
	cr_assert_eq(chmod(name, 0666), 0);
	/* A child reads the file afresh. */
	pid_t pid = fork();
	if (pid == 0)
		_exit(share_place(dir, SALT, "bbbbb", 4096, 4096, LO, HI, &base, why,
		                  sizeof(why)) == -1 &&
		                      strstr(why, "writable by group or others")
		              ? 0
		              : 1);
	int status;
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

Test(place, a_full_window_is_refused)
{
	char why[256] = "";
	uintptr_t base;

	place("baaaa", 4096, 4096);
	cr_assert_eq(
	        share_place(dir, SALT, "bhuge", HI - LO, 4096, LO, HI, &base, why, sizeof(why)),
	        -1);
	cr_assert(strstr(why, "no room"), "%s", why);
}
