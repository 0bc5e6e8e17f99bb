#include "emit/emit_svg.h"
#include "core/emit.h"
#include "probe/maps.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define COLUMNS 128
#define PITCH   8 /* pixels from one cell to the next */
#define CELL    7
#define MARGIN  10
#define WIDTH   (2 * MARGIN + COLUMNS * PITCH)
#define LINE    16 /* pixels per line of text */

/* The colour classes of a cell, in the order the legend shows them. */
enum shade { ABSENT, SOME, MOST, ALL, DIRTY, SHARED2, SHARED3, SHARED5, NSHADES };

static const struct {
	const char *colour;
	const char *legend;
} shades[NSHADES] = {
        [ABSENT] = {"#e4e4e4", "not resident"},
        [SOME] = {"#c7e9c0", "under half resident"},
        [MOST] = {"#74c476", "half or more resident"},
        [ALL] = {"#238b45", "all resident"},
        [DIRTY] = {"#e6550d", "dirty"},
        [SHARED2] = {"#9ecae1", "mapped by 2 processes"},
        [SHARED3] = {"#4292c6", "mapped by 3-4"},
        [SHARED5] = {"#08306b", "mapped by 5 or more"},
};

/* Dirty first, then sharing, then how much is resident: what a reader
 * most needs to see wins the cell. */
static enum shade shade_of(const struct pagegrid_cell *c)
{
	if (c->resident == 0)
		return ABSENT;
	if (c->dirty)
		return DIRTY;
	if (c->sharers >= 5)
		return SHARED5;
	if (c->sharers >= 3)
		return SHARED3;
	if (c->sharers == 2)
		return SHARED2;
	if (c->resident == c->pages)
		return ALL;
	return 2 * c->resident >= c->pages ? MOST : SOME;
}

/* Length of the valid UTF-8 sequence at s, or 0 if it is not one (file
 * names are bytes; the picture must be UTF-8). */
static size_t utf8_length(const unsigned char *s)
{
	size_t n = s[0] < 0x80       ? 1
	           : s[0] >> 5 == 6  ? 2
	           : s[0] >> 4 == 14 ? 3
	           : s[0] >> 3 == 30 ? 4
	                             : 0;

	for (size_t i = 1; i < n; i++)
		if (s[i] >> 6 != 2)
			return 0;
	return n;
}

/* Writes s as XML text: the five special characters escaped, and control
 * characters and bytes that are not UTF-8 as '?'. */
static void put_text(FILE *out, const char *s)
{
	while (*s) {
		size_t n = utf8_length((const unsigned char *)s);

		if (*s == '&')
			fputs("&amp;", out);
		else if (*s == '<')
			fputs("&lt;", out);
		else if (*s == '>')
			fputs("&gt;", out);
		else if (*s == '"')
			fputs("&quot;", out);
		else if (*s == '\'')
			fputs("&apos;", out);
		else if (n == 0 || ((unsigned char)*s < 0x20 && *s != '\t'))
			fputc('?', out);
		else
			fwrite(s, 1, n, out);
		s += n ? n : 1;
	}
}

static void put_label(FILE *out, int y, const char *cls, const char *text)
{
	fprintf(out, "<text x=\"%d\" y=\"%d\" class=\"%s\">", MARGIN, y, cls);
	put_text(out, text);
	fputs("</text>\n", out);
}

static int band_rows(const struct emit_svg_band *b)
{
	return (int)((b->grid.ncells + COLUMNS - 1) / COLUMNS);
}

/* Why sharing was not measured, when it is news: said once for a run of
 * bands with the same reason. */
static const char *sharing_note(const struct emit_svg *svg, size_t i)
{
	const char *why = svg->bands[i].grid.sharing_unavailable;
	const char *before = i ? svg->bands[i - 1].grid.sharing_unavailable : NULL;

	return why && !(before && strcmp(why, before) == 0) ? why : NULL;
}

static int band_height(const struct emit_svg *svg, size_t i)
{
	const struct emit_svg_band *b = &svg->bands[i];
	int lines = 1 + (b->note != NULL) + (b->grid.unavailable || b->grid.dirty_unavailable) +
	            (sharing_note(svg, i) != NULL);

	return lines * LINE + (b->grid.unavailable ? 2 * PITCH : band_rows(b) * PITCH) + LINE / 2;
}

