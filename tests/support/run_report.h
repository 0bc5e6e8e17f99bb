/*
 * run_report: what the tests of `soload run` share: a scratch directory
 * with the path of the run's report file in it, and the report read back
 * and held to docs/schema/run.json.
 */
#ifndef RUN_REPORT_H
#define RUN_REPORT_H

#include <jansson.h>

struct run_scratch {
	char dir[64];     /* a fresh directory under /tmp */
	char report[128]; /* dir/report.json, for --report */
};

/* Makes the directory (the test fails if it cannot). */
void run_scratch_make(struct run_scratch *s);

/* Removes the directory and all in it. */
void run_scratch_remove(const struct run_scratch *s);

/* The report at path, valid against the run schema and of kind "run"
 * (the test fails otherwise). */
json_t *run_report_load(const char *path);

#endif
