/* emit_prom: metrics made from a JSON report pass the exposition-format
 * check, escape what they must, and give a reason instead of a made-up 0;
 * the CLIs' --format prometheus output passes the same check. */
#include "emit/emit_prom.h"
#include "support/prom_check.h"
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define OUT_CAP (1 << 20)

/* emit_prom of the JSON text by views, into a string the caller frees. */
static char *render(const char *json, const struct emit_prom_view *views)
{
	json_t *doc = json_loads(json, 0, NULL);
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);

	cr_assert_not_null(doc, "bad test JSON");
	cr_assert_eq(emit_prom(mem, doc, views), 0);
	fclose(mem);
	json_decref(doc);
	return buf;
}

static void expect_valid(const char *text)
{
	struct prom_report rep;

	cr_assert_eq(prom_check(text, &rep), 0, "%s\n%s", rep.first, text);
}

Test(emit_prom, file_report_gives_labelled_gauges)
{
	char *text =
	        render("{\"kind\":\"file\",\"files\":[{\"path\":\"/a\",\"size\":5,\"pages\":1,"
	               "\"resident_pages\":1}],\"totals\":{\"files\":1,\"errors\":0}}",
	               emit_prom_file);

	expect_valid(text);
	cr_assert(strstr(text, "# TYPE mapscope_file_resident_pages gauge\n") != NULL, "%s", text);
	cr_assert(strstr(text, "mapscope_file_resident_pages{path=\"/a\"} 1\n") != NULL, "%s",
	          text);
	cr_assert(strstr(text, "mapscope_file_size_bytes{path=\"/a\"} 5\n") != NULL, "%s", text);
	cr_assert(strstr(text, "mapscope_file_scan_files 1\n") != NULL, "%s", text);
	free(text);
}

Test(emit_prom, label_values_are_escaped)
{
	char *text =
	        render("{\"files\":[{\"path\":\"/a\\\"b\\\\c\\nd\",\"size\":1}]}", emit_prom_file);

	expect_valid(text);
	cr_assert(strstr(text, "{path=\"/a\\\"b\\\\c\\nd\"} 1\n") != NULL, "%s", text);
	free(text);
}

Test(emit_prom, null_gives_no_sample_but_a_reason)
{
	char *text = render("{\"files\":[{\"path\":\"/a\",\"size\":1,\"resident_pages\":null,"
	                    "\"resident_pages_unavailable\":\"EPERM\"}]}",
	                    emit_prom_file);

	expect_valid(text);
	cr_assert_null(strstr(text, "mapscope_file_resident_pages{"), "%s", text);
	cr_assert(strstr(text, "mapscope_unavailable{path=\"/a\",metric=\"mapscope_file_"
	                       "resident_pages\",reason=\"EPERM\"} 1\n") != NULL,
	          "%s", text);
	free(text);
}

Test(emit_prom, capture_of_an_error_document_gives_nothing)
{
	struct emit_prom_capture c;
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	FILE *json = emit_prom_capture(&c);

	cr_assert_not_null(json);
	fputs("{\"schema\":\"mapscope/1\",\"kind\":\"file\",\"error\":\"x: gone\"}\n", json);
	cr_assert_eq(emit_prom_release(&c, emit_prom_file, out), -1);
	fclose(out);
	cr_assert_eq(len, 0);
	free(buf);
}

/* Runs cmd and asserts its stdout passes the format check; returns it. */
static char *check_cli(const char *cmd, int want_status)
{
	char *out = malloc(OUT_CAP);
	int status = tu_run(cmd, out, OUT_CAP);

	cr_assert_eq(status, want_status, "%s: exit %d\n%s", cmd, status, out);
	expect_valid(out);
	return out;
}

Test(emit_prom, file_command_passes_the_format_check)
{
	char dir[] = "/tmp/mapscope-prom-XXXXXX", path[128], cmd[512];
	char *out;
	int fd;

	cr_assert_not_null(tu_make_tmpdir(dir));
	snprintf(path, sizeof(path), "%s/we\"ird\\name", dir);
	fd = open(path, O_CREAT | O_WRONLY, 0644);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, "x", 1), 1);
	close(fd);
	snprintf(cmd, sizeof(cmd), BUILD_DIR "/mapscope file -r --format prometheus '%s'", dir);
	out = check_cli(cmd, 0);
	cr_assert(strstr(out, "\\\"ird\\\\name\"} 1\n") != NULL, "%s", out);
	free(out);
	snprintf(cmd, sizeof(cmd),
	         BUILD_DIR "/mapscope file --format prometheus '%s' %s/missing 2>/dev/null", path,
	         dir);
	free(check_cli(cmd, 1));
	unlink(path);
	rmdir(dir);
}

Test(emit_prom, unmeasured_file_gives_reasons_not_zeros)
{
	char *out;

	if (geteuid() != 0)
		cr_skip_test("needs root to run the command as nobody");
	out = check_cli("setpriv --reuid=65534 --regid=65534 --clear-groups " BUILD_DIR
	                "/mapscope file --format prometheus /etc/passwd",
	                0);
	cr_assert_null(strstr(out, "mapscope_file_resident_pages{"), "%s", out);
	cr_assert(strstr(out, "mapscope_unavailable{path=\"/etc/passwd\",metric=\"mapscope_file_"
	                      "resident_pages\",reason=") != NULL,
	          "%s", out);
	free(out);
}

Test(emit_prom, share_command_passes_the_format_check, .timeout = 30)
{
	char *out = check_cli(
	        BUILD_DIR
	        "/mapscope share -n 2 --loader dlopen --format prometheus " TESTLIB("libhello.so"),
	        0);

	cr_assert(strstr(out, "mapscope_share_rss_bytes{") != NULL, "%s", out);
	free(out);
}

Test(emit_prom, maps_all_command_passes_the_format_check, .timeout = 30)
{
	char *out = check_cli(BUILD_DIR "/mapscope maps --all --format prometheus", 0);
	char self[64];

	cr_assert(strstr(out, "# TYPE mapscope_process_rss_bytes gauge\n") != NULL, "%s", out);
	cr_assert(strstr(out, "mapscope_maps_processes ") != NULL, "%s", out);
	snprintf(self, sizeof(self), "mapscope_process_pss_bytes{pid=\"%d\",", (int)getpid());
	cr_assert(strstr(out, self) != NULL, "this test's own process is missing");
	free(out);
}

Test(emit_prom, maps_of_one_process_refuses_prometheus)
{
	char out[1024];

	cr_assert_eq(
	        tu_run(BUILD_DIR "/mapscope maps --format prometheus self 2>&1", out, sizeof(out)),
	        2);
	cr_assert(strstr(out, "--all") != NULL, "%s", out);
}
