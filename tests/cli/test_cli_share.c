/* mapscope share, run as a user would: holders started, measured, stopped. */
#include "support/prom_check.h"
#include "support/run_report.h"
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SHARE BUILD_DIR "/mapscope share "

static json_t *run_share(const char *args, int want_status)
{
	char cmd[512];
	int status;
	json_t *doc;

	snprintf(cmd, sizeof(cmd), SHARE "%s 2>/dev/null", args);
	doc = tu_run_json(cmd, &status);
	cr_assert_eq(status, want_status, "%s: exit %d", cmd, status);
	cr_assert_not_null(doc, "%s: not JSON", cmd);
	return doc;
}

static int64_t get_int(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	cr_assert(json_is_integer(v), "%s is not an integer", key);
	return json_integer_value(v);
}

static int lists_library(json_t *doc, const char *name)
{
	json_t *libs = json_object_get(doc, "libraries");

	for (size_t i = 0; i < json_array_size(libs); i++)
		if (strstr(json_string_value(json_array_get(libs, i)), name))
			return 1;
	return 0;
}

Test(cli_share, dlopen_holders_are_measured_with_what_they_loaded)
{
	json_t *doc = run_share("-n 2 --loader dlopen libssl.so.3", 0);
	json_t *procs = json_object_get(doc, "per_process");
	json_t *totals = json_object_get(doc, "totals");
	int64_t sum = 0;

	cr_assert_str_eq(json_string_value(json_object_get(doc, "loader")), "dlopen");
	cr_assert_eq(get_int(doc, "processes"), 2);
	cr_assert(lists_library(doc, "libssl.so.3") && lists_library(doc, "libcrypto.so.3"));
	cr_assert_eq(json_array_size(procs), 2);
	for (size_t i = 0; i < 2; i++) {
		json_t *p = json_array_get(procs, i);
		cr_assert_gt(get_int(p, "pid"), 0);
		cr_assert_gt(get_int(p, "rss"), 0);
		cr_assert_gt(get_int(p, "private_dirty"), 0, "glibc relocates into private pages");
		cr_assert_leq(get_int(p, "pss"), get_int(p, "rss"));
		cr_assert(json_is_null(json_object_get(p, "relro")));
		sum += get_int(p, "private_dirty");
	}
	cr_assert_eq(get_int(totals, "private_dirty"), sum);
	json_decref(doc);
}

Test(cli_share, failing_holder_is_reported_and_nothing_is_left)
{
	char lib[] = "/tmp/share-notelf-XXXXXX", cmd[256], out[2][4096], left[256];
	const char *const loaders[] = {"dlopen", "soload"};
	int fd = mkstemp(lib), status[2], stray;

	cr_assert_eq(write(fd, "not an ELF file", 15), 15);
	close(fd);
	for (int i = 0; i < 2; i++) {
		snprintf(cmd, sizeof(cmd), SHARE "-n 3 --loader %s %s 2>&1 >/dev/null", loaders[i],
		         lib);
		status[i] = tu_run(cmd, out[i], sizeof(out[i]));
	}
	snprintf(cmd, sizeof(cmd), "pgrep -f 'share-notelf[-]%s'", lib + strlen(lib) - 6);
	stray = tu_run(cmd, left, sizeof(left));
	unlink(lib);
	for (int i = 0; i < 2; i++) {
		cr_assert_eq(status[i], 1, "%s", out[i]);
		/* Depending on which the holder got to first: its exit or its error
		 * document on the ready line. */
		cr_assert(strstr(out[i], "holder") && (strstr(out[i], "exited with status 1") ||
		                                       strstr(out[i], "failed: ")),
		          "%s", out[i]);
		cr_assert(strstr(out[i], "share-notelf-"), "%s", out[i]);
	}
	cr_assert_eq(stray, 1, "holders left behind: %s", left);
}

