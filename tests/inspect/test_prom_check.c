/* The exposition-format checker catches each way text can be wrong. */
#include "support/prom_check.h"

#include <criterion/criterion.h>
#include <string.h>

static const char *valid = "# HELP m_bytes Size, with a \\\\ and a \\n.\n"
                           "# TYPE m_bytes gauge\n"
                           "m_bytes{path=\"/a \\\"b\\\"\\n\",pid=\"1\"} 12\n"
                           "m_bytes{path=\"/c\"} 1.5e3 1700000000000\n"
                           "\n"
                           "# a comment\n"
                           "# TYPE other untyped\n"
                           "other NaN\n"
                           "other{x=\"\"} +Inf\n";

/* Asserts text has exactly one violation whose message holds what. */
static void expect_violation(const char *text, const char *what)
{
	struct prom_report rep;

	cr_assert_eq(prom_check(text, &rep), 1, "%d violations (%s) in:\n%s", rep.violations,
	             rep.first, text);
	cr_assert(strstr(rep.first, what) != NULL, "'%s' not in '%s'", what, rep.first);
}

Test(prom_check, accepts_valid_text)
{
	struct prom_report rep;

	cr_assert_eq(prom_check(valid, &rep), 0, "%s", rep.first);
	cr_assert_eq(rep.families, 2);
	cr_assert_eq(rep.samples, 4);
}

Test(prom_check, accepts_empty_text)
{
	struct prom_report rep;

	cr_assert_eq(prom_check("", &rep), 0);
}

Test(prom_check, refuses_a_missing_last_newline)
{
	expect_violation("m 1", "newline");
}

Test(prom_check, refuses_bad_names)
{
	expect_violation("1m 1\n", "metric name");
	expect_violation("m{1a=\"x\"} 1\n", "label name");
	expect_violation("m{__x=\"x\"} 1\n", "label name");
}

Test(prom_check, refuses_bad_label_syntax)
{
	expect_violation("m{a=x} 1\n", "=\"value\"");
	expect_violation("m{a=\"x} 1\n", "unterminated");
	expect_violation("m{a=\"x\" b=\"y\"} 1\n", "expected ,");
	expect_violation("m{a=\"x\",a=\"y\"} 1\n", "twice");
}

Test(prom_check, refuses_bad_escapes)
{
	expect_violation("m{a=\"\\t\"} 1\n", "escape");
	expect_violation("# HELP m a \\\" quote\nm 1\n", "escape");
}

Test(prom_check, refuses_a_value_that_is_not_a_number)
{
	expect_violation("m abc\n", "not a number");
	expect_violation("m \n", "not a number");
	expect_violation("m 1 12x\n", "timestamp");
}

Test(prom_check, refuses_a_second_help_or_type)
{
	expect_violation("# TYPE m gauge\n# TYPE m gauge\nm 1\n", "second TYPE");
	expect_violation("# HELP m a\n# HELP m b\nm 1\n", "second HELP");
	expect_violation("# TYPE m gaige\nm 1\n", "unknown type");
}

Test(prom_check, refuses_type_after_samples)
{
	expect_violation("m 1\n# TYPE m gauge\n", "after its samples");
}

Test(prom_check, refuses_samples_apart)
{
	expect_violation("m{a=\"1\"} 1\nn 2\nm{a=\"2\"} 3\n", "not together");
}

Test(prom_check, refuses_a_series_twice)
{
	expect_violation("m{a=\"1\"} 1\nm{a=\"1\"} 2\n", "twice");
}
