/*
 * emit_file: the "file" report as JSON, JSON lines and text, written as
 * the scan goes so that memory does not grow with the number of files or
 * the number of resident ranges. The order of calls for one file:
 *
 *   emit_file_open_entry
 *     [emit_file_begin_ranges, emit_file_range..., emit_file_end_section]
 *     [emit_file_begin_pages, emit_file_pages..., emit_file_end_section]
 *   emit_file_close_entry
 *
 * or one emit_file_problem for a path that could not be measured.
 */
#ifndef EMIT_FILE_H
#define EMIT_FILE_H

#include "core/emit.h"
#include "kernel/filewalk.h"
#include "kernel/residency.h"
#include "probe/file_restore.h"

#include <time.h>

struct emit_file_totals {
	uint64_t files;          /* regular files reported, measured or not */
	uint64_t measured_files; /* whose resident_pages was measured */
	uint64_t detailed_files; /* of those, with dirty/writeback/eviction counts */
	uint64_t pages, measured_pages;
	uint64_t resident_pages, dirty_pages, writeback_pages, evicted_pages,
	        recently_evicted_pages;
	uint64_t errors, skipped;
	uint64_t bytes; /* scanned so far, for the progress line */
};

struct emit_file {
	FILE *out;
	FILE *indented; /* JSON on a terminal: out is this emit_indented stream */
	enum emit_format format;
	const char *path;          /* of the open entry */
	char *doc_head;            /* JSON lines: {"schema":...,"page_size":N} */
	uint64_t entries;          /* entries written, for separators */
	uint64_t items;            /* ranges or map cells written in the open section */
	const char *section_close; /* ends the open JSON section; NULL if none */
	struct emit_file_totals totals;
	uint64_t start_ns, last_progress_ns; /* core/clock */
	bool progress_tty;                   /* stderr is a terminal, the report goes elsewhere */
	bool touch_tty;                      /* stderr is a terminal: --touch shows how far */
	bool progress_shown;
};

/* Starts the document ({"schema":...,"files":[ for JSON). */
void emit_file_begin(struct emit_file *e, FILE *out, enum emit_format format);

/* Starts one file's entry: path, size, pages; for text, the summary line. */
void emit_file_open_entry(struct emit_file *e, const char *path, const struct residency *r);

/* "resident_ranges": [[first,last],...]; null with the reason if unavailable. */
void emit_file_begin_ranges(struct emit_file *e, const char *unavailable);
/* A residency_range_fn; ctx is the struct emit_file. */
void emit_file_range(uint64_t first, uint64_t last, void *ctx);

/* "page_map": one character per page, '#' resident, '.' not. */
void emit_file_begin_pages(struct emit_file *e, const char *unavailable);
/* A residency_pages_fn; ctx is the struct emit_file. */
void emit_file_pages(uint64_t first, const unsigned char *vec, uint64_t n, void *ctx);

/* Closes the ranges or page map section opened last. */
void emit_file_end_section(struct emit_file *e);

/* Ends the entry with the counts in r, and error when the scan of this file
 * failed part way (the fields before it stay as measured). */
void emit_file_close_entry(struct emit_file *e, const struct residency *r, const char *error);

/* An entry for a path that was not measured: error (also on stderr) or,
 * with error NULL, skipped for the reason given. */
void emit_file_problem(struct emit_file *e, const char *path, const char *error,
                       const char *skipped);

/* A file measured but not listed (--top keeps only the first N): counted
 * in the totals, nothing written. */
void emit_file_count(struct emit_file *e, const char *path, const struct residency *r);
/* A path skipped and not listed: counted in totals.skipped. */
void emit_file_count_skipped(struct emit_file *e, const char *path);

/* --touch of path has read done of size bytes: a line on a terminal's
 * stderr, rewritten in place (a 1 TiB file takes minutes). */
void emit_file_touch_progress(struct emit_file *e, const char *path, uint64_t done, uint64_t size);

/* Writes the totals and ends the document, with error (the run's failure,
 * already on stderr, or NULL) and "interrupted" when a signal stopped the
 * scan (core/interrupt.h): one document, even when inputs failed. 0, or -1
 * if writing failed. */
int emit_file_end(struct emit_file *e, const struct filewalk_stats *walk, const char *error);

/* The "file --restore" report (kind "file_restore"): JSON (one document,
 * built as the files are restored) or text (one line per file). */
struct emit_restore {
	FILE *out;
	enum emit_format format;
	const char *list;
	json_t *files;
	uint64_t files_n, restored, skipped, errors, pages;
};

void emit_restore_begin(struct emit_restore *e, FILE *out, enum emit_format format,
                        const char *list);
/* A file_restore_fn; ctx is the struct emit_restore. A file with an error
 * is also reported on stderr. */
void emit_restore_file(const struct file_restore_result *f, void *ctx);
/* Writes the totals (and for JSON the document). 0, or -1 if writing failed. */
int emit_restore_end(struct emit_restore *e);

#endif