Test(cli_share, library_not_found_names_where_it_looked)
{
	char out[4096];

	cr_assert_eq(tu_run(SHARE "libnosuch.so.9 2>&1 >/dev/null", out, sizeof(out)), 1);
	cr_assert(strstr(out, "libnosuch.so.9: not found (searched: "), "%s", out);
}

Test(cli_share, usage_errors_exit_2)
{
	char out[1024];

	cr_assert_eq(tu_run(SHARE "-n 0 libssl.so.3 2>&1", out, sizeof(out)), 2);
	cr_assert(strstr(out, "invalid -n value '0'"), "%s", out);
	cr_assert_eq(tu_run(SHARE "--loader ld.so libssl.so.3 2>&1", out, sizeof(out)), 2);
	cr_assert(strstr(out, "invalid --loader value 'ld.so' (accepted: dlopen,"), "%s", out);
	cr_assert_eq(tu_run(SHARE "2>&1", out, sizeof(out)), 2);
	cr_assert_eq(tu_run(SHARE "a.so b.so 2>&1", out, sizeof(out)), 2);
	cr_assert_eq(tu_run(SHARE "--help", out, sizeof(out)), 0);
	cr_assert(strstr(out, "--loader"), "%s", out);
}

Test(cli_share, text_output_names_the_loader_and_the_libraries)
{
	char out[8192];

	cr_assert_eq(
	        tu_run(SHARE "-n 1 --loader dlopen --format text libssl.so.3", out, sizeof(out)),
	        0);
	cr_assert(strstr(out, "loader: dlopen"), "%s", out);
	cr_assert(strstr(out, "libcrypto.so.3"), "%s", out);
	cr_assert(strstr(out, "\n    PID    RSS    PSS SHARED_CLEAN PRIVATE_DIRTY"), "%s", out);
	cr_assert(strstr(out, "\n  total "), "%s", out);
	cr_assert(strstr(out, "1 holder,"), "%s", out);
	/* The header line names the libraries; the table fits. */
	cr_assert_leq(tu_widest_line(strchr(out, '\n') + 1), 100, "%s", out);
}

Test(cli_share, loaders_side_by_side_and_table_options)
{
	char out[8192];

	cr_assert_eq(tu_run(SHARE
	                    "-n 1 --loader all --format text --bytes " TESTLIB("libhello.so"),
	                    out, sizeof(out)),
	             0, "%s", out);
	cr_assert(strstr(out, "\nTOTALS "), "%s", out);
	cr_assert(strstr(out, " dlopen soload soload-share\n"), "%s", out);
	cr_assert(strstr(out, "\nPSS / dlopen "), "%s", out);
	cr_assert_eq(tu_run(SHARE "-n 1 --loader dlopen --format text -o pid,private_dirty "
	                          "--no-headings --raw libz.so.1",
	                    out, sizeof(out)),
	             0);
	/* "PID BYTES" rows, then "total BYTES". */
	cr_assert_gt(strspn(out, "0123456789"), 0, "%s", out);
	cr_assert(strstr(out, "\ntotal "), "%s", out);
	cr_assert_null(strstr(out, "loader:"), "%s", out);
}

Test(cli_share, prometheus_output_is_valid_exposition)
{
	static char out[1 << 16];
	struct prom_report rep;

	cr_assert_eq(tu_run(SHARE "-n 2 --loader dlopen --format prometheus libssl.so.3", out,
	                    sizeof(out)),
	             0);
	cr_assert_eq(prom_check(out, &rep), 0, "%s\n%s", rep.first, out);
	cr_assert(strstr(out, "mapscope_share_private_dirty_bytes{library=\"libssl.so.3\","
	                      "loader=\"dlopen\"}"),
	          "%s", out);
	cr_assert_geq(rep.samples, 2 * 9 + 9);
}

/* ---- soload-share: RELRO pages through the cache ---- */

static char dir[64];

