/* libtables: a large relocated pointer table in const data. 20,000
 * pointers to strings, each needing a RELATIVE relocation, so the table
 * lands in RELRO: about 40 pages written by the loader and then made
 * read-only, identical in every process that loads it at the same base. */
#include <string.h>

static const char names[] = "alpha\0beta\0gamma\0delta\0epsilon\0zeta\0eta\0theta\0iota\0kappa";

/* Offsets of the ten words in names. */
#define W0 0
#define W1 6
#define W2 11
#define W3 17
#define W4 23
#define W5 31
#define W6 36
#define W7 40
#define W8 46
#define W9 51

#define T10 names + W0, names + W1, names + W2, names + W3, names + W4, names + W5, \
	    names + W6, names + W7, names + W8, names + W9
#define T100 T10, T10, T10, T10, T10, T10, T10, T10, T10, T10
#define T1000 T100, T100, T100, T100, T100, T100, T100, T100, T100, T100
#define T10000 T1000, T1000, T1000, T1000, T1000, T1000, T1000, T1000, T1000, T1000

const char *const tables_strings[20000] = {T10000, T10000};

int tables_count(void)
{
	return (int)(sizeof(tables_strings) / sizeof(tables_strings[0]));
}

const char *tables_get(int i)
{
	return i >= 0 && i < tables_count() ? tables_strings[i] : 0;
}

/* A pointer into libc in RELRO too: the one kind of page that differs
 * between processes with libc at different places. */
size_t (*const tables_strlen_ptr)(const char *) = strlen;

size_t tables_strlen(const char *s)
{
	return tables_strlen_ptr(s);
}

/* How many entries point at the word they should: 20000 when every
 * relocation was applied. */
int tables_check(void)
{
	static const int offsets[10] = {W0, W1, W2, W3, W4, W5, W6, W7, W8, W9};
	int good = 0;

	for (int i = 0; i < tables_count(); i++)
		good += tables_strings[i] == names + offsets[i % 10];
	return good;
}

/* Sum of the first bytes of every string: checks every relocation. */
long tables_checksum(void)
{
	long sum = 0;

	for (int i = 0; i < tables_count(); i++)
		sum += tables_strings[i][0];
	return sum;
}
