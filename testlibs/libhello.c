/* libhello: functions taking and returning integers and strings. */
#include <stdio.h>
#include <string.h>

int hello_calls; /* counts calls, so tests can read a relocated variable */
char hello_buf[64] = "hello buffer";

int hello_add(int a, int b)
{
	hello_calls++;
	return a + b;
}

long hello_mul(long a, long b)
{
	hello_calls++;
	return a * b;
}

const char *hello_greet(const char *name)
{
	static char line[128];

	hello_calls++;
	snprintf(line, sizeof(line), "hello, %s", name);
	return line;
}

int hello_strlen(const char *s)
{
	return (int)strlen(s);
}

double hello_half(int x)
{
	return x / 2.0;
}

const char *hello_version(void)
{
	return "libhello 1.0";
}

void hello_reset(void)
{
	hello_calls = 0;
}
