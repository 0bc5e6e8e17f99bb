/* soload run end to end: dlopen semantics under the preload
 * (tests/helpers/dlsemantics.c, the same checks under plain glibc), the
 * report held to docs/schema/run.json, malformed files, python3's
 * extension modules, exit codes, and the preload's exports. */
#include "support/run_report.h"
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SOLOAD  BUILD_DIR "/soload"
#define HELPER  BUILD_DIR "/tests/helpers/dlsemantics"
#define PYTHON  "/usr/bin/python3"
#define OUT_CAP (1 << 16)

static struct run_scratch scratch;

static void setup(void)
{
#ifdef __SANITIZE_ADDRESS__
	/* In the sanitized build the helpers are sanitized too, and the
	 * preload (built plain) comes before libasan in their library list. */
	setenv("ASAN_OPTIONS", "verify_asan_link_order=0:detect_leaks=0", 1);
#endif
	run_scratch_make(&scratch);
}

static void teardown(void)
{
	run_scratch_remove(&scratch);
}

TestSuite(cli_run, .init = setup, .fini = teardown);

/* The report's entry for the library whose path ends in name, or NULL. */
static json_t *entry_for(json_t *doc, const char *name)
{
	json_t *libs = json_object_get(doc, "libraries"), *l;
	size_t i, n = strlen(name);

	json_array_foreach(libs, i, l)
	{
		const char *p = json_string_value(json_object_get(l, "path"));
		size_t len = strlen(p);
		if (len >= n && !strcmp(p + len - n, name))
			return l;
	}
	return NULL;
}

static void expect_soload(json_t *doc, const char *name, int opened)
{
	json_t *l = entry_for(doc, name);

	cr_assert_not_null(l, "the report does not list %s", name);
	cr_assert_str_eq(json_string_value(json_object_get(l, "loaded_by")), "soload", "%s", name);
	if (opened >= 0)
		cr_expect_eq(json_integer_value(json_object_get(l, "opened")), opened, "%s", name);
}

/* Runs the helper's case c, plainly or under soload run with the report,
 * its output (stderr too) in out: the exit status. */
static int run_case(const char *c, int under, char *out)
{
	char cmd[1024];

	if (under)
		snprintf(cmd, sizeof(cmd),
		         SOLOAD " run --report %s -- " HELPER " %s " BUILD_DIR "/testlibs 2>&1",
		         scratch.report, c);
	else
		snprintf(cmd, sizeof(cmd), HELPER " %s " BUILD_DIR "/testlibs 2>&1", c);
	return tu_run(cmd, out, OUT_CAP);
}

/* Runs one case plainly and under soload run (stderr kept: the preload
 * must print nothing), and returns the report. */
static json_t *both_ways(const char *c)
{
	char out[OUT_CAP];
	int st;

	st = run_case(c, 0, out);
#ifdef __SANITIZE_ADDRESS__
	/* ASan's dlopen interceptor calls glibc's for the program, so glibc
	 * takes it for the caller and a constructor's dlopen misses its
	 * library's $ORIGIN (soload run sees the real caller). */
	if (!strcmp(c, "ctor"))
		st = 0;
#endif
	cr_assert_eq(st, 0, "plain glibc, %s: %s", c, out);
	st = run_case(c, 1, out);
	cr_assert_eq(st, 0, "soload run, %s: %s", c, out);
	cr_assert_str_eq(out, "ok\n", "soload run printed more than the program did");
	return run_report_load(scratch.report);
}

Test(cli_run, rtld_global_serves_later_loads_and_rtld_default)
{
	json_t *doc = both_ways("global");

	expect_soload(doc, "libdlglobal.so", 2);
	expect_soload(doc, "libdlneedsglobal.so", -1);
	/* Loading it before its symbol was global failed, as under glibc. */
	cr_expect_geq(json_array_size(json_object_get(doc, "refused")), 1);
	cr_expect_eq(json_integer_value(json_object_get(doc, "exit_code")), 0);
	cr_expect(json_is_null(json_object_get(doc, "signal")));
	json_decref(doc);
}

/* RTLD_LAZY is SL_LAZY: the call is bound at its first use, once the
 * RTLD_GLOBAL library that defines it is loaded. */
Test(cli_run, rtld_lazy_binds_a_call_to_a_later_global_library)
{
	json_t *doc = both_ways("lazy_global");

	expect_soload(doc, "libdlneedsglobal.so", 1);
	expect_soload(doc, "libdlglobal.so", 1);
	cr_expect_eq(json_integer_value(json_object_get(doc, "exit_code")), 0);
	json_decref(doc);
}

