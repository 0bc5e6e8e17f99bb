/*
 * holdline: the ready line of a holder, the one JSON line that `soload hold`
 * and mapscope's dlopen holder (`mapscope share --hold-dlopen`) print once
 * everything is loaded, and that `mapscope share` reads back
 * (docs/schema-hold.md). Both ends live here so they cannot drift.
 *
 *   {"schema":"mapscope/1","kind":"hold","page_size":N,"pid":N,
 *    "loader":"soload"|"dlopen",
 *    "libraries":[{"path":...,"needed":[path...], ...}],
 *    "dependencies":[{"path":...,"needed":[...], ...}]}
 *
 * A holder that fails prints the error document {"schema","kind","error"}
 * in its place.
 */
#ifndef HOLDLINE_H
#define HOLDLINE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

/* A new line for the holder pid, loaded by loader ("soload", "dlopen"). */
json_t *holdline_new(int pid, const char *loader);
/* Appends {"path":path,"needed":[]} to the line's libraries, or to its
 * dependencies; returns it (owned by the line) for the writer's own fields. */
json_t *holdline_add(json_t *line, const char *path, bool dependency);
/* Appends a dependency's path to a library's "needed". */
void holdline_add_needed(json_t *library, const char *path);
/* Prints the line as one line of JSON, flushes and releases it. 0 or -1. */
int holdline_print(json_t *line, FILE *out);

/* Reads a line: 0 with *line (the caller's to release) when it is a ready
 * line, or -1 with why: the holder's own error, or what is wrong with it. */
int holdline_read(const char *text, json_t **line, char *why, size_t cap);
/* Calls fn for every library, then every dependency, of a line read by
 * holdline_read, with its path and the JSON entry; stops at fn's first
 * non-zero return and returns it. */
int holdline_each(json_t *line, int (*fn)(void *ctx, const char *path, json_t *entry), void *ctx);

#endif
