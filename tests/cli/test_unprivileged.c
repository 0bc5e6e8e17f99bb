/*
 * unprivileged: the pass without privileges. As root, it copies the built
 * binaries into a directory `nobody` can read (CI's clone may live where
 * nobody cannot), then
 *  - runs the suites that must hold for any user again, as nobody;
 *  - runs the CLIs as nobody and checks that every figure that needs a
 *    privilege is null with a reason, and the rest is measured.
 * Run as an ordinary user, the whole suite is already unprivileged.
 */
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Every suite runs again as nobody, except these tests, which need root
 * by design (they switch users themselves or install into the system), and
 * the slow or recursive ones. A new test that needs root skips itself when
 * geteuid() != 0, or is listed here with the reason. */
#define ROOT_ONLY                                                                                 \
	"unprivileged/*"                    /* this pass itself */                                \
	"|valgrind/*"                       /* slow, and privileges change nothing */             \
	"|cli_run/cpython*"                 /* slow: CPython's tests, twice */                    \
	"|cli_run/gdb*"                     /* slow: gdb stops at every load */                   \
	"|cli_hosts/*"                      /* slow: real programs, twice each */                 \
	"|cli_install/*"                    /* builds against the install */                      \
	"|schema/maps_output_matches"       /* runs setpriv itself */                             \
	"|share/truncated_cache_is_ignored" /* truncates root's share cache */
#define UNPRIVILEGED_SUITES "!(" ROOT_ONLY ")"

#define AS_NOBODY                                                                                 \
	"env -u BXFI_MAP setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all "  \
	"--no-new-privs "

struct copy {
	char dir[64];
};

/* Skips unless this machine lets root become nobody. */
static void skip_unless_root_can_drop(void)
{
	char out[256];

	if (geteuid() != 0)
		cr_skip_test("not root: the whole suite already ran without privileges");
	if (tu_run(AS_NOBODY "id -u 2>&1", out, sizeof(out)) != 0 || atoi(out) != 65534)
		cr_skip_test("setpriv cannot switch to nobody here: %s", out);
}

/* Copies the sources (the tests read docs/, testlibs/...) and the build's
 * artefacts, without objects, into a directory everyone can read. */
static void copy_build(struct copy *c)
{
	char cmd[1024], out[4096];

	strcpy(c->dir, "/tmp/mapscope-unpriv-XXXXXX");
	cr_assert_not_null(tu_make_tmpdir(c->dir));
	snprintf(cmd, sizeof(cmd),
	         "set -e; d=%s; b=%s; "
	         "tar cf - --exclude=./build --exclude=./.git . | tar xf - -C $d; "
	         "tar cf - --exclude='*.o' --exclude='*.d' --exclude=$b/asan --exclude=$b/tsan "
	         "--exclude=$b/fuzz $b | tar xf - -C $d; chmod -R a+rX $d 2>&1",
	         c->dir, BUILD_DIR);
	cr_assert_eq(tu_run(cmd, out, sizeof(out)), 0, "copying the build failed: %s", out);
}

static void remove_copy(struct copy *c)
{
	char cmd[128], out[64];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", c->dir);
	tu_run(cmd, out, sizeof(out));
}

/* The lines of out that say what failed (each assertion's place and the
 * three lines after it, each failed or crashed test), into digest: CI
 * shows only the end of a long message, which the whole run overflows. */
static void failure_digest(const char *out, char *digest, size_t cap)
{
	size_t used = 0;
	int after = 0;

	digest[0] = '\0';
	for (const char *line = out; *line && used + 1 < cap;) {
		const char *end = strchrnul(line, '\n');
		size_t len = (size_t)(end - line);

		if (memmem(line, len, "Assertion Failed", 16))
			after = 4;
		if (after || memmem(line, len, "[FAIL]", 6) || memmem(line, len, "[CRASH]", 7)) {
			int n = snprintf(digest + used, cap - used, "%.*s\n", (int)len, line);
			used += n > 0 ? (size_t)n : 0;
			if (used >= cap)
				used = cap - 1;
		}
		after -= after > 0;
		line = *end ? end + 1 : end;
	}
}

/* The nested run (about 100 s on a quiet machine) is bounded, generously
 * for a loaded one, by timeout(1), which ends it and its children,
 * rather than by Criterion's .timeout, which would leave them running
 * (testutil.h says why that matters). */