Test(cli_run, constructor_dlopen_searches_its_own_origin)
{
	json_t *doc = both_ways("ctor");

	expect_soload(doc, "libdlctor.so", 1);
	expect_soload(doc, "libdlctor_leaf.so", 1);
	json_decref(doc);
}

Test(cli_run, dladdr_names_library_and_symbol)
{
	json_t *doc = both_ways("dladdr");

	expect_soload(doc, "libhello.so", 1);
	json_decref(doc);
}

Test(cli_run, dl_iterate_phdr_lists_soload_libraries)
{
	json_t *doc = both_ways("iterate");

	expect_soload(doc, "libchain_a.so", 1);
	expect_soload(doc, "libchain_c.so", 0); /* a dependency */
	json_decref(doc);
}

/* A cycle through a relocation dependency: kept while another handle
 * reaches it, unloaded whole with the last, and the preload's views
 * (dl_iterate_phdr, dladdr, the debugger's list) follow. */
Test(cli_run, a_cycle_kept_while_reached_and_unloaded_whole)
{
	json_t *doc = both_ways("reach");

	expect_soload(doc, "libreach_top.so", 1);
	expect_soload(doc, "libreach_dep.so", 0);
	json_decref(doc);
}

/* Libraries still open at exit run their finalisers then, in glibc's
 * order, under soload run as plainly (each run appends to the trace). */
Test(cli_run, finalisers_of_what_is_still_open_run_at_exit)
{
	char trace[160];
	char *text;
	json_t *doc;

	snprintf(trace, sizeof(trace), "%s/trace", scratch.dir);
	setenv("SOLOAD_TRACE", trace, 1);
	doc = both_ways("exit");
	unsetenv("SOLOAD_TRACE");
	expect_soload(doc, "libreach_top.so", 1);
	text = tu_read_file(trace);
	cr_assert_not_null(text);
	cr_assert_str_eq(text, "other\ntop\ndep\nother\ntop\ndep\n");
	free(text);
	json_decref(doc);
}

Test(cli_run, rtld_noload_and_nodelete)
{
	json_t *doc = both_ways("noload");

	expect_soload(doc, "libcounter.so", -1);
	json_decref(doc);
}

Test(cli_run, dlinfo_gives_link_map_and_origin)
{
	json_t *doc = both_ways("dlinfo");

	expect_soload(doc, "libhello.so", 1);
	json_decref(doc);
}

Test(cli_run, rtld_next_from_a_library_finds_the_next_definition)
{
	json_t *doc = both_ways("next");

	expect_soload(doc, "libdlnext.so", 1);
	json_decref(doc);
}

Test(cli_run, dlvsym_gives_the_version_asked_for)
{
	json_t *doc = both_ways("dlvsym");

	expect_soload(doc, "libversioned.so", 1);
	json_decref(doc);
}

/* Eight threads load, look up, ask dladdr and dl_iterate_phdr and unload
 * at once, 200 times each. */
Test(cli_run, threads_load_and_unload_at_once, .timeout = 60)
{
	json_t *doc = both_ways("threads");

	expect_soload(doc, "libhello.so", 400);
	expect_soload(doc, "libtables.so", 400);
	json_decref(doc);
}

Test(cli_run, dlerror_reports_the_last_call_only)
{
	json_t *doc = both_ways("errors");

	expect_soload(doc, "libcxx.so", 1);
	json_decref(doc);
}

/* Initial-exec TLS from the preload's static reserve: the variable's
 * initial value in this thread and in threads created later. */
Test(cli_run, initial_exec_tls_from_static_reserve)
{
	json_t *doc = both_ways("ie");

	expect_soload(doc, "libtlsie.so", 1);
	json_decref(doc);
}

/* A thread that exists before the load is given the initial values too
 * (glibc sets its copy up: loader/preload/glibctls.c), a relocated pointer
 * among them, as under plain glibc; and so is a thread created after (the
 * helper checks both). */
Test(cli_run, initial_exec_tls_is_set_up_in_earlier_threads)
{
	json_t *doc = both_ways("ie_late");

	expect_soload(doc, "libtlsie.so", 1);
	json_decref(doc);
}

/* The object that carries glibc's block is dlopened by a path the
 * program could use later for a memfd of its own (/proc/self/fd/N): its
 * name must not match, or glibc hands the program our object. */
