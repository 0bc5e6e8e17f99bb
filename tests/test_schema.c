/* Every subcommand's real output, held to docs/schema/<kind>.json, so the
 * schema cannot drift from what the tools print. */
#include "cli.h"
#include "schema_check.h"
#include "testutil.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define OUT_CAP (1 << 22)

static char dir[] = "/tmp/mapscope-schema-XXXXXX";
static char sample[sizeof(dir) + 16];

/* A three-page file, out of the page cache, in a private directory. */
static void make_sample(void)
{
	char page[4096];
	int fd;

	cr_assert_not_null(mkdtemp(dir));
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

static void remove_sample(void)
{
	unlink(sample);
	rmdir(dir);
}

/* Checks one document: an error document against error.json, anything else
 * against the command's own kind. */
static void check_doc(const char *kind, const json_t *doc, const char *cmd)
{
	const char *which = json_object_get(doc, "error") ? "error" : kind;
	json_t *schema = schema_load(which);
	struct schema_report rep;

	cr_assert_not_null(schema, "cannot load %s/%s.json", SCHEMA_DIR, which);
	schema_check(schema, doc, &rep);
	json_decref(schema);
	cr_assert_eq(rep.violations, 0, "%s: %s (%d violations)", cmd, rep.first, rep.violations);
	cr_assert_str_eq(json_string_value(json_object_get(doc, "kind")), kind, "%s", cmd);
}

/* Runs cmd, checks every JSON document it printed and returns how many there
 * were; the exit status must be want_status. */
static int check_command(const char *kind, const char *cmd, int want_status)
{
	char *out = malloc(OUT_CAP);
	size_t pos = 0, len;
	int status, docs = 0;

	cr_assert_not_null(out);
	status = tu_run(cmd, out, OUT_CAP);
	len = strlen(out);
	cr_assert_eq(status, want_status, "%s: exit %d, want %d", cmd, status, want_status);
	for (;;) {
		json_error_t err;
		json_t *doc;

		while (pos < len && strchr(" \t\r\n", out[pos]))
			pos++;
		if (pos == len)
			break;
		doc = json_loadb(out + pos, len - pos, JSON_DISABLE_EOF_CHECK, &err);
		cr_assert_not_null(doc, "%s: not JSON at byte %zu: %s", cmd, pos, err.text);
		check_doc(kind, doc, cmd);
		json_decref(doc);
		pos += err.position;
		docs++;
	}
	free(out);
	cr_assert_gt(docs, 0, "%s printed no JSON", cmd);
	return docs;
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

Test(schema, every_subcommand_has_a_schema_file)
{
	for (const struct cli_command *c = cli_commands; c->name; c++) {
		json_t *schema = schema_load(c->name);

		cr_assert_not_null(schema, "no %s/%s.json for 'mapscope %s'", SCHEMA_DIR, c->name,
		                   c->name);
		json_decref(schema);
	}
}

Test(schema, file_output_matches)
{
	check_commandf("file", 0, BUILD_DIR "/mapscope file %s " BUILD_DIR "/mapscope", sample);
	check_commandf("file", 0, BUILD_DIR "/mapscope file --format jsonl %s", sample);
	check_commandf("file", 1, BUILD_DIR "/mapscope file %s/missing %s", dir, sample);
}

Test(schema, faults_output_matches)
{
	check_commandf("faults", 0, BUILD_DIR "/mapscope faults -- true");
	check_commandf("faults", 0, BUILD_DIR "/mapscope faults --samples --cold %s -- cat %s",
	               sample, sample);
	check_commandf("faults", 0, BUILD_DIR "/mapscope faults -- sh -c 'kill -9 $$'");
	check_commandf("faults", 1, BUILD_DIR "/mapscope faults -- %s/missing", dir);
}

Test(schema, iobench_output_matches)
{
	check_commandf("iobench", 0, BUILD_DIR "/mapscope iobench --size 16K %s", sample);
	check_commandf("iobench", 1, BUILD_DIR "/mapscope iobench %s/missing", dir);
}
