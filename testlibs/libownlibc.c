/* Defines abs, as libc does, and calls it: glibc binds a library's own
 * reference to the global scope's definition first, libc's, so
 * ownlibc_abs(-3) is 3 and own_abs_calls stays 0. Built twice: alone, with
 * more names than references (each reference asked of glibc's objects'
 * filters), and with OWNLIBC_TABLE, 512 references more (the names it
 * shares with glibc's objects are found first, hostsym.c). */
#include <stdlib.h>

int own_abs_calls;

int abs(int x)
{
	own_abs_calls++;
	return x;
}

int ownlibc_abs(int x)
{
	return abs(x);
}

#ifndef OWNLIBC_TABLE
#define UNUSED(n)                                                                                 \
	int ownlibc_unused##n(void)                                                               \
	{                                                                                         \
		return n;                                                                         \
	}
#define UNUSED8(n)                                                                                \
	UNUSED(n##0)                                                                              \
	UNUSED(n##1) UNUSED(n##2) UNUSED(n##3) UNUSED(n##4) UNUSED(n##5) UNUSED(n##6)             \
	        UNUSED(n##7)
UNUSED8(1)
UNUSED8(2)
UNUSED8(3)
UNUSED8(4)
#else
#define ABS8   abs, abs, abs, abs, abs, abs, abs, abs
#define ABS64  ABS8, ABS8, ABS8, ABS8, ABS8, ABS8, ABS8, ABS8
#define ABS512 ABS64, ABS64, ABS64, ABS64, ABS64, ABS64, ABS64, ABS64

int (*const ownlibc_table[512])(int) = {ABS512};
#endif
