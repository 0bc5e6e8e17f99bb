/* libtables: large relocated read-only tables for RELRO sharing. About
 * 20,000 pointers (160 KB, some 40 pages of RELRO) that relocation fills
 * with addresses inside the library, identical in every process that puts
 * the library at the same address, and one pointer into libc, which
 * differs between processes. */
#include <stddef.h>
#include <string.h>

#define NTABLE 20000

static char pool[NTABLE];

#define P1(i) &pool[i],
#define P10(i) P1(i) P1(i + 1) P1(i + 2) P1(i + 3) P1(i + 4) \
	P1(i + 5) P1(i + 6) P1(i + 7) P1(i + 8) P1(i + 9)
#define P100(i) P10(i) P10(i + 10) P10(i + 20) P10(i + 30) P10(i + 40) \
	P10(i + 50) P10(i + 60) P10(i + 70) P10(i + 80) P10(i + 90)
#define P1000(i) P100(i) P100(i + 100) P100(i + 200) P100(i + 300) P100(i + 400) \
	P100(i + 500) P100(i + 600) P100(i + 700) P100(i + 800) P100(i + 900)
#define P10000(i) P1000(i) P1000(i + 1000) P1000(i + 2000) P1000(i + 3000) \
	P1000(i + 4000) P1000(i + 5000) P1000(i + 6000) P1000(i + 7000) \
	P1000(i + 8000) P1000(i + 9000)

const char *const tables_table[NTABLE] = {P10000(0) P10000(10000)};
size_t (*const tables_libc[])(const char *) = {strlen};

/* How many entries point where they should: NTABLE when relocated right. */
int tables_check(void)
{
	int ok = 0;

	for (int i = 0; i < NTABLE; i++)
		ok += tables_table[i] == &pool[i];
	return ok;
}

/* Calls libc through the table. */
size_t tables_strlen(const char *s)
{
	return tables_libc[0](s);
}
