/* Every subcommand's real output, held to docs/schema/<kind>.json, so the
 * schema cannot drift from what the tools print. */
#include "cli/cli.h"
#include "support/schema_check.h"
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <ctype.h>
#include <fcntl.h>
#include <glob.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/mapscope-schema-XXXXXX";
static char sample[sizeof(dir) + 16];

/* A three-page file, out of the page cache, in a private directory. */
static void make_sample(void)
{
	char page[4096];
	int fd;

	cr_assert_not_null(tu_make_tmpdir(dir));
	snprintf(sample, sizeof(sample), "%s/sample", dir);
	fd = open(sample, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	cr_assert_geq(fd, 0);
	memset(page, 'x', sizeof(page));
	for (int i = 0; i < 3; i++)
		cr_assert_eq(write(fd, page, sizeof(page)), (ssize_t)sizeof(page));
	fdatasync(fd);
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	close(fd);
}

/* The directory and whatever the commands left in it (share caches). */
static void remove_sample(void)
{
	tu_remove_tree(dir);
}

/* Whether doc is an error document: nothing but the header and "error". */
static bool is_error_doc(const json_t *doc)
{
	static const char *const header[] = {"schema", "kind", "page_size", "error"};
	const char *key;
	const json_t *v;

	if (!json_object_get(doc, "error"))
		return false;
	json_object_foreach((json_t *)doc, key, v)
	{
		size_t i = 0;

		while (i < 4 && strcmp(key, header[i]) != 0)
			i++;
		if (i == 4)
			return false;
	}
	return true;
}

/* Checks one document against the schema of its own kind (an error document
 * against error.json). The kind must be the command's, or one of its
 * companions ("file_totals" for "file"). */
static void check_doc(const char *kind, const json_t *doc, const char *cmd)
{
	const char *doc_kind = json_string_value(json_object_get(doc, "kind"));
	size_t n = strlen(kind);
	json_t *schema;
	struct schema_report rep;

	cr_assert_not_null(doc_kind, "%s: a document without a kind", cmd);
	cr_assert(strncmp(doc_kind, kind, n) == 0 && (doc_kind[n] == '\0' || doc_kind[n] == '_'),
	          "%s: kind '%s' from the '%s' command", cmd, doc_kind, kind);
	schema = schema_load(is_error_doc(doc) ? "error" : doc_kind);
	cr_assert_not_null(schema, "cannot load the schema of kind '%s'", doc_kind);
	schema_check(schema, doc, &rep);
	json_decref(schema);
	cr_assert_eq(rep.violations, 0, "%s: %s (%d violations)", cmd, rep.first, rep.violations);
}

/* Runs cmd, checks every JSON document it printed and returns how many there
 * were; the exit status must be want_status. */
static int check_command(const char *kind, const char *cmd, int want_status)
{
	int status, n;
	json_t *docs = tu_run_docs(cmd, &status), *doc;
	size_t i;

	cr_assert_not_null(docs, "%s: stdout is not JSON", cmd);
	cr_assert_eq(status, want_status, "%s: exit %d, want %d", cmd, status, want_status);
	json_array_foreach(docs, i, doc)
	{
		check_doc(kind, doc, cmd);
	}
	n = (int)json_array_size(docs);
	json_decref(docs);
	cr_assert_gt(n, 0, "%s printed no JSON", cmd);
	return n;
}

/* check_command with a printf-style command line. */
static int check_commandf(const char *kind, int want_status, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static int check_commandf(const char *kind, int want_status, const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	cr_assert_lt(n, (int)sizeof(cmd) - 16, "command too long");
	strcat(cmd, " 2>/dev/null"); /* the message on stderr is tested by each CLI's suite */
	return check_command(kind, cmd, want_status);
}

TestSuite(schema, .init = make_sample, .fini = remove_sample);

/* Asserts SCHEMA_DIR has a schema for the subcommand name of prog. */
static void expect_schema_for(const char *prog, const char *name)
{
	json_t *schema = schema_load(name);

	cr_assert_not_null(schema, "no %s/%s.json for '%s %s'", SCHEMA_DIR, name, prog, name);
	json_decref(schema);
}

Test(schema, every_subcommand_has_a_schema_file)
{
	char out[4096], name[32];
	const char *p;
	int n = 0;

	for (const struct command *c = cli_commands; c->name; c++)
		expect_schema_for("mapscope", c->name);
	/* soload lists its commands as mapscope does (core/command): under
	 * "commands:", one "  NAME  summary" line each. */
	tu_run(BUILD_DIR "/soload --help 2>&1", out, sizeof(out));
	p = strstr(out, "commands:");
	cr_assert_not_null(p, "soload --help lists no commands:\n%s", out);
	while ((p = strstr(p, "\n  ")) && sscanf(p, "\n  %31[a-z]", name) == 1) {
		expect_schema_for("soload", name);
		p++;
		n++;
	}
	cr_assert_geq(n, 3, "soload --help lists %d commands:\n%s", n, out);
}

/* Whether text has word with no name character on either side. */
static bool mentions_word(const char *text, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = strstr(text, word); p; p = strstr(p + 1, word)) {
		bool before = p > text && (isalnum((unsigned char)p[-1]) || p[-1] == '_');
		bool after = isalnum((unsigned char)p[n]) || p[n] == '_';

		if (!before && !after)
			return true;
	}
	return false;
}

/* Adds every property name declared anywhere in schema to names. */
static void collect_names(const json_t *schema, json_t *names)
{
	const json_t *props = json_object_get(schema, "properties"), *sub;
	const char *key;

	json_object_foreach((json_t *)props, key, sub)
	{
		json_object_set_new(names, key, json_true());
		collect_names(sub, names);
	}
	if (json_object_get(schema, "items"))
		collect_names(json_object_get(schema, "items"), names);
}

Test(schema, every_kind_is_documented_field_by_field)
{
	glob_t files;
	char *index = tu_read_file("docs/schema.md");

	cr_assert_eq(glob(SCHEMA_DIR "/*.json", 0, NULL, &files), 0);
	for (size_t i = 0; i < files.gl_pathc; i++) {
		json_t *schema = json_load_file(files.gl_pathv[i], 0, NULL),
		       *names = json_object();
		const char *kind = strrchr(files.gl_pathv[i], '/') + 1, *name;
		char md[256], link[300], *prose;
		const json_t *v;

		cr_assert_not_null(schema, "%s is not JSON", files.gl_pathv[i]);
		snprintf(md, sizeof(md), "docs/schema-%.*s.md", (int)(strlen(kind) - 5), kind);
		snprintf(link, sizeof(link), "(schema/%s)", kind);
		cr_assert(strstr(index, link) != NULL, "docs/schema.md does not list %s", kind);
		cr_assert(strstr(index, "\"interrupted\"") != NULL,
		          "docs/schema.md does not explain interrupted");
		if (strcmp(kind, "error.json") == 0)
			goto next; /* documented in docs/schema.md itself */
		prose = tu_read_file(md);
		cr_assert_not_null(prose, "%s has no %s", files.gl_pathv[i], md);
		collect_names(schema, names);
		/* The header, and "interrupted" that any mapscope document may
		 * end with, are explained once, in docs/schema.md. */
		json_object_del(names, "schema");
		json_object_del(names, "kind");
		json_object_del(names, "page_size");
		json_object_del(names, "interrupted");
		json_object_foreach(names, name, v)
		{
			cr_expect(mentions_word(prose, name), "%s does not explain '%s'", md,
			          name);
		}
		free(prose);
	next:
		json_decref(names);
		json_decref(schema);
	}
	globfree(&files);
	free(index);
}

Test(schema, file_output_matches)
{
	check_commandf("file", 0, BUILD_DIR "/mapscope file %s " BUILD_DIR "/mapscope", sample);
	check_commandf("file", 0, BUILD_DIR "/mapscope file --format jsonl %s", sample);
	check_commandf("file", 1, BUILD_DIR "/mapscope file %s/missing %s", dir, sample);
	check_commandf("file", 1, BUILD_DIR "/mapscope file --format jsonl %s/missing %s", dir,
	               sample);
	check_commandf("file", 0, BUILD_DIR "/mapscope file --ranges --pages %s", sample);
	check_commandf("file", 0, BUILD_DIR "/mapscope file -r --format jsonl --ranges %s", dir);
	check_commandf("file", 0, BUILD_DIR "/mapscope file -r %s /dev/null", dir);
	check_commandf("file", 0, BUILD_DIR "/mapscope file -r --top 2 %s", dir);
	check_commandf("file", 0, BUILD_DIR "/mapscope file -r --top 2 --sort evicted %s", dir);
	check_commandf("file", 0, BUILD_DIR "/mapscope file --save %s/list %s", dir, sample);
	check_commandf("file", 0, "cat %s/list", dir);
	check_commandf("file", 0, BUILD_DIR "/mapscope file --restore %s/list", dir);
	check_commandf("file", 1, BUILD_DIR "/mapscope file --restore %s", sample);
	/* Not the owner and no write access: counts are null with a reason. */
	if (geteuid() == 0) /* otherwise the whole suite already runs unprivileged */
		check_commandf("file", 0,
		               "setpriv --reuid=65534 --regid=65534 --clear-groups " BUILD_DIR
		               "/mapscope file --ranges /etc/passwd");
}

Test(schema, faults_output_matches)
{
	check_commandf("faults", 0, BUILD_DIR "/mapscope faults -- true");
	check_commandf("faults", 0, BUILD_DIR "/mapscope faults --samples --cold %s -- cat %s",
	               sample, sample);
	check_commandf("faults", 128 + 9, BUILD_DIR "/mapscope faults -- sh -c 'kill -9 $$'");
	check_commandf("faults", 1, BUILD_DIR "/mapscope faults -- %s/missing", dir);
	check_commandf("faults", 0,
	               BUILD_DIR "/mapscope faults --lib %s --call hello_reset --loader soload",
	               TESTLIB("libhello.so"));
}

Test(schema, iobench_output_matches)
{
	check_commandf("iobench", 0, BUILD_DIR "/mapscope iobench --size 16K %s", sample);
	check_commandf("iobench", 1, BUILD_DIR "/mapscope iobench %s/missing", dir);
	check_commandf("iobench", 0,
	               BUILD_DIR "/mapscope iobench --copy --to pipe,socket,tcp,file %s", sample);
	check_commandf("iobench", 0, BUILD_DIR "/mapscope iobench --copy --to pipe %s", sample);
	check_commandf("iobench", 1, BUILD_DIR "/mapscope iobench --copy %s/missing", dir);
	check_commandf("iobench", 0,
	               BUILD_DIR "/mapscope iobench --multiplex --fds 3,1100 --events 5");
}

Test(schema, share_output_matches)
{
	char share_dir[] = "/tmp/mapscope-schema-share-XXXXXX", cmd[128];

	cr_assert_not_null(tu_make_tmpdir(share_dir));
	check_commandf("share", 0, BUILD_DIR "/mapscope share -n 2 --loader dlopen libssl.so.3");
	check_commandf("share", 0,
	               "SOLOAD_SHARE_DIR=%s " BUILD_DIR "/mapscope share -n 2 --loader all %s",
	               share_dir, TESTLIB("libtables.so"));
	check_commandf("share", 0, "SOLOAD_SHARE_DIR=%s " BUILD_DIR "/mapscope share -n 1 %s",
	               share_dir, TESTLIB("libtables.so"));
	snprintf(cmd, sizeof(cmd), "rm -rf %s", share_dir);
	cr_assert_eq(system(cmd), 0);
	check_commandf("share", 1, BUILD_DIR "/mapscope share -n 1 --loader dlopen %s/missing.so",
	               dir);
}

Test(schema, watch_output_matches)
{
	cr_assert_eq(check_commandf("watch", 0,
	                            BUILD_DIR "/mapscope watch --count 2 "
	                                      "--interval 0.01 %s",
	                            sample),
	             3);
	cr_assert_eq(check_commandf("watch", 0,
	                            "sh -c 'sleep 0.05 & exec " BUILD_DIR
	                            "/mapscope watch --interval 0.01 $!'") >= 2,
	             1);
	check_commandf("watch", 1, BUILD_DIR "/mapscope watch %s/missing", dir);
}

Test(schema, call_output_matches)
{
	const char *lib = TESTLIB("libhello.so");

	check_commandf("call", 0, BUILD_DIR "/soload call %s hello_add 2 3", lib);
	check_commandf("call", 0, BUILD_DIR "/soload call --ret str %s hello_greet x", lib);
	check_commandf("call", 0, BUILD_DIR "/soload call --ret long %s hello_mul 6 7", lib);
	check_commandf("call", 0, BUILD_DIR "/soload call --ret double %s hello_half 3", lib);
	check_commandf("call", 0, BUILD_DIR "/soload call --ret void %s hello_reset", lib);
	check_commandf("call", 1, BUILD_DIR "/soload call %s no_such_symbol", lib);
	check_commandf("call", 1, BUILD_DIR "/soload call %s/missing.so f", dir);
}

Test(schema, info_output_matches)
{
	static const char *const libs[] = {"libhello.so",    "libchain_a.so", "libversioned.so",
	                                   "libsysvhash.so", "libifunc.so",   "librelr.so",
	                                   "libtables.so"};

	for (size_t i = 0; i < sizeof(libs) / sizeof(libs[0]); i++)
		check_commandf("info", 0, BUILD_DIR "/soload info " BUILD_DIR "/testlibs/%s",
		               libs[i]);
	check_commandf("info", 0, BUILD_DIR "/soload info /lib/x86_64-linux-gnu/libz.so.1");
	check_commandf("info", 1, BUILD_DIR "/soload info %s/missing.so", dir);
	check_commandf("info", 1, BUILD_DIR "/soload info %s", sample);
}

Test(schema, hold_output_matches)
{
	const char *hello = TESTLIB("libhello.so"), *chain = TESTLIB("libchain_a.so");

	check_commandf("hold", 0, BUILD_DIR "/soload hold %s %s </dev/null", hello, chain);
	check_commandf("hold", 0, BUILD_DIR "/soload hold --gdb %s </dev/null", hello);
	check_commandf("hold", 0,
	               "SOLOAD_SHARE_DIR=%s " BUILD_DIR "/soload hold --share %s </dev/null", dir,
	               hello);
	check_commandf("hold", 1, BUILD_DIR "/soload hold %s/missing.so </dev/null", dir);
}

/* A shell command running "MAPS PID" on a fresh sleep: a small target, and
 * never a sanitizer build (whose shadow memory is terabytes to scan). */
#define ON_A_SLEEP(maps)                                                                          \
	"sleep 30 & p=$!; until grep -qx sleep /proc/$p/comm; do sleep 0.01; done; " maps         \
	" $p 2>/dev/null; rc=$?; kill $p; exit $rc"

Test(schema, maps_output_matches)
{
	check_commandf("maps", 0, ON_A_SLEEP(BUILD_DIR "/mapscope maps"));
	check_commandf("maps", 0, ON_A_SLEEP(BUILD_DIR "/mapscope maps --pages"));
	if (geteuid() == 0)
		check_commandf(
		        "maps", 0,
		        "setpriv --reuid=65534 --regid=65534 --clear-groups sh -c '" ON_A_SLEEP(
		                BUILD_DIR "/mapscope maps --pages") "'");
	check_commandf("maps", 1, BUILD_DIR "/mapscope maps 2147483647");
	/* Several processes: one document, the one that is gone in its errors. */
	check_commandf("maps", 1, ON_A_SLEEP(BUILD_DIR "/mapscope maps --pages 2147483647"));
	check_commandf("maps", 0, BUILD_DIR "/mapscope maps --all");
}

Test(schema, who_output_matches)
{
	check_commandf("who", 0, BUILD_DIR "/mapscope who /usr/lib/x86_64-linux-gnu/libc.so.6");
	check_commandf("who", 0, BUILD_DIR "/mapscope who %s", sample);
	check_commandf("who", 1, BUILD_DIR "/mapscope who %s/missing", dir);
	check_commandf("who", 1, BUILD_DIR "/mapscope who %s %s/missing 2>/dev/null", sample, dir);
}

Test(schema, libs_output_matches)
{
	check_commandf("libs", 0, BUILD_DIR "/mapscope libs");
	check_commandf("libs", 0, BUILD_DIR "/mapscope libs --sort relro --top 3 --path '*'");
	check_commandf("libs", 0, BUILD_DIR "/mapscope libs --path '*/no-such-library*'");
	check_commandf("libs", 0, ON_A_SLEEP(BUILD_DIR "/mapscope libs"));
	check_commandf("libs", 1, BUILD_DIR "/mapscope libs 2147483647");
	/* Unprivileged: system libraries' page cache is null with a reason. */
	if (geteuid() == 0)
		check_commandf(
		        "libs", 0,
		        "setpriv --reuid=65534 --regid=65534 --clear-groups sh -c '" ON_A_SLEEP(
		                BUILD_DIR "/mapscope libs") "'");
}
