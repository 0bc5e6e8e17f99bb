#include "run_report.h"
#include "schema_check.h"
#include "testutil.h"

#include <criterion/criterion.h>
#include <stdio.h>

void run_scratch_make(struct run_scratch *s)
{
	snprintf(s->dir, sizeof(s->dir), "/tmp/mapscope-XXXXXX");
	cr_assert_not_null(tu_make_tmpdir(s->dir));
	snprintf(s->report, sizeof(s->report), "%s/report.json", s->dir);
}

void run_scratch_remove(const struct run_scratch *s)
{
	tu_remove_tree(s->dir);
}

json_t *run_report_load(const char *path)
{
	json_error_t err;
	json_t *doc = json_load_file(path, 0, &err), *schema = schema_load("run");
	struct schema_report rep;

	cr_assert_not_null(doc, "%s: %s", path, err.text);
	cr_assert_not_null(schema);
	cr_assert_eq(schema_check(schema, doc, &rep), 0, "report: %s", rep.first);
	json_decref(schema);
	cr_assert_str_eq(json_string_value(json_object_get(doc, "kind")), "run");
	return doc;
}