Test(cli_run, a_programs_own_memfd_library_is_not_taken_for_the_tls_block)
{
	json_t *doc = both_ways("ie_memfd");

	expect_soload(doc, "libtlsie.so", 1);
	json_decref(doc);
}

/* An initial value that relocation against another library's symbol
 * writes cannot be known before relocation: with a thread that exists,
 * refused with a message that names the way out, not loaded wrong; with
 * SOLOAD_PRELOAD_FALLBACK=1, glibc loads it, as plainly. */
Test(cli_run, initial_exec_tls_bound_to_a_symbol_with_earlier_threads_is_refused)
{
	char out[OUT_CAP];

	cr_assert_eq(run_case("iesym_late", 0, out), 0, "%s", out);
	cr_assert_str_eq(out, "ok\n", "plain glibc");
	cr_assert_eq(run_case("iesym_late", 1, out), 0, "%s", out);
	cr_assert(strstr(out, "libtlsiesym.so: initial-exec TLS with initial values, and 1 "
	                      "other threads whose copies cannot be set up exist already "
	                      "(SOLOAD_PRELOAD_FALLBACK=1 hands such a library to glibc)"),
	          "%s", out);
	json_decref(run_report_load(scratch.report));
	cr_assert_eq(tu_run("SOLOAD_PRELOAD_FALLBACK=1 " SOLOAD " run -- " HELPER
	                    " iesym_late " BUILD_DIR "/testlibs 2>&1",
	                    out, OUT_CAP),
	             0, "%s", out);
	cr_assert_str_eq(out, "ok\n", "with the fallback");
}

/* libgomp (initial-exec TLS, no initial values) through ctypes. */
Test(cli_run, python_ctypes_loads_libgomp, .timeout = 60)
{
	const char *gomp = "/usr/lib/x86_64-linux-gnu/libgomp.so.1";
	char cmd[1024], out[OUT_CAP];
	json_t *doc;

	if (access(PYTHON, X_OK) != 0 || access(gomp, R_OK) != 0)
		cr_skip_test("python3 or libgomp is not installed");
	snprintf(cmd, sizeof(cmd),
	         SOLOAD " run --report %s -- " PYTHON
	                " -c 'import ctypes; g = ctypes.CDLL(\"%s\"); "
	                "print(g.omp_get_thread_num(), g.omp_get_max_threads() > 0)' 2>&1",
	         scratch.report, gomp);
	cr_assert_eq(tu_run(cmd, out, sizeof(out)), 0, "%s", out);
	cr_assert_str_eq(out, "0 True\n");
	doc = run_report_load(scratch.report);
	expect_soload(doc, "libgomp.so.1", 1);
	json_decref(doc);
}

Test(cli_run, rtld_deepbind_is_honoured_by_libsoload)
{
	char out[OUT_CAP], cmd[512];
	json_t *doc;

	snprintf(cmd, sizeof(cmd),
	         SOLOAD " run --report %s -- " HELPER " deepbind " BUILD_DIR "/testlibs",
	         scratch.report);
	cr_assert_eq(tu_run(cmd, out, sizeof(out)), 0);
	cr_assert(strstr(out, "loaded"), "%s", out);
	doc = run_report_load(scratch.report);
	cr_expect_eq(json_array_size(json_object_get(doc, "refused")), 0);
	expect_soload(doc, "libhello.so", 1);
	json_decref(doc);
}

/* Every file of the malformed corpus, dlopened through the preload in one
 * process: NULL and dlerror naming the file, never a crash, and each
 * refusal reported. */
Test(cli_run, malformed_files_give_null_and_dlerror)
{
	char *manifest = tu_read_file(BUILD_DIR "/testlibs/malformed/manifest"), *line, *save;
	char names[128][64], cmd[16384], out[OUT_CAP];
	size_t len, n = 0;
	json_t *doc;

	cr_assert_not_null(manifest);
	len = (size_t)snprintf(cmd, sizeof(cmd),
	                       SOLOAD " run --report %s -- " HELPER " malformed x",
	                       scratch.report);
	for (line = strtok_r(manifest, "\n", &save); line && n < 128;
	     line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "%63[^\t]", names[n]) != 1)
			continue;
		len += (size_t)snprintf(cmd + len, sizeof(cmd) - len,
		                        " " BUILD_DIR "/testlibs/malformed/%s", names[n]);
		n++;
	}
	free(manifest);
	cr_assert_lt(len, sizeof(cmd) - 8);
	strcat(cmd, " 2>&1");
	cr_assert_geq(n, 40, "only %zu malformed files", n);
	cr_assert_eq(tu_run(cmd, out, sizeof(out)), 0, "%s", out);
	for (size_t i = 0; i < n; i++)
		cr_expect(strstr(out, names[i]), "dlerror does not name %s:\n%s", names[i], out);
	doc = run_report_load(scratch.report);
	cr_expect_eq(json_array_size(json_object_get(doc, "refused")), n);
	cr_expect_eq(json_array_size(json_object_get(doc, "libraries")), 0);
	json_decref(doc);
}

