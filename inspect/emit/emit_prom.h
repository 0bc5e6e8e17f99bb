/*
 * emit_prom: the Prometheus text exposition format, which node_exporter's
 * textfile collector reads, made from a command's own JSON document so that
 * the metrics and the JSON cannot disagree. A view says which array (or
 * object) of the document holds the series, which fields become labels and
 * which become metrics; a value that was not measured (null) gives no
 * sample, only a mapscope_unavailable{metric=...,reason=...} 1 line.
 * Metric names and labels are documented in docs/prometheus.md.
 */
#ifndef EMIT_PROM_H
#define EMIT_PROM_H

#include <jansson.h>
#include <stdio.h>

#define EMIT_PROM_MAX_LABELS 4

struct emit_prom_metric {
	const char *field; /* key in each item */
	const char *name;  /* full metric name, e.g. "mapscope_file_resident_pages" */
	const char *help;
};

struct emit_prom_view {
	const char *items; /* key of the array of items (or of one object) in the document */
	/* Keys that become labels: looked up in the item, then in the document. */
	const char *labels[EMIT_PROM_MAX_LABELS];
	const struct emit_prom_metric *metrics; /* ended by a zeroed entry */
};

/* The views of each command, each ended by a zeroed entry. */
extern const struct emit_prom_view emit_prom_file[];
extern const struct emit_prom_view emit_prom_maps_all[];

/* Writes doc's metrics as views describe them. 0, or -1 if the write failed. */
int emit_prom(FILE *out, const json_t *doc, const struct emit_prom_view *views);

/* A command that streams its JSON writes it here instead of stdout, then
 * emit_prom_release turns the first document into metrics. */
struct emit_prom_capture {
	char *buf;
	size_t len;
	FILE *mem;
};

/* The stream to write the JSON document to, or NULL (errno set). */
FILE *emit_prom_capture(struct emit_prom_capture *c);

/* Writes the captured document's metrics to out and frees the capture.
 * 0; -1 if the capture held no report (an error document: the message is
 * already on stderr) or the write failed. */
int emit_prom_release(struct emit_prom_capture *c, const struct emit_prom_view *views, FILE *out);

#endif
