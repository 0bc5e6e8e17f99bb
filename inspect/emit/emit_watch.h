/* emit_watch: watch samples as one JSON line each (with changes since the
 * previous line) or one text line each, and the line that ends the watch. */
#ifndef EMIT_WATCH_H
#define EMIT_WATCH_H

#include "core/emit.h"
#include "core/table.h"
#include "probe/watch.h"

#include <stdbool.h>
#include <stdio.h>

struct emit_watch {
	FILE *out;
	enum emit_format format;
	const struct watch_target *target;
	bool have_prev;
	struct watch_sample prev;
	uint64_t samples;
	bool write_failed;
	struct table_options table_opt; /* text: a row per sample */
	struct table *table;
};

/* The text table's columns when watching a process, and a file. */
extern const struct table_column emit_watch_proc_columns[], emit_watch_file_columns[];
extern const size_t emit_watch_proc_ncolumns, emit_watch_file_ncolumns;

/* Prints one sample; pass as watch_run's fn with a struct emit_watch *. */
void emit_watch_sample(const struct watch_sample *s, void *state);

/* Prints the end of the watch and releases the table; call it for
 * WATCH_FAILED too (it prints nothing then but releases). */
void emit_watch_end(struct emit_watch *w, const struct watch_result *res);

#endif
