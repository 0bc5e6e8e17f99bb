/*
 * emit_svg: page maps as SVG pictures (--svg FILE). One band per file or
 * mapping, one cell per page or run of pages (pagegrid), coloured by
 * resident, dirty and mapped by how many processes, with a legend, so that
 * a 4 GiB file or a whole process reads at a glance. Runs of cells of one
 * colour are drawn as one rectangle with a tooltip, which keeps the file
 * small. The picture holds at most EMIT_SVG_MAX_BANDS bands; the rest are
 * counted in a note.
 */
#ifndef EMIT_SVG_H
#define EMIT_SVG_H

#include "emit/pagegrid.h"

#include <stdio.h>

#define EMIT_SVG_MAX_BANDS 64

struct emit_svg_band {
	char *label;
	char *note; /* a second line under the label, or NULL */
	struct pagegrid grid;
};

struct emit_svg {
	const char *title;
	struct emit_svg_band bands[EMIT_SVG_MAX_BANDS];
	size_t nbands;
	size_t omitted; /* bands that did not fit */
};

/* The cells a band may use so that nbands of them stay within the
 * picture's bounded number of cells. */
size_t emit_svg_cells_per_band(size_t nbands);

/* Adds a band, taking the grid (freed by emit_svg_free) and copying the
 * strings; when the picture is full the band is counted and freed. */
void emit_svg_add(struct emit_svg *svg, const char *label, const char *note,
                  struct pagegrid *grid);

struct maps_report;

/* Adds a band for each mapping of a process scan (kept with MAPSCAN_PAGES)
 * that has resident memory, in address order; when there are more than
 * fit, the ones with the most resident memory. */
void emit_svg_add_process(struct emit_svg *svg, const struct maps_report *r);

/* Writes the picture to out. 0, or -1 if the write failed. */
int emit_svg_write(const struct emit_svg *svg, FILE *out);

/* Writes the picture to the file at path. 0, or -errno. */
int emit_svg_save(const struct emit_svg *svg, const char *path);
/* Whether path can be written, before a scan that would draw into it
 * (nothing is left behind). 0, or -errno. */
int emit_svg_check(const char *path);

void emit_svg_free(struct emit_svg *svg);

#endif
