#include "core/holdline.h"

#include "core/emit.h"

#include <string.h>

json_t *holdline_new(int pid, const char *loader)
{
	json_t *line = emit_doc("hold", true);

	emit_int(line, "pid", pid);
	emit_str(line, "loader", loader);
	json_object_set_new(line, "libraries", json_array());
	json_object_set_new(line, "dependencies", json_array());
	return line;
}

json_t *holdline_add(json_t *line, const char *path, bool dependency)
{
	json_t *lib = json_object();

	emit_str(lib, "path", path);
	json_object_set_new(lib, "needed", json_array());
	json_array_append_new(json_object_get(line, dependency ? "dependencies" : "libraries"),
	                      lib);
	return lib;
}

void holdline_add_needed(json_t *library, const char *path)
{
	json_array_append_new(json_object_get(library, "needed"), emit_string(path));
}

int holdline_print(json_t *line, FILE *out)
{
	return emit_json(line, out, EMIT_JSONL);
}

/* Each entry of a list: an object with a string path and an array of
 * string paths it needed. */
static int check_entries(json_t *list, const char *name, char *why, size_t cap)
{
	json_t *entry;
	size_t i;

	if (!json_is_array(list)) {
		snprintf(why, cap, "no \"%s\" list", name);
		return -1;
	}
	json_array_foreach(list, i, entry)
	{
		json_t *needed = json_object_get(entry, "needed"), *dep;
		size_t j;

		if (!json_is_string(json_object_get(entry, "path")) || !json_is_array(needed)) {
			snprintf(why, cap, "%s[%zu] has no path or needed list", name, i);
			return -1;
		}
		json_array_foreach(needed, j, dep)
		{
			if (!json_is_string(dep)) {
				snprintf(why, cap, "%s[%zu].needed[%zu] is not a path", name, i,
				         j);
				return -1;
			}
		}
	}
	return 0;
}

static int check_line(json_t *line, char *why, size_t cap)
{
	const char *schema = json_string_value(json_object_get(line, "schema"));
	const char *kind = json_string_value(json_object_get(line, "kind"));
	const char *error = json_string_value(json_object_get(line, "error"));

	if (!schema || strcmp(schema, EMIT_SCHEMA) != 0 || !kind || strcmp(kind, "hold") != 0) {
		snprintf(why, cap, "not a %s hold line", EMIT_SCHEMA);
		return -1;
	}
	if (error) {
		snprintf(why, cap, "%s", error);
		return -1;
	}
	if (json_integer_value(json_object_get(line, "pid")) <= 0) {
		snprintf(why, cap, "no pid");
		return -1;
	}
	if (check_entries(json_object_get(line, "libraries"), "libraries", why, cap) != 0 ||
	    check_entries(json_object_get(line, "dependencies"), "dependencies", why, cap) != 0)
		return -1;
	if (json_array_size(json_object_get(line, "libraries")) == 0) {
		snprintf(why, cap, "no library loaded");
		return -1;
	}
	return 0;
}

int holdline_read(const char *text, json_t **line, char *why, size_t cap)
{
	json_error_t err;

	*line = json_loads(text, 0, &err);
	if (!*line) {
		snprintf(why, cap, "not JSON: %s", err.text);
		return -1;
	}
	if (check_line(*line, why, cap) == 0)
		return 0;
	json_decref(*line);
	*line = NULL;
	return -1;
}

int holdline_each(json_t *line, int (*fn)(void *ctx, const char *path, json_t *entry), void *ctx)
{
	static const char *const lists[] = {"libraries", "dependencies"};
	json_t *entry;
	size_t i;
	int rc;

	for (size_t l = 0; l < 2; l++) {
		json_array_foreach(json_object_get(line, lists[l]), i, entry)
		{
			rc = fn(ctx, json_string_value(json_object_get(entry, "path")), entry);
			if (rc)
				return rc;
		}
	}
	return 0;
}