Test(cli_run, python_imports_extension_modules_through_soload, .timeout = 60)
{
	static const char *const modules[] = {"_ssl", "_sqlite3", "_decimal", "_lzma",
	                                      "_bz2", "_ctypes",  "_hashlib", NULL};
	/* The same output both ways, and no file mapped twice (one copy of
	 * every library: a second copy shows as a second mapping at offset 0). */
	const char *code =
	        "import _ssl, _sqlite3, _decimal, _lzma, _bz2, _ctypes, _hashlib, "
	        "hashlib, decimal, sqlite3, lzma, bz2, collections; "
	        "print(hashlib.sha256(b\"mapscope\").hexdigest(), "
	        "decimal.Decimal(1) / 7, "
	        "sqlite3.connect(\":memory:\").execute(\"select 6*7\").fetchone(), "
	        "len(lzma.compress(b\"x\" * 1000)) > 0, "
	        "bz2.decompress(bz2.compress(b\"ok\"))); "
	        "c = collections.Counter(l.split()[5] for l in open(\"/proc/self/maps\") "
	        "if len(l.split()) > 5 and l.split()[2] == \"00000000\"); "
	        "print(\"mapped twice:\", sorted(k for k in c if c[k] > 1))";
	char cmd[2048], plain[OUT_CAP], under[OUT_CAP];
	json_t *doc;

	if (access(PYTHON, X_OK) != 0)
		cr_skip_test(PYTHON " is not installed");
	snprintf(cmd, sizeof(cmd), PYTHON " -c '%s' 2>&1", code);
	cr_assert_eq(tu_run(cmd, plain, sizeof(plain)), 0, "%s", plain);
	snprintf(cmd, sizeof(cmd), SOLOAD " run --report %s -- " PYTHON " -c '%s' 2>&1",
	         scratch.report, code);
	cr_assert_eq(tu_run(cmd, under, sizeof(under)), 0, "%s", under);
	cr_assert_str_eq(under, plain);
	cr_assert(strstr(under, "mapped twice: []"), "%s", under);
	doc = run_report_load(scratch.report);
	for (const char *const *m = modules; *m; m++) {
		char name[64];
		snprintf(name, sizeof(name), "%s.cpython-311-x86_64-linux-gnu.so", *m);
		if (!entry_for(doc, name))
			snprintf(name, sizeof(name), "%s", *m); /* another CPython version */
		expect_soload(doc, name, 1);
	}
	expect_soload(doc, "libcrypto.so.3", 0);
	cr_expect_eq(json_array_size(json_object_get(doc, "refused")), 0);
	json_decref(doc);
}

/* A dependency the process already holds is used from glibc, not mapped
 * again: python3 opens libcrypto through glibc (ctypes, a bare name),
 * then _ssl and _hashlib, which need it, through libsoload. */
Test(cli_run, a_library_the_host_holds_is_not_mapped_again, .timeout = 60)
{
	const char *code =
	        "import ctypes; ctypes.CDLL(\"libcrypto.so.3\"); "
	        "import _ssl, _hashlib, collections; "
	        "c = collections.Counter(l.split()[5] for l in open(\"/proc/self/maps\") "
	        "if len(l.split()) > 5 and l.split()[2] == \"00000000\"); "
	        "print(\"mapped twice:\", sorted(k for k in c if c[k] > 1))";
	char cmd[2048], out[OUT_CAP];
	json_t *doc;

	if (access(PYTHON, X_OK) != 0)
		cr_skip_test(PYTHON " is not installed");
	snprintf(cmd, sizeof(cmd), SOLOAD " run --report %s -- " PYTHON " -c '%s' 2>&1",
	         scratch.report, code);
	cr_assert_eq(tu_run(cmd, out, sizeof(out)), 0, "%s", out);
	cr_assert_str_eq(out, "mapped twice: []\n");
	doc = run_report_load(scratch.report);
	expect_soload(doc, "_ssl.cpython-311-x86_64-linux-gnu.so", 1);
	expect_soload(doc, "libssl.so.3", 0);
	json_decref(doc);
}

