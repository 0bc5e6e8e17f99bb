/* Plugin hosts through soload run, against the same command under plain
 * glibc: gst-inspect-1.0 building its plugin registry, gdk-pixbuf's
 * thumbnailer on an SVG (librsvg) and a BMP, perl loading XS modules,
 * python3 computing with numpy, ImageMagick writing through its coders.
 * Each gives the same output both ways, and the report shows the plugins
 * loaded by libsoload. The packages come from .ci/deps; each test skips
 * without its program. */
#include "support/run_report.h"
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SOLOAD  BUILD_DIR "/soload"
#define OUT_CAP (1 << 16)

static struct run_scratch scratch;

static void setup(void)
{
	run_scratch_make(&scratch);
}

static void teardown(void)
{
	run_scratch_remove(&scratch);
}

TestSuite(cli_hosts, .init = setup, .fini = teardown);

static void need(const char *program, const char *package)
{
	if (access(program, X_OK) != 0)
		cr_skip_test("%s is not installed (package %s, from .ci/deps)", program, package);
}

/* The report's libraries whose path contains part, loaded by libsoload. */
static size_t soload_libs(json_t *doc, const char *part)
{
	json_t *libs = json_object_get(doc, "libraries"), *l;
	size_t i, n = 0;

	json_array_foreach(libs, i, l)
	{
		const char *p = json_string_value(json_object_get(l, "path"));
		const char *by = json_string_value(json_object_get(l, "loaded_by"));
		n += p && by && strstr(p, part) && !strcmp(by, "soload");
	}
	return n;
}

static void expect_soload(json_t *doc, const char *part)
{
	cr_expect_geq(soload_libs(doc, part), 1, "the report has no %s loaded by soload", part);
}

/* Runs "env ENV CMD" in tmpdir, its output in tmpdir/OUTPUT; under soload
 * run with the report when under. It must exit 0. */
static void run_one(int under, const char *env, const char *cmd, const char *output)
{
	char line[4096], cwd[1024], out[OUT_CAP];

	cr_assert_not_null(getcwd(cwd, sizeof(cwd)));
	if (under)
		snprintf(line, sizeof(line),
		         "cd %s && env %s %s/" SOLOAD " run --report %s -- %s > %s 2>&1",
		         scratch.dir, env, cwd, scratch.report, cmd, output);
	else
		snprintf(line, sizeof(line), "cd %s && env %s %s > %s 2>&1", scratch.dir, env, cmd,
		         output);
	cr_assert_eq(tu_run(line, out, sizeof(out)), 0, "%s", line);
}

/* CMD plainly (output in plain.txt) and under soload run (under.txt);
 * env_plain and env_under may differ (a fresh registry file each). */
static void run_both(const char *env_plain, const char *env_under, const char *cmd)
{
	run_one(0, env_plain, cmd, "plain.txt");
	run_one(1, env_under, cmd, "under.txt");
}

/* diff of the two outputs: "" when they are the same. */
static void expect_same_output(void)
{
	char cmd[256], out[OUT_CAP];

	snprintf(cmd, sizeof(cmd), "cd %s && diff plain.txt under.txt", scratch.dir);
	cr_expect_eq(tu_run(cmd, out, sizeof(out)), 0, "outputs differ:\n%s", out);
}

/* gst-inspect-1.0 scans every plugin into a fresh registry file: the same
 * plugins and features, the same listing, every plugin file libsoload's. */
Test(cli_hosts, gst_inspect_builds_the_same_registry, .timeout = 60)
{
	char cmd[256], plain[256], under[256];
	json_t *doc;
	int plugins = 0, features = 0;
	size_t files;

	need("/usr/bin/gst-inspect-1.0", "gstreamer1.0-tools");
	run_both("GST_REGISTRY=plain.bin", "GST_REGISTRY=under.bin", "gst-inspect-1.0");
	expect_same_output();
	snprintf(cmd, sizeof(cmd), "grep '^Total count' %s/plain.txt", scratch.dir);
	cr_assert_eq(tu_run(cmd, plain, sizeof(plain)), 0);
	snprintf(cmd, sizeof(cmd), "grep '^Total count' %s/under.txt", scratch.dir);
	cr_assert_eq(tu_run(cmd, under, sizeof(under)), 0);
	cr_assert_str_eq(under, plain);
	cr_assert_eq(sscanf(plain, "Total count: %d plugins, %d features", &plugins, &features), 2,
	             "%s", plain);
	cr_expect_geq(plugins, 10, "%s", plain);
	doc = run_report_load(scratch.report);
	files = soload_libs(doc, "/gstreamer-1.0/libgst");
	/* Every plugin but GStreamer's static "staticelements" is a file. */
	cr_expect_eq(files, (size_t)plugins - 1, "%zu plugin files loaded by soload, %d plugins",
	             files, plugins);
	expect_soload(doc, "libgstcoreelements.so");
	json_decref(doc);
}

