/* The validator itself: each rule of the subset catches what it should,
 * and says where. */
#include "support/schema_check.h"

#include <criterion/criterion.h>
#include <string.h>

static const char *file_schema =
        "{\"type\":\"object\",\"required\":[\"kind\",\"files\"],"
        "\"additionalProperties\":false,\"properties\":{"
        "\"kind\":{\"enum\":[\"file\"]},"
        "\"files\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{"
        "\"size\":{\"type\":\"integer\",\"minimum\":0},"
        "\"resident_pages\":{\"type\":[\"integer\",\"null\"],\"x-null-reason\":true}}}}}}";

/* Checks text against file_schema; returns the report. */
static struct schema_report check_text(const char *text)
{
	json_t *schema = json_loads(file_schema, 0, NULL);
	json_t *doc = json_loads(text, 0, NULL);
	struct schema_report rep;

	cr_assert_not_null(schema);
	cr_assert_not_null(doc, "bad test JSON: %s", text);
	schema_check(schema, doc, &rep);
	json_decref(schema);
	json_decref(doc);
	return rep;
}

/* Asserts text breaks exactly one rule, and the report says what. */
static void expect_one_violation(const char *text, const char *what)
{
	struct schema_report rep = check_text(text);

	cr_assert_eq(rep.violations, 1, "%d violations (%s) in %s", rep.violations, rep.first,
	             text);
	cr_assert(strstr(rep.first, what) != NULL, "'%s' not in '%s'", what, rep.first);
}

Test(schema_check, accepts_a_valid_document)
{
	struct schema_report rep = check_text(
	        "{\"kind\":\"file\",\"files\":[{\"size\":1,\"resident_pages\":0},"
	        "{\"size\":2,\"resident_pages\":null,\"resident_pages_unavailable\":\"EPERM\"}]}");

	cr_assert_eq(rep.violations, 0, "%s", rep.first);
}

Test(schema_check, names_the_path_of_a_wrong_type)
{
	expect_one_violation("{\"kind\":\"file\",\"files\":[{\"size\":1},{\"size\":\"2\"}]}",
	                     "$.files[1].size");
}

Test(schema_check, refuses_a_missing_required_property)
{
	expect_one_violation("{\"kind\":\"file\"}", "files");
}

Test(schema_check, refuses_an_undeclared_property)
{
	expect_one_violation("{\"kind\":\"file\",\"files\":[],\"extra\":1}", "$.extra");
}

Test(schema_check, refuses_a_value_outside_the_enum)
{
	expect_one_violation("{\"kind\":\"maps\",\"files\":[]}", "$.kind");
}

Test(schema_check, refuses_a_value_below_the_minimum)
{
	expect_one_violation("{\"kind\":\"file\",\"files\":[{\"size\":-1}]}", "minimum");
}

Test(schema_check, refuses_null_without_a_reason)
{
	expect_one_violation("{\"kind\":\"file\",\"files\":[{\"resident_pages\":null}]}",
	                     "resident_pages_unavailable");
}

Test(schema_check, refuses_an_empty_reason)
{
	expect_one_violation("{\"kind\":\"file\",\"files\":[{\"resident_pages\":"
	                     "null,\"resident_pages_unavailable\":\"\"}]}",
	                     "resident_pages_unavailable");
}

Test(schema_check, refuses_a_reason_beside_a_measured_value)
{
	expect_one_violation("{\"kind\":\"file\",\"files\":[{\"resident_pages\":"
	                     "3,\"resident_pages_unavailable\":\"why\"}]}",
	                     "not null");
}

Test(schema_check, refuses_a_keyword_outside_the_subset)
{
	json_t *schema = json_loads("{\"type\":\"object\",\"oneOf\":[]}", 0, NULL);
	json_t *doc = json_object();
	struct schema_report rep;

	cr_assert_eq(schema_check(schema, doc, &rep), 1);
	cr_assert(strstr(rep.first, "oneOf") != NULL, "%s", rep.first);
	json_decref(schema);
	json_decref(doc);
}

Test(schema_check, number_admits_integers_but_integer_refuses_reals)
{
	json_t *schema = json_loads("{\"type\":\"number\"}", 0, NULL);
	json_t *int_schema = json_loads("{\"type\":\"integer\"}", 0, NULL);
	json_t *three = json_integer(3), *half = json_real(0.5);
	struct schema_report rep;

	cr_assert_eq(schema_check(schema, three, &rep), 0);
	cr_assert_eq(schema_check(schema, half, &rep), 0);
	cr_assert_eq(schema_check(int_schema, half, &rep), 1);
	json_decref(schema);
	json_decref(int_schema);
	json_decref(three);
	json_decref(half);
}
