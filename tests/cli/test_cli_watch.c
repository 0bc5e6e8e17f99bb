#include "support/testutil.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAPSCOPE BUILD_DIR "/mapscope"

/* Splits JSON lines into docs; returns how many. */
static int parse_lines(char *out, json_t **docs, int cap)
{
	int n = 0;

	for (char *line = strtok(out, "\n"); line && n < cap; line = strtok(NULL, "\n")) {
		docs[n] = json_loads(line, 0, NULL);
		cr_assert_not_null(docs[n], "not JSON: %s", line);
		n++;
	}
	return n;
}

static const char *event_of(json_t *doc)
{
	return json_string_value(json_object_get(doc, "event"));
}

static void free_docs(json_t **docs, int n)
{
	for (int i = 0; i < n; i++)
		json_decref(docs[i]);
}

Test(cli_watch, stops_by_itself_within_one_interval_of_the_process_exiting, .timeout = 20)
{
	char out[8192];
	json_t *docs[16];
	int n;

	/* The watched sleep exits after 0.3 s; the interval is 5 s. Stopping at the
	 * exit means one sample (at start) and no second one. */
	cr_assert_eq(tu_run("sh -c 'sleep 0.3 & exec " MAPSCOPE " watch --interval 5 $!'", out,
	                    sizeof(out)),
	             0);
	n = parse_lines(out, docs, 16);
	cr_assert_eq(n, 2, "%s", out);
	cr_assert_str_eq(event_of(docs[0]), "sample");
	cr_assert_gt(json_integer_value(json_object_get(docs[0], "rss_pages")), 0);
	cr_assert_str_eq(event_of(docs[1]), "exited");
	cr_assert_eq(json_integer_value(json_object_get(docs[1], "samples")), 1);
	cr_assert_lt(json_integer_value(json_object_get(docs[1], "t_ns")), 5000000000LL);
	free_docs(docs, n);
}

Test(cli_watch, counts_lines_and_gives_changes_after_the_first)
{
	char out[8192];
	json_t *docs[16];
	int n;

	cr_assert_eq(tu_run(MAPSCOPE " watch --count 3 --interval 0.01 $$", out, sizeof(out)), 0);
	n = parse_lines(out, docs, 16);
	cr_assert_eq(n, 4, "%s", out);
	cr_assert(json_is_null(json_object_get(docs[0], "delta_minor")));
	cr_assert_str_eq(json_string_value(json_object_get(docs[0], "delta_minor_unavailable")),
	                 "first sample");
	cr_assert(json_is_integer(json_object_get(docs[1], "delta_minor")));
	cr_assert(json_is_integer(json_object_get(docs[2], "delta_rss_pages")));
	cr_assert_eq(json_integer_value(json_object_get(docs[2], "seq")), 2);
	cr_assert_str_eq(event_of(docs[3]), "count");
	free_docs(docs, n);
}

Test(cli_watch, sigterm_ends_the_watch_cleanly, .timeout = 20)
{
	char out[8192];
	json_t *docs[64];
	int n;

	/* The signal comes once the first sample is out, however slowly the
	 * watch started (a loaded machine, a sanitizer's start-up). */
	cr_assert_eq(tu_run("sh -c 'f=$(mktemp); " MAPSCOPE
	                    " watch --interval 0.05 $$ >$f & w=$!; "
	                    "while [ ! -s $f ]; do sleep 0.05; done; sleep 0.1; "
	                    "kill -TERM $w; wait $w; s=$?; cat $f; rm -f $f; exit $s'",
	                    out, sizeof(out)),
	             0);
	n = parse_lines(out, docs, 64);
	cr_assert_geq(n, 2, "%s", out);
	cr_assert_str_eq(event_of(docs[n - 1]), "signal");
	cr_assert_eq(json_integer_value(json_object_get(docs[n - 1], "signal")), 15);
	free_docs(docs, n);
}

