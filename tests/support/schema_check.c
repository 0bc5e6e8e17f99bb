#include "support/schema_check.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define REASON_SUFFIX "_unavailable"

static const char *const known_keywords[] = {
        "$schema", "$id",      "title",      "description",          "type",  "enum",
        "minimum", "required", "properties", "additionalProperties", "items", "x-null-reason",
};

static void check_value(const json_t *schema, const json_t *v, const char *path,
                        struct schema_report *rep);

static void violate(struct schema_report *rep, const char *path, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static void violate(struct schema_report *rep, const char *path, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (rep->violations++ > 0)
		return;
	n = snprintf(rep->first, sizeof(rep->first), "%s: ", path);
	if (n < 0 || (size_t)n >= sizeof(rep->first))
		return;
	va_start(ap, fmt);
	vsnprintf(rep->first + n, sizeof(rep->first) - n, fmt, ap);
	va_end(ap);
}

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "object";
	case JSON_ARRAY:
		return "array";
	case JSON_STRING:
		return "string";
	case JSON_INTEGER:
		return "integer";
	case JSON_REAL:
		return "number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "boolean";
	default:
		return "null";
	}
}

/* JSON Schema's "number" admits integers too. */
static bool type_matches(const json_t *want, const json_t *v)
{
	const char *name = json_string_value(want);

	if (!name)
		return false;
	return strcmp(name, type_name(v)) == 0 ||
	       (strcmp(name, "number") == 0 && json_is_integer(v));
}

static void check_type(const json_t *type, const json_t *v, const char *path,
                       struct schema_report *rep)
{
	size_t i;
	const json_t *t;

	if (json_is_string(type) && type_matches(type, v))
		return;
	json_array_foreach(type, i, t)
	{
		if (type_matches(t, v))
			return;
	}
	violate(rep, path, "%s is not of type %s", type_name(v),
	        json_is_string(type) ? json_string_value(type) : "in the list");
}

static void check_keywords(const json_t *schema, const char *path, struct schema_report *rep)
{
	const char *key;
	const json_t *sub;

	json_object_foreach((json_t *)schema, key, sub)
	{
		size_t i, n = sizeof(known_keywords) / sizeof(known_keywords[0]);

		for (i = 0; i < n && strcmp(key, known_keywords[i]) != 0; i++)
			;
		if (i == n)
			violate(rep, path, "schema uses unsupported keyword '%s'", key);
	}
}

static void check_enum(const json_t *choices, const json_t *v, const char *path,
                       struct schema_report *rep)
{
	size_t i;
	const json_t *c;

	json_array_foreach(choices, i, c)
	{
		if (json_equal(c, v))
			return;
	}
	violate(rep, path, "value not in enum");
}

static void check_minimum(const json_t *min, const json_t *v, const char *path,
                          struct schema_report *rep)
{
	if (json_is_number(v) && json_number_value(v) < json_number_value(min))
		violate(rep, path, "%g is below the minimum %g", json_number_value(v),
		        json_number_value(min));
}

/* The property that key gives the reason for, if key is "<name>_unavailable"
 * and <name> is declared with x-null-reason; NULL otherwise. */
static const json_t *reason_owner(const json_t *props, const char *key)
{
	size_t len = strlen(key), suffix = strlen(REASON_SUFFIX);
	char name[256];
	const json_t *sub;

	if (len <= suffix || len - suffix >= sizeof(name) ||
	    strcmp(key + len - suffix, REASON_SUFFIX) != 0)
		return NULL;
	memcpy(name, key, len - suffix);
	name[len - suffix] = '\0';
	sub = json_object_get(props, name);
	return json_is_true(json_object_get(sub, "x-null-reason")) ? sub : NULL;
}

/* x-null-reason: a null value has a non-empty reason beside it; a measured
 * one has none. */
static void check_null_reason(const char *name, const json_t *obj, const char *path,
                              struct schema_report *rep)
{
	char key[300];
	const json_t *value = json_object_get(obj, name);
	const json_t *reason;

	snprintf(key, sizeof(key), "%s%s", name, REASON_SUFFIX);
	reason = json_object_get(obj, key);
	if (!value)
		return;
	if (json_is_null(value) && !(json_is_string(reason) && json_string_length(reason) > 0))
		violate(rep, path, "'%s' is null without a '%s' reason", name, key);
	if (!json_is_null(value) && reason)
		violate(rep, path, "'%s' has a reason but is not null", name);
}