Test(unprivileged, suites_pass_as_nobody)
{
	struct copy c;
	char cmd[1024], digest[8192], *out = malloc(1 << 20);
	int status, tested = -1, failing = -1, crashing = -1;
	const char *synthesis;

	skip_unless_root_can_drop();
	copy_build(&c);
	snprintf(cmd, sizeof(cmd),
	         "cd %s && timeout -k 10 %d " AS_NOBODY "%s/tests/run -j2 --filter '%s' 2>&1",
	         c.dir, TU_LIMIT(300), BUILD_DIR, UNPRIVILEGED_SUITES);
	status = tu_run(cmd, out, 1 << 20);
	synthesis = strstr(out, "Synthesis:");
	if (synthesis)
		sscanf(synthesis,
		       "Synthesis: Tested: %d | Passing: %*d | Failing: %d | Crashing: %d",
		       &tested, &failing, &crashing);
	remove_copy(&c);
	failure_digest(out, digest, sizeof(digest));
	fprintf(stderr, "unprivileged: %d tests ran as nobody, %d failed, %d crashed\n", tested,
	        failing, crashing);
	cr_expect_neq(status, 124, "the suites as nobody took over %d s:\n%s", TU_LIMIT(300), out);
	cr_expect_eq(status, 0, "suites failed as nobody:\n%s\nin short:\n%s", out, digest);
	cr_expect_gt(tested, 0, "no suite ran as nobody:\n%s", out);
	cr_expect_eq(failing + crashing, 0, "failures as nobody, in short:\n%s", digest);
	free(out);
}

/* Fields whose null means "none" rather than "not measured". */
static int null_means_none(const char *key)
{
	return strcmp(key, "path") == 0; /* anonymous memory has no file */
}

/* A null figure always has its reason beside it; reports the first without. */
static const char *find_null_without_reason(json_t *v)
{
	const char *key;
	json_t *child;
	size_t i;

	if (json_is_array(v)) {
		json_array_foreach(v, i, child)
		{
			const char *bad = find_null_without_reason(child);
			if (bad)
				return bad;
		}
	}
	if (!json_is_object(v))
		return NULL;
	json_object_foreach(v, key, child)
	{
		char reason[256];
		const char *bad;

		snprintf(reason, sizeof(reason), "%s_unavailable", key);
		if (json_is_null(child) && !null_means_none(key) &&
		    !json_string_value(json_object_get(v, reason)))
			return key;
		bad = find_null_without_reason(child);
		if (bad)
			return bad;
	}
	return NULL;
}

/* Runs a CLI of the copy as nobody; returns its JSON output. */
static json_t *run_as_nobody(struct copy *c, const char *args, int *status)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), AS_NOBODY "%s/%s/%s 2>/dev/null", c->dir, BUILD_DIR, args);
	return tu_run_json(cmd, status);
}

/* A root-owned file: mincore would lie to nobody, so residency is unknown. */
Test(unprivileged, file_residency_of_root_owned_file_is_null_with_reason)
{
	struct copy c;
	char path[128], args[256];
	json_t *doc, *entry;
	int fd, status;

	skip_unless_root_can_drop();
	copy_build(&c);
	snprintf(path, sizeof(path), "%s/rootfile", c.dir);
	fd = open(path, O_CREAT | O_WRONLY, 0644);
	cr_assert_geq(fd, 0);
	cr_assert_eq(ftruncate(fd, 1 << 20), 0);
	close(fd);
	snprintf(args, sizeof(args), "mapscope file %s", path);
	doc = run_as_nobody(&c, args, &status);
	remove_copy(&c);
	cr_assert_eq(status, 0);
	cr_assert_not_null(doc);
	entry = json_array_get(json_object_get(doc, "files"), 0);
	cr_expect_eq(json_integer_value(json_object_get(entry, "pages")), 256);
	cr_expect(json_is_null(json_object_get(entry, "resident_pages")));
	cr_expect_null(find_null_without_reason(doc), "null without a reason: %s",
	               find_null_without_reason(doc));
	json_decref(doc);
}

/* Every field of obj named in keys is null with a reason. */
static void expect_null_with_reason(json_t *obj, const char *const *keys, const char *where)
{
	for (; *keys; keys++) {
		char reason[128];
		snprintf(reason, sizeof(reason), "%s_unavailable", *keys);
		cr_expect(json_is_null(json_object_get(obj, *keys)), "%s: %s is not null", where,
		          *keys);
		cr_expect_not_null(json_string_value(json_object_get(obj, reason)),
		                   "%s: %s has no reason", where, *keys);
	}
}