Test(cli_watch, file_residency_over_time)
{
	char path[] = "/tmp/mapscope-watch-XXXXXX", cmd[256], out[8192], page[4096] = {1};
	json_t *docs[8];
	int fd = mkstemp(path), n;

	/* Our own file: for a file we neither own nor may write, the kernel's
	 * residency answer is not trusted and the count is null. */
	cr_assert_geq(fd, 0);
	for (int i = 0; i < 8; i++)
		cr_assert_eq(write(fd, page, sizeof(page)), (ssize_t)sizeof(page));
	close(fd);
	snprintf(cmd, sizeof(cmd), MAPSCOPE " watch --count 2 --interval 0.01 %s", path);
	cr_assert_eq(tu_run(cmd, out, sizeof(out)), 0);
	unlink(path);
	n = parse_lines(out, docs, 8);
	cr_assert_eq(n, 3, "%s", out);
	cr_assert_str_eq(json_string_value(json_object_get(docs[0], "path")), path);
	cr_assert_eq(json_integer_value(json_object_get(docs[0], "pages")), 8);
	cr_assert(json_is_integer(json_object_get(docs[0], "resident_pages")));
	cr_assert(json_is_integer(json_object_get(docs[1], "delta_resident_pages")));
	free_docs(docs, n);
}

Test(cli_watch, errors_and_usage)
{
	char out[4096];

	cr_assert_eq(tu_run(MAPSCOPE " watch 2147483600 2>&1", out, sizeof(out)), 1);
	cr_assert_not_null(strstr(out, "pid 2147483600: no such process"), "%s", out);
	cr_assert_eq(tu_run(MAPSCOPE " watch /nonexistent/file 2>&1", out, sizeof(out)), 1);
	cr_assert_not_null(strstr(out, "/nonexistent/file"), "%s", out);
	cr_assert_eq(tu_run(MAPSCOPE " watch --interval 0 $$ 2>&1", out, sizeof(out)), 2);
	cr_assert_eq(tu_run(MAPSCOPE " watch --count -1 $$ 2>&1", out, sizeof(out)), 2);
	cr_assert_eq(tu_run(MAPSCOPE " watch 2>&1", out, sizeof(out)), 2);
}

Test(cli_watch, text_is_a_table_of_rows_without_a_change_on_the_first)
{
	char out[8192], end = 0;
	unsigned long long size = 0;
	double t = -1;

	cr_assert_eq(tu_run("sleep 5 & p=$!; " MAPSCOPE " watch $p --format text -i 0.05 -n 3; "
	                    "rc=$?; kill $p; exit $rc",
	                    out, sizeof(out)),
	             0, "%s", out);
	cr_assert(strncmp(out, "     TIME STATE      RSS    ANON    MINFLT   +MINFLT", 51) == 0,
	          "%s", out);
	cr_assert_null(strstr(out, "(+0)"), "%s", out);
	/* The first line has no previous one: no change, not "+0", in both
	 * change columns, whatever the counts (sleep may take a major fault
	 * on a fresh machine). */
	char dmin[16] = "", dmaj[16] = "";
	cr_assert_eq(
	        sscanf(strchr(out, '\n') + 1, "%*s %*s %*s %*s %*s %15s %*s %15s", dmin, dmaj), 2,
	        "%s", out);
	cr_assert_str_eq(dmin, "-", "%s", out);
	cr_assert_str_eq(dmaj, "-", "%s", out);
	cr_assert_not_null(strstr(out, "done\n"), "%s", out);
	cr_assert_leq(tu_widest_line(out), 100, "%s", out);
	cr_assert_eq(tu_run(MAPSCOPE " watch /usr/lib/x86_64-linux-gnu/libc.so.6 --format text "
	                             "-n 1 -o time,size --bytes --no-headings --raw",
	                    out, sizeof(out)),
	             0, "%s", out);
	/* "0.00s 1926232": the time (later than 0 on a busy machine), the bytes. */
	cr_assert_eq(sscanf(out, "%lfs %llu%c", &t, &size, &end), 3, "%s", out);
	cr_assert(t >= 0 && t < 5 && size > 100000 && end == '\n', "%s", out);
}
