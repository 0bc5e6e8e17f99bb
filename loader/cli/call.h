/*
 * call: calls a function found in a loaded library with integer or string
 * arguments (an argument that parses fully as an integer is one, anything
 * else is passed as a string) and reads its return value as one type.
 */
#ifndef SL_CALL_H
#define SL_CALL_H

#define CALL_MAX_ARGS 6
/* The longest string a --ret str result is read as. */
#define CALL_MAX_STR (1 << 20)

#include <stddef.h>

enum call_ret { CALL_RET_INT, CALL_RET_LONG, CALL_RET_STR, CALL_RET_DOUBLE, CALL_RET_VOID };

struct call_arg {
	const char *text;
	int is_int;
	long value; /* the integer, or the string's address */
};

struct call_result {
	enum call_ret type;
	long i;
	const char *s;
	double d;
};

/* Parses "int", "long", "str", "double" or "void"; 0, or -1 if unknown. */
int call_parse_ret(const char *name, enum call_ret *out);
const char *call_ret_name(enum call_ret ret);
/* Classifies one argument. */
void call_parse_arg(const char *text, struct call_arg *out);
/* Calls fn with nargs (<= CALL_MAX_ARGS) arguments. */
void call_invoke(void *fn, const struct call_arg *args, int nargs, enum call_ret ret,
                 struct call_result *out);
/* A copy of the NUL-terminated string a function returned at p, read
 * without trusting p (an int returned where a string was asked for must not
 * crash us); malloc'ed. NULL with the reason in why. */
char *call_copy_string(const char *p, char *why, size_t cap);

#endif