/* Every field of obj named in keys is a measured integer. */
static void expect_measured(json_t *obj, const char *const *keys, const char *where)
{
	for (; *keys; keys++)
		cr_expect(json_is_integer(json_object_get(obj, *keys)), "%s: %s not measured",
		          where, *keys);
}

/* maps self: page map counts and flags need CAP_SYS_ADMIN; smaps and the
 * process's own pagemap do not. */
Test(unprivileged, maps_without_privileges_nulls_only_the_privileged_figures)
{
	static const char *const privileged[] = {"mapcount", "page_flags", "pss_from_mapcount",
	                                         NULL};
	static const char *const measured[] = {"rss", "pss", "present_pages", NULL};
	struct copy c;
	json_t *doc, *mappings, *m;
	int status;
	size_t i;

	skip_unless_root_can_drop();
	copy_build(&c);
	doc = run_as_nobody(&c, "mapscope maps self", &status);
	remove_copy(&c);
	cr_assert_eq(status, 0);
	cr_assert_not_null(doc);
	mappings = json_object_get(doc, "mappings");
	cr_assert_gt(json_array_size(mappings), 0);
	json_array_foreach(mappings, i, m)
	{
		expect_null_with_reason(m, privileged, "mapping");
		expect_measured(m, measured, "mapping");
	}
	expect_measured(json_object_get(doc, "totals"), measured, "totals");
	cr_expect_null(find_null_without_reason(doc), "null without a reason: %s",
	               find_null_without_reason(doc));
	json_decref(doc);
}

/* faults: with perf_event_paranoid at 2 nobody samples only user-mode
 * faults, above 2 none; the counts from the kernel's accounting still come. */
Test(unprivileged, faults_without_privileges_still_counts)
{
	static const char *const measured[] = {"minor", "major", NULL};
	static const char *const privileged[] = {"by_mapping", NULL};
	struct copy c;
	json_t *doc;
	int status, paranoid = tu_perf_paranoid();

	skip_unless_root_can_drop();
	copy_build(&c);
	doc = run_as_nobody(&c, "mapscope faults -- true", &status);
	remove_copy(&c);
	cr_assert_eq(status, 0);
	cr_assert_not_null(doc);
	expect_measured(doc, measured, "faults");
	cr_expect_gt(json_integer_value(json_object_get(doc, "minor")), 0);
	if (paranoid > 2)
		expect_null_with_reason(doc, privileged, "faults");
	if (paranoid == 2)
		cr_expect(json_is_array(json_object_get(doc, "by_mapping")));
	cr_expect_null(find_null_without_reason(doc), "null without a reason: %s",
	               find_null_without_reason(doc));
	json_decref(doc);
}

/* A file in the copy that nobody owns (so its residency can be measured),
 * of 1 MiB of data. */
static void make_nobody_file(const struct copy *c, char *path, size_t len)
{
	static char chunk[1 << 20];
	int fd;

	snprintf(path, len, "%s/coldfile", c->dir);
	fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	cr_assert_geq(fd, 0);
	memset(chunk, 0x5a, sizeof(chunk));
	cr_assert_eq(write(fd, chunk, sizeof(chunk)), (ssize_t)sizeof(chunk));
	cr_assert_eq(fchown(fd, 65534, 65534), 0);
	close(fd);
}

/* Each of a run's samples on path: a user-mode instruction, a major fault,
 * at a 4-page step of the file; returns how many there were. */
static size_t check_file_samples(json_t *doc, const char *path)
{
	json_t *s;
	size_t i, n = 0;

	json_array_foreach(json_object_get(doc, "samples"), i, s)
	{
		const char *p = json_string_value(json_object_get(s, "path"));
		if (!p || strcmp(p, path) != 0)
			continue;
		cr_expect(json_is_integer(json_object_get(s, "addr")));
		cr_expect(json_is_integer(json_object_get(s, "ip")), "a kernel-mode sample");
		cr_expect_str_eq(json_string_value(json_object_get(s, "kind")), "major");
		cr_expect_eq(json_integer_value(json_object_get(s, "offset")) % (4 * 4096), 0);
		n++;
	}
	return n;
}

static json_t *file_entry(json_t *doc, const char *path)
{
	json_t *m;
	size_t i;

	json_array_foreach(json_object_get(doc, "by_mapping"), i, m)
	{
		if (strcmp(json_string_value(json_object_get(m, "path")), path) == 0)
			return m;
	}
	return NULL;
}

