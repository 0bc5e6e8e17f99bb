/*
 * linechart: line charts on logarithmic axes as one SVG picture, panels
 * side by side, for figures that grow by decades (iobench --multiplex:
 * cost per event against the number of descriptors). A point with y <= 0
 * is missing: the line breaks there.
 */
#ifndef LINECHART_H
#define LINECHART_H

#include <stddef.h>
#include <stdio.h>

#define LINECHART_MAX_POINTS 16
#define LINECHART_MAX_SERIES 4
#define LINECHART_MAX_PANELS 3

struct linechart_series {
	const char *name;
	const char *colour; /* "#rrggbb" */
	size_t n;
	double x[LINECHART_MAX_POINTS], y[LINECHART_MAX_POINTS];
};

struct linechart_panel {
	const char *title, *x_label, *y_label;
	size_t nseries;
	struct linechart_series series[LINECHART_MAX_SERIES];
};

struct linechart {
	const char *title;
	const char *note; /* a line under the title, or NULL */
	size_t npanels;
	struct linechart_panel panels[LINECHART_MAX_PANELS];
};

/* Adds the point (x, y) to series s of panel p. */
void linechart_add(struct linechart_panel *p, size_t s, double x, double y);

/* Writes the picture. 0, or -1 if the write failed. */
int linechart_write(const struct linechart *c, FILE *out);

#endif