static void make_dir(void)
{
	strcpy(dir, "/tmp/cli-share-XXXXXX");
	cr_assert_not_null(tu_make_tmpdir(dir));
	setenv("SOLOAD_SHARE_DIR", dir, 1);
}

static void remove_dir(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(cli_share_cache, .init = make_dir, .fini = remove_dir);

static json_t *relro_of(json_t *doc, size_t i)
{
	json_t *relro =
	        json_object_get(json_array_get(json_object_get(doc, "per_process"), i), "relro");

	cr_assert(json_is_object(relro), "holder %zu reports no relro", i);
	return relro;
}

static const char *status_of(json_t *doc, size_t i)
{
	return json_string_value(json_object_get(relro_of(doc, i), "status"));
}

static int count_in(const char *text, const char *word)
{
	int n = 0;

	for (const char *p = strstr(text, word); p; p = strstr(p + 1, word))
		n++;
	return n;
}

Test(cli_share_cache, libssl_holders_share_relro_of_both_libraries)
{
	json_t *doc = run_share("-n 2 --loader soload-share libssl.so.3", 0);

	for (size_t i = 0; i < 2; i++) {
		json_t *relro = relro_of(doc, i);
		cr_assert_gt(get_int(relro, "shared_pages"), 50, "%s", status_of(doc, i));
		cr_assert(strstr(status_of(doc, i), "libssl.so.3: ") &&
		                  strstr(status_of(doc, i), "libcrypto.so.3: "),
		          "%s", status_of(doc, i));
		cr_assert_not(strstr(status_of(doc, i), "private"), "%s", status_of(doc, i));
	}
	cr_assert(lists_library(doc, "libcrypto.so.3"));
	json_decref(doc);
}

Test(cli_share_cache, holders_started_at_once_on_an_empty_dir_all_share)
{
	json_t *doc = run_share("-n 4 --loader soload-share " TESTLIB("libtables.so"), 0);
	int created = 0;

	for (size_t i = 0; i < 4; i++) {
		const char *status = status_of(doc, i);
		cr_assert(strstr(status, ": created") || strstr(status, ": shared"), "%s", status);
		created += count_in(status, "created");
		cr_assert_geq(get_int(relro_of(doc, i), "shared_pages"), 38, "%s", status);
	}
	cr_assert_eq(created, 1, "exactly one holder writes the cache");
	json_decref(doc);
}

Test(cli_share_cache, sharing_cuts_private_dirty_bytes)
{
	json_t *plain, *shared;
	int64_t before, after;

	/* A library file just written (the copy of the build the pass as
	 * nobody runs in) has dirty page-cache pages, which smaps counts as
	 * Private_Dirty in the one holder that reads them: a warm holder no
	 * longer reads the relocation tables, so only the cache's writer
	 * would, and they would count against sharing. Written back first. */
	cr_assert_eq(system("sync " TESTLIB("libtables.so")), 0);
	plain = run_share("-n 2 --loader soload " TESTLIB("libtables.so"), 0);
	shared = run_share("-n 2 --loader soload-share " TESTLIB("libtables.so"), 0);
	before = get_int(json_object_get(plain, "totals"), "private_dirty");
	after = get_int(json_object_get(shared, "totals"), "private_dirty");

	cr_assert_lt(after * 4, before, "private dirty %lld with sharing, %lld without",
	             (long long)after, (long long)before);
	json_decref(plain);
	json_decref(shared);
}

/* Changes the one cache file of libtables: "flip" a byte, or chmod "0666". */
static void spoil_cache(const char *how)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "f=$(ls %s/*.relro) && [ $(echo \"$f\" | wc -l) = 1 ] && %s",
	         dir,
	         strcmp(how, "flip") == 0
	                 ? "chmod 644 $f && printf '\\377' | dd of=$f bs=1 seek=6000 "
	                   "conv=notrunc status=none && chmod 444 $f"
	                 : "chmod 666 $f");
	cr_assert_eq(system(cmd), 0, "%s", cmd);
}