/* A C++ host catches what its C++ plugin throws: the plugin is
 * libsoload's, libstdc++ and libgcc_s the host's own, whose unwinder asks
 * the preload's _dl_find_object (the helper asks it too), nothing
 * registered with it. */
Test(cli_run, cxx_host_catches_plugin_exception)
{
	char cmd[512], out[OUT_CAP];
	json_t *doc;

	snprintf(cmd, sizeof(cmd),
	         SOLOAD " run --report %s -- " BUILD_DIR "/tests/helpers/cxxhost " BUILD_DIR
	                "/testlibs/libcxxplugin.so 2>&1",
	         scratch.report);
	cr_assert_eq(tu_run(cmd, out, sizeof(out)), 0, "%s", out);
	cr_assert_str_eq(out, "caught: negative argument to cxxplugin_double\n");
	doc = run_report_load(scratch.report);
	expect_soload(doc, "libcxxplugin.so", 1);
	cr_expect_null(entry_for(doc, "libstdc++.so.6"), "libstdc++ loaded a second time");
	json_decref(doc);
}

/* A slice of CPython's own test suite (Debian's libpython3.11-testsuite):
 * every test gives the same result (ok, skipped, expected failure) with
 * and without soload run, and the extension modules it exercises are
 * libsoload's. test_posix spawns children with descriptors closed, which
 * see any the preload held (the run record did). */
Test(cli_run, cpython_tests_pass_and_skip_as_without, .timeout = 300)
{
	const char *tests =
	        "test_decimal test_ctypes test_hashlib test_zlib test_dbm test_mmap test_posix";
	/* r: one "name ... result" line per test, skip reasons left out. */
	const char *results =
	        "r() { grep -aE ' \\.\\.\\. (ok|skipped|FAIL|ERROR|expected "
	        "failure|unexpected success)' | sed 's/ skipped .*/ skipped/' | sort; }";
	char cmd[2048], cwd[1024], out[OUT_CAP];
	json_t *doc;

	if (access("/usr/lib/python3.11/test/test_decimal.py", R_OK) != 0)
		cr_skip_test("libpython3.11-testsuite is not installed");
	cr_assert_not_null(getcwd(cwd, sizeof(cwd)));
	snprintf(cmd, sizeof(cmd),
	         "%s; cd %s && " PYTHON " -m test -v %s > plain.txt 2>&1 < /dev/null; "
	         "%s/" SOLOAD " run --report %s -- " PYTHON " -m test -v %s > under.txt 2>&1 "
	         "< /dev/null; r < plain.txt > plain.res; r < under.txt > under.res; "
	         "wc -l < plain.res; diff plain.res under.res",
	         results, scratch.dir, tests, cwd, scratch.report, tests);
	cr_assert_eq(tu_run(cmd, out, sizeof(out)), 0, "results differ:\n%s", out);
	cr_assert_gt(atoi(out), 500, "only %s test results", out);
	doc = run_report_load(scratch.report);
	expect_soload(doc, "_decimal.cpython-311-x86_64-linux-gnu.so", -1);
	expect_soload(doc, "_ctypes.cpython-311-x86_64-linux-gnu.so", -1);
	expect_soload(doc, "_hashlib.cpython-311-x86_64-linux-gnu.so", -1);
	json_decref(doc);
}

/* Runs the bare-name case c plainly and under soload run, with env (which
 * may be ""): the helper says want ("found FILE" or "not found") both ways,
 * and when it found the file, libsoload loaded it. */
