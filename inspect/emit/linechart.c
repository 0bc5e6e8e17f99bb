#include "emit/linechart.h"

#include <math.h>
#include <stdbool.h>

#define PANEL_W 440
#define PANEL_H 320
#define LEFT    64 /* room for the y labels */
#define RIGHT   16
#define TOP     64 /* title, note, panel title */
#define BOTTOM  72 /* x labels and the legend */

void linechart_add(struct linechart_panel *p, size_t s, double x, double y)
{
	struct linechart_series *ser;

	if (s >= LINECHART_MAX_SERIES || p->series[s].n >= LINECHART_MAX_POINTS)
		return;
	ser = &p->series[s];
	ser->x[ser->n] = x;
	ser->y[ser->n++] = y;
	if (s >= p->nseries)
		p->nseries = s + 1;
}

/* Writes s as XML text. */
static void put_text(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '&')
			fputs("&amp;", out);
		else if (*s == '<')
			fputs("&lt;", out);
		else if (*s == '>')
			fputs("&gt;", out);
		else
			fputc(*s, out);
	}
}

/* The decades [*lo, *hi] that hold every x (or y) of the panel. */
static void decades(const struct linechart_panel *p, int axis, double *lo, double *hi)
{
	double min = HUGE_VAL, max = 0;

	for (size_t s = 0; s < p->nseries; s++)
		for (size_t i = 0; i < p->series[s].n; i++) {
			double v = axis ? p->series[s].y[i] : p->series[s].x[i];
			if (v <= 0 || p->series[s].y[i] <= 0)
				continue;
			min = v < min ? v : min;
			max = v > max ? v : max;
		}
	if (max <= 0) {
		*lo = 0;
		*hi = 1;
		return;
	}
	*lo = floor(log10(min));
	*hi = ceil(log10(max));
	if (*hi <= *lo)
		*hi = *lo + 1;
}

struct frame {
	double x0, y0; /* the plot area's top left corner */
	double w, h;   /* its size */
	double xlo, xhi, ylo, yhi;
};

static double px(const struct frame *f, double x)
{
	return f->x0 + (log10(x) - f->xlo) / (f->xhi - f->xlo) * f->w;
}

static double py(const struct frame *f, double y)
{
	return f->y0 + f->h - (log10(y) - f->ylo) / (f->yhi - f->ylo) * f->h;
}

/* "1", "10", ..., "10k", "1M": a decade's label. */
static void decade_label(char *buf, size_t len, int d)
{
	static const char *const suffix[] = {"", "k", "M", "G"};
	double v = pow(10, d % 3 < 0 ? d % 3 + 3 : d % 3);
	int k = d >= 0 ? d / 3 : -1;

	if (d < 0)
		snprintf(buf, len, "%g", pow(10, d));
	else
		snprintf(buf, len, "%g%s", v, k < 4 ? suffix[k] : "?");
}

static void draw_axes(FILE *out, const struct frame *f, const struct linechart_panel *p)
{
	char label[32];

	fprintf(out,
	        "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" "
	        "stroke=\"#999\"/>\n",
	        f->x0, f->y0, f->w, f->h);
	for (int d = (int)f->xlo; d <= (int)f->xhi; d++) {
		double x = f->x0 + (d - f->xlo) / (f->xhi - f->xlo) * f->w;
		decade_label(label, sizeof(label), d);
		fprintf(out,
		        "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
		        "stroke=\"#ddd\"/>\n",
		        x, f->y0, x, f->y0 + f->h);
		fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n", x,
		        f->y0 + f->h + 16, label);
	}
	for (int d = (int)f->ylo; d <= (int)f->yhi; d++) {
		double y = f->y0 + f->h - (d - f->ylo) / (f->yhi - f->ylo) * f->h;
		decade_label(label, sizeof(label), d);
		fprintf(out,
		        "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
		        "stroke=\"#ddd\"/>\n",
		        f->x0, y, f->x0 + f->w, y);
		fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
		        f->x0 - 6, y + 4, label);
	}
	fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", f->x0 + f->w / 2,
	        f->y0 + f->h + 34);
	put_text(out, p->x_label);
	fprintf(out, "</text>\n<text x=\"%.1f\" y=\"%.1f\" font-weight=\"bold\">", f->x0,
	        f->y0 - 10);
	put_text(out, p->title);
	fprintf(out, " (");
	put_text(out, p->y_label);
	fprintf(out, ")</text>\n");
}

static void draw_series(FILE *out, const struct frame *f, const struct linechart_series *s)
{
	bool open = false;

	for (size_t i = 0; i < s->n; i++) {
		if (s->y[i] <= 0 || s->x[i] <= 0) {
			if (open)
				fprintf(out, "\"/>\n");
			open = false;
			continue;
		}
		if (!open)
			fprintf(out,
			        "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" "
			        "points=\"",
			        s->colour);
		fprintf(out, "%.1f,%.1f ", px(f, s->x[i]), py(f, s->y[i]));
		open = true;
	}
	if (open)
		fprintf(out, "\"/>\n");
	for (size_t i = 0; i < s->n; i++)
		if (s->y[i] > 0 && s->x[i] > 0) {
			fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"><title>",
			        px(f, s->x[i]), py(f, s->y[i]), s->colour);
			put_text(out, s->name);
			fprintf(out, ": %g at %g</title></circle>\n", s->y[i], s->x[i]);
		}
}

static void draw_panel(FILE *out, const struct linechart_panel *p, double left)
{
	struct frame f = {.x0 = left + LEFT,
	                  .y0 = TOP,
	                  .w = PANEL_W - LEFT - RIGHT,
	                  .h = PANEL_H - TOP - BOTTOM};

	decades(p, 0, &f.xlo, &f.xhi);
	decades(p, 1, &f.ylo, &f.yhi);
	draw_axes(out, &f, p);
	for (size_t s = 0; s < p->nseries; s++) {
		double lx = f.x0 + (double)s * 100, ly = f.y0 + f.h + 56;
		draw_series(out, &f, &p->series[s]);
		fprintf(out,
		        "<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"4\" fill=\"%s\"/>\n",
		        lx, ly - 5, p->series[s].colour);
		fprintf(out, "<text x=\"%.1f\" y=\"%.1f\">", lx + 18, ly);
		put_text(out, p->series[s].name);
		fprintf(out, "</text>\n");
	}
}

int linechart_write(const struct linechart *c, FILE *out)
{
	int width = (int)c->npanels * PANEL_W;

	fprintf(out,
	        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
	        "font-family=\"sans-serif\" font-size=\"12\">\n"
	        "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
	        "<text x=\"10\" y=\"20\" font-size=\"15\" font-weight=\"bold\">",
	        width, PANEL_H);
	put_text(out, c->title);
	fprintf(out, "</text>\n<text x=\"10\" y=\"38\">");
	put_text(out, c->note);
	fprintf(out, "</text>\n");
	for (size_t i = 0; i < c->npanels; i++)
		draw_panel(out, &c->panels[i], (double)i * PANEL_W);
	fprintf(out, "</svg>\n");
	return ferror(out) ? -1 : 0;
}