/* The property whose exact bytes key gives, if key is "<name>_hex" and
 * <name> is declared: a string, or a list of strings, that was not UTF-8
 * (docs/schema.md). NULL otherwise. */
static const json_t *hex_owner(const json_t *props, const char *key)
{
	size_t len = strlen(key);
	char name[256];

	if (len <= 4 || len - 4 >= sizeof(name) || strcmp(key + len - 4, "_hex") != 0)
		return NULL;
	memcpy(name, key, len - 4);
	name[len - 4] = '\0';
	return json_object_get(props, name);
}

static bool is_hex(const json_t *v)
{
	const char *s = json_string_value(v);

	if (!s || strlen(s) % 2)
		return false;
	return strspn(s, "0123456789abcdef") == strlen(s);
}

/* "<name>_hex": lowercase hex of the bytes, or a list of those. */
static void check_hex(const json_t *v, const char *path, struct schema_report *rep)
{
	const json_t *item;
	size_t i;

	if (is_hex(v))
		return;
	if (json_is_array(v)) {
		json_array_foreach(v, i, item)
		{
			if (!is_hex(item))
				violate(rep, path, "item %zu is not lowercase hex", i);
		}
		return;
	}
	violate(rep, path, "not lowercase hex bytes");
}

static void check_property(const json_t *schema, const char *key, const json_t *v,
                           const char *path, struct schema_report *rep)
{
	const json_t *props = json_object_get(schema, "properties");
	const json_t *sub = json_object_get(props, key);
	const json_t *extra = json_object_get(schema, "additionalProperties");
	char child[512];

	snprintf(child, sizeof(child), "%s.%s", path, key);
	if (sub)
		check_value(sub, v, child, rep);
	else if (reason_owner(props, key))
		return; /* checked with its owner */
	else if (hex_owner(props, key))
		check_hex(v, child, rep);
	else if (json_is_false(extra))
		violate(rep, child, "property not in the schema");
	else if (json_is_object(extra))
		check_value(extra, v, child, rep);
}

static void check_object(const json_t *schema, const json_t *obj, const char *path,
                         struct schema_report *rep)
{
	const json_t *required = json_object_get(schema, "required");
	const json_t *props = json_object_get(schema, "properties");
	const json_t *sub;
	const char *key;
	size_t i;

	json_array_foreach(required, i, sub)
	{
		if (!json_object_get(obj, json_string_value(sub)))
			violate(rep, path, "missing required '%s'", json_string_value(sub));
	}
	json_object_foreach((json_t *)obj, key, sub)
	{
		check_property(schema, key, sub, path, rep);
	}
	json_object_foreach((json_t *)props, key, sub)
	{
		if (json_is_true(json_object_get(sub, "x-null-reason")))
			check_null_reason(key, obj, path, rep);
	}
}

static void check_array(const json_t *items, const json_t *arr, const char *path,
                        struct schema_report *rep)
{
	char child[512];
	size_t i;
	const json_t *v;

	json_array_foreach(arr, i, v)
	{
		snprintf(child, sizeof(child), "%s[%zu]", path, i);
		check_value(items, v, child, rep);
	}
}

static void check_value(const json_t *schema, const json_t *v, const char *path,
                        struct schema_report *rep)
{
	const json_t *kw;

	if (!json_is_object(schema)) {
		violate(rep, path, "schema is not an object");
		return;
	}
	check_keywords(schema, path, rep);
	if ((kw = json_object_get(schema, "type")))
		check_type(kw, v, path, rep);
	if ((kw = json_object_get(schema, "enum")))
		check_enum(kw, v, path, rep);
	if ((kw = json_object_get(schema, "minimum")))
		check_minimum(kw, v, path, rep);
	if (json_is_object(v))
		check_object(schema, v, path, rep);
	if (json_is_array(v) && (kw = json_object_get(schema, "items")))
		check_array(kw, v, path, rep);
}

int schema_check(const json_t *schema, const json_t *doc, struct schema_report *rep)
{
	rep->violations = 0;
	rep->first[0] = '\0';
	check_value(schema, doc, "$", rep);
	return rep->violations;
}

json_t *schema_load(const char *kind)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s.json", SCHEMA_DIR, kind);
	return json_load_file(path, 0, NULL);
}