Test(cli_share_cache, corrupt_cache_is_ignored_with_the_reason)
{
	json_t *doc = run_share("-n 1 --loader soload-share " TESTLIB("libtables.so"), 0);

	json_decref(doc);
	spoil_cache("flip");
	doc = run_share("-n 2 --loader soload-share " TESTLIB("libtables.so"), 0);
	for (size_t i = 0; i < 2; i++) {
		cr_assert(strstr(status_of(doc, i), "private: cache checksum mismatch"), "%s",
		          status_of(doc, i));
		cr_assert_eq(get_int(relro_of(doc, i), "shared_pages"), 0);
	}
	json_decref(doc);
}

Test(cli_share_cache, cache_writable_by_others_is_refused)
{
	json_t *doc = run_share("-n 1 --loader soload-share " TESTLIB("libtables.so"), 0);

	json_decref(doc);
	spoil_cache("chmod");
	doc = run_share("-n 1 --loader soload-share " TESTLIB("libtables.so"), 0);
	cr_assert(strstr(status_of(doc, 0), "writable by group or others"), "%s",
	          status_of(doc, 0));
	json_decref(doc);
}

/* A warm load writes libchain_a's slots into glibc from the cache, as
 * libc's bias plus an offset: a fresh process, with libc elsewhere, runs
 * its constructors' and finalisers' calls through them (getenv, open,
 * write, strlen, close, which append their lines to $SOLOAD_TRACE). */
Test(cli_share_cache, a_warm_process_calls_glibc_through_bindings_from_the_cache)
{
	char out[1 << 16], trace[512], cmd[1024];
	FILE *f;
	size_t n;

	snprintf(trace, sizeof(trace), "%s/trace", getenv("SOLOAD_SHARE_DIR"));
	snprintf(cmd, sizeof(cmd),
	         "SOLOAD_TRACE=%s " BUILD_DIR
	         "/soload hold --share " TESTLIB("libchain_a.so") " </dev/null",
	         trace);
	for (int run = 0; run < 2; run++) {
		json_t *line, *share;
		cr_assert_eq(tu_run(cmd, out, sizeof(out)), 0, "run %d: %s", run, out);
		line = json_loads(out, 0, NULL);
		cr_assert_not_null(line, "%s", out);
		share = json_object_get(json_array_get(json_object_get(line, "libraries"), 0),
		                        "share");
		cr_assert_eq(get_int(share, "relocs_skipped"), run ? 7 : 0, "run %d", run);
		if (run) /* its one RELRO page holds glibc's addresses: private, yet written from
		            the cache */
			cr_assert_not_null(
			        strstr(json_string_value(json_object_get(share, "status")),
			               "relocations still written from the cache"),
			        "%s", json_string_value(json_object_get(share, "status")));
		json_decref(line);
	}
	f = fopen(trace, "r");
	cr_assert_not_null(f);
	n = fread(out, 1, sizeof(out) - 1, f);
	fclose(f);
	out[n] = '\0';
	cr_assert_str_eq(out,
	                 "c:init\nb:init\na:init\na:fini\nb:fini\nc:fini\n"
	                 "c:init\nb:init\na:init\na:fini\nb:fini\nc:fini\n",
	                 "%s", out);
}

/* soload run --share's report counts each library's relocations a warm
 * load did not apply, as soload hold --share does: none in the first run,
 * which writes the cache, libchain_a's 7 in the second. */