/* Little-endian fields at any offset (BMP's are not aligned). */
static void put_le(uint8_t *at, uint32_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		at[i] = (uint8_t)(v >> (8 * i));
}

/* A 24-bit BMP, width x height, with a gradient. */
static void write_bmp(const char *path, int width, int height)
{
	int pad = (4 - width * 3 % 4) % 4;
	uint32_t data = (uint32_t)((width * 3 + pad) * height);
	uint8_t hdr[54] = {'B', 'M'};
	FILE *f = fopen(path, "wb");

	cr_assert_not_null(f);
	put_le(hdr + 2, 54 + data, 4);
	put_le(hdr + 10, 54, 4);
	put_le(hdr + 14, 40, 4);
	put_le(hdr + 18, (uint32_t)width, 4);
	put_le(hdr + 22, (uint32_t)height, 4);
	put_le(hdr + 26, 1, 2);
	put_le(hdr + 28, 24, 2);
	put_le(hdr + 34, data, 4);
	fwrite(hdr, 1, sizeof(hdr), f);
	for (int y = 0; y < height; y++) {
		for (int x = 0; x < width; x++)
			fprintf(f, "%c%c%c", x * 4 % 256, y * 5 % 256, (x + y) % 256);
		fwrite("\0\0\0", 1, pad, f);
	}
	cr_assert_eq(fclose(f), 0);
}

/* Width and height from a PNG file's IHDR, after checking its signature. */
static void png_size(const char *path, unsigned *w, unsigned *h)
{
	static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	uint8_t b[24];
	FILE *f = fopen(path, "rb");

	cr_assert_not_null(f, "%s was not written", path);
	cr_assert_eq(fread(b, 1, sizeof(b), f), sizeof(b), "%s: too short", path);
	fclose(f);
	cr_assert_eq(memcmp(b, sig, 8), 0, "%s: not a PNG", path);
	cr_assert_eq(memcmp(b + 12, "IHDR", 4), 0, "%s: no IHDR first", path);
	*w = (unsigned)b[16] << 24 | b[17] << 16 | b[18] << 8 | b[19];
	*h = (unsigned)b[20] << 24 | b[21] << 16 | b[22] << 8 | b[23];
}

/* The thumbnailer on one image: a valid PNG of the same size, and the same
 * bytes, both ways; the loader plugin (and what it needs) is libsoload's. */
static json_t *thumbnail(const char *image)
{
	char cmd[512], path[128], out[256];
	unsigned pw, ph, uw, uh;

	snprintf(cmd, sizeof(cmd), "gdk-pixbuf-thumbnailer -s 128 %s plain.png", image);
	run_one(0, "", cmd, "plain.txt");
	snprintf(cmd, sizeof(cmd), "gdk-pixbuf-thumbnailer -s 128 %s under.png", image);
	run_one(1, "", cmd, "under.txt");
	expect_same_output();
	snprintf(path, sizeof(path), "%s/plain.png", scratch.dir);
	png_size(path, &pw, &ph);
	snprintf(path, sizeof(path), "%s/under.png", scratch.dir);
	png_size(path, &uw, &uh);
	cr_expect(pw > 0 && ph > 0 && pw <= 128 && ph <= 128, "plain thumbnail %ux%u", pw, ph);
	cr_expect(uw == pw && uh == ph, "under soload run %ux%u, plain %ux%u", uw, uh, pw, ph);
	snprintf(cmd, sizeof(cmd), "cmp %s/plain.png %s/under.png", scratch.dir, scratch.dir);
	cr_expect_eq(tu_run(cmd, out, sizeof(out)), 0, "the thumbnails differ: %s", out);
	return run_report_load(scratch.report);
}

