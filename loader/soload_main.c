/* soload: load shared libraries with libsoload and show what happened. */
#include "emit.h"
#include "soload.h"

#include <stdio.h>

int main(int argc, char **argv)
{
	(void)argv;
	if (argc < 2) {
		fprintf(stderr, "usage: soload info|call|hold ...\n");
		return 2;
	}
	return 2;
}
