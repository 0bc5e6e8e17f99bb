/* libhostmix: needs one of glibc's libraries (libm) before one of ours
 * (libchain_b, which needs libchain_c), and libc last: its scope holds
 * glibc's libraries once, where libm stands, and ours after them. */
#include <math.h>

int chain_b(int x);

double hostmix_cos(double a)
{
	return cos(a);
}

int hostmix_chain(int x)
{
	return chain_b(x) + 1;
}