Test(cli_hosts, gdk_pixbuf_thumbnails_an_svg_through_librsvg, .timeout = 60)
{
	char path[128];
	FILE *f;
	json_t *doc;

	need("/usr/bin/gdk-pixbuf-thumbnailer", "libgdk-pixbuf2.0-bin");
	if (access("/usr/lib/x86_64-linux-gnu/gdk-pixbuf-2.0/2.10.0/loaders/"
	           "libpixbufloader-svg.so",
	           R_OK) != 0)
		cr_skip_test("gdk-pixbuf's SVG loader is not installed (librsvg2-common)");
	snprintf(path, sizeof(path), "%s/image.svg", scratch.dir);
	cr_assert_not_null(f = fopen(path, "w"));
	fputs("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"200\" height=\"100\">"
	      "<rect x=\"10\" y=\"10\" width=\"180\" height=\"80\" fill=\"#36c\"/>"
	      "<circle cx=\"100\" cy=\"50\" r=\"30\" fill=\"#fc3\"/></svg>\n",
	      f);
	cr_assert_eq(fclose(f), 0);
	doc = thumbnail("image.svg");
	expect_soload(doc, "libpixbufloader-svg.so");
	expect_soload(doc, "librsvg-2.so");
	expect_soload(doc, "libcairo.so");
	json_decref(doc);
}

Test(cli_hosts, gdk_pixbuf_thumbnails_a_bmp, .timeout = 60)
{
	char path[128];
	json_t *doc;

	need("/usr/bin/gdk-pixbuf-thumbnailer", "libgdk-pixbuf2.0-bin");
	snprintf(path, sizeof(path), "%s/image.bmp", scratch.dir);
	write_bmp(path, 64, 48);
	doc = thumbnail("image.bmp");
	expect_soload(doc, "libpixbufloader-bmp.so");
	json_decref(doc);
}

/* perl's DynaLoader dlopens each XS module by its path from libperl: the
 * same output both ways, the modules libsoload's. */
Test(cli_hosts, perl_loads_xs_modules, .timeout = 60)
{
	const char *script =
	        "use POSIX qw(floor strftime); use List::Util qw(sum max); "
	        "use Storable qw(freeze thaw dclone); use JSON::XS; use Digest::MD5 qw(md5_hex); "
	        "use Data::Dumper; $Data::Dumper::Sortkeys = 1; use Encode; use Digest::SHA; "
	        "use Compress::Zlib; use threads; "
	        "my $d = {a => [1 .. 5], b => {c => \"x\"}}; my $t = thaw(freeze($d)); "
	        "print floor(7.9), \" \", sum(1 .. 100), \" \", max(3, 9, 2), \"\\n\"; "
	        "print JSON::XS->new->canonical->encode(dclone($t)), \"\\n\"; "
	        "print md5_hex(\"mapscope\"), \"\\n\", Dumper($t), strftime(\"%Y\", gmtime(0)), "
	        "\"\\n\", Digest::SHA::sha1_hex(encode(\"UTF-8\", \"\\x{e9}\")), \"\\n\", "
	        "length(uncompress(compress(\"a\" x 999))), \"\\n\", "
	        "join(\",\", map { $_->join } "
	        "map { threads->create(sub { sum(1 .. $_[0]) }, $_) } 1 .. 3), \"\\n\";";
	char cmd[2048], out[256];
	json_t *doc;

	need("/usr/bin/perl", "perl");
	if (tu_run("/usr/bin/perl -MJSON::XS -e 1 2>&1", out, sizeof(out)) != 0)
		cr_skip_test("perl's JSON::XS is not installed (libjson-xs-perl, from .ci/deps)");
	snprintf(cmd, sizeof(cmd), "/usr/bin/perl -e '%s'", script);
	run_both("", "", cmd);
	expect_same_output();
	snprintf(cmd, sizeof(cmd), "head -1 %s/under.txt", scratch.dir);
	cr_assert_eq(tu_run(cmd, out, sizeof(out)), 0);
	cr_expect_str_eq(out, "7 5050 9\n");
	snprintf(cmd, sizeof(cmd), "tail -3 %s/under.txt", scratch.dir);
	cr_assert_eq(tu_run(cmd, out, sizeof(out)), 0);
	cr_expect_str_eq(out, "bf15be717ac1b080b4f1c456692825891ff5073d\n999\n1,3,6\n");
	doc = run_report_load(scratch.report);
	expect_soload(doc, "/POSIX/POSIX.so");
	expect_soload(doc, "/List/Util/Util.so");
	expect_soload(doc, "/Storable/Storable.so");
	expect_soload(doc, "/JSON/XS/XS.so");
	expect_soload(doc, "/Digest/MD5/MD5.so");
	expect_soload(doc, "/Encode/Encode.so");
	expect_soload(doc, "/threads/threads.so");
	json_decref(doc);
}

