/* emit_svg: pictures are well-formed XML, bounded in size for a 4 GiB file,
 * coloured as the legend says, and --svg on the CLIs writes them or fails
 * naming the file. */
#include "emit/emit_svg.h"
#include "probe/maps.h"
#include "support/testutil.h"
#include "support/xml_check.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The picture as a string the caller frees. */
static char *render(struct emit_svg *svg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);

	cr_assert_eq(emit_svg_write(svg, mem), 0);
	fclose(mem);
	return buf;
}

static void expect_well_formed(const char *text)
{
	char why[256];
	const char *err = xml_check(text, why, sizeof(why));

	cr_assert_null(err, "not well-formed XML: %s", err);
}

/* A second opinion where libxml2's xmllint is installed (never required). */
static void expect_xmllint_accepts(const char *path)
{
	char cmd[256], out[4096];

	if (tu_run("command -v xmllint >/dev/null", out, sizeof(out)) != 0)
		return;
	snprintf(cmd, sizeof(cmd), "xmllint --noout '%s' 2>&1", path);
	cr_assert_eq(tu_run(cmd, out, sizeof(out)), 0, "xmllint: %s", out);
}

static int count(const char *text, const char *what)
{
	int n = 0;

	for (const char *p = strstr(text, what); p; p = strstr(p + 1, what))
		n++;
	return n;
}

Test(emit_svg, xml_checker_refuses_what_is_not_xml)
{
	char why[256];

	cr_assert_null(xml_check("<?xml version=\"1.0\"?>\n<a x=\"1\"><b/>t&amp;</a>\n", why,
	                         sizeof(why)));
	cr_assert_not_null(xml_check("<a><b></a></b>", why, sizeof(why)));
	cr_assert_not_null(xml_check("<a>&</a>", why, sizeof(why)));
	cr_assert_not_null(xml_check("<a x=1/>", why, sizeof(why)));
	cr_assert_not_null(xml_check("<a/><b/>", why, sizeof(why)));
	cr_assert_not_null(xml_check("<a>", why, sizeof(why)));
}

Test(emit_svg, picture_is_well_formed_and_escapes_labels)
{
	struct emit_svg svg = {.title = "t <&> \"q\""};
	struct pagegrid g;
	char *text;

	cr_assert_eq(pagegrid_init(&g, 10, 0), 0);
	g.cells[0].resident = 1;
	g.cells[1].resident = g.cells[1].dirty = 1;
	g.cells[2].resident = 1;
	g.cells[2].sharers = 3;
	g.sharing_unavailable = NULL;
	emit_svg_add(&svg, "/a&b<c>\xff\xc3(\x01", "note 'x' \xc3\xa9", &g);
	text = render(&svg);
	expect_well_formed(text);
	cr_assert(strstr(text, "/a&amp;b&lt;c&gt;?\?(?<") != NULL,
	          "bytes that are not UTF-8 were kept");
	cr_assert(strstr(text, "note &apos;x&apos; \xc3\xa9<") != NULL, "UTF-8 was not kept");
	cr_assert(strstr(text, "fill=\"#e6550d\"") != NULL, "no dirty cell");
	cr_assert(strstr(text, "fill=\"#4292c6\"") != NULL, "no cell mapped by 3");
	cr_assert(strstr(text, "fill=\"#238b45\"") != NULL, "no resident cell");
	free(text);
	emit_svg_free(&svg);
}

Test(emit_svg, a_4_gib_file_stays_small)
{
	struct emit_svg svg = {.title = "big"};
	struct pagegrid g;
	char *text;

	cr_assert_eq(pagegrid_init(&g, 1 << 20, 0), 0);
	/* Alternating cells: the worst case for merging runs. */
	for (size_t i = 0; i < g.ncells; i += 2)
		g.cells[i].resident = g.cells[i].pages;
	emit_svg_add(&svg, "/big", NULL, &g);
	text = render(&svg);
	expect_well_formed(text);
	cr_assert_leq(count(text, "<rect"), PAGEGRID_MAX_CELLS + 16);
	cr_assert_lt(strlen(text), 2u << 20);
	free(text);
	emit_svg_free(&svg);
}

Test(emit_svg, bands_beyond_the_limit_are_counted)
{
	struct emit_svg svg = {.title = "many"};
	char *text;

	for (int i = 0; i < EMIT_SVG_MAX_BANDS + 3; i++) {
		struct pagegrid g;

		cr_assert_eq(pagegrid_init(&g, 1, 1), 0);
		emit_svg_add(&svg, "f", NULL, &g);
	}
	cr_assert_eq(svg.nbands, EMIT_SVG_MAX_BANDS);
	cr_assert_eq(svg.omitted, 3);
	text = render(&svg);
	expect_well_formed(text);
	cr_assert(strstr(text, "3 more not drawn") != NULL);
	free(text);
	emit_svg_free(&svg);
}

