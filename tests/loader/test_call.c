/* call: argument classification and calls through each return type. */
#include "cli/call.h"

#include <criterion/criterion.h>
#include <string.h>

static long add3(long a, long b, long c)
{
	return a + b + c;
}

static const char *second(long a, const char *b)
{
	(void)a;
	return b;
}

Test(call, integers_parse_fully_or_are_strings)
{
	struct call_arg a;

	call_parse_arg("42", &a);
	cr_assert(a.is_int);
	cr_assert_eq(a.value, 42);
	call_parse_arg("-0x10", &a);
	cr_assert(a.is_int);
	cr_assert_eq(a.value, -16);
	call_parse_arg("42abc", &a);
	cr_assert_not(a.is_int);
	cr_assert_str_eq((const char *)a.value, "42abc");
	call_parse_arg("", &a);
	cr_assert_not(a.is_int);
	call_parse_arg("99999999999999999999999", &a);
	cr_assert_not(a.is_int);
}

Test(call, return_types_parse_and_name_back)
{
	enum call_ret r;

	cr_assert_eq(call_parse_ret("double", &r), 0);
	cr_assert_eq(r, CALL_RET_DOUBLE);
	cr_assert_str_eq(call_ret_name(r), "double");
	cr_assert_eq(call_parse_ret("float", &r), -1);
}

Test(call, invokes_with_integer_and_string_arguments)
{
	struct call_arg args[3];
	struct call_result res;

	call_parse_arg("1", &args[0]);
	call_parse_arg("2", &args[1]);
	call_parse_arg("39", &args[2]);
	call_invoke((void *)add3, args, 3, CALL_RET_LONG, &res);
	cr_assert_eq(res.i, 42);
	call_parse_arg("text", &args[1]);
	call_invoke((void *)second, args, 2, CALL_RET_STR, &res);
	cr_assert_str_eq(res.s, "text");
}