/* numpy's extension modules with BLAS and LAPACK (and libgfortran under
 * them) through libsoload: the same numbers both ways, to the last digit
 * printed. numpy.test() runs the same way by hand (docs/loader.md). */
Test(cli_hosts, numpy_computes_through_blas_and_lapack, .timeout = 60)
{
	const char *script =
	        "import numpy as np\n"
	        "a = np.arange(1, 10, dtype=np.float64).reshape(3, 3) + np.eye(3)\n"
	        "print(np.linalg.solve(a, np.array([1.0, 2.0, 3.0])).round(6).tolist())\n"
	        "print(float((a @ a.T).trace()), float(np.linalg.det(a).round(6)))\n"
	        "print(np.fft.rfft(np.arange(8.0)).real.round(6).tolist())\n"
	        "print(np.random.default_rng(42).integers(0, 100, 5).tolist())\n";
	char path[128], cmd[256], out[512];
	FILE *f;
	json_t *doc;

	need("/usr/bin/python3", "python3");
	if (tu_run("/usr/bin/python3 -c 'import numpy' 2>&1", out, sizeof(out)) != 0)
		cr_skip_test("numpy is not installed (python3-numpy, from .ci/deps)");
	snprintf(path, sizeof(path), "%s/check.py", scratch.dir);
	cr_assert_not_null(f = fopen(path, "w"));
	fputs(script, f);
	cr_assert_eq(fclose(f), 0);
	run_both("", "", "/usr/bin/python3 check.py");
	expect_same_output();
	snprintf(cmd, sizeof(cmd), "cat %s/under.txt", scratch.dir);
	cr_assert_eq(tu_run(cmd, out, sizeof(out)), 0);
	cr_expect_str_eq(out, "[-1.0, 0.0, 1.0]\n318.0 -2.0\n[28.0, -4.0, -4.0, -4.0, -4.0]\n"
	                      "[8, 77, 65, 43, 43]\n");
	doc = run_report_load(scratch.report);
	expect_soload(doc, "/_multiarray_umath.");
	expect_soload(doc, "liblapack.so");
	expect_soload(doc, "libblas.so");
	json_decref(doc);
}

/* ImageMagick's coders are modules it opens through libltdl: one gradient
 * written as GIF, TIFF, JPEG, WebP and BMP, the same bytes both ways, each
 * coder (and libtiff, libjpeg, libwebp under them) libsoload's. */
Test(cli_hosts, imagemagick_writes_five_formats_through_its_coders, .timeout = 60)
{
	static const char *const formats[] = {"gif", "tiff", "jpg", "webp", "bmp"};
	const char *convert = "/usr/bin/convert-im6.q16 -size 64x48 gradient:red-blue -strip "
	                      "-write gif:out.gif -write tiff:out.tiff -write jpg:out.jpg "
	                      "-write webp:out.webp bmp:out.bmp";
	char cmd[512], out[512];
	json_t *doc;

	need("/usr/bin/convert-im6.q16", "imagemagick");
	run_one(0, "", convert, "plain.txt");
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		snprintf(cmd, sizeof(cmd), "cd %s && mv out.%s plain.%s", scratch.dir, formats[i],
		         formats[i]);
		cr_assert_eq(tu_run(cmd, out, sizeof(out)), 0, "%s", cmd);
	}
	run_one(1, "", convert, "under.txt");
	expect_same_output();
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		snprintf(cmd, sizeof(cmd), "cd %s && cmp plain.%s out.%s", scratch.dir, formats[i],
		         formats[i]);
		cr_expect_eq(tu_run(cmd, out, sizeof(out)), 0, "%s: %s", formats[i], out);
	}
	doc = run_report_load(scratch.report);
	expect_soload(doc, "/coders/gif.so");
	expect_soload(doc, "/coders/tiff.so");
	expect_soload(doc, "/coders/jpeg.so");
	expect_soload(doc, "/coders/webp.so");
	expect_soload(doc, "/coders/bmp.so");
	expect_soload(doc, "libtiff.so");
	json_decref(doc);
}