static void bare_name_both_ways(const char *c, const char *env, const char *want)
{
	char cmd[2048], plain[OUT_CAP], under[OUT_CAP], line[PATH_MAX + 16];
	json_t *doc, *l;

	snprintf(cmd, sizeof(cmd), "env %s " HELPER " %s . 2>&1", env, c);
	cr_assert_eq(tu_run(cmd, plain, sizeof(plain)), 0, "plain glibc: %s", plain);
	snprintf(line, sizeof(line), "%s\nok\n", want);
	cr_assert_str_eq(plain, line, "glibc, %s with %s", c, env);
	snprintf(cmd, sizeof(cmd), "env %s " SOLOAD " run --report %s -- " HELPER " %s . 2>&1",
	         env, scratch.report, c);
	cr_assert_eq(tu_run(cmd, under, sizeof(under)), 0, "soload run: %s", under);
	cr_assert_str_eq(under, plain, "soload run, %s with %s, did not as glibc did", c, env);
	if (strncmp(want, "found", 5) != 0)
		return;
	doc = run_report_load(scratch.report);
	l = entry_for(doc, "libhello.so");
	cr_assert_not_null(l, "the report does not list libhello.so");
	cr_expect_str_eq(json_string_value(json_object_get(l, "loaded_by")), "soload");
	json_decref(doc);
}

/* A bare name the program dlopens is searched by libsoload's one rule
 * (sl_find's), as dlopen searches: LD_LIBRARY_PATH before the
 * executable's DT_RUNPATH, then that. A dlopen made by one of glibc's
 * libraries (libdlvia.so, preloaded) searches LD_LIBRARY_PATH but not the
 * executable's DT_RUNPATH, and is libsoload's too. */
Test(cli_run, a_bare_name_from_the_program_is_searched_as_dlopen_does)
{
	char copy[PATH_MAX], cmd[PATH_MAX + 64], out[256], cwd[1024], env[2 * PATH_MAX];
	char want[PATH_MAX + 16], *dir;

	cr_assert_not_null(getcwd(cwd, sizeof(cwd)));
	dir = realpath(scratch.dir, NULL);
	cr_assert_not_null(dir);
	snprintf(copy, sizeof(copy), "%s/libhello.so", dir);
	snprintf(cmd, sizeof(cmd), "cp " BUILD_DIR "/testlibs/libhello.so %s", copy);
	cr_assert_eq(tu_run(cmd, out, sizeof(out)), 0);
	snprintf(want, sizeof(want), "found %s", copy);
	snprintf(env, sizeof(env), "LD_LIBRARY_PATH=%s", dir);
	bare_name_both_ways("bare", env, want);
	snprintf(env, sizeof(env),
	         "LD_LIBRARY_PATH=%s LD_PRELOAD=%s/" BUILD_DIR "/testlibs/libdlvia.so", dir, cwd);
	bare_name_both_ways("bare_via", env, want);
#ifndef __SANITIZE_ADDRESS__
	/* ASan's dlopen interceptor calls glibc's for the program, so glibc
	 * takes libasan for the caller and never searches the executable's
	 * DT_RUNPATH. */
	snprintf(want, sizeof(want), "found %s/" BUILD_DIR "/testlibs/libhello.so", cwd);
	bare_name_both_ways("bare", "", want);
#endif
	snprintf(env, sizeof(env), "LD_PRELOAD=%s/" BUILD_DIR "/testlibs/libdlvia.so", cwd);
	bare_name_both_ways("bare_via", env, "not found");
	free(dir);
}

/* gdb, as Debian installs it (.ci/deps), without the user's settings or
 * network look-ups. */
#define GDB "gdb -nx -batch -iex 'set debuginfod enabled off' "

static void need_gdb(void)
{
	char out[256];

	if (tu_run("command -v gdb", out, sizeof(out)) != 0)
		cr_skip_test("gdb is not installed (.ci/deps installs it)");
}

/* A debugger attached to a soload run process names the function it waits
 * in, inside a library libsoload loaded: our namespace is chained off
 * glibc's r_debug (loader/preload/rdebug.c), where gdb reads it. */
Test(cli_run, gdb_attached_names_functions_in_soload_libraries, .timeout = 60)
{
	char line[128], cmd[512], out[OUT_CAP];
	FILE *p;
	int pid = 0;

	need_gdb();
	p = popen(SOLOAD " run -- " HELPER " stop " BUILD_DIR "/testlibs", "r");
	cr_assert_not_null(p);
	if (!fgets(line, sizeof(line), p) || sscanf(line, "ready %d", &pid) != 1) {
		pclose(p);
		cr_assert_fail("the helper did not start: %s", line);
	}
	snprintf(cmd, sizeof(cmd), GDB "-p %d -ex bt -ex 'info sharedlibrary' 2>&1", pid);
	tu_run(cmd, out, sizeof(out));
	kill(pid, SIGKILL);
	pclose(p);
	cr_expect(strstr(out, "in dbgstop_wait ()") != NULL, "gdb did not name the frame:\n%s",
	          out);
	cr_expect(strstr(out, "/testlibs/libdbgstop.so") != NULL,
	          "gdb did not list the library:\n%s", out);
}