/* Copies the build, makes a 1 MiB file in it (nobody's, or root's), and
 * runs `mapscope faults --samples --cold FILE -- touchpages FILE STEP
 * random` as nobody; text, if given, gets the same run's text output. */
static json_t *fault_cold_file_as_nobody(bool nobody_owns, int step, char *path, size_t len,
                                         char *text, size_t textlen)
{
	struct copy c;
	char args[512], cmd[1024];
	json_t *doc;
	int status;

	skip_unless_root_can_drop();
	if (tu_perf_paranoid() != 2)
		cr_skip_test("user-mode-only sampling is what paranoid 2 gives nobody");
	copy_build(&c);
	make_nobody_file(&c, path, len);
	if (!nobody_owns)
		cr_assert_eq(chown(path, 0, 0), 0);
	snprintf(args, sizeof(args),
	         " --samples --cold %s -- %s/%s/tests/helpers/touchpages %s %d random", path,
	         c.dir, BUILD_DIR, path, step);
	snprintf(cmd, sizeof(cmd), AS_NOBODY "%s/%s/mapscope faults%s 2>/dev/null", c.dir,
	         BUILD_DIR, args);
	doc = tu_run_json(cmd, &status);
	if (text) {
		snprintf(cmd, sizeof(cmd),
		         AS_NOBODY "%s/%s/mapscope faults --format text%s 2>/dev/null", c.dir,
		         BUILD_DIR, args);
		cr_expect_eq(tu_run(cmd, text, textlen), 0);
	}
	remove_copy(&c);
	cr_assert_eq(status, 0);
	cr_assert_not_null(doc);
	return doc;
}

/* At paranoid 2, nobody's child reading a cold file through mmap (every 4th
 * page, MADV_RANDOM: one major fault each) has those faults attributed to
 * the file with addresses, while the totals stay the rusage ones. */
Test(unprivileged, faults_of_a_cold_mmap_read_are_attributed_to_the_file, .timeout = 60)
{
	char path[128], text[1 << 16];
	json_t *doc, *m;

	doc = fault_cold_file_as_nobody(true, 4, path, sizeof(path), text, sizeof(text));
	cr_expect_str_eq(json_string_value(json_object_get(doc, "source")), "rusage");
	cr_expect_str_eq(json_string_value(json_object_get(doc, "sampling")), "user_mode_only");
	cr_expect_eq(json_integer_value(json_object_get(doc, "minor")),
	             json_integer_value(json_object_get(doc, "kernel_minor")));
	cr_expect_eq(json_integer_value(json_object_get(doc, "major")),
	             json_integer_value(json_object_get(doc, "kernel_major")));
	cr_expect_eq(json_integer_value(json_object_get(doc, "sampled_major")) +
	                     json_integer_value(json_object_get(doc, "unsampled_major")),
	             json_integer_value(json_object_get(doc, "major")));
	m = file_entry(doc, path);
	cr_assert_not_null(m, "no faults attributed to %s", path);
	/* 64 pages touched, one major fault each; another process evicting a
	 * page may add one, never remove one. */
	cr_expect_geq(json_integer_value(json_object_get(m, "major")), 64);
	cr_expect_eq(json_integer_value(json_object_get(m, "pages")), 64);
	cr_expect_eq(json_integer_value(json_object_get(m, "cache_pages_added")), 64);
	cr_expect_geq(check_file_samples(doc, path), 64);
	cr_expect_null(find_null_without_reason(doc), "null without a reason: %s",
	               find_null_without_reason(doc));
	cr_expect_not_null(strstr(text, "sampled user-mode faults only"), "%s", text);
	cr_expect_not_null(strstr(text, "(not sampled: exec, kernel mode)"), "%s", text);
	json_decref(doc);
}

/* A --cold file nobody neither owns nor may write: mincore and cachestat
 * would not tell the truth, so what the run added to the cache is null with
 * that reason, not "name the file with --cold". */
