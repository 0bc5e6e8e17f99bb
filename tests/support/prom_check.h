/*
 * prom_check: holds text to the Prometheus text exposition format (0.0.4),
 * the one node_exporter's textfile collector reads: # HELP and # TYPE at
 * most once per metric and before its samples, a metric's samples together,
 * valid metric and label names, label values with only the \\ \" \n escapes,
 * a number as the value, no series twice, every line ended by a newline.
 * Our own checker, as promtool is not part of Debian's base system.
 */
#ifndef PROM_CHECK_H
#define PROM_CHECK_H

struct prom_report {
	int violations;  /* 0: the text is valid */
	int families;    /* metrics declared with # TYPE */
	int samples;     /* sample lines */
	char first[512]; /* the first violation, "line N: reason" */
};

/* Checks text, filling rep. Returns rep->violations. */
int prom_check(const char *text, struct prom_report *rep);

#endif