/* Runs the helper with ARGS under gdb, the preload in LD_PRELOAD, gdb's
 * commands EX (each "-ex ..." with a space after) before the run; gdb's
 * output and the helper's into out. */
static void gdb_with_preload(const char *ex, const char *args, char *out, size_t cap)
{
	char cmd[2048], cwd[1024];

	cr_assert_not_null(getcwd(cwd, sizeof(cwd)));
	snprintf(cmd, sizeof(cmd),
	         GDB "-ex 'set environment LD_PRELOAD=%s/" BUILD_DIR "/libsoload-preload.so' "
	             "%s--args " HELPER " %s " BUILD_DIR "/testlibs 2>&1",
	         cwd, ex, args);
	tu_run(cmd, out, cap);
}

/* A program run under gdb with the preload stops in a libsoload library's
 * function, and gdb names it: each load calls r_brk, where gdb keeps its
 * breakpoint (Debian's ld.so has no SystemTap probes). */
Test(cli_run, gdb_run_names_the_faulting_function, .timeout = 60)
{
	char out[OUT_CAP];

	need_gdb();
	gdb_with_preload("-ex run -ex bt ", "trap", out, sizeof(out));
	cr_assert(strstr(out, "SIGILL") != NULL, "the helper did not trap:\n%s", out);
	cr_expect(strstr(out, "#0  dbgstop_trap ()") != NULL, "gdb did not name the frame:\n%s",
	          out);
}

/* A library's constructor that traps is named too: the list is published
 * before the initialisers run. */
Test(cli_run, gdb_names_a_faulting_constructor, .timeout = 60)
{
	char out[OUT_CAP];

	need_gdb();
	gdb_with_preload("-ex 'set environment DBGSTOP_TRAP_IN_CTOR=1' -ex run -ex bt ", "trap",
	                 out, sizeof(out));
	cr_assert(strstr(out, "SIGILL") != NULL, "the constructor did not trap:\n%s", out);
	cr_expect(strstr(out, "#0  dbgstop_ctor ()") != NULL, "gdb did not name the frame:\n%s",
	          out);
}

/* Threads loading and unloading at once under gdb: each change stops at
 * gdb's breakpoint on r_brk, which widened a race between reading the
 * registry and another thread's dlclose until addrmap held the registry
 * lock throughout. */
Test(cli_run, gdb_follows_threads_loading_and_unloading, .timeout = 60)
{
	char out[OUT_CAP];

	need_gdb();
	gdb_with_preload("-ex run ", "threads", out, sizeof(out));
	/* gdb's thread lines and the helper's "ok" may interleave. */
	cr_assert(strstr(out, "exited normally") && strstr(out, "ok\n") &&
	                  !strstr(out, "signal SIG"),
	          "%s", out);
}

/* Children inherit the preload; each process is in the report. */
Test(cli_run, children_load_through_soload_too)
{
	char cmd[1024], out[OUT_CAP];
	json_t *doc;

	snprintf(cmd, sizeof(cmd),
	         SOLOAD " run --report %s -- sh -c '" HELPER " dladdr " BUILD_DIR
	                "/testlibs && " HELPER " iterate " BUILD_DIR "/testlibs'",
	         scratch.report);
	cr_assert_eq(tu_run(cmd, out, sizeof(out)), 0, "%s", out);
	doc = run_report_load(scratch.report);
	cr_expect_eq(json_integer_value(json_object_get(doc, "processes")), 2);
	expect_soload(doc, "libhello.so", 1);
	expect_soload(doc, "libchain_a.so", 1);
	json_decref(doc);
}

/* With --report, every process of CMD writes its records, and none finds
 * a descriptor of ours open: a child started with stdin closed still has
 * fd 0 closed (the record file held open took it, and CPython's
 * test_posix and test_subprocess failed), and a relative TMPDIR still
 * reaches a process that changed directory before its dlopen. */