Test(emit_svg, file_command_draws_each_file)
{
	char dir[] = "/tmp/mapscope-svg-XXXXXX", path[128], svg[160], cmd[512], out[4096];
	char *text;
	int fd;

	cr_assert_not_null(tu_make_tmpdir(dir));
	snprintf(path, sizeof(path), "%s/a&b", dir);
	snprintf(svg, sizeof(svg), "%s/map.svg", dir);
	fd = open(path, O_CREAT | O_WRONLY, 0644);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, "x", 1), 1);
	close(fd);
	snprintf(cmd, sizeof(cmd), BUILD_DIR "/mapscope file --svg %s '%s' " BUILD_DIR "/mapscope",
	         svg, path);
	cr_assert_eq(tu_run(cmd, out, sizeof(out)), 0, "%s", out);
	text = tu_read_file(svg);
	cr_assert_not_null(text, "%s was not written", svg);
	expect_well_formed(text);
	cr_assert(strstr(text, "/a&amp;b") != NULL);
	expect_xmllint_accepts(svg);
	cr_assert(strstr(text, BUILD_DIR "/mapscope") != NULL);
	free(text);
	unlink(svg);
	unlink(path);
	rmdir(dir);
}

Test(emit_svg, file_command_names_an_svg_it_cannot_write)
{
	char out[4096];
	int status = tu_run(BUILD_DIR "/mapscope file --svg /nonexistent/dir/map.svg "
	                              "--format text " BUILD_DIR "/mapscope 2>&1 >/dev/null",
	                    out, sizeof(out));

	cr_assert_eq(status, 1);
	cr_assert(strstr(out, "/nonexistent/dir/map.svg: No such file or directory") != NULL, "%s",
	          out);
}

/* Shell: until process P has become the sleep (a fork runs the shell's
 * code until its exec). */
/* Until sleep runs: exec'ed and its libraries mapped (comm changes at exec,
 * before the dynamic linker maps libc). */
#define WAIT_FOR_EXEC(p)                                                                          \
	"until grep -qx sleep /proc/" p "/comm 2>/dev/null && "                                   \
	"grep -q libc.so.6 /proc/" p "/maps 2>/dev/null; do sleep 0.01; done; "

/* Runs "mapscope maps ARGS PID" on a sleep (small and never sanitizer-built,
 * unlike this test's own build, whose shadow memory is terabytes), with
 * stdout dropped and stderr captured. Returns mapscope's exit status. */
static int maps_of_a_sleep(const char *args, char *out, size_t cap)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd),
	         "sleep 30 & pid=$!; " WAIT_FOR_EXEC("$pid") BUILD_DIR
	         "/mapscope maps %s $pid 2>&1 >/dev/null; "
	         "rc=$?; kill $pid; exit $rc",
	         args);
	return tu_run(cmd, out, cap);
}

Test(emit_svg, maps_command_draws_the_process)
{
	char dir[] = "/tmp/mapscope-svg-XXXXXX", svg[160], args[200], out[4096];
	char *text;

	cr_assert_not_null(tu_make_tmpdir(dir));
	snprintf(svg, sizeof(svg), "%s/sleep.svg", dir);
	snprintf(args, sizeof(args), "--svg %s", svg);
	cr_assert_eq(maps_of_a_sleep(args, out, sizeof(out)), 0, "%s", out);
	text = tu_read_file(svg);
	cr_assert_not_null(text, "%s was not written", svg);
	expect_well_formed(text);
	cr_assert(strstr(text, "/sleep</text>") != NULL, "the binary's mappings are not drawn");
	cr_assert(strstr(text, "libc.so.6</text>") != NULL, "libc's mappings are not drawn");
	expect_xmllint_accepts(svg);
	free(text);
	tu_remove_tree(dir);
}

Test(emit_svg, maps_command_names_an_svg_it_cannot_write)
{
	char out[4096];
	int status = maps_of_a_sleep("--svg /nonexistent/dir/m.svg", out, sizeof(out));

	cr_assert_eq(status, 1);
	cr_assert(strstr(out, "/nonexistent/dir/m.svg: No such file or directory") != NULL, "%s",
	          out);
}

Test(emit_svg, a_process_with_many_mappings_keeps_the_largest)
{
	struct maps_mapping maps[EMIT_SVG_MAX_BANDS + 6] = {0};
	struct maps_report r = {.mappings = maps, .count = EMIT_SVG_MAX_BANDS + 6};
	struct emit_svg svg = {.title = "many"};

	for (size_t i = 0; i < r.count; i++) {
		maps[i].region.start = 0x10000 * (i + 1);
		maps[i].region.end = maps[i].region.start + 0x4000;
		maps[i].region.path = "";
		maps[i].smaps.rss = 4096 * (r.count - i); /* less at higher addresses */
	}
	maps[3].smaps.rss = 0;    /* not resident: never drawn nor counted */
	maps[5].smaps.rss = 4096; /* a page: among the smallest */
	emit_svg_add_process(&svg, &r);
	/* 69 resident; drawn: the 64 with 5 pages or more (mappings 0-65 but 3
	 * and 5), in address order. */
	cr_assert_eq(svg.nbands, EMIT_SVG_MAX_BANDS);
	cr_assert_eq(svg.omitted, 5);
	cr_assert(strncmp(svg.bands[0].label, "0x10000-", 8) == 0, "%s", svg.bands[0].label);
	cr_assert(strncmp(svg.bands[4].label, "0x70000-", 8) == 0, "%s", svg.bands[4].label);
	cr_assert(strncmp(svg.bands[EMIT_SVG_MAX_BANDS - 1].label, "0x420000-", 9) == 0, "%s",
	          svg.bands[EMIT_SVG_MAX_BANDS - 1].label);
	emit_svg_free(&svg);
}
