/*
 * emit: the one place that knows about JSON and terminals.
 *
 * Every document is one JSON object {"schema":"mapscope/1","kind":...}.
 * Kind-specific emitters (emit_file.c, emit_maps.c, ...) build on these
 * helpers; probes and CLIs never print JSON themselves.
 */
#ifndef EMIT_H
#define EMIT_H

#include "core/proc_errors.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define EMIT_SCHEMA "mapscope/1"

enum emit_format { EMIT_JSON, EMIT_JSONL, EMIT_TEXT, EMIT_PROMETHEUS };

/* A new document {"schema":..., "kind":kind}; with_page_size adds page_size. */
json_t *emit_doc(const char *kind, bool with_page_size);

/* obj[key] = integer. */
void emit_int(json_t *obj, const char *key, int64_t value);
/* obj[key] = string, or null when value is NULL. Strings are bytes (file
 * names, command lines) and JSON text is Unicode. The one rule: valid UTF-8
 * passes through; otherwise each byte that is not part of a valid UTF-8
 * sequence becomes U+FFFD, and obj[key "_hex"] holds the exact bytes in
 * lowercase hex, so no name is lost or mistaken for another
 * (docs/schema.md). */
void emit_str(json_t *obj, const char *key, const char *value);
/* The JSON string for bytes s under emit_str's rule (without the hex). */
json_t *emit_string(const char *s);
/* obj[key] = [items...] under emit_str's rule; if any item is not UTF-8,
 * obj[key "_hex"] = the hex of every item, in the same order. */
void emit_str_list(json_t *obj, const char *key, char *const *items, size_t n);
/* Writes the JSON string for bytes s under emit_str's rule (without the
 * hex) to out, for emitters that stream a document instead of building it. */
void emit_write_string(FILE *out, const char *s);
/* Writes "key":"s" to out under emit_str's rule, with ,"key_hex":"..."
 * when s is not UTF-8. */
void emit_write_member(FILE *out, const char *key, const char *s);
/* Whether s is valid UTF-8 throughout. */
bool emit_is_utf8(const char *s);
/* The bytes of the valid UTF-8 sequence at s, or 0 if it is not one. */
int emit_utf8_length(const char *s);
/* The processes a scan could not read: [{"pid":..., "error":...}]. */
json_t *emit_proc_errors(const struct proc_errors *e);
/* A value the tool could not measure: obj[key] = null and
 * obj[key "_unavailable"] = reason. Never a made-up 0. */
void emit_unmeasured(json_t *obj, const char *key, const char *reason);
/* obj[key] = value when reason is NULL, else emit_unmeasured(obj, key, reason). */
void emit_measured(json_t *obj, const char *key, int64_t value, const char *reason);

/* A document finished after SIGINT or SIGTERM says so: "interrupted":
 * "SIGINT" (core/interrupt.h). emit_json and emit_error add it. */
void emit_interrupted(json_t *doc);

/* Prints doc and a newline to out and releases it: indented when out is a
 * terminal, one compact line otherwise (always one line for EMIT_JSONL).
 * Returns 0, or -1 if the write failed. */
int emit_json(json_t *doc, FILE *out, enum emit_format format);

/* A stream for emitters that write a document as they go: compact JSON
 * written to it comes out on out indented as emit_json indents it on a
 * terminal. fclose it to finish (out stays open). NULL if out of memory. */
FILE *emit_indented(FILE *out);

/* Reports a failure: the message on stderr ("prog: message"), and for JSON
 * formats also {"schema":...,"kind":kind,"error":message} on stdout. */
void emit_error(const char *prog, const char *kind, enum emit_format format, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

/* Text helpers. */
/* s for a terminal, as fincore writes names: control characters, bytes
 * that are not UTF-8, and a backslash before 'x' as \xHH ("a\x0ab" for a
 * newline); malloc'd, NULL if out of memory. */
char *emit_text_safe(const char *s);
/* Writes a bar of width cells, filled in proportion to part/whole. */
void emit_bar(FILE *out, uint64_t part, uint64_t whole, int width);
/* Formats bytes as "12.3 MiB" into buf (at least 16 bytes). */
const char *emit_human_bytes(uint64_t bytes, char *buf, size_t len);

#endif