/* One rectangle for cells [from, to) of a row, all of one shade. */
static void put_run(FILE *out, const struct pagegrid *g, size_t from, size_t to, int y)
{
	struct pagegrid_cell sum = {0};
	unsigned long long first = from * g->pages_per_cell, last;
	int x = MARGIN + (int)(from % COLUMNS) * PITCH;

	for (size_t i = from; i < to; i++) {
		sum.pages += g->cells[i].pages;
		sum.resident += g->cells[i].resident;
		sum.dirty += g->cells[i].dirty;
		if (g->cells[i].sharers > sum.sharers)
			sum.sharers = g->cells[i].sharers;
	}
	last = first + sum.pages - 1;
	fprintf(out,
	        "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\">"
	        "<title>pages %llu-%llu: %u resident",
	        x, y, (int)(to - from) * PITCH - (PITCH - CELL), CELL,
	        shades[shade_of(&g->cells[from])].colour, first, last, sum.resident);
	if (!g->dirty_unavailable)
		fprintf(out, ", %u dirty", sum.dirty);
	if (sum.sharers)
		fprintf(out, ", mapped by up to %u processes", sum.sharers);
	fprintf(out, " of %u</title></rect>\n", sum.pages);
}

static void put_cells(FILE *out, const struct pagegrid *g, int top)
{
	size_t from = 0;

	for (size_t i = 1; i <= g->ncells; i++) {
		bool row_ends = i % COLUMNS == 0 || i == g->ncells;

		if (!row_ends && shade_of(&g->cells[i]) == shade_of(&g->cells[from]))
			continue;
		put_run(out, g, from, i, top + (int)(from / COLUMNS) * PITCH);
		from = i;
	}
}

static int put_band(FILE *out, const struct emit_svg *svg, size_t i, int y)
{
	const struct emit_svg_band *b = &svg->bands[i];
	const char *sharing = sharing_note(svg, i);
	char why[512];

	put_label(out, y += LINE, "label", b->label);
	if (b->note)
		put_label(out, y += LINE, "note", b->note);
	if (b->grid.unavailable || b->grid.dirty_unavailable) {
		snprintf(why, sizeof(why), "%s not measured: %s",
		         b->grid.unavailable ? "residency" : "dirty",
		         b->grid.unavailable ? b->grid.unavailable : b->grid.dirty_unavailable);
		put_label(out, y += LINE, "why", why);
	}
	if (sharing) {
		snprintf(why, sizeof(why), "sharing not measured: %s", sharing);
		put_label(out, y += LINE, "why", why);
	}
	y += LINE / 2;
	if (b->grid.unavailable) {
		fprintf(out,
		        "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
		        "stroke=\"#999\" stroke-dasharray=\"4 3\"/>\n",
		        MARGIN, y, COLUMNS * PITCH - 1, CELL + PITCH);
		return y + 2 * PITCH;
	}
	put_cells(out, &b->grid, y);
	return y + band_rows(b) * PITCH;
}

static void put_legend(FILE *out, int y)
{
	int x = MARGIN;

	for (int s = 0; s < NSHADES; s++) {
		fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>\n",
		        x, y - CELL - 1, CELL + 2, CELL + 2, shades[s].colour);
		fprintf(out, "<text x=\"%d\" y=\"%d\" class=\"note\">%s</text>\n", x + 14, y,
		        shades[s].legend);
		x += 14 + 6 * (int)strlen(shades[s].legend) + 14;
	}
}

int emit_svg_write(const struct emit_svg *svg, FILE *out)
{
	int height = 2 * LINE + 3 * LINE, y = LINE + 6;
	char note[128];

	for (size_t i = 0; i < svg->nbands; i++)
		height += band_height(svg, i);
	fprintf(out,
	        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
	        "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\">\n"
	        "<style>.title{font-size:15px;font-weight:bold}.label{font-size:12px}"
	        ".note{font-size:11px;fill:#444}.why{font-size:11px;fill:#a33;"
	        "font-style:italic}</style>\n"
	        "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
	        WIDTH, height, WIDTH, height);
	fprintf(out, "<text x=\"%d\" y=\"%d\" class=\"title\">", MARGIN, y);
	put_text(out, svg->title);
	fputs("</text>\n", out);
	for (size_t i = 0; i < svg->nbands; i++)
		y = put_band(out, svg, i, y);
	y += LINE;
	if (svg->omitted) {
		snprintf(note, sizeof(note), "%zu more not drawn (at most %d in one picture)",
		         svg->omitted, EMIT_SVG_MAX_BANDS);
		put_label(out, y, "note", note);
	}
	put_legend(out, y + LINE + 4);
	fputs("</svg>\n", out);
	return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}

size_t emit_svg_cells_per_band(size_t nbands)
{
	size_t n = PAGEGRID_MAX_CELLS / (nbands ? nbands : 1);

	return n < COLUMNS ? COLUMNS : n;
}