Test(cli_run, the_report_holds_no_descriptor_in_the_program)
{
	const char *closed_stdin = "sh -c 'exec 0<&-; readlink /proc/self/fd/0; echo rc=$?'";
	char cmd[8192], plain[OUT_CAP], under[OUT_CAP], cwd[1024];
	json_t *doc;

	cr_assert_not_null(getcwd(cwd, sizeof(cwd)));
	cr_assert_eq(tu_run(closed_stdin, plain, sizeof(plain)), 0);
	cr_assert_str_eq(plain, "rc=1\n", "plain: %s", plain);
	snprintf(cmd, sizeof(cmd), SOLOAD " run --report %s -- %s", scratch.report, closed_stdin);
	cr_assert_eq(tu_run(cmd, under, sizeof(under)), 0, "%s", under);
	cr_assert_str_eq(under, plain, "under soload run, fd 0 of a child without stdin is open");
	json_decref(run_report_load(scratch.report));

	snprintf(cmd, sizeof(cmd),
	         "cd %s && TMPDIR=. %s/" SOLOAD " run --report %s -- sh -c 'cd / && %s/" HELPER
	         " dladdr %s/" BUILD_DIR "/testlibs'",
	         scratch.dir, cwd, scratch.report, cwd, cwd);
	cr_assert_eq(tu_run(cmd, under, sizeof(under)), 0, "%s", under);
	doc = run_report_load(scratch.report);
	expect_soload(doc, "libhello.so", 1);
	json_decref(doc);
}

Test(cli_run, exit_status_is_the_commands)
{
	char out[OUT_CAP], cmd[512];
	json_t *doc;

	cr_expect_eq(tu_run(SOLOAD " run -- sh -c 'exit 3'", out, sizeof(out)), 3);
	cr_expect_eq(tu_run(SOLOAD " run -- /nonexistent/cmd 2>/dev/null", out, sizeof(out)), 127);
	cr_expect_eq(tu_run(SOLOAD " run 2>/dev/null", out, sizeof(out)), 2);
	cr_expect_eq(tu_run(SOLOAD " run --bogus -- true 2>/dev/null", out, sizeof(out)), 2);
	cr_expect_eq(tu_run(SOLOAD " run --report /nonexistent/dir/r.json -- true 2>/dev/null",
	                    out, sizeof(out)),
	             1);
	cr_expect_eq(tu_run("TMPDIR=/nonexistent " SOLOAD " run --report r.json -- true 2>&1", out,
	                    sizeof(out)),
	             1);
	cr_expect_str_eq(out, "soload: run: cannot create a record file in /nonexistent: No such "
	                      "file or directory\n");
	snprintf(cmd, sizeof(cmd), SOLOAD " run --report %s -- sh -c 'kill -9 $$'",
	         scratch.report);
	cr_expect_eq(tu_run(cmd, out, sizeof(out)), 128 + 9);
	doc = run_report_load(scratch.report);
	cr_expect(json_is_null(json_object_get(doc, "exit_code")));
	cr_expect_eq(json_integer_value(json_object_get(doc, "signal")), 9);
	json_decref(doc);
}

/* SIGTERM to soload alone (as timeout(1) sends it) reaches the command,
 * and soload still writes the report and removes its record file: exit
 * 128 + 15, the signal in the report, no record left in TMPDIR, no
 * command left running. */
Test(cli_run, a_term_signal_to_soload_is_passed_on_and_the_report_written)
{
	char cmd[2048], out[OUT_CAP];
	json_t *doc;

	snprintf(cmd, sizeof(cmd),
	         "TMPDIR=%s " SOLOAD " run --report %s -- sleep 37.25 & p=$!; sleep 0.5; "
	         "kill -TERM $p; wait $p; echo rc=$?; ls %s | grep -c soload-run-; "
	         "pgrep -fx 'sleep 37.25' | wc -l",
	         scratch.dir, scratch.report, scratch.dir);
	tu_run(cmd, out, sizeof(out));
	cr_assert_str_eq(out, "rc=143\n0\n0\n", "rc, records left, commands left: %s", out);
	doc = run_report_load(scratch.report);
	cr_expect_eq(json_integer_value(json_object_get(doc, "signal")), 15);
	json_decref(doc);
}

/* The preload exports the functions it stands in for, and nothing else:
 * a loader symbol it exported could be interposed by the program. */
Test(cli_run, preload_exports_only_the_dl_functions)
{
	char out[OUT_CAP];

	cr_assert_eq(tu_run("nm -D --defined-only " BUILD_DIR "/libsoload-preload.so | "
	                    "awk '{print $3}' | sort | tr '\\n' ' '",
	                    out, sizeof(out)),
	             0);
	cr_assert_str_eq(out, "_dl_find_object dl_iterate_phdr dladdr dladdr1 dlclose dlerror "
	                      "dlinfo dlopen dlsym dlvsym ");
}
