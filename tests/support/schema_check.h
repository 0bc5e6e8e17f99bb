/*
 * schema_check: holds a JSON document to a schema written in the small
 * subset of JSON Schema that docs/schema.md describes (type, enum, minimum,
 * required, properties, additionalProperties, items, description and our
 * x-null-reason). A keyword outside the subset is itself a violation, so a
 * schema cannot promise more than the tests check.
 */
#ifndef SCHEMA_CHECK_H
#define SCHEMA_CHECK_H

#include <jansson.h>

/* Where the schema files live, relative to the repository root. */
#define SCHEMA_DIR "docs/schema"

struct schema_report {
	int violations;  /* 0: the document is valid */
	char first[512]; /* the first violation, e.g. "$.files[0].size: expected integer" */
};

/* Checks doc against schema, filling rep. Returns rep->violations. */
int schema_check(const json_t *schema, const json_t *doc, struct schema_report *rep);

/* Loads SCHEMA_DIR/<kind>.json. NULL if it is missing or not JSON. */
json_t *schema_load(const char *kind);

#endif