void emit_svg_add(struct emit_svg *svg, const char *label, const char *note, struct pagegrid *grid)
{
	struct emit_svg_band *b;

	if (svg->nbands == EMIT_SVG_MAX_BANDS) {
		svg->omitted++;
		pagegrid_free(grid);
		return;
	}
	b = &svg->bands[svg->nbands++];
	b->label = strdup(label);
	b->note = note ? strdup(note) : NULL;
	b->grid = *grid;
	/* The reason may live in the grid itself, which has just moved. */
	if (grid->sharing_unavailable == grid->sharing_why)
		b->grid.sharing_unavailable = b->grid.sharing_why;
	if (!b->label) {
		svg->nbands--;
		svg->omitted++;
		pagegrid_free(grid);
	}
}

int emit_svg_save(const struct emit_svg *svg, const char *path)
{
	FILE *f = fopen(path, "w");
	int err = 0;

	if (!f)
		return -errno;
	if (emit_svg_write(svg, f) != 0)
		err = errno ? -errno : -EIO;
	if (fclose(f) != 0 && !err)
		err = errno ? -errno : -EIO;
	if (err)
		unlink(path);
	return err ? err : 0;
}

int emit_svg_check(const char *path)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	bool created = false;

	if (fd < 0 && errno == ENOENT) {
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		created = fd >= 0;
	}
	if (fd < 0)
		return -errno;
	close(fd);
	if (created)
		unlink(path);
	return 0;
}

void emit_svg_free(struct emit_svg *svg)
{
	for (size_t i = 0; i < svg->nbands; i++) {
		free(svg->bands[i].label);
		free(svg->bands[i].note);
		pagegrid_free(&svg->bands[i].grid);
	}
	svg->nbands = 0;
}

static void add_mapping(struct emit_svg *svg, const struct maps_report *r,
                        const struct maps_mapping *m, size_t cells)
{
	const struct procmaps_region *reg = &m->region;
	uint64_t pages = (reg->end - reg->start) / (uint64_t)sysconf(_SC_PAGESIZE);
	char label[512], note[160], size[32], rss[32];
	struct pagegrid g;

	if (pagegrid_init(&g, pages, cells) != 0)
		return;
	pagegrid_from_mapping(&g, m, r->kpage_unavailable);
	g.unavailable = r->pagemap_unavailable;
	g.dirty_unavailable = NULL;
	snprintf(label, sizeof(label), "%#llx-%#llx %s %s", (unsigned long long)reg->start,
	         (unsigned long long)reg->end, reg->perms, reg->path[0] ? reg->path : "[ anon ]");
	snprintf(note, sizeof(note), "%s, %s resident, %llu %s, %llu a cell",
	         emit_human_bytes(reg->end - reg->start, size, sizeof(size)),
	         emit_human_bytes(m->smaps.rss, rss, sizeof(rss)), (unsigned long long)pages,
	         emit_plural(pages, "page", "pages"), (unsigned long long)g.pages_per_cell);
	emit_svg_add(svg, label, note, &g);
}

static int by_size_descending(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? 1 : x > y ? -1 : 0;
}

/* The least RSS a mapping needs to be drawn: with more resident mappings
 * than bands, the largest ones are drawn. */
static uint64_t rss_to_draw(const struct maps_report *r)
{
	uint64_t *rss = malloc(r->count * sizeof(*rss)), least = 1;
	size_t n = 0;

	for (size_t i = 0; rss && i < r->count; i++)
		if (r->mappings[i].smaps.rss > 0)
			rss[n++] = r->mappings[i].smaps.rss;
	if (rss && n > EMIT_SVG_MAX_BANDS) {
		qsort(rss, n, sizeof(*rss), by_size_descending);
		least = rss[EMIT_SVG_MAX_BANDS - 1];
	}
	free(rss);
	return least;
}

void emit_svg_add_process(struct emit_svg *svg, const struct maps_report *r)
{
	uint64_t least = rss_to_draw(r);
	size_t above = 0, ties;

	for (size_t i = 0; i < r->count; i++)
		above += r->mappings[i].smaps.rss > least;
	/* Mappings of exactly the least RSS fill what is left, in address order. */
	ties = above < EMIT_SVG_MAX_BANDS ? EMIT_SVG_MAX_BANDS - above : 0;
	for (size_t i = 0; i < r->count; i++) {
		uint64_t rss = r->mappings[i].smaps.rss;
		size_t cells = emit_svg_cells_per_band(above + ties);

		if (rss > least || (rss == least && ties && ties--))
			add_mapping(svg, r, &r->mappings[i], cells);
		else if (rss > 0)
			svg->omitted++; /* resident, but less than every band drawn */
	}
}