Test(cli_share_cache, run_report_counts_the_relocations_a_warm_load_skipped, .timeout = 60)
{
	char report[512], cmd[1024], out[4096];

	if (access("/usr/bin/python3", X_OK) != 0)
		cr_skip_test("python3 not installed");
	snprintf(report, sizeof(report), "%s/report.json", getenv("SOLOAD_SHARE_DIR"));
	snprintf(cmd, sizeof(cmd),
	         BUILD_DIR "/soload run --share --report %s -- /usr/bin/python3 -c "
	                   "'import ctypes; ctypes.CDLL(\"%s\")' 2>&1",
	         report, TESTLIB("libchain_a.so"));
	for (int run = 0; run < 2; run++) {
		json_t *doc, *libs, *l, *share = NULL;
		size_t i;
		cr_assert_eq(tu_run(cmd, out, sizeof(out)), 0, "run %d: %s", run, out);
		doc = run_report_load(report);
		libs = json_object_get(doc, "libraries");
		json_array_foreach(libs, i, l)
		{
			const char *path = json_string_value(json_object_get(l, "path"));
			if (path && strstr(path, "/libchain_a.so"))
				share = json_object_get(l, "share");
		}
		cr_assert(json_is_object(share), "run %d: no share for libchain_a", run);
		cr_assert_eq(get_int(share, "relocs_skipped"), run ? 7 : 0, "run %d", run);
		json_decref(doc);
	}
}

Test(cli_share_cache, soload_hold_share_line_counts_shared_pages)
{
	char out[1 << 16];
	json_t *line, *share;

	cr_assert_eq(tu_run(BUILD_DIR "/soload hold --share " TESTLIB(
	                            "libtables.so") " </dev/null >/dev/null",
	                    out, sizeof(out)),
	             0);
	cr_assert_eq(tu_run(BUILD_DIR
	                    "/soload hold --share " TESTLIB("libtables.so") " </dev/null",
	                    out, sizeof(out)),
	             0);
	line = json_loads(out, 0, NULL);
	cr_assert_not_null(line, "%s", out);
	share = json_object_get(json_array_get(json_object_get(line, "libraries"), 0), "share");
	cr_assert_str_eq(json_string_value(json_object_get(share, "status")), "shared");
	cr_assert_geq(get_int(share, "shared_pages"), 38);
	cr_assert_eq(get_int(share, "shared_pages") + get_int(share, "private_pages"),
	             get_int(share, "relro_pages"));
	json_decref(line);
}

/* Runs ldconfig, one at a time across test runs: two writing the cache at
 * once could leave a broken one. */
static int run_ldconfig(void)
{
	char out[256];

	return tu_run("flock /run/mapscope-ldconfig.lock ldconfig 2>&1", out, sizeof(out));
}

/* Issues 13 and 14: share searches a name as libsoload does, so it finds a
 * library that only ldconfig's cache knows, in /usr/local/lib. */
Test(cli_share, finds_a_library_through_ldconfigs_cache)
{
	char name[64], path[128], cmd[512], args[128];
	json_t *doc[2] = {NULL, NULL};
	int status[2], st;

	if (geteuid() != 0)
		cr_skip_test("installs into /usr/local/lib and runs ldconfig: root only");
	snprintf(name, sizeof(name), "libmapscope_ldcache%d.so", (int)getpid());
	snprintf(path, sizeof(path), "/usr/local/lib/%s", name);
	snprintf(cmd, sizeof(cmd), "install -m 644 %s %s", TESTLIB("libhello.so"), path);
	cr_assert_eq(system(cmd), 0);
	st = run_ldconfig();
	for (int i = 0; st == 0 && i < 2; i++) {
		snprintf(args, sizeof(args), "-n 1 --loader %s %s", i ? "dlopen" : "soload", name);
		snprintf(cmd, sizeof(cmd), "env -u SOLOAD_LIBRARY_PATH " SHARE "%s 2>&1", args);
		doc[i] = tu_run_json(cmd, &status[i]);
	}
	unlink(path);
	cr_assert_eq(run_ldconfig(), 0, "ldconfig after removing %s", path);
	cr_assert_eq(st, 0, "ldconfig failed");
	for (int i = 0; i < 2; i++) {
		cr_assert_eq(status[i], 0, "loader %d: exit %d", i, status[i]);
		cr_assert(lists_library(doc[i], path), "loader %d: %s not measured", i, path);
		json_decref(doc[i]);
	}
}