Test(unprivileged, faults_cold_file_of_another_owner_has_unknown_cache_growth)
{
	char path[128];
	json_t *doc, *m;

	doc = fault_cold_file_as_nobody(false, 16, path, sizeof(path), NULL, 0);
	m = file_entry(doc, path);
	cr_assert_not_null(m, "no faults attributed to %s", path);
	cr_expect_eq(json_integer_value(json_object_get(m, "pages")), 16);
	cr_expect(json_is_null(json_object_get(m, "cache_pages_added")));
	cr_expect_not_null(
	        strstr(json_string_value(json_object_get(m, "cache_pages_added_unavailable")),
	               "not the owner"));
	json_decref(doc);
}

/* The kernel detaches perf events from a program that gains privileges at
 * exec; nothing sampled is then said to be that, not passed off as none. */
Test(unprivileged, faults_of_a_setuid_command_say_nothing_was_sampled)
{
	char cmd[512];
	struct copy c;
	struct stat st;
	json_t *doc;
	int status;

	skip_unless_root_can_drop();
	if (tu_perf_paranoid() != 2)
		cr_skip_test("user-mode-only sampling is what paranoid 2 gives nobody");
	if (stat("/usr/bin/mount", &st) != 0 || !(st.st_mode & S_ISUID))
		cr_skip_test("no set-user-ID /usr/bin/mount here");
	copy_build(&c);
	/* Without --no-new-privs, which would keep mount from gaining any. */
	snprintf(cmd, sizeof(cmd),
	         "env -u BXFI_MAP setpriv --reuid=nobody --regid=nogroup --clear-groups "
	         "--inh-caps=-all %s/%s/mapscope faults -- /usr/bin/mount --version 2>/dev/null",
	         c.dir, BUILD_DIR);
	doc = tu_run_json(cmd, &status);
	remove_copy(&c);
	cr_assert_eq(status, 0);
	cr_assert_not_null(doc);
	cr_expect_eq(json_integer_value(json_object_get(doc, "sampled_minor")), 0);
	cr_expect_gt(json_integer_value(json_object_get(doc, "minor")), 0);
	cr_expect_eq(json_integer_value(json_object_get(doc, "unsampled_minor")),
	             json_integer_value(json_object_get(doc, "minor")));
	cr_expect_not_null(strstr(
	        json_string_value(json_object_get(doc, "perf_event_unavailable")), "set-user-ID"));
	json_decref(doc);
}

/* maps --all as nobody: its own processes are read, root's are in errors[]
 * with the reason, and the scan still succeeds. */
Test(unprivileged, maps_all_without_privileges_reads_own_and_lists_the_rest)
{
	struct copy c;
	char cmd[512];
	json_t *doc, *errors, *e, *procs, *p;
	int status, found_sleeper = 0;
	size_t i;

	skip_unless_root_can_drop();
	copy_build(&c);
	snprintf(cmd, sizeof(cmd),
	         AS_NOBODY "sh -c 'sleep 30 & s=$!; "
	                   /* the fork is the shell's until it execs the sleep */
	                   "until grep -qx sleep /proc/$s/comm; do sleep 0.01; done; "
	                   "%s/%s/mapscope maps --all 2>/dev/null; "
	                   "r=$?; kill $s; exit $r'",
	         c.dir, BUILD_DIR);
	doc = tu_run_json(cmd, &status);
	remove_copy(&c);
	cr_assert_eq(status, 0);
	cr_assert_not_null(doc);
	procs = json_object_get(doc, "processes");
	json_array_foreach(procs, i, p)
	{
		found_sleeper |=
		        strcmp(json_string_value(json_object_get(p, "comm")), "sleep") == 0;
	}
	cr_expect(found_sleeper, "nobody's own sleep is not in processes[]");
	errors = json_object_get(doc, "errors");
	cr_expect_gt(json_array_size(errors), 0, "root's processes are not in errors[]");
	json_array_foreach(errors, i, e)
	{
		const char *why = json_string_value(json_object_get(e, "error"));
		cr_expect(why && *why, "an error without a reason");
		/* kthreadd (pid 2) is a kernel thread, not a process that exited */
		cr_expect_neq(json_integer_value(json_object_get(e, "pid")), 2,
		              "kthreadd is in errors[]: %s", why);
	}
	cr_expect_gt(tu_json_int(json_object_get(doc, "totals"), "kernel_threads"), 0);
	json_decref(doc);
	/* As root, kernel threads are counted the same way. */
	doc = tu_run_json(BUILD_DIR "/mapscope maps --all 2>/dev/null", &status);
	cr_assert_not_null(doc);
	cr_expect_gt(tu_json_int(json_object_get(doc, "totals"), "kernel_threads"), 0);
	json_decref(doc);
}
